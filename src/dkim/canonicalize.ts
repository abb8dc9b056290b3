import type { HeaderField } from '../mail/message.ts';
import { bytesToLatin1, CR, HTAB, LF, SP } from '../shared/bytes.ts';

export type Canonicalization = 'simple' | 'relaxed';

/*
 * Body canonicalization (RFC 6376 3.4.3, 3.4.4). A message stored with bare LF line endings is
 * treated as its wire form with CRLF, which is what every signer hashed. A lone CR is content.
 *
 * The body is most of a message, so this is the hot path of verification. Lines go by native
 * indexOf; a run of lines that canonicalization leaves unchanged (CRLF-terminated, and for relaxed
 * without space or tab) is copied in one piece, or not at all when the whole body is unchanged,
 * which is the common case for base64 attachments. Only lines that change are walked byte by byte.
 */
export function canonicalizeBody(input: Uint8Array, mode: Canonicalization): Uint8Array {
  // A Buffer view (no copy) for Buffer.indexOf, which also searches for multi-byte needles.
  const body = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const relaxed = mode === 'relaxed';
  const n = body.length;
  let out: Buffer | null = null; // allocated at the first line that changes
  let o = 0; // output length so far, for the part already written to `out`
  let runStart = 0; // input offset where the current unchanged run began
  let keep = 0; // output length up to the end of the last non-empty line
  let nextTab = relaxed ? indexOrEnd(body, HTAB, 0) : n;
  let nextDoubleSpace = relaxed ? indexOrEnd(body, DOUBLE_SPACE, 0) : n;
  let pos = 0;
  while (pos < n) {
    const lf = body.indexOf(LF, pos);
    const terminated = lf !== -1;
    const lineEnd = terminated ? lf : n;
    const contentEnd = terminated && lf > pos && body[lf - 1] === CR ? lf - 1 : lineEnd;
    if (relaxed) {
      if (nextTab < pos) nextTab = indexOrEnd(body, HTAB, pos);
      if (nextDoubleSpace < pos) nextDoubleSpace = indexOrEnd(body, DOUBLE_SPACE, pos);
    }
    // Prose has single spaces between words, which relaxed keeps: only tabs, runs of spaces and
    // trailing spaces change a line.
    const hasWhitespace =
      relaxed &&
      (nextTab < contentEnd ||
        nextDoubleSpace < contentEnd ||
        (contentEnd > pos && body[contentEnd - 1] === SP));
    const unchanged = terminated && contentEnd === lf - 1 && !hasWhitespace;
    if (unchanged) {
      // Stays in the run; output offset = input offset + (o - runStart).
      if (contentEnd > pos) keep = o + (lf + 1 - runStart);
      pos = lf + 1;
      continue;
    }
    // Flush the unchanged run before this line, then write the line canonicalized. Output never
    // outgrows input except by CR inserted before a bare LF, so n + 2 fits CRLF mail; grow otherwise.
    const need = o + (pos - runStart) + (contentEnd - pos) + 2;
    out = out === null ? Buffer.allocUnsafe(Math.max(n + 2, need)) : ensureCapacity(out, o, need);
    if (pos > runStart) {
      out.set(body.subarray(runStart, pos), o);
      o += pos - runStart;
    }
    let lineHasContent: boolean;
    if (relaxed && hasWhitespace && nextTab >= contentEnd && nextDoubleSpace >= contentEnd) {
      // Only a single trailing space to drop (no tab, no run of spaces in the line).
      out.set(body.subarray(pos, contentEnd - 1), o);
      o += contentEnd - 1 - pos;
      lineHasContent = contentEnd - 1 > pos;
    } else if (relaxed && hasWhitespace) {
      const before = o;
      let pendingSpace = false;
      for (let i = pos; i < contentEnd; i++) {
        const c = body[i]!;
        if (c === SP || c === HTAB) {
          pendingSpace = true;
        } else {
          if (pendingSpace) out[o++] = SP; // a run of WSP becomes one space, also at line start
          pendingSpace = false;
          out[o++] = c;
        }
      }
      lineHasContent = o > before;
    } else {
      out.set(body.subarray(pos, contentEnd), o);
      o += contentEnd - pos;
      lineHasContent = contentEnd > pos;
    }
    if (terminated || lineHasContent) {
      out[o++] = CR;
      out[o++] = LF;
    }
    if (lineHasContent) keep = o;
    pos = lineEnd + 1;
    runStart = pos;
  }
  if (out === null) {
    // Nothing changed: the canonical body is a prefix of the input.
    if (keep === 0) return relaxed ? EMPTY : CRLF_BYTES;
    return body.subarray(0, keep);
  }
  if (n > runStart) {
    out = ensureCapacity(out, o, o + n - runStart);
    out.set(body.subarray(runStart, n), o);
    o += n - runStart;
  }
  if (keep === 0) return relaxed ? EMPTY : CRLF_BYTES;
  return out.subarray(0, keep);
}

const EMPTY = new Uint8Array(0);
const DOUBLE_SPACE = Buffer.from('  ');
const CRLF_BYTES = new Uint8Array([CR, LF]);

/** `out` if it holds `need` bytes, else a larger copy of its first `used` bytes. */
function ensureCapacity(out: Buffer, used: number, need: number): Buffer {
  if (need <= out.length) return out;
  const grown = Buffer.allocUnsafe(Math.max(out.length * 2, need));
  out.copy(grown, 0, 0, used);
  return grown;
}

function indexOrEnd(body: Buffer, byte: number | Buffer, from: number): number {
  const i = body.indexOf(byte, from);
  return i === -1 ? body.length : i;
}

/** Header canonicalization (RFC 6376 3.4.1, 3.4.2) of one field, CRLF included. */
export function canonicalizeHeader(field: HeaderField, mode: Canonicalization): string {
  return canonicalizeHeaderText(bytesToLatin1(field.raw), field.colon, mode) + '\r\n';
}

/**
 * Canonicalize a header field given as Latin-1 text (one char per byte). Used directly for the
 * signature field itself, whose b= value is blanked first.
 */
export function canonicalizeHeaderText(raw: string, colon: number, mode: Canonicalization): string {
  if (mode === 'simple' || colon < 0) {
    // Wire form: a fold stored with a bare LF was a CRLF when signed.
    return raw.replace(/\r?\n/g, '\r\n');
  }
  const name = raw
    .slice(0, colon)
    .replace(/[ \t]+$/, '')
    .toLowerCase();
  const value = raw.slice(colon + 1);
  if (SIMPLE_VALUE.test(value)) {
    // The common unfolded field ("Subject: Hello world"): only a space at either edge changes.
    const start = value.charCodeAt(0) === SP ? 1 : 0;
    const end =
      value.length > start && value.charCodeAt(value.length - 1) === SP ? value.length - 1 : value.length;
    return name + ':' + value.slice(start, end);
  }
  return (
    name +
    ':' +
    value
      .replace(/\r?\n/g, '')
      .replace(/[ \t]+/g, ' ')
      .replace(/^ /, '')
      .replace(/ $/, '')
  );
}

/** A header value relaxed canonicalization leaves alone but for one space at either edge. */
const SIMPLE_VALUE = /^ ?(?:[^ \t\r\n]+(?: [^ \t\r\n]+)* ?)?$/;
