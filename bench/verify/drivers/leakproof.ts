/**
 * Benchmark driver: leakproof's verifier over the corpus on one core (the main thread), keys from
 * keys.txt through leakproof's own key-file importer and key store (no DNS), every signature checked,
 * as of the time of signing (the product's default).
 *
 *   node bench/verify/drivers/leakproof.ts --corpus DIR [--list all.txt] [--mbox]
 *
 * --mbox reads corpus.mbox with leakproof's mbox reader (src/mail/mbox.ts) instead of the .eml files.
 */

import { join } from 'node:path';
import { ReusableFileReader } from '../../../src/cli/file-reader.ts';
import { readMbox } from '../../../src/mail/mbox.ts';
import { MBOX } from '../lib/corpus.ts';
import { driverArgs, emit, maxRssMB, type Outcome, packageVersion, summarise } from './common.ts';
import { loadKeys, newTally, verifyOne } from './leakproof-core.ts';

const args = driverArgs();
const keys = await loadKeys(args.corpus);
const tally = newTally();
let readNs = 0n;
let files = args.files;
let bytes = args.bytes;
const outcomes: Outcome[] = [];

const t0 = process.hrtime.bigint();
if (args.mbox) {
  // Whole mbox, in file order; entries are matched to the manifest by position.
  for (const item of readMbox(join(args.corpus, MBOX))) {
    outcomes.push(item.kind === 'message' ? verifyOne(item.bytes, keys, tally) : 'error');
  }
} else {
  const reader = new ReusableFileReader(64 * 1024 * 1024); // as the product's verify command reads
  for (const file of files) {
    const r0 = process.hrtime.bigint();
    const data = reader.read(join(args.corpus, file)) as Buffer;
    readNs += process.hrtime.bigint() - r0;
    outcomes.push(verifyOne(data, keys, tally));
  }
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;

if (args.mbox) {
  files = [...args.byFile.keys()];
  bytes = [...args.byFile.values()].reduce((n, m) => n + m.bytes, 0);
}
emit({
  tool: args.mbox ? 'leakproof (mbox)' : 'leakproof',
  version: packageVersion('..'),
  mode: args.mbox
    ? 'verifyMessage over readMbox(corpus.mbox), one core'
    : 'verifyMessage, every signature, one core',
  list: args.mbox ? MBOX : args.list,
  messages: outcomes.length,
  bytes,
  seconds,
  readSeconds: args.mbox ? undefined : Number(readNs) / 1e9,
  ...summarise(files, outcomes, args.byFile),
  signatures: tally.signatures,
  verdicts: tally.verdicts,
  maxRssMB: maxRssMB(),
});
