/** A VerifyPool thread: verifies the messages it is sent with its own copy of the key store. */
import { parentPort, workerData } from 'node:worker_threads';
import { KeyStore } from '../keys/store.ts';
import type { KeyRecord } from '../keys/types.ts';
import type { ParseLimits } from '../mail/message.ts';
import type { AsOf } from './types.ts';
import { verifyMessage } from './verify.ts';

const config = workerData as { keys: KeyRecord[]; asOf: AsOf; limits: ParseLimits; now: Date };
const keys = new KeyStore();
for (const record of config.keys) keys.add(record);

parentPort!.on('message', (m: { id: number; bytes: Uint8Array }) => {
  const result = verifyMessage(m.bytes, { keys, asOf: config.asOf, limits: config.limits, now: config.now });
  parentPort!.postMessage({ id: m.id, result });
});
