import { statSync } from 'node:fs';
import { DEFAULT_MBOX_OPTIONS, type MboxItem, readMbox } from '../../mail/mbox.ts';
import { inputError } from '../../shared/errors.ts';
import type { ContainerStep, ItemLocation } from '../types.ts';
import type { MailItem, MboxInfo, MboxSummary, MboxVariant } from './types.ts';

export interface MboxVariantOptions {
  /** Largest message kept (readMbox's limit); a bigger one is a skipped record. Default 256 MiB. */
  readonly maxMessageBytes: number;
  /** Bytes read at a time. Default 16 MiB. */
  readonly chunkBytes: number;
  /** How far into an entry to look for the end of its header section (and Content-Length). Default 1 MiB. */
  readonly maxHeaderBytes: number;
  /** Most `From `-line pieces one Content-Length may join into a message (mboxcl2 bodies with
   * unescaped `From ` lines). More is treated as an inconsistent length: it bounds the look-ahead
   * a lying length can force. Default 1000. */
  readonly maxContentLengthPieces: number;
}

export const DEFAULT_MBOX_VARIANT_OPTIONS: MboxVariantOptions = {
  maxMessageBytes: DEFAULT_MBOX_OPTIONS.maxMessageBytes,
  chunkBytes: DEFAULT_MBOX_OPTIONS.chunkBytes,
  maxHeaderBytes: 1024 * 1024,
  maxContentLengthPieces: 1000,
};

/** Where the file itself sits: a loose file, or inside containers (given by the caller). */
export interface SourceBase {
  readonly sourcePath: string;
  readonly chain: readonly ContainerStep[];
}

/** One readMbox entry, copied once it has to outlive the iterator step. */
interface Piece {
  readonly offset: number;
  /** A view into readMbox's buffer until `own` copies it (only before reading ahead). */
  bytes: Uint8Array;
  owned: boolean;
  /** Parsed once: where the body starts in `bytes` and the Content-Length header. */
  readonly bodyStart: number;
  readonly contentLength: MboxInfo['contentLength'];
}

const LF = 0x0a;
const CR = 0x0d;
const ESCAPED_FROM = Buffer.from('>From ');
const FROM_ = Buffer.from('From ');

/**
 * Read an mbox of any variant. Entries are cut at `From ` lines (readMbox) and, where an entry's
 * Content-Length says its body runs past the next `From ` line and the stated end lands on a
 * message boundary, the pieces are joined again (mboxcl2 does not escape `From ` in bodies). A
 * length that does not land on a boundary is recorded as inconsistent and line framing is kept.
 * Nothing is unescaped: the counts of `>From ` lines let a later repair undo the escaping.
 */
