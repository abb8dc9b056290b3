import type { LimitHit, MimeOptions } from './mime.ts';

/*
 * The structural pre-scan for src/ingest/mime.ts: boundaries and part headers only, one linear pass
 * over the bytes with no copies, following postal-mime's delimiter rules. It counts parts, nesting depth
 * and header bytes so that postal-mime (which has no part limit) only ever sees the prefix that fits,
 * and it finds the exact byte range of every message/rfc822 part.
 */

interface Frame {
  readonly boundary: Uint8Array;
  readonly depth: number;
  readonly subtype: string;
}

export interface LeafPart {
  readonly contentType: string;
  readonly encoding: string;
  readonly bodyStart: number;
  bodyEnd: number;
}

export interface Scan {
  readonly end: number;
  readonly parts: number;
  readonly limits: LimitHit[];
  readonly rfc822: LeafPart[];
  readonly charsets: Set<string>;
}

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
const MAX_TRACKED_VALUE = 64 * 1024;

function lineEnd(bytes: Uint8Array, from: number): number {
  const i = bytes.indexOf(LF, from);
  return i < 0 ? bytes.length : i;
}

// A line without its trailing CR/LF run, as postal-mime reads it.
function trimmedEnd(bytes: Uint8Array, start: number, end: number): number {
  let e = end;
  while (e > start && (bytes[e - 1] === CR || bytes[e - 1] === LF)) e--;
  return e;
}

function headerParam(value: string, name: string): string | null {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i').exec(value);
  if (!m) return null;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? null);
}

/** Reads a header section from `start`; returns where the body starts and the fields that matter. */
function readHeaders(bytes: Uint8Array, start: number) {
  let pos = start;
  let contentType: string | null = null;
  let encoding: string | null = null;
  let current: 'ct' | 'cte' | null = null;
  const latin1 = (s: number, e: number) =>
    Buffer.from(bytes.buffer, bytes.byteOffset + s, e - s).toString('latin1');
  while (pos < bytes.length) {
    const end = lineEnd(bytes, pos);
    const te = trimmedEnd(bytes, pos, end);
    const next = Math.min(end + 1, bytes.length);
    if (te === pos) return { bodyStart: next, headerBytes: next - start, contentType, encoding };
    const first = bytes[pos];
    if ((first === 0x20 || first === 0x09) && current !== null) {
      // A folded continuation of the field before it.
      const more = latin1(pos, Math.min(te, pos + MAX_TRACKED_VALUE));
      if (current === 'ct' && contentType !== null && contentType.length < MAX_TRACKED_VALUE)
        contentType += ` ${more}`;
      if (current === 'cte' && encoding !== null && encoding.length < MAX_TRACKED_VALUE) encoding += more;
    } else {
      current = null;
      const head = latin1(pos, Math.min(te, pos + MAX_TRACKED_VALUE));
      const colon = head.indexOf(':');
      const name = colon < 0 ? '' : head.slice(0, colon).trim().toLowerCase();
      // The first field wins, as in postal-mime.
      if (name === 'content-type' && contentType === null) {
        contentType = head.slice(colon + 1);
        current = 'ct';
      } else if (name === 'content-transfer-encoding' && encoding === null) {
        encoding = head.slice(colon + 1);
        current = 'cte';
      }
    }
    pos = next;
  }
  return { bodyStart: bytes.length, headerBytes: bytes.length - start, contentType, encoding };
}

/** Is the line [start, te) a delimiter of `boundary`? Returns 'close', 'open' or null (postal-mime's rules). */
function delimiter(
  bytes: Uint8Array,
  start: number,
  te: number,
  boundary: Uint8Array,
): 'open' | 'close' | null {
  const n = boundary.length;
  if (te - start < n + 2) return null;
  for (let j = 0; j < n; j++) if (bytes[start + 2 + j] !== boundary[j]) return null;
  let rest = start + 2 + n;
  let kind: 'open' | 'close' = 'open';
  if (te - start >= n + 4 && bytes[rest] === DASH && bytes[rest + 1] === DASH) {
    kind = 'close';
    rest += 2;
  }
  for (let j = rest; j < te; j++) if (bytes[j] !== 0x20 && bytes[j] !== 0x09) return null;
  return kind;
}

