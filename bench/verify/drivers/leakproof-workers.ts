/**
 * Benchmark driver: leakproof's verifier on every core, in worker threads of one process. Workers take
 * the next file from a shared atomic counter (dynamic balancing, so one 2 MB message does not leave a
 * thread idle); with --mbox each worker takes a byte range of corpus.mbox cut at `From ` lines.
 *
 *   node bench/verify/drivers/leakproof-workers.ts --corpus DIR [--list all.txt] [--workers 2] [--mbox]
 *
 * The time runs from the moment every worker has loaded its code and keys to the moment the last one
 * is done: start-up (about a tenth of a second per thread) is reported apart, as startSeconds.
 */
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { ReusableFileReader } from '../../../src/cli/file-reader.ts';
import { DEFAULT_MBOX_OPTIONS, findMboxCuts, readMbox } from '../../../src/mail/mbox.ts';
import { type ManifestMessage, MBOX } from '../lib/corpus.ts';
import { driverArgs, emit, maxRssMB, type Outcome, packageVersion, summarise } from './common.ts';
import { loadKeys, mergeTally, newTally, OUTCOMES, type Tally, verifyOne } from './leakproof-core.ts';

interface Job {
  readonly corpus: string;
  readonly files: readonly string[];
  /** mbox mode: the byte range of this worker. */
  readonly range: readonly [number, number] | null;
  /** Next file index, shared by all workers. */
  readonly counter: Int32Array;
  /** Outcome code per file (index into OUTCOMES), written by whichever worker verified it. */
  readonly outcomes: Uint8Array;
}

interface Done {
  readonly tally: Tally;
  readonly readNs: string;
  /** mbox mode: [offset of the message after its From line, outcome code] per entry verified. */
  readonly entries: [number, number][];
}

if (isMainThread) {
  const args = driverArgs();
  const workers = Math.max(1, args.workers);
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const outcomesCode = new Uint8Array(new SharedArrayBuffer(Math.max(1, args.files.length)));
  const mboxPath = join(args.corpus, MBOX);
  const cuts = args.mbox ? findMboxCuts(mboxPath, workers) : [];

  const s0 = process.hrtime.bigint();
  const threads = Array.from({ length: workers }, (_, k) => {
    const job: Job = {
      corpus: args.corpus,
      files: args.mbox ? [] : args.files,
      range: args.mbox ? [cuts[k] ?? 0, cuts[k + 1] ?? 0] : null,
      counter,
      outcomes: outcomesCode,
    };
    return new Worker(new URL(import.meta.url), { workerData: job });
  });
  const ready = threads.map((w) => new Promise<void>((res) => w.once('message', () => res())));
  await Promise.all(ready);
  const t0 = process.hrtime.bigint();
  const done = threads.map(
    (w) =>
      new Promise<Done>((res, rej) => {
        w.once('message', (m: Done) => res(m));
        w.once('error', rej);
      }),
  );
  for (const w of threads) w.postMessage('go');
  const results = await Promise.all(done);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const startSeconds = Number(t0 - s0) / 1e9;
  for (const w of threads) await w.terminate();

  const tally = newTally();
  let readNs = 0n;
  for (const r of results) {
    mergeTally(tally, r.tally);
    readNs += BigInt(r.readNs);
  }
  let files: readonly string[] = args.files;
  let outcomes: Outcome[];
  let bytes = args.bytes;
  if (args.mbox) {
    // match entries to the manifest by where each message starts in the mbox
    const byOffset = new Map<number, ManifestMessage>();
    for (const m of args.byFile.values()) byOffset.set(m.mboxOffset, m);
    const entries = results.flatMap((r) => r.entries).sort((a, b) => a[0] - b[0]);
    files = entries.map(([offset]) => byOffset.get(offset)?.file ?? `mbox@${offset}`);
    outcomes = entries.map(([, code]) => OUTCOMES[code] ?? 'error');
    bytes = [...args.byFile.values()].reduce((n, m) => n + m.bytes, 0);
  } else {
    outcomes = [...outcomesCode.subarray(0, args.files.length)].map((c) => OUTCOMES[c] ?? 'error');
  }
  emit({
    tool: args.mbox ? `leakproof-workers (mbox)` : 'leakproof-workers',
    version: packageVersion('..'),
    mode: `verifyMessage in ${workers} worker threads${args.mbox ? ' over byte ranges of corpus.mbox' : ''}`,
    list: args.mbox ? MBOX : args.list,
    messages: outcomes.length,
    bytes,
    seconds,
    startSeconds,
    readSeconds: args.mbox ? undefined : Number(readNs) / 1e9,
    ...summarise(files, outcomes, args.byFile),
    signatures: tally.signatures,
    verdicts: tally.verdicts,
    maxRssMB: maxRssMB(),
  });
} else {
  const job = workerData as Job;
  const port = parentPort;
  if (!port) throw new Error('no parent port');
  const keys = await loadKeys(job.corpus);
  port.once('message', () => {
    const tally = newTally();
    let readNs = 0n;
    const entries: [number, number][] = [];
    if (job.range) {
      const range = { start: job.range[0], end: job.range[1] };
      for (const item of readMbox(join(job.corpus, MBOX), DEFAULT_MBOX_OPTIONS, range)) {
        if (item.kind !== 'message') continue;
        const outcome = OUTCOMES.indexOf(verifyOne(item.bytes, keys, tally));
        entries.push([item.offset + item.bytes.indexOf(0x0a) + 1, outcome]);
      }
    } else {
      const reader = new ReusableFileReader(64 * 1024 * 1024); // as the product's verify command reads
      for (;;) {
        const i = Atomics.add(job.counter, 0, 1);
        const file = job.files[i];
        if (file === undefined) break;
        const r0 = process.hrtime.bigint();
        const data = reader.read(join(job.corpus, file)) as Buffer;
        readNs += process.hrtime.bigint() - r0;
        job.outcomes[i] = OUTCOMES.indexOf(verifyOne(data, keys, tally));
      }
    }
    const done: Done = { tally, readNs: String(readNs), entries };
    port.postMessage(done);
  });
  port.postMessage('ready');
}