export function* readMboxVariants(
  path: string,
  options: MboxVariantOptions = DEFAULT_MBOX_VARIANT_OPTIONS,
  base: SourceBase = { sourcePath: path, chain: [] },
): Generator<MailItem> {
  const summary = {
    messages: 0,
    variants: { mboxo: 0, mboxrd: 0, mboxcl: 0, mboxcl2: 0 } as Record<MboxVariant, number>,
    escapedFromLines: 0,
    deepEscapedFromLines: 0,
    contentLengthFramed: 0,
    contentLengthInconsistent: 0,
  };
  let index = 0;
  const where = (offset: number, length: number): ItemLocation => ({
    sourcePath: base.sourcePath,
    chain: [...base.chain, { format: 'mbox', entry: String(index), offset, length }],
    extraction: 'mbox-split',
  });
  const fileLocation: ItemLocation = { sourcePath: base.sourcePath, chain: base.chain, extraction: 'read' };

  let size: number;
  let source: Generator<MboxItem>;
  try {
    size = statSync(path).size;
    source = readMbox(path, { maxMessageBytes: options.maxMessageBytes, chunkBytes: options.chunkBytes });
  } catch (e) {
    yield { kind: 'failed', location: fileLocation, error: inputError('source-unreadable', String(e)) };
    return;
  }

  // Pieces read ahead while checking a Content-Length; copies, since readMbox reuses its buffer.
  const queue: Piece[] = [];
  let exhausted = false;
  // A too-large entry or read error met while reading ahead; yielded once the queue before it is.
  let pendingSkip: { offset: number; length: number } | { error: string } | undefined;
  const pull = (): boolean => {
    if (exhausted || pendingSkip) return false;
    let next: IteratorResult<MboxItem>;
    try {
      next = source.next();
    } catch (e) {
      exhausted = true;
      pendingSkip = { error: String(e) };
      return false;
    }
    if (next.done) {
      exhausted = true;
      return false;
    }
    const item = next.value;
    if (item.kind === 'too-large') {
      // Ends any join: a message cannot span a piece we did not keep.
      pendingSkip = { offset: item.offset, length: item.length };
      return false;
    }
    queue.push(makePiece(item.offset, item.bytes, options.maxHeaderBytes));
    return true;
  };

  for (;;) {
    if (queue.length === 0 && !pull()) {
      if (pendingSkip) {
        const skip = pendingSkip;
        pendingSkip = undefined;
        if ('error' in skip) {
          yield {
            kind: 'failed',
            location: fileLocation,
            error: inputError('source-unreadable', skip.error),
          };
          break;
        }
        yield {
          kind: 'skipped',
          location: where(skip.offset, skip.length),
          limit: 'maxMessageBytes',
          detail: `mbox entry of ${skip.length} bytes`,
        };
        index++;
        continue;
      }
      break;
    }
    const head = queue[0]!;
    let contentLength = head.contentLength;
    let pieces = 1;
    if (contentLength.status === 'consistent') {
      // Stated end of the body in the file; the check below decides whether it holds.
      const statedEnd = head.offset + head.bodyStart + contentLength.value;
      let verdict: 'ok' | 'bad' | 'more' = 'more';
      while (verdict === 'more') {
        const last = queue[pieces - 1];
        if (!last) {
          verdict = 'bad';
          break;
        }
        const lastEnd = last.offset + last.bytes.length;
        if (statedEnd > size || statedEnd - head.offset > options.maxMessageBytes) verdict = 'bad';
        else if (statedEnd <= lastEnd + 1) verdict = endsOnBoundary(last, statedEnd) ? 'ok' : 'bad';
        else if (pieces >= options.maxContentLengthPieces) verdict = 'bad';
        else if (queue.length > pieces) pieces++;
        else {
          own(queue);
          if (pull()) pieces++;
          else verdict = 'bad';
        }
      }
      if (verdict === 'bad') {
        contentLength = { status: 'inconsistent', value: contentLength.value };
        pieces = 1;
      }
    }
    const joined = pieces === 1 ? head.bytes : join(queue.slice(0, pieces));
    queue.splice(0, pieces);
    const info = describe(joined, head.bodyStart, contentLength, pieces);
    summary.messages++;
    summary.variants[info.variant]++;
    summary.escapedFromLines += info.escapedFromLines;
    summary.deepEscapedFromLines += info.deepEscapedFromLines;
    if (info.framing === 'content-length') summary.contentLengthFramed++;
    if (contentLength.status === 'inconsistent') summary.contentLengthInconsistent++;
    const location = where(head.offset, joined.length);
    if (index === 0 && !startsWith(joined, FROM_)) {
      // Bytes before the first `From ` line: not a message, but not dropped without a record.
      summary.messages--;
      summary.variants[info.variant]--;
      yield {
        kind: 'failed',
        location,
        error: inputError('mbox-preamble', `${joined.length} bytes before the first From line`, head.offset),
      };
    } else {
      yield { kind: 'raw-message', bytes: joined, location, mbox: info };
    }
    index++;
  }
  const done: MboxSummary = { kind: 'mbox-summary', location: fileLocation, ...summary };
  yield done;
}

function makePiece(offset: number, bytes: Uint8Array, maxHeaderBytes: number): Piece {
  const { bodyStart, contentLength } = scanHeaders(bytes, maxHeaderBytes);
  return { offset, bytes, owned: false, bodyStart, contentLength };
}

/** readMbox's bytes are only valid until its next entry: copy what is queued before reading ahead. */
function own(queue: Piece[]): void {
  for (const p of queue) {
    if (!p.owned) {
      p.bytes = p.bytes.slice();
      p.owned = true;
    }
  }
}

