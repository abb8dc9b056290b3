import { inputError } from './errors.ts';
import type { Result } from './result.ts';
import { fail, ok } from './result.ts';

/** One tag of a tag-list (RFC 6376 3.2), with where its value stands in the input. */
export interface Tag {
  readonly name: string;
  /** The value with surrounding whitespace removed; inner folding whitespace kept as written. */
  readonly value: string;
  /** Offsets of `value` in the parsed text, so a caller can blank a value (b=) in the original. */
  readonly valueStart: number;
  readonly valueEnd: number;
}

export interface TagList {
  readonly tags: readonly Tag[];
  readonly byName: ReadonlyMap<string, Tag>;
}

/** Largest tag-list accepted: far above any real signature or key record, well below memory trouble. */
export const MAX_TAG_LIST_LENGTH = 64 * 1024;

const TAG_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const WSP_OR_FOLD = /^[ \t\r\n]*$/;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/**
 * Parse a tag-list. Duplicate names make the whole list invalid (RFC 6376 3.2). Empty tag-specs
 * (`;;`, a trailing `;`) are tolerated. The text is one char per byte (Latin-1), so 8-bit bytes
 * survive to be judged by whoever interprets the value.
 */
export function parseTagList(text: string): Result<TagList> {
  if (text.length > MAX_TAG_LIST_LENGTH) {
    return fail(inputError('tag-list-too-long', `tag-list longer than ${MAX_TAG_LIST_LENGTH} characters`));
  }
  const tags: Tag[] = [];
  const byName = new Map<string, Tag>();
  let pos = 0;
  while (pos <= text.length) {
    let end = text.indexOf(';', pos);
    if (end === -1) end = text.length;
    const eq = text.indexOf('=', pos);
    if (eq === -1 || eq > end) {
      if (!WSP_OR_FOLD.test(text.slice(pos, end))) {
        return fail(
          inputError('tag-list-malformed', 'a tag has no "=": ' + preview(text.slice(pos, end)), pos),
        );
      }
    } else {
      const name = text.slice(pos, eq).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      if (!TAG_NAME.test(name)) {
        return fail(inputError('tag-list-malformed', 'invalid tag name: ' + preview(name), pos));
      }
      let vs = eq + 1;
      let ve = end;
      while (vs < ve && isWhitespace(text.charCodeAt(vs))) vs++;
      while (ve > vs && isWhitespace(text.charCodeAt(ve - 1))) ve--;
      const value = text.slice(vs, ve);
      for (let i = 0; i < value.length; i++) {
        const c = value.charCodeAt(i);
        if ((c < 0x20 && !isWhitespace(c)) || c === 0x7f) {
          return fail(
            inputError('tag-list-malformed', `control character in the value of tag ${name}`, vs + i),
          );
        }
      }
      if (byName.has(name)) {
        return fail(inputError('tag-duplicate', `tag "${name}" appears more than once`, name));
      }
      const tag: Tag = { name, value, valueStart: vs, valueEnd: ve };
      tags.push(tag);
      byName.set(name, tag);
    }
    pos = end + 1;
  }
  return ok({ tags, byName });
}

/** A value with all whitespace removed (b=, bh=, p=: base64 may be folded anywhere). */
export function withoutWhitespace(value: string): string {
  return value.replace(/[ \t\r\n]+/g, '');
}

function preview(s: string): string {
  const t = s.trim();
  return JSON.stringify(t.length > 40 ? t.slice(0, 40) + '...' : t);
}
