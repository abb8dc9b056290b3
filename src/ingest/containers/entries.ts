import { isUtf8 } from 'node:buffer';
import type { InputError, InputErrorCode } from '../../shared/errors.ts';
import { inputError } from '../../shared/errors.ts';
import type { ContainerStep, LimitName } from '../types.ts';
import type { DecompressionBudget, EntryCap } from './limits.ts';

/**
 * What a container reader yields, in archive order. Readers never throw on input: damage becomes a
 * `failed` record (with `step` undefined when it concerns the archive as a whole) after whatever
 * entries were read before it.
 */
export type EntryRecord =
  | {
      readonly kind: 'entry';
      readonly step: ContainerStep;
      /** The name for display; the exact bytes are in `step.entryRaw` when they are not UTF-8. */
      readonly name: string;
      readonly bytes: Buffer;
      readonly size: number;
      /** 'read' (stored as is), 'inflate' (zip deflate), 'gunzip'. */
      readonly extraction: string;
    }
  | { readonly kind: 'directory'; readonly step: ContainerStep }
  | {
      readonly kind: 'skipped';
      readonly step: ContainerStep | undefined;
      readonly limit: LimitName;
      readonly detail: string;
    }
  | { readonly kind: 'failed'; readonly step: ContainerStep | undefined; readonly error: InputError };

/**
 * A stored entry name as display text plus, when the bytes are not (or not declared) UTF-8, the exact
 * bytes in base64. Names are labels only: they never become file-system paths.
 */
export function decodeName(raw: Buffer): { name: string; entryRaw?: string } {
  if (isUtf8(raw)) return { name: raw.toString('utf8') };
  // Not UTF-8 (Shift-JIS, GBK, CP437 ..., or bytes that lie about the UTF-8 flag): guessing the
  // charset would rewrite evidence, so keep the exact bytes and show a lossy rendering.
  const name = new TextDecoder('utf-8', { fatal: false }).decode(raw);
  return { name, entryRaw: raw.toString('base64') };
}

/** The part of a Node or streamx readable that collecting needs (tar-stream gives streamx streams). */
export interface ByteStream {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  removeListener(event: 'data', listener: (chunk: Buffer) => void): unknown;
  destroy(error?: Error): unknown;
}

export type Collected =
  | { readonly ok: true; readonly bytes: Buffer }
  | { readonly ok: false; readonly hit: EntryCap; readonly read: number }
  | { readonly ok: false; readonly hit?: undefined; readonly error: Error };

/**
 * Reads a stream into one Buffer, stopping (and destroying the stream) as soon as it passes `cap`:
 * a bomb is cut off at the limit, not inflated and then measured. Never trusts a declared size.
 */
export function collectBounded(stream: ByteStream, cap: EntryCap): Promise<Collected> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let read = 0;
    let settled = false;
    const settle = (result: Collected): void => {
      if (settled) return;
      settled = true;
      stream.removeListener('data', onData);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      read += chunk.length;
      if (read > cap.bytes) {
        settle({ ok: false, hit: cap, read });
        stream.destroy();
        return;
      }
      chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.on('error', (error: Error) => settle({ ok: false, error }));
    stream.on('end', () => settle({ ok: true, bytes: Buffer.concat(chunks, read) }));
    stream.on('close', () => settle({ ok: false, error: new Error('stream closed before its end') }));
  });
}

export function failure(
  code: InputErrorCode,
  what: string,
  cause: unknown,
  step?: ContainerStep,
): EntryRecord {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return { kind: 'failed', step, error: inputError(code, `${what}: ${detail}`) };
}

export function limitHit(step: ContainerStep | undefined, cap: EntryCap, read: number): EntryRecord {
  return {
    kind: 'skipped',
    step,
    limit: cap.limit,
    detail: `stopped after ${read} bytes; the bound here was ${cap.bytes} bytes (${cap.limit})`,
  };
}

/** An entry read whole: counted against the decompression budget, then handed on. */
export function entryRecord(
  step: ContainerStep,
  bytes: Buffer,
  extraction: string,
  budget: DecompressionBudget,
): EntryRecord {
  budget.used += bytes.length;
  return { kind: 'entry', step, name: step.entry, bytes, size: bytes.length, extraction };
}
