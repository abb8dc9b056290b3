/** What the two leakproof drivers share: the key store, one message's outcome, and mbox splitting. */
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageResult } from '../../../src/dkim/types.ts';
import { verifyMessage } from '../../../src/dkim/verify.ts';
import { KeyStore } from '../../../src/keys/store.ts';
import { KEYS } from '../lib/corpus.ts';
import type { Outcome } from './common.ts';

/** leakproof's own key store, filled by its own key-file importer from the corpus's keys.txt. */
export async function loadKeys(corpus: string): Promise<KeyStore> {
  const keys = new KeyStore();
  const imported = await keys.importFile(join(corpus, KEYS), { format: 'key-file' });
  if (!imported.ok) throw new Error(`keys.txt: ${imported.error.message}`);
  if (imported.value.problems.length) throw new Error(`keys.txt: ${imported.value.problems[0]?.message}`);
  return keys;
}

export const OUTCOMES: readonly Outcome[] = ['pass', 'partial', 'fail', 'none', 'error'];

export interface Tally {
  readonly signatures: Record<string, number>;
  readonly verdicts: Record<string, number>;
}

export function newTally(): Tally {
  return { signatures: {}, verdicts: {} };
}

export function mergeTally(into: Tally, from: Tally): void {
  for (const [k, v] of Object.entries(from.signatures)) into.signatures[k] = (into.signatures[k] ?? 0) + v;
  for (const [k, v] of Object.entries(from.verdicts)) into.verdicts[k] = (into.verdicts[k] ?? 0) + v;
}

/** Verify one message as the product does (as of signing), and reduce its result to the common outcome. */
export function verifyOne(bytes: Uint8Array, keys: KeyStore, tally: Tally): Outcome {
  let result: MessageResult;
  try {
    result = verifyMessage(bytes, { keys });
  } catch {
    return 'error';
  }
  tally.verdicts[result.verdict] = (tally.verdicts[result.verdict] ?? 0) + 1;
  let passed = 0;
  for (const s of result.signatures) {
    tally.signatures[s.result] = (tally.signatures[s.result] ?? 0) + 1;
    if (s.result === 'pass') passed++;
  }
  const n = result.signatures.length;
  return n === 0 ? 'none' : passed === n ? 'pass' : passed > 0 ? 'partial' : 'fail';
}

const FROM_SEP = Buffer.from('\nFrom ');

/**
 * Start offsets of `parts` byte ranges of an mbox, each at the start of a `From ` line, splitting the
 * file into roughly equal parts for worker threads. Reads a little around each cut, nothing more.
 */
export function mboxCuts(path: string, size: number, parts: number): number[] {
  const cuts = [0];
  const fd = openSync(path, 'r');
  try {
    const window = Buffer.allocUnsafe(4 * 1024 * 1024);
    for (let k = 1; k < parts; k++) {
      let at = Math.floor((size * k) / parts);
      let found = -1;
      while (found < 0 && at < size) {
        const n = readSync(fd, window, 0, window.length, at - 1);
        const i = window.subarray(0, n).indexOf(FROM_SEP);
        if (i >= 0) found = at - 1 + i + 1;
        else at += n - FROM_SEP.length;
        if (n < window.length && i < 0) break;
      }
      cuts.push(found < 0 ? size : Math.max(found, cuts[cuts.length - 1] ?? 0));
    }
  } finally {
    closeSync(fd);
  }
  cuts.push(size);
  return cuts;
}

/**
 * The entries of an mbox whose `From ` line starts in [start, end): each as its bytes (From line
 * included, the separating newline excluded) and its offset. Memory is bounded by the chunk size plus
 * the largest entry.
 */
export function* mboxRange(
  path: string,
  start: number,
  end: number,
  chunkBytes = 16 * 1024 * 1024,
): Generator<{ offset: number; bytes: Uint8Array }> {
  const fd = openSync(path, 'r');
  try {
    let pending = Buffer.alloc(0);
    let pendingOffset = start;
    let pos = start;
    const chunk = Buffer.allocUnsafe(chunkBytes);
    for (;;) {
      const n = pos < end ? readSync(fd, chunk, 0, Math.min(chunk.length, end - pos), pos) : 0;
      pos += n;
      const data =
        n === 0
          ? pending
          : pending.length
            ? Buffer.concat([pending, chunk.subarray(0, n)])
            : chunk.subarray(0, n);
      let entry = 0;
      for (let sep = data.indexOf(FROM_SEP, 1); sep >= 0; sep = data.indexOf(FROM_SEP, sep + 2)) {
        yield { offset: pendingOffset + entry, bytes: data.subarray(entry, sep) };
        entry = sep + 1;
      }
      if (n === 0) {
        // the range ends just before the next part's From line (or at the end of the file): drop the
        // separating newline, as between entries
        let last = data.length;
        if (last > entry && data[last - 1] === 0x0a) last--;
        if (last > entry) yield { offset: pendingOffset + entry, bytes: data.subarray(entry, last) };
        return;
      }
      pending = Buffer.from(data.subarray(entry));
      pendingOffset += entry;
    }
  } finally {
    closeSync(fd);
  }
}
