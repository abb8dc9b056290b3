/** The `leakproof verify` command as a user runs it: a real process, real files, exit codes. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = new URL('../../', import.meta.url).pathname;
const MAIN = join(ROOT, 'src/cli/main.ts');
const MAIL = join(ROOT, 'examples/mail');
const KEYS = join(ROOT, 'examples/keys/keys.txt');

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('the examples get the verdicts examples/README.md promises, as JSON Lines', () => {
  const r = run('verify', '--json', '--keys', KEYS, MAIL);
  assert.equal(r.code, 0, r.stderr);
  const byFile = new Map<string, Record<string, unknown>>();
  for (const line of jsonLines(r.stdout)) {
    const source = line['source'] as { path: string; index?: number };
    byFile.set(
      source.path.replace(MAIL + '/', '') + (source.index === undefined ? '' : `#${source.index}`),
      line,
    );
  }
  const expected: Record<string, string> = {
    '01-authentic.eml': 'authentic',
    '02-authentic-ed25519.eml': 'authentic',
    '03-weak-sha1.eml': 'authentic-with-caveats',
    '04-third-party-signer.eml': 'authentic-with-caveats',
    '05-partial-body-appended.eml': 'authentic-with-caveats',
    '06-tampered-body.eml': 'altered',
    '07-tampered-subject.eml': 'altered',
    '08-prepended-from.eml': 'authentic-with-caveats',
    '09-unsigned.eml': 'unsigned',
    '10-key-missing.eml': 'unverifiable',
    '11-expired-2016.eml': 'authentic',
    'mailbox.mbox#0': 'authentic',
    'mailbox.mbox#1': 'altered',
    'mailbox.mbox#2': 'unsigned',
  };
  assert.deepEqual(Object.fromEntries([...byFile].map(([k, v]) => [k, v['verdict']])), expected);

  const tampered = byFile.get('06-tampered-body.eml')!;
  const sig = (tampered['signatures'] as Record<string, unknown>[])[0]!;
  assert.equal(sig['result'], 'body-altered');
  assert.equal(sig['d'], 'campaign.example');
  assert.equal(sig['keyBits'], 2048);
  for (const field of ['messageId', 'from', 'date', 'verdict', 'reason', 'caveats'])
    assert.ok(field in tampered, field);
  const mbox = byFile.get('mailbox.mbox#1')!['source'] as { offset: number };
  assert.ok(mbox.offset > 0, 'an mbox entry carries its byte offset');
});

test('--as-of now turns the 2016 message with a passed x= into expired (unverifiable)', () => {
  const r = run('verify', '--json', '--as-of', 'now', '--keys', KEYS, join(MAIL, '11-expired-2016.eml'));
  const [line] = jsonLines(r.stdout);
  assert.equal(line!['verdict'], 'unverifiable');
  assert.equal((line!['signatures'] as Record<string, unknown>[])[0]!['result'], 'expired');
});

test('the table ends with a summary by verdict', () => {
  const r = run('verify', '--keys', KEYS, MAIL);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^MESSAGE +FROM +DATE +VERDICT +REASON/);
  assert.match(r.stdout, /14 messages: .*4 authentic,/);
});

test('exit codes: --fail-on gives 1, usage errors 2, unreadable input 3', () => {
  assert.equal(run('verify', '--keys', KEYS, '--fail-on', 'altered', MAIL).code, 1);
  assert.equal(run('verify', '--keys', KEYS, '--fail-on', 'altered', join(MAIL, '01-authentic.eml')).code, 0);
  const usage = run('verify', '--as-of', 'yesterday', MAIL);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--as-of takes signed, now or an ISO 8601 date/);
  assert.equal(run('verify').code, 2);
  assert.equal(run('verify', '--no-such-flag', MAIL).code, 2);
  assert.equal(run('frobnicate').code, 2);
  const missing = run('verify', '--json', join(MAIL, 'no-such-file.eml'));
  assert.equal(missing.code, 3);
  assert.equal((jsonLines(missing.stdout)[0]!['error'] as { code: string }).code, 'input-unreadable');
});

test('hostile input: an oversized header, binary junk and an empty file are reported, not fatal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leakproof-cli-'));
  writeFileSync(join(dir, 'huge-header.eml'), 'X-Junk: ' + 'a'.repeat(2 * 1024 * 1024) + '\r\n\r\nbody\r\n');
  writeFileSync(join(dir, 'binary.bin'), Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0xfe]));
  writeFileSync(join(dir, 'empty.eml'), '');
  const r = run('verify', '--json', dir);
  assert.equal(r.code, 3, 'some input could not be read');
  const lines = jsonLines(r.stdout);
  assert.equal(lines.length, 3, 'every file is accounted for');
  const byName = new Map(lines.map((l) => [(l['source'] as { path: string }).path.split('/').pop(), l]));
  assert.equal(
    (byName.get('huge-header.eml')!['error'] as { code: string }).code,
    'header-section-too-large',
  );
  assert.equal(byName.get('binary.bin')!['skipped'], 'skipped: does not start with a header field');
  assert.equal((byName.get('empty.eml')!['error'] as { code: string }).code, 'message-empty');
});

test('--jobs 2 (worker threads) prints exactly what one thread prints, in the same order', () => {
  const one = run('verify', '--json', '-j', '1', '--keys', KEYS, MAIL);
  const two = run('verify', '--json', '-j', '2', '--keys', KEYS, MAIL);
  assert.equal(two.code, 0, two.stderr);
  assert.equal(two.stdout, one.stdout);
  assert.equal(jsonLines(two.stdout).length, 14);
});

test('--version and --help answer', () => {
  assert.match(run('--version').stdout, /^\d+\.\d+\.\d+/);
  assert.match(run('verify', '--help').stdout, /Exit codes:/);
});
