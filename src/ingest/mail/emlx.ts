import { readFileSync, statSync } from 'node:fs';
import { inputError } from '../../shared/errors.ts';
import type { ItemLocation } from '../types.ts';
import type { SourceBase } from './mbox-variants.ts';
import type { MailItem } from './types.ts';

export interface EmlxOptions {
  /** Largest .emlx file read, in bytes; a bigger one is a skipped record. Default 256 MiB. */
  readonly maxMessageBytes: number;
}

export const DEFAULT_EMLX_OPTIONS: EmlxOptions = { maxMessageBytes: 256 * 1024 * 1024 };

/** True when the bytes start with a decimal count line (Apple Mail .emlx) followed by a header. */
export function looksLikeEmlx(head: Uint8Array): boolean {
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, 200)).toString('latin1');
  return /^[ \t]*\d{1,12}[ \t]*\r?\n[\x21-\x39\x3b-\x7e]+[ \t]*:/.test(text);
}

/**
 * Apple Mail .emlx: a line with the message's byte count, the message, then an XML plist of Mail's
 * own flags. The message bytes are yielded as stored; the plist is kept as text. A count that does
 * not fit the file is a coded failure that still carries what could be read.
 */
export function* readEmlx(
  path: string,
  options: EmlxOptions = DEFAULT_EMLX_OPTIONS,
  base: SourceBase = { sourcePath: path, chain: [] },
): Generator<MailItem> {
  const fileLocation: ItemLocation = { sourcePath: base.sourcePath, chain: base.chain, extraction: 'read' };
  let bytes: Buffer;
  try {
    const size = statSync(path).size;
    if (size > options.maxMessageBytes) {
      yield { kind: 'skipped', location: fileLocation, limit: 'maxMessageBytes', detail: `${size} bytes` };
      return;
    }
    bytes = readFileSync(path);
  } catch (e) {
    yield { kind: 'failed', location: fileLocation, error: inputError('source-unreadable', String(e)) };
    return;
  }
  yield* parseEmlx(bytes, base);
}

export function* parseEmlx(bytes: Uint8Array, base: SourceBase): Generator<MailItem> {
  const fileLocation: ItemLocation = { sourcePath: base.sourcePath, chain: base.chain, extraction: 'read' };
  const lf = bytes.indexOf(0x0a);
  const first = Buffer.from(bytes.buffer, bytes.byteOffset, lf < 0 ? Math.min(bytes.length, 64) : lf)
    .toString('latin1')
    .trim();
  if (lf < 0 || !/^\d{1,15}$/.test(first)) {
    yield {
      kind: 'failed',
      location: fileLocation,
      error: inputError('emlx-malformed', 'no byte-count line at the start of the .emlx', 0),
    };
    return;
  }
  const start = lf + 1;
  const count = Number(first);
  const step = (length: number) => ({
    sourcePath: base.sourcePath,
    chain: [...base.chain, { format: 'emlx', entry: 'message', offset: start, length }],
    extraction: 'emlx-split',
  });
  const rest = bytes.length - start;
  // The plist must follow the message; a count that overruns the file or lands short of an XML
  // declaration does not describe this file.
  const tail =
    count <= rest ? Buffer.from(bytes.buffer, bytes.byteOffset + start + count, rest - count) : undefined;
  const tailText = tail?.toString('utf8') ?? '';
  if (tail === undefined || (tail.length > 0 && !/^\s*<\?xml|^\s*<!DOCTYPE|^\s*<plist/.test(tailText))) {
    const readable = Math.min(count, rest);
    yield {
      kind: 'failed',
      location: step(readable),
      error: inputError(
        'emlx-count-mismatch',
        `the count line says ${count} bytes, but ${rest} bytes follow it${tail ? ' and no plist starts at that point' : ''}`,
        0,
      ),
    };
    // What could be read: the message as the count cuts it, marked as such by the failure above.
    yield {
      kind: 'raw-message',
      bytes: bytes.subarray(start, start + readable),
      location: { ...step(readable), extraction: 'emlx-split-unverified-count' },
    };
    return;
  }
  yield {
    kind: 'raw-message',
    bytes: bytes.subarray(start, start + count),
    location: step(count),
    emlx: { plist: tailText },
  };
}
