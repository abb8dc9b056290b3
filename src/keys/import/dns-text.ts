/**
 * The text syntax DNS tools share (RFC 1035 5.1, as BIND and dig write it): `;` comments, `(` `)`
 * continuing a record over several lines, "quoted" character-strings, and `\X` / `\DDD` escapes.
 * Used by the zone-file and dig importers. The text is one char per byte; `\DDD` yields that byte.
 */

export interface DnsToken {
  /** The text with escapes decoded and quotes removed. */
  readonly text: string;
  readonly quoted: boolean;
}

export type DnsEntry =
  | {
      readonly kind: 'record';
      /** 1-based line where the record starts. */
      readonly line: number;
      /** It began with a blank: the owner is the previous record's (RFC 1035 5.1). */
      readonly indented: boolean;
      readonly tokens: readonly DnsToken[];
    }
  | { readonly kind: 'comment'; readonly line: number; readonly text: string }
  | { readonly kind: 'error'; readonly line: number; readonly message: string };

const NL = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const TAB = 0x09;
const SEMI = 0x3b;
const OPEN = 0x28;
const CLOSE = 0x29;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * Split text into records, comments and syntax errors, in order. Linear in the input; a syntax
 * error is reported and scanning goes on at the next line, so one bad record costs only itself.
 */
export function tokenizeDnsText(text: string): DnsEntry[] {
  const entries: DnsEntry[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  let depth = 0;
  let tokens: DnsToken[] = [];
  let recordLine = 1;
  let indented = false;
  let atLineStart = true;

  const flush = (): void => {
    if (tokens.length > 0) entries.push({ kind: 'record', line: recordLine, indented, tokens });
    tokens = [];
  };
  const startToken = (): void => {
    if (tokens.length === 0) recordLine = line;
  };
  const error = (message: string): void => {
    entries.push({ kind: 'error', line, message });
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (atLineStart && depth === 0 && tokens.length === 0) indented = c === SP || c === TAB;
    atLineStart = false;
    if (c === NL) {
      line++;
      i++;
      atLineStart = true;
      if (depth === 0) flush();
    } else if (c === SP || c === TAB || c === CR) {
      i++;
    } else if (c === SEMI) {
      let end = text.indexOf('\n', i);
      if (end === -1) end = n;
      entries.push({ kind: 'comment', line, text: text.slice(i + 1, end) });
      i = end;
    } else if (c === OPEN) {
      startToken();
      depth++;
      i++;
    } else if (c === CLOSE) {
      if (depth === 0) error('")" without a matching "("');
      else depth--;
      i++;
    } else {
      startToken();
      const quoted = c === QUOTE;
      const read = readString(text, quoted ? i + 1 : i, quoted);
      if (read.error) {
        error(read.error);
        // Give up on this record: skip to the end of the line, out of any parentheses.
        tokens = [];
        depth = 0;
        const end = text.indexOf('\n', read.end);
        i = end === -1 ? n : end;
        continue;
      }
      line += read.newlines;
      tokens.push({ text: read.text, quoted });
      i = read.end;
    }
  }
  if (depth > 0) error('"(" not closed before the end of the input');
  else flush();
  return entries;
}

interface Read {
  readonly text: string;
  /** Index just past the string (past the closing quote when quoted). */
  readonly end: number;
  readonly newlines: number;
  readonly error?: string | undefined;
}

/** One character-string or bare token starting at `i`, escapes decoded. */
function readString(text: string, i: number, quoted: boolean): Read {
  const n = text.length;
  const parts: string[] = [];
  let runStart = i;
  let newlines = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (quoted ? c === QUOTE : isDelimiter(c)) {
      parts.push(text.slice(runStart, i));
      return { text: parts.join(''), end: quoted ? i + 1 : i, newlines };
    }
    if (c === NL && quoted)
      return { text: '', end: i, newlines, error: 'a quoted string is not closed on its line' };
    if (c === BACKSLASH) {
      parts.push(text.slice(runStart, i));
      if (i + 1 >= n) return { text: '', end: n, newlines, error: 'a "\\" at the end of the input' };
      if (isDigit(text.charCodeAt(i + 1))) {
        const digits = text.slice(i + 1, i + 4);
        if (!/^\d{3}$/.test(digits) || Number(digits) > 255) {
          return {
            text: '',
            end: i,
            newlines,
            error: `invalid escape "\\${digits}" (\\DDD must be 000-255)`,
          };
        }
        parts.push(String.fromCharCode(Number(digits)));
        i += 4;
      } else {
        if (text.charCodeAt(i + 1) === NL) newlines++;
        parts.push(text[i + 1]!);
        i += 2;
      }
      runStart = i;
      continue;
    }
    i++;
  }
  if (quoted)
    return { text: '', end: n, newlines, error: 'a quoted string is not closed before the end of the input' };
  parts.push(text.slice(runStart, n));
  return { text: parts.join(''), end: n, newlines };
}

function isDelimiter(c: number): boolean {
  return (
    c === SP || c === TAB || c === CR || c === NL || c === SEMI || c === OPEN || c === CLOSE || c === QUOTE
  );
}

/** A TTL as zone files write it: seconds, or BIND units (1h30m, 1d, 1w). */
export function isTtl(token: DnsToken): boolean {
  return !token.quoted && /^(?:\d+|(?:\d+[smhdw])+)$/i.test(token.text);
}

const CLASSES = new Set(['IN', 'CH', 'HS', 'CS', 'ANY']);

export function isClass(token: DnsToken): boolean {
  return !token.quoted && CLASSES.has(token.text.toUpperCase());
}

/**
 * The part of a record after its owner: optional TTL and class (in either order), the type, and the
 * RDATA tokens. Null when no type follows.
 */
export function splitRecord(
  rest: readonly DnsToken[],
): { type: string; rdata: readonly DnsToken[]; ttl: string | null } | null {
  let k = 0;
  let ttl: string | null = null;
  for (let seen = 0; seen < 2 && k < rest.length; seen++) {
    const t = rest[k]!;
    if (isTtl(t)) ttl = t.text;
    else if (!isClass(t)) break;
    k++;
  }
  const type = rest[k];
  if (!type || type.quoted) return null;
  return { type: type.text.toUpperCase(), rdata: rest.slice(k + 1), ttl };
}
