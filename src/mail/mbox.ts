import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** One message cut out of an mbox, with where it stood in the file. */
export interface MboxEntry {
  /** 0-based position in the mbox (in the range read, when a range is given). */
  readonly index: number;
  /** Byte offset of the entry's `From ` line in the file. */
  readonly offset: number;
  /** The entry's bytes: its `From ` line, headers and body, the separating newline excluded. Valid
   * only until the next entry is taken: entries share one read buffer. */
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
  | { readonly kind: 'too-large'; readonly index: number; readonly offset: number; readonly length: number };

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
 * Split an mbox into entries at every line that starts with `From ` (mboxo/mboxrd framing). The
 * file is read in chunks into one buffer; only the unfinished entry at a chunk's end is moved, so
 * each byte is read once and copied at most once, and memory stays bounded by the chunk size plus
 * the largest entry kept. `>From ` escapes are left as found: undoing them is a repair, decided and
 * recorded elsewhere. With `range`, only the entries whose `From ` line starts in [start, end) are
 * read, so workers can share one mbox (see `findMboxCuts`).
 */
export function* readMbox(
  path: string,
  options: MboxOptions = DEFAULT_MBOX_OPTIONS,
  range?: { readonly start: number; readonly end: number },
): Generator<MboxItem> {
  if (!(options.maxMessageBytes > 0) || !(options.chunkBytes > 0))
    throw new RangeError('mbox limits must be positive');
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const end = Math.min(range?.end ?? size, size);
    let buffer = Buffer.allocUnsafe(Math.max(options.chunkBytes, FROM_LINE.length * 2));
    let base = range?.start ?? 0; // file offset of buffer[0]
    let filled = 0; // valid bytes in buffer
    let entry = 0; // start of the current entry in buffer
    // Where to look for the next separator. An entry starts with 'F', so its own first line never
    // matches "\nFrom "; a file that opens with a blank line has a separator at 0.
    let search = 0;
    let index = 0;
    let skipped = -1; // > -1 while skipping an over-long entry: its length so far
    let skippedOffset = 0;
    for (;;) {
      if (filled === buffer.length) {
        // Make room: drop what was emitted, keep the unfinished entry.
        if (skipped >= 0) {
          // Keep only enough to find a separator across the boundary.
          const keep = FROM_LINE.length - 1;
          skipped += filled - keep - entry;
          buffer.copyWithin(0, filled - keep, filled);
          base += filled - keep;
          search = 0;
          entry = 0;
          filled = keep;
        } else if (entry > 0) {
          buffer.copyWithin(0, entry, filled);
          base += entry;
          search -= entry;
          filled -= entry;
          entry = 0;
        } else if (filled < options.maxMessageBytes) {
          const grown = Buffer.allocUnsafe(
            Math.min(buffer.length * 2, options.maxMessageBytes + FROM_LINE.length),
          );
          buffer.copy(grown, 0, 0, filled);
          buffer = grown;
        } else {
          skipped = 0;
          skippedOffset = base;
          continue;
        }
      }
      const want = Math.min(buffer.length - filled, end - (base + filled));
      const n = want > 0 ? readSync(fd, buffer, filled, want, base + filled) : 0;
      filled += n;
      for (;;) {
        const sep = buffer.subarray(0, filled).indexOf(FROM_LINE, Math.max(search, entry));
        if (sep < 0) break;
        if (skipped >= 0) {
          yield { kind: 'too-large', index: index++, offset: skippedOffset, length: skipped + sep - entry };
          skipped = -1;
        } else if (sep > entry) {
          yield entryItem(index++, base + entry, buffer.subarray(entry, sep), options);
        }
        entry = sep + 1;
        search = sep + 2;
      }
      search = Math.max(entry, filled - FROM_LINE.length + 1);
      if (n === 0) {
        // End of the file or range; a range that stops short of the end of the file ends with the
        // newline that separates its last entry from the next range's first.
        let last = filled;
        if (end < size && last > entry && buffer[last - 1] === 0x0a) last--;
        if (skipped >= 0) {
          yield { kind: 'too-large', index: index++, offset: skippedOffset, length: skipped + last - entry };
        } else if (last > entry) {
          yield entryItem(index++, base + entry, buffer.subarray(entry, last), options);
        }
        return;
      }
    }
  } finally {
    closeSync(fd);
  }
}

function entryItem(index: number, offset: number, bytes: Buffer, options: MboxOptions): MboxItem {
  return bytes.length > options.maxMessageBytes
    ? { kind: 'too-large', index, offset, length: bytes.length }
    : { kind: 'message', index, offset, bytes };
}

/**
 * Offsets that cut an mbox into `parts` byte ranges of about equal size, each starting at a `From `
 * line, for readers working in parallel. Reads a little around each cut, nothing more.
 */
export function findMboxCuts(path: string, parts: number): number[] {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const cuts = [0];
    const window = Buffer.allocUnsafe(1024 * 1024);
    for (let k = 1; k < parts; k++) {
      let at = Math.max(Math.floor((size * k) / parts), cuts.at(-1)! + 1);
      let found = size;
      while (at < size) {
        const n = readSync(fd, window, 0, window.length, at - 1);
        const i = window.subarray(0, n).indexOf(FROM_LINE);
        if (i >= 0) {
          found = at + i; // the byte after the newline
          break;
        }
        if (n < window.length) break;
        at += n - FROM_LINE.length;
      }
      cuts.push(found);
    }
    cuts.push(size);
    return cuts;
  } finally {
    closeSync(fd);
  }
}
