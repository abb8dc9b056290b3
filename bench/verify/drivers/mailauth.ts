/**
 * Benchmark driver: mailauth's dkimVerify over the corpus, one message at a time in one process,
 * keys served from keys.txt by a resolver (no DNS), every signature checked (mailauth always does).
 *
 *   node bench/verify/drivers/mailauth.ts --corpus DIR [--list all.txt]
 */

import { join } from 'node:path';
import { dkimVerify } from 'mailauth';
import { ReusableFileReader } from '../../../src/cli/file-reader.ts';
import { driverArgs, emit, maxRssMB, type Outcome, outcomeOf, packageVersion, summarise } from './common.ts';

const args = driverArgs();

// mailauth takes a dns.resolveTxt-shaped function: a list of records, each a list of strings
const resolver = async (name: string, type: string): Promise<string[][]> => {
  const values = type === 'TXT' ? args.keys.get(name.toLowerCase().replace(/\.$/, '')) : undefined;
  if (!values) {
    const err = new Error(`queryTxt ENOTFOUND ${name}`) as Error & { code: string };
    err.code = 'ENOTFOUND';
    throw err;
  }
  return values.map((v) => [v]);
};

// judged as of just after each message was signed, so neither "signed in the future" nor x= matters
const curTimes = args.files.map((f) => new Date(((args.byFile.get(f)?.signedAt ?? 0) + 60) * 1000));

// The same reusable read buffer as leakproof's drivers: both are timed on verification, not on
// how many buffers they allocate. mailauth is awaited before the buffer is reused.
const reader = new ReusableFileReader(64 * 1024 * 1024);
const outcomes: Outcome[] = [];
const signatures: Record<string, number> = {};
let readNs = 0n;
const t0 = process.hrtime.bigint();
for (let i = 0; i < args.files.length; i++) {
  const r0 = process.hrtime.bigint();
  const bytes = reader.read(join(args.corpus, args.files[i] as string)) as Buffer;
  readNs += process.hrtime.bigint() - r0;
  try {
    const res = await dkimVerify(bytes, { resolver, curTime: curTimes[i] as Date });
    const passed: boolean[] = [];
    for (const r of res.results) {
      const status = r.status.result;
      signatures[status] = (signatures[status] ?? 0) + 1;
      if (status !== 'none') passed.push(status === 'pass');
    }
    outcomes.push(outcomeOf(passed));
  } catch {
    outcomes.push('error');
  }
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;

emit({
  tool: 'mailauth',
  version: packageVersion('mailauth'),
  mode: 'dkimVerify, every signature, one core',
  list: args.list,
  messages: args.files.length,
  bytes: args.bytes,
  seconds,
  readSeconds: Number(readNs) / 1e9,
  ...summarise(args.files, outcomes, args.byFile),
  signatures,
  maxRssMB: maxRssMB(),
});