export function scanStructure(bytes: Uint8Array, o: Required<MimeOptions>): Scan {
  const limits: LimitHit[] = [];
  const rfc822: LeafPart[] = [];
  const charsets = new Set<string>();
  const stack: Frame[] = [];
  let parts = 0;
  let headerTotal = 0;
  let openLeaf = -1; // the message/rfc822 part whose body is being read, if any

  // Reads one part's headers; false when they push the header total over the limit.
  const enterPart = (start: number, depth: number, parentSubtype: string): number | false => {
    const h = readHeaders(bytes, start);
    headerTotal += h.headerBytes;
    if (headerTotal > o.maxHeaderBytes) return false;
    parts++;
    const ct = (h.contentType ?? (parentSubtype === 'digest' ? 'message/rfc822' : 'text/plain')).trim();
    const type = (ct.split(';')[0] ?? '').trim().toLowerCase();
    const charset = headerParam(ct, 'charset');
    if (charset !== null) charsets.add(charset.toLowerCase());
    const boundary = headerParam(ct, 'boundary');
    if (type.startsWith('multipart/') && boundary) {
      stack.push({ boundary: Buffer.from(boundary, 'latin1'), depth, subtype: type.slice(10) });
    } else if (type === 'message/rfc822') {
      openLeaf = rfc822.length;
      rfc822.push({
        contentType: type,
        encoding: (h.encoding ?? '').trim().toLowerCase(),
        bodyStart: h.bodyStart,
        bodyEnd: bytes.length,
      });
    }
    return h.bodyStart;
  };

  const rootBody = enterPart(0, 0, '');
  if (rootBody === false) {
    limits.push({
      limit: 'maxHeaderBytes',
      detail: `the top-level header section is over ${o.maxHeaderBytes} bytes`,
    });
    return { end: 0, parts: 0, limits, rfc822, charsets };
  }
  let pos = rootBody;
  while (pos < bytes.length && stack.length > 0) {
    // Jump to the next line that starts with "--": only those can be delimiters.
    let start = pos;
    if (!(bytes[start] === DASH && bytes[start + 1] === DASH)) {
      const i = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf('\n--', pos, 'latin1');
      if (i < 0) break;
      start = i + 1;
    }
    const end = lineEnd(bytes, start);
    const te = trimmedEnd(bytes, start, end);
    pos = Math.min(end + 1, bytes.length);
    let level = -1;
    let kind: 'open' | 'close' | null = null;
    for (let i = stack.length - 1; i >= 0 && kind === null; i--) {
      kind = delimiter(bytes, start, te, stack[i]!.boundary);
      level = i;
    }
    if (kind === null) continue;
    // The line break before a delimiter belongs to the delimiter (RFC 2046 5.1.1).
    const leaf = rfc822[openLeaf];
    if (leaf !== undefined) {
      let cut = start;
      if (cut > leaf.bodyStart && bytes[cut - 1] === LF) cut--;
      if (cut > leaf.bodyStart && bytes[cut - 1] === CR) cut--;
      leaf.bodyEnd = cut;
      openLeaf = -1;
    }
    const frame = stack[level]!;
    if (kind === 'close') {
      stack.length = level;
      continue;
    }
    stack.length = level + 1;
    if (parts + 1 > o.maxMimeParts) {
      limits.push({ limit: 'maxMimeParts', detail: `stopped after ${parts} parts at byte ${start}` });
      return { end: start, parts, limits, rfc822, charsets };
    }
    if (frame.depth + 1 > o.maxNestingDepth) {
      limits.push({
        limit: 'maxNestingDepth',
        detail: `a part at depth ${frame.depth + 1}, at byte ${start}`,
      });
      return { end: start, parts, limits, rfc822, charsets };
    }
    const body = enterPart(pos, frame.depth + 1, frame.subtype);
    if (body === false) {
      limits.push({
        limit: 'maxHeaderBytes',
        detail: `header sections total over ${o.maxHeaderBytes} bytes`,
      });
      return { end: start, parts, limits, rfc822, charsets };
    }
    pos = body;
  }
  return { end: bytes.length, parts, limits, rfc822, charsets };
}
