import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseKeyFile } from '../../src/keys/import/key-file.ts';
import { decodePublicKey, parseKeyRecord } from '../../src/keys/record.ts';

const VECTORS = new URL('../../../shared/vectors/', import.meta.url).pathname;
const DKIMPY_KEYS = join(VECTORS, 'dkimpy/keys');
const ARC_KEYS = join(VECTORS, 'arc/keys.txt');

function importFile(path: string) {
  const r = parseKeyFile(readFileSync(path, 'latin1'), { origin: path });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

function dataLines(path: string): number {
  return readFileSync(path, 'latin1')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('#')).length;
}

describe('parseKeyFile on the shared vectors', () => {
  const files = readdirSync(DKIMPY_KEYS)
    .filter((f) => f.endsWith('.txt'))
    .map((f) => join(DKIMPY_KEYS, f));

  it('finds the dkimpy key files', () => {
    assert.ok(files.length >= 80, `${files.length} files`);
  });

  for (const path of [...files, ARC_KEYS]) {
    it(`imports ${path.slice(VECTORS.length)} with no problems`, () => {
      const { records, problems } = importFile(path);
      assert.deepEqual(problems, []);
      assert.equal(records.length, dataLines(path));
      for (const r of records) {
        assert.equal(r.provenance.kind, 'key-file');
        assert.equal(r.provenance.origin, path);
        assert.equal(typeof r.provenance.line, 'number');
      }
    });
  }

  it('reads names and values as written', () => {
    const gmail = importFile(join(DKIMPY_KEYS, 'gmail-2013-degenerate-folding.txt')).records[0]!;
    assert.equal(gmail.selector, '20120113');
    assert.equal(gmail.domain, 'gmail.com');
    assert.ok(gmail.value.startsWith('k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1Kd87'));

    const rfc = importFile(join(DKIMPY_KEYS, 'rfc8463-a3-signed.txt')).records;
    assert.deepEqual(
      rfc.map((r) => [r.selector, r.domain, r.provenance.line]),
      [
        ['brisbane', 'football.example.com', 1],
        ['test', 'football.example.com', 2],
      ],
    );
    const ed = parseKeyRecord(rfc[0]!.value);
    assert.ok(ed.ok);
    assert.equal(ed.value.keyType, 'ed25519');
    assert.ok(decodePublicKey(ed.value).ok);

    const arc = importFile(ARC_KEYS).records;
    const r512 = arc.find((r) => r.selector === '512')!;
    assert.equal(r512.domain, 'example.org');
    assert.ok(r512.value.startsWith('v=DKIM1; k=rsa; p= MFwwDQYJ'));
    const p512 = parseKeyRecord(r512.value);
    assert.ok(p512.ok);
    const d512 = decodePublicKey(p512.value);
    assert.ok(d512.ok);
    assert.equal(d512.value.bits, 512);
    // A record that is not a valid tag-list is still imported: judging it is the verifier's job.
    assert.ok(arc.some((r) => r.selector === 'invalid' && r.value === 'v=DKIM1; k=rsa; omgwhatsgoingon'));
  });

  it('keeps hostile-looking names the vectors use (dkimpy baddomain)', () => {
    const r = importFile(join(DKIMPY_KEYS, 'rsa-invalid-domain.txt')).records[0]!;
    assert.equal(r.domain, 'legitimate.com(.attacker.com');
  });
});

describe('parseKeyFile', () => {
  it('lower-cases names, drops a trailing dot, skips comments and blank lines, accepts CRLF', () => {
    const text = '# comment\r\n\r\n  Sel._DomainKey.Example.COM.\tv=DKIM1; p=\r\n   # indented comment\n';
    const r = parseKeyFile(text);
    assert.ok(r.ok);
    assert.deepEqual(r.value.problems, []);
    assert.equal(r.value.records.length, 1);
    const rec = r.value.records[0]!;
    assert.equal(rec.selector, 'sel');
    assert.equal(rec.domain, 'example.com');
    assert.equal(rec.value, 'v=DKIM1; p=');
    assert.equal(rec.provenance.line, 3);
  });

  it('keeps selectors with dots and 8-bit bytes as they are', () => {
    const r = parseKeyFile('a.B._domainkey.exAmple.com\xc3\x89 p=\n');
    assert.ok(r.ok);
    assert.equal(r.value.records[0]!.selector, 'a.b');
    assert.equal(r.value.records[0]!.domain, 'example.com\xc3\x89');
  });

  it('reports a bad line with its number and imports the rest', () => {
    const text = [
      'good._domainkey.example.com v=DKIM1; p=',
      'lonely._domainkey.example.com',
      'www.example.com v=DKIM1; p=',
      '_domainkey.example.com p=',
      'also._domainkey.example.com p=',
    ].join('\n');
    const r = parseKeyFile(text);
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.records.map((x) => x.selector),
      ['good', 'also'],
    );
    assert.deepEqual(
      r.value.problems.map((p) => [p.code, p.at]),
      [
        ['key-file-malformed', 2],
        ['key-name-invalid', 3],
        ['key-name-invalid', 4],
      ],
    );
  });

  it('refuses input over the size limit without scanning it', () => {
    const started = performance.now();
    const r = parseKeyFile('x'.repeat(100 * 1024 * 1024));
    assert.equal(r.ok ? null : r.error.code, 'key-file-too-large');
    assert.ok(performance.now() - started < 2000);
  });

  it('skips an over-long line but reads the others', () => {
    const r = parseKeyFile(
      `a._domainkey.example.com p=${'A'.repeat(200_000)}\nb._domainkey.example.com p=\n`,
    );
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.records.map((x) => x.selector),
      ['b'],
    );
    assert.equal(r.value.problems[0]!.at, 1);
  });
});
