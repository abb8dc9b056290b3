import { bytesToLatin1, COLON, CR, HTAB, LF, SP } from '../shared/bytes.ts';
import type { InputError } from '../shared/errors.ts';
import { inputError } from '../shared/errors.ts';
import type { Result } from '../shared/result.ts';
import { fail, ok } from '../shared/result.ts';

/** One header field instance exactly as it stands in the message. */
export interface HeaderField {
  /** Position among the header fields, 0 for the topmost. */
  readonly index: number;
  /** Name as written, without whitespace before the colon (obsolete `Date   :` syntax). */
  readonly name: string;
  /** Lower-case name, for matching. Empty for a malformed line. */
  readonly key: string;
  /** Exact bytes from the first byte of the name to the end of the last folded line, terminator excluded. */
  readonly raw: Uint8Array;
  /** Offset of `raw` within `RawMessage.bytes`. */
  readonly offset: number;
  /** Offset of the colon within `raw`; -1 when the line has no colon (a malformed field). */
  readonly colon: number;
  /** True when the line is not a valid field (no colon, bad name characters, leading continuation). */
  readonly malformed: boolean;
}

export type LineEndings = 'crlf' | 'lf' | 'mixed' | 'none';

/** A message as bytes: nothing is decoded, normalised or dropped. */
export interface RawMessage {
  /** The message bytes, after any leading mbox `From ` line. */
  readonly bytes: Uint8Array;
  /** The mbox `From ` separator line that preceded the message, without its terminator, or null. */
  readonly mboxFromLine: string | null;
  /** Bytes taken by the mbox line and its terminator, so offsets can be mapped back to the source. */
  readonly mboxFromLength: number;
  readonly fields: readonly HeaderField[];
  /** Offset where the header section ends: the start of the separating blank line, or the end of data. */
  readonly headerEnd: number;
  /** Offset of the first body byte (after the blank line); `bytes.length` when there is no body. */
  readonly bodyOffset: number;
  /** False when the data ends inside the header section with no blank line (a truncated message). */
  readonly hasSeparator: boolean;
  readonly body: Uint8Array;
  /** Line endings seen in the header section; the body is left to whoever reads it. */
  readonly headerLineEndings: LineEndings;
}

export interface ParseLimits {
  /** Largest header section accepted, in bytes. Answers header floods meant to exhaust memory or time. */
  readonly maxHeaderBytes: number;
  /** Most header fields accepted in one message. */
  readonly maxHeaderFields: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxHeaderBytes: 1024 * 1024,
  maxHeaderFields: 10_000,
};

/** An mbox `From ` line is an address and a date; anything longer is not one we should hold. */
export const MAX_MBOX_FROM_LINE_BYTES = 4096;

const FIELD_NAME_OK = /^[\x21-\x39\x3b-\x7e]+$/;

/** Parse a message from bytes. Never throws on input; a limit hit or empty input is a coded error. */
export function parseMessage(
  input: Uint8Array,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
): Result<RawMessage> {
  if (!(limits.maxHeaderBytes > 0) || !(limits.maxHeaderFields > 0)) {
    // An invalid limit is a caller bug, never a silent "no limit".
    throw new RangeError('parse limits must be positive numbers');
  }

  let mboxFromLine: string | null = null;
  let start = 0;
  if (startsWithMboxFrom(input)) {
    const lf = input.indexOf(LF);
    const end = lf === -1 ? input.length : lf;
    if (end > MAX_MBOX_FROM_LINE_BYTES) {
      const message = `mbox From line longer than ${MAX_MBOX_FROM_LINE_BYTES} bytes`;
      return fail(inputError('header-section-too-large', message, 0));
    }
    const lineEnd = end > 0 && input[end - 1] === CR ? end - 1 : end;
    mboxFromLine = bytesToLatin1(input.subarray(0, lineEnd));
    start = lf === -1 ? input.length : lf + 1;
  }
  const bytes = start === 0 ? input : input.subarray(start);
  if (bytes.length === 0) return fail(inputError('message-empty', 'the message is empty'));

  const fields: HeaderField[] = [];
  let crlf = 0;
  let bareLf = 0;
  let pos = 0;
  let fieldStart = -1;
  let fieldEnd = -1;
  let headerEnd = bytes.length;
  let bodyOffset = bytes.length;
  let hasSeparator = false;

  const closeField = (): InputError | null => {
    if (fieldStart < 0) return null;
    if (fields.length >= limits.maxHeaderFields) {
      return inputError(
        'header-field-too-many',
        `more than ${limits.maxHeaderFields} header fields (limit maxHeaderFields)`,
        fieldStart,
      );
    }
    fields.push(makeField(bytes, fields.length, fieldStart, fieldEnd));
    fieldStart = -1;
    return null;
  };

  while (pos < bytes.length) {
    if (pos > limits.maxHeaderBytes) {
      return fail(
        inputError(
          'header-section-too-large',
          `header section larger than ${limits.maxHeaderBytes} bytes (limit maxHeaderBytes)`,
          pos,
        ),
      );
    }
    const lf = bytes.indexOf(LF, pos);
    const next = lf === -1 ? bytes.length : lf + 1;
    let contentEnd = lf === -1 ? bytes.length : lf;
    if (lf !== -1) {
      if (lf > pos && bytes[lf - 1] === CR) {
        contentEnd = lf - 1;
        crlf++;
      } else {
        bareLf++;
      }
    }
    if (contentEnd === pos && lf !== -1) {
      // The blank line: end of the header section.
      const err = closeField();
      if (err) return fail(err);
      headerEnd = pos;
      bodyOffset = next;
      hasSeparator = true;
      break;
    }
    const first = bytes[pos];
    if ((first === SP || first === HTAB) && fieldStart >= 0) {
      fieldEnd = contentEnd; // continuation of the current field
    } else {
      const err = closeField();
      if (err) return fail(err);
      fieldStart = pos;
      fieldEnd = contentEnd;
    }
    pos = next;
  }
  if (!hasSeparator) {
    if (pos > limits.maxHeaderBytes) {
      return fail(
        inputError(
          'header-section-too-large',
          `header section larger than ${limits.maxHeaderBytes} bytes`,
          pos,
        ),
      );
    }
    const err = closeField();
    if (err) return fail(err);
  }

  return ok({
    bytes,
    mboxFromLine,
    mboxFromLength: start,
    fields,
    headerEnd,
    bodyOffset,
    hasSeparator,
    body: bytes.subarray(bodyOffset),
    headerLineEndings: crlf && bareLf ? 'mixed' : crlf ? 'crlf' : bareLf ? 'lf' : 'none',
  });
}