/** Find the blank line ending the header section and any Content-Length field before it. */
function scanHeaders(b: Uint8Array, maxHeaderBytes: number): Pick<Piece, 'bodyStart' | 'contentLength'> {
  const limit = Math.min(b.length, maxHeaderBytes);
  let bodyStart = b.length;
  let headerEnd = limit;
  let lineStart = b.indexOf(LF) + 1; // skip the From line
  if (lineStart === 0) return { bodyStart, contentLength: { status: 'absent' } };
  while (lineStart < limit) {
    const lf = b.indexOf(LF, lineStart);
    if (lf < 0) break;
    const blank = lf === lineStart || (lf === lineStart + 1 && b[lineStart] === CR);
    if (blank) {
      headerEnd = lineStart;
      bodyStart = lf + 1;
      break;
    }
    lineStart = lf + 1;
  }
  const head = Buffer.from(b.buffer, b.byteOffset, headerEnd).toString('latin1');
  const m = /(?:^|\n)content-length[ \t]*:[ \t]*([^\r\n]*)/i.exec(head);
  if (!m) return { bodyStart, contentLength: { status: 'absent' } };
  const raw = m[1]!.trim();
  // Only plain decimal lengths count; anything else (negative, huge, words) is recorded as found.
  if (!/^\d{1,15}$/.test(raw))
    return { bodyStart, contentLength: { status: 'invalid', value: raw.slice(0, 64) } };
  return { bodyStart, contentLength: { status: 'consistent', value: Number(raw) } };
}

/** The stated end is a boundary when only the blank line (or nothing) stands between it and the
 * next `From ` line or the end of the file: the separator newline follows `last` directly. */
function endsOnBoundary(last: Piece, statedEnd: number): boolean {
  const lastEnd = last.offset + last.bytes.length;
  if (statedEnd === lastEnd + 1) return true; // the length counted the separating newline
  const tail = lastEnd - statedEnd;
  if (tail < 0 || tail > 2) return false;
  for (let i = last.bytes.length - tail; i < last.bytes.length; i++) {
    if (last.bytes[i] !== LF && last.bytes[i] !== CR) return false;
  }
  return true;
}

function join(pieces: readonly Piece[]): Uint8Array {
  // The pieces are contiguous in the file, separated by the one newline readMbox leaves out.
  const total = pieces.reduce((n, p) => n + p.bytes.length, 0) + pieces.length - 1;
  const out = new Uint8Array(total);
  let at = 0;
  for (const [i, p] of pieces.entries()) {
    if (i > 0) out[at++] = LF;
    out.set(p.bytes, at);
    at += p.bytes.length;
  }
  return out;
}

function describe(
  b: Uint8Array,
  bodyStart: number,
  contentLength: MboxInfo['contentLength'],
  pieces: number,
): MboxInfo {
  const lf = b.indexOf(LF);
  let fromEnd = lf < 0 ? b.length : lf;
  if (fromEnd > 0 && b[fromEnd - 1] === CR) fromEnd--;
  const fromLine = startsWith(b, FROM_)
    ? Buffer.from(b.buffer, b.byteOffset, Math.min(fromEnd, 4096)).toString('latin1')
    : '';
  let escaped = 0;
  let deep = 0;
  const view = Buffer.from(b.buffer, b.byteOffset, b.length);
  for (let hit = view.indexOf(ESCAPED_FROM, bodyStart); hit >= 0; hit = view.indexOf(ESCAPED_FROM, hit + 1)) {
    // Walk back over the `>` run: an escape is only one that starts a line.
    let k = hit;
    while (k > bodyStart && b[k - 1] === 0x3e) k--;
    if (k === bodyStart || b[k - 1] === LF) {
      escaped++;
      if (hit > k) deep++;
    }
  }
  const framing = contentLength.status === 'consistent' ? 'content-length' : 'from-lines';
  const unescaped = pieces - 1;
  let variant: MboxVariant;
  if (framing === 'content-length') variant = escaped > 0 && unescaped === 0 ? 'mboxcl' : 'mboxcl2';
  else variant = deep > 0 ? 'mboxrd' : 'mboxo';
  return {
    fromLine,
    variant,
    escapedFromLines: escaped,
    deepEscapedFromLines: deep,
    unescapedFromLines: unescaped,
    framing,
    contentLength,
  };
}

function startsWith(b: Uint8Array, prefix: Uint8Array): boolean {
  if (b.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[i] !== prefix[i]) return false;
  return true;
}
