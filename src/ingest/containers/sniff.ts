/**
 * Identifies a container format from content, never from the file name (a leaker names files as
 * they like). Needs the first 512 bytes; the last 64 KiB (`tail`) lets a zip with data in front of
 * it (self-extracting, or a spanned/split first part) be found by its end-of-central-directory.
 */
export type ContainerFormat = 'zip' | 'gzip' | 'tar' | '7z' | 'rar' | 'other';

/** Bytes of the head that `sniff` looks at; a reader should supply at least this many. */
export const SNIFF_HEAD_BYTES = 512;
/** The end-of-central-directory record sits within the last 22 + 65,535 bytes of a zip. */
export const SNIFF_TAIL_BYTES = 22 + 65_535;

const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04];
const ZIP_EMPTY = [0x50, 0x4b, 0x05, 0x06]; // an empty archive is only its end record
const ZIP_SPANNED = [0x50, 0x4b, 0x07, 0x08]; // first part of a spanned or split archive
const ZIP_SPANNED_OLD = [0x50, 0x4b, 0x30, 0x30]; // "PK00", the same from older PKZIP
const GZIP = [0x1f, 0x8b];
const SEVEN_Z = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];
const RAR = [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07]; // RAR 4 (then 0x00) and RAR 5 (then 0x01 0x00)

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  if (bytes.length < at + magic.length) return false;
  return magic.every((b, i) => bytes[at + i] === b);
}

export function sniff(head: Uint8Array, tail?: Uint8Array): ContainerFormat {
  if (
    startsWith(head, ZIP_LOCAL) ||
    startsWith(head, ZIP_EMPTY) ||
    startsWith(head, ZIP_SPANNED) ||
    startsWith(head, ZIP_SPANNED_OLD)
  ) {
    return 'zip';
  }
  if (startsWith(head, GZIP)) return 'gzip';
  if (startsWith(head, SEVEN_Z)) return '7z';
  if (startsWith(head, RAR)) return 'rar';
  if (isTarHeader(head)) return 'tar';
  if (tail !== undefined && hasZipEndRecord(tail)) return 'zip';
  return 'other';
}

/**
 * A tar header: the "ustar" magic at 257 (POSIX and GNU), or, for a pre-POSIX (v7) tar that has no
 * magic, a checksum field that matches the header's bytes. The checksum is the sum of the 512 header
 * bytes with the checksum field itself counted as spaces; some old tars summed signed bytes.
 */
export function isTarHeader(head: Uint8Array): boolean {
  if (head.length < 512) return false;
  if (startsWith(head, [0x75, 0x73, 0x74, 0x61, 0x72], 257)) return true; // "ustar"
  const stored = parseOctal(head.subarray(148, 156));
  if (stored === undefined) return false;
  let unsigned = 0;
  let signed = 0;
  let nonZero = false;
  for (let i = 0; i < 512; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (head[i] ?? 0);
    if (i < 148 || i >= 156) nonZero ||= b !== 0;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  // An all-zero block is the end-of-archive marker, not a member: it says nothing about the format.
  if (!nonZero) return false;
  // A name must be there and must not start with a NUL.
  if (head[0] === 0) return false;
  return stored === unsigned || stored === signed;
}

/** An octal field: optional spaces, octal digits, then NUL or space padding. */
function parseOctal(field: Uint8Array): number | undefined {
  let i = 0;
  while (i < field.length && field[i] === 0x20) i++;
  let value = 0;
  let digits = 0;
  for (; i < field.length; i++) {
    const b = field[i] ?? 0;
    if (b >= 0x30 && b <= 0x37) {
      value = value * 8 + (b - 0x30);
      digits++;
    } else break;
  }
  if (digits === 0) return undefined;
  for (; i < field.length; i++) {
    const b = field[i];
    if (b !== 0 && b !== 0x20) return undefined;
  }
  return value;
}

/** An end-of-central-directory signature whose comment length reaches exactly the end of the file. */
function hasZipEndRecord(tail: Uint8Array): boolean {
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06) {
      const commentLength = (tail[i + 20] ?? 0) | ((tail[i + 21] ?? 0) << 8);
      if (i + 22 + commentLength === tail.length) return true;
    }
  }
  return false;
}

/**
 * Whether a zip is a document format built on zip (ODF, EPUB, OOXML) rather than an archive: one
 * item for the document extractors, not a container to take apart. Judged from the names in the
 * central directory (found in `tail`, the last 64 KiB, or the whole zip): exactly "mimetype",
 * "[Content_Types].xml" or "META-INF/manifest.xml" at the top level. Also the first local header's
 * name in `head`, for a central directory beyond the tail.
 */
export function isZipDocument(head: Uint8Array, tail: Uint8Array): boolean {
  if (head.length >= 30 && startsWith(head, ZIP_LOCAL)) {
    const length = (head[26] ?? 0) | ((head[27] ?? 0) << 8);
    if (DOCUMENT_MARKERS.has(Buffer.from(head.subarray(30, 30 + length)).toString('latin1'))) return true;
  }
  for (let i = 0; i + 46 <= tail.length; i++) {
    if (tail[i] !== 0x50 || tail[i + 1] !== 0x4b || tail[i + 2] !== 0x01 || tail[i + 3] !== 0x02) continue;
    const length = (tail[i + 28] ?? 0) | ((tail[i + 29] ?? 0) << 8);
    const name = Buffer.from(tail.subarray(i + 46, i + 46 + length)).toString('latin1');
    if (DOCUMENT_MARKERS.has(name)) return true;
  }
  return false;
}

const DOCUMENT_MARKERS = new Set(['mimetype', '[Content_Types].xml', 'META-INF/manifest.xml']);