function makeField(bytes: Uint8Array, index: number, start: number, end: number): HeaderField {
  const raw = bytes.subarray(start, end);
  const colon = raw.indexOf(COLON);
  const leadingSpace = raw[0] === SP || raw[0] === HTAB;
  if (colon <= 0 || leadingSpace) {
    return { index, name: '', key: '', raw, offset: start, colon, malformed: true };
  }
  let nameEnd = colon;
  while (nameEnd > 0 && (raw[nameEnd - 1] === SP || raw[nameEnd - 1] === HTAB)) nameEnd--;
  const name = bytesToLatin1(raw.subarray(0, nameEnd));
  const malformed = !FIELD_NAME_OK.test(name);
  return { index, name, key: malformed ? '' : name.toLowerCase(), raw, offset: start, colon, malformed };
}

/**
 * An mbox separator is "From " at the very start. `From : x` (obsolete syntax, space before the colon)
 * is a header field, not a separator.
 */
function startsWithMboxFrom(b: Uint8Array): boolean {
  if (b.length < 5 || b[0] !== 0x46 || b[1] !== 0x72 || b[2] !== 0x6f || b[3] !== 0x6d || b[4] !== SP)
    return false;
  let i = 5;
  while (i < b.length && (b[i] === SP || b[i] === HTAB)) i++;
  return b[i] !== COLON;
}

/** The value of a field: the bytes after the colon, unfolded, trimmed; decoded as Latin-1 (lossless). */
export function fieldValue(field: HeaderField): string {
  if (field.colon < 0) return bytesToLatin1(field.raw);
  // Only RFC 5322 whitespace is trimmed: String.trim would also eat byte 0xA0 (part of UTF-8 "à").
  return bytesToLatin1(field.raw.subarray(field.colon + 1))
    .replace(/\r?\n(?=[ \t])/g, '')
    .replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

/** All instances of a field name, top to bottom. */
export function fieldsNamed(message: RawMessage, name: string): readonly HeaderField[] {
  let index = fieldIndexes.get(message);
  if (!index) {
    // Verification asks for many names per message: index the fields once.
    index = new Map();
    for (const f of message.fields) {
      if (!f.key) continue;
      const list = index.get(f.key);
      if (list) list.push(f);
      else index.set(f.key, [f]);
    }
    fieldIndexes.set(message, index);
  }
  return index.get(name.toLowerCase()) ?? NO_FIELDS;
}

const fieldIndexes = new WeakMap<RawMessage, Map<string, HeaderField[]>>();
const NO_FIELDS: readonly HeaderField[] = [];

/**
 * Whether bytes start like a message: a header field (`Name:` with a printable name, obsolete
 * space before the colon allowed) or an mbox `From ` line. Used to tell mail from the other files
 * of a dump by content rather than by name.
 */
export function looksLikeMessage(head: Uint8Array): boolean {
  const firstLine = bytesToLatin1(head.subarray(0, Math.min(head.length, 1000))).split('\n', 1)[0]!;
  return /^[\x21-\x39\x3b-\x7e]+[ \t]*:/.test(firstLine) || firstLine.startsWith('From ');
}
