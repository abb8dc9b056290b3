import { closeSync, openSync, readSync } from 'node:fs';

/** One message cut out of an mbox, with where it stood in the file. */
export interface MboxEntry {
  /** 0-based position in the mbox. */
  readonly index: number;
  /** Byte offset of the entry's `From ` line in the file. */
  readonly offset: number;
  /** The entry's bytes: its `From ` line, headers and body, the separating newline excluded. */
  readonly bytes: Uint8Array;
}

export interface MboxOptions {
  /** Largest single entry kept, in bytes. A bigger one is reported, not loaded: a hostile mbox need
   * not be one message. */
  readonly maxMessageBytes: number;
  /** Bytes read from the file at a time. */
  readonly chunkBytes: number;
}

export const DEFAULT_MBOX_OPTIONS: MboxOptions = {
  maxMessageBytes: 256 * 1024 * 1024,
  chunkBytes: 16 * 1024 * 1024,
};

export type MboxItem =
  | ({ readonly kind: 'message' } & MboxEntry)
  | {
      readonly kind: 'too-large';
      readonly index: number;
      readonly offset: number;
      readonly length: number;
    };

const FROM_LINE = Buffer.from('\nFrom ');

/** True when the bytes start like an mbox (a `From ` separator line, not a `From:` header). */
export function looksLikeMbox(head: Uint8Array): boolean {
  if (head.length < 5) return false;
  if (Buffer.from(head.buffer, head.byteOffset, 5).toString('latin1') !== 'From ') return false;
  let i = 5;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09)) i++;
  return head[i] !== 0x3a;
}

/**
 * Split an mbox file into entries at every line that starts with `From ` (mboxo/mboxrd framing),
 * reading it in chunks so memory stays bounded by the largest entry. `>From ` escapes are left as
 * found: undoing them is a repair, decided and recorded elsewhere.
 */
export function* readMbox(path: string, options: MboxOptions = DEFAULT_MBOX_OPTIONS): Generator<MboxItem> {
  if (!(options.maxMessageBytes > 0) || !(options.chunkBytes > 0))
    throw new RangeError('mbox limits must be positive');
  const fd = openSync(path, 'r');
  try {
    let pending: Buffer = Buffer.alloc(0); // bytes of the current entry not yet emitted
    let pendingOffset = 0; // file offset of pending[0]
    let skipping = false; // the current entry is over the limit: count, do not keep
    let skippedLength = 0;
    let fileOffset = 0;
    let index = 0;
    let tooLargeStart = 0;
    const emit = (offset: number, length: number): MboxItem =>
      skipping || length > options.maxMessageBytes
        ? { kind: 'too-large', index: index++, offset: skipping ? tooLargeStart : offset, length }
        : { kind: 'message', index: index++, offset, bytes: EMPTY };
    const chunk = Buffer.allocUnsafe(options.chunkBytes);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, fileOffset);
      const eof = n === 0;
      const data = eof ? pending : Buffer.concat([pending, chunk.subarray(0, n)]);
      const dataOffset = pendingOffset;
      fileOffset += n;
      // Search for separators after the entry's own first line.
      let entryStart = 0;
      let search = skipping ? 0 : 1; // an entry's own first line is not a separator
      for (;;) {
        const sep = data.indexOf(FROM_LINE, search);
        if (sep < 0) break;
        const end = sep; // the newline before "From " belongs to the separator
        yield withBytes(
          emit(dataOffset + entryStart, skippedLength + end - entryStart),
          data.subarray(entryStart, end),
        );
        skipping = false;
        skippedLength = 0;
        entryStart = sep + 1;
        search = sep + 2;
      }
      if (eof) {
        if (data.length > entryStart || skipping) {
          yield withBytes(
            emit(dataOffset + entryStart, skippedLength + data.length - entryStart),
            data.subarray(entryStart),
          );
        }
        return;
      }
      const rest = data.subarray(entryStart);
      if (skipping || rest.length > options.maxMessageBytes) {
        // Keep only a tail long enough to find the next separator across the chunk boundary.
        if (!skipping) {
          skipping = true;
          skippedLength = 0;
          pendingOffset = dataOffset + entryStart;
          tooLargeStart = pendingOffset;
        }
        const keep = Math.min(rest.length, FROM_LINE.length);
        skippedLength += rest.length - keep;
        pending = Buffer.from(rest.subarray(rest.length - keep));
        pendingOffset = dataOffset + entryStart + rest.length - keep;
      } else {
        pending = Buffer.from(rest);
        pendingOffset = dataOffset + entryStart;
      }
    }
  } finally {
    closeSync(fd);
  }
}
const EMPTY = new Uint8Array(0);

function withBytes(item: MboxItem, bytes: Uint8Array): MboxItem {
  return item.kind === 'message' ? { ...item, bytes } : item;
}
