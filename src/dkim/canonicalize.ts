import type { HeaderField } from '../mail/message.ts';
import { bytesToLatin1, CR, HTAB, LF, SP } from '../shared/bytes.ts';

export type Canonicalization = 'simple' | 'relaxed';

/*
 * Body canonicalization (RFC 6376 3.4.3, 3.4.4). A message stored with bare LF line endings is
 * treated as its wire form with CRLF, which is what every signer hashed. A lone CR is content.
 * One pass over the bytes into a fresh buffer: the body is usually most of a message, so this loop
 * is the hot path of verification.
 */
export function canonicalizeBody(body: Uint8Array, mode: Canonicalization): Uint8Array {
  return mode === 'relaxed' ? relaxedBody(body) : simpleBody(body);
}

function simpleBody(body: Uint8Array): Uint8Array {
  const n = body.length;
  const out = Buffer.allocUnsafe(n * 2 + 2);
  let o = 0;
  let keep = 0; // length up to the end of the last non-empty line
  let lineStart = 0;
  for (let i = 0; i < n; i++) {
    const c = body[i]!;
    if (c === LF) {
      out[o++] = CR;
      out[o++] = LF;
      if (o - 2 > lineStart) keep = o;
      lineStart = o;
    } else if (c === CR && i + 1 < n && body[i + 1] === LF) {
      // the CR of a CRLF: written with the LF
    } else {
      out[o++] = c;
    }
  }
  if (o > lineStart) {
    out[o++] = CR;
    out[o++] = LF;
    keep = o;
  }
  if (keep === 0) return Buffer.from('\r\n');
  return out.subarray(0, keep);
}

function relaxedBody(body: Uint8Array): Uint8Array {
  const n = body.length;
  const out = Buffer.allocUnsafe(n * 2 + 2);
  let o = 0;
  let keep = 0;
  let lineHasContent = false;
  let pendingSpace = false;
  for (let i = 0; i < n; i++) {
    const c = body[i]!;
    if (c === SP || c === HTAB) {
      pendingSpace = true;
    } else if (c === LF) {
      out[o++] = CR;
      out[o++] = LF;
      if (lineHasContent) keep = o;
      lineHasContent = false;
      pendingSpace = false; // whitespace at the end of a line is dropped
    } else if (c === CR && i + 1 < n && body[i + 1] === LF) {
      // the CR of a CRLF
    } else {
      if (pendingSpace) {
        out[o++] = SP;
        pendingSpace = false;
      }
      out[o++] = c;
      lineHasContent = true;
    }
  }
  if (lineHasContent) {
    out[o++] = CR;
    out[o++] = LF;
    keep = o;
  }
  return out.subarray(0, keep);
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
  if (mode === 'simple') {
    // Wire form: a fold stored with a bare LF was a CRLF when signed.
    return raw.replace(/\r?\n/g, '\r\n');
  }
  const name = raw.slice(0, colon).replace(/[ \t]+$/, '').toLowerCase();
  const value = raw
    .slice(colon + 1)
    .replace(/\r?\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ /, '')
    .replace(/ $/, '');
  return name + ':' + value;
}
