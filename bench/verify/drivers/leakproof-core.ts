/** What the two leakproof drivers share: the key store and one message's outcome. */
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
