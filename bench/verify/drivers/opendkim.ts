/**
 * Benchmark driver: OpenDKIM in test mode (`opendkim -t file,file,...`), keys from keys.txt through the
 * `TestPublicKeys` configuration option (no DNS).
 *
 *   node bench/verify/drivers/opendkim.ts --corpus DIR [--list all.txt]
 *
 * `-t` takes a comma-separated list of files and verifies them all in one process, so there is no
 * process per message; the list is one argument, which Linux caps at 128 KB, so the files go in
 * batches of a few thousand, one process each (a few milliseconds of start-up per batch, included in
 * the time). OpenDKIM reads the files itself: the time includes reading, and no separate read time
 * exists. With -vv it prints the Authentication-Results header it would add, one `dkim=` per signature:
 * that is where the per-signature results come from.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { driverArgs, emit, type Outcome, outcomeOf, summarise } from './common.ts';

const args = driverArgs();
const MAX_ARG = 120_000;

const version = spawnSync('opendkim', ['-V'], { encoding: 'utf8' });
if (version.error || version.status !== 0) {
  console.error('opendkim not found (apt-get install opendkim)');
  process.exit(2);
}
const versionLine = /OpenDKIM Filter v(\S+)/.exec(version.stdout)?.[1] ?? 'unknown';

const tmp = mkdtempSync(join(tmpdir(), 'leakproof-opendkim-'));
const conf = join(tmp, 'opendkim.conf');
writeFileSync(conf, `Mode v\nSyslog no\nTestPublicKeys ${join(args.corpus, 'keys.txt')}\n`);

const batches: string[][] = [];
let batch: string[] = [];
let len = 0;
for (const f of args.files) {
  if (batch.length && len + f.length + 1 > MAX_ARG) {
    batches.push(batch);
    batch = [];
    len = 0;
  }
  batch.push(f);
  len += f.length + 1;
}
if (batch.length) batches.push(batch);

const outputs: string[] = [];
const t0 = process.hrtime.bigint();
for (const b of batches) {
  const r = spawnSync('opendkim', ['-x', conf, '-vv', '-t', b.join(',')], {
    cwd: args.corpus,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (r.error) throw r.error;
  outputs.push(r.stdout);
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
rmSync(tmp, { recursive: true, force: true });

// Each file's Authentication-Results block (### INSHEADER ...) comes before its one-line summary.
const byName = new Map<string, Outcome>();
const signatures: Record<string, number> = {};
for (const out of outputs) {
  let pending: boolean[] = [];
  for (const line of out.split('\n')) {
    for (const m of line.matchAll(/\bdkim=([a-z]+)/g)) {
      const result = m[1] ?? 'unknown';
      signatures[result] = (signatures[result] ?? 0) + 1;
      pending.push(result === 'pass');
    }
    const summary = /^opendkim: (\S+): /.exec(line);
    if (summary?.[1]) {
      byName.set(summary[1], outcomeOf(pending));
      pending = [];
    }
  }
}
const outcomes = args.files.map((f) => byName.get(f) ?? 'error');

emit({
  tool: 'OpenDKIM',
  version: versionLine,
  mode: `opendkim -t (test mode), every signature, one core, ${batches.length} process(es)`,
  list: args.list,
  messages: args.files.length,
  bytes: args.bytes,
  seconds,
  ...summarise(args.files, outcomes, args.byFile),
  signatures,
});
