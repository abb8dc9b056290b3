import { Worker } from 'node:worker_threads';
import type { KeyRecord } from '../keys/types.ts';
import type { ParseLimits } from '../mail/message.ts';
import type { AsOf, MessageResult } from './types.ts';

/** What every worker needs to verify as the main thread would: the same keys, time and limits. */
export interface PoolConfig {
  readonly threads: number;
  readonly keys: readonly KeyRecord[];
  readonly asOf: AsOf;
  readonly limits: ParseLimits;
  /** "Today", fixed once so every worker reports expiry against the same instant. */
  readonly now: Date;
}

interface Pending {
  resolve(result: MessageResult): void;
  reject(error: Error): void;
}

/**
 * Verification on several threads. Each worker holds its own key store; messages go to the
 * least busy worker, and each `verify` resolves with that message's result, so a caller that
 * awaits in input order keeps its output in input order. The bytes are copied (callers reuse
 * their read buffers) and the copy is transferred, not cloned again.
 */
export class VerifyPool {
  readonly #workers: { worker: Worker; pending: Map<number, Pending> }[] = [];
  #next = 0;

  constructor(config: PoolConfig) {
    if (!Number.isInteger(config.threads) || config.threads < 1)
      throw new RangeError('threads must be a positive integer');
    // From src/ the worker is a .ts file that Node 24 runs directly; from dist/ it is compiled .js.
    const url = new URL(`./verify-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
    for (let i = 0; i < config.threads; i++) {
      const worker = new Worker(url, {
        workerData: { keys: config.keys, asOf: config.asOf, limits: config.limits, now: config.now },
      });
      const pending = new Map<number, Pending>();
      worker.on('message', (m: { id: number; result: MessageResult }) => {
        pending.get(m.id)?.resolve(m.result);
        pending.delete(m.id);
      });
      worker.on('error', (error) => {
        for (const p of pending.values()) p.reject(error);
        pending.clear();
      });
      this.#workers.push({ worker, pending });
    }
  }

  verify(bytes: Uint8Array): Promise<MessageResult> {
    const id = this.#next++;
    let target = this.#workers[0]!;
    for (const w of this.#workers) if (w.pending.size < target.pending.size) target = w;
    const copy = new Uint8Array(bytes);
    return new Promise((resolve, reject) => {
      target.pending.set(id, { resolve, reject });
      target.worker.postMessage({ id, bytes: copy }, [copy.buffer]);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.worker.terminate()));
  }
}
