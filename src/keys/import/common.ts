import type { InputError, InputErrorCode } from '../../shared/errors.ts';
import { inputError } from '../../shared/errors.ts';
import type { Result } from '../../shared/result.ts';
import { fail } from '../../shared/result.ts';
import { splitKeyName } from '../names.ts';
import type { KeyProvenance, KeyRecord } from '../types.ts';

/** What every importer returns: the records it could read, and a problem for each part it could not. */
export interface ImportResult {
  readonly records: KeyRecord[];
  readonly problems: InputError[];
}

/** Common importer options. */
export interface ImportOptions {
  /** Where the text came from (a file path), recorded in each record's provenance. */
  readonly origin?: string | undefined;
}

/**
 * Largest key source read (characters; the text is one char per byte). Key sources are small (a
 * public archive export of a few hundred thousand records fits easily); this stops a hostile or
 * mistaken multi-gigabyte input before it costs memory.
 */
export const MAX_KEY_SOURCE_BYTES = 64 * 1024 * 1024;

/** Problems listed one by one per source; beyond this, one more problem says how many were not listed. */
export const MAX_REPORTED_PROBLEMS = 1000;

/** Collects problems up to MAX_REPORTED_PROBLEMS and counts the rest, so none is silently lost. */
export class ProblemList {
  readonly #list: InputError[] = [];
  #unlisted = 0;

  add(code: InputErrorCode, message: string, at?: number | string): void {
    if (this.#list.length < MAX_REPORTED_PROBLEMS) this.#list.push(inputError(code, message, at));
    else this.#unlisted++;
  }

  addError(error: InputError, at?: number | string): void {
    this.add(error.code, error.message, at ?? error.at);
  }

  done(): InputError[] {
    if (this.#unlisted === 0) return this.#list;
    const more = inputError('key-file-malformed', `${this.#unlisted} further problems were not listed`);
    return [...this.#list, more];
  }
}

/** The size check every text parser starts with. */
export function tooLarge(text: string, what: string): Result<never> | null {
  if (text.length <= MAX_KEY_SOURCE_BYTES) return null;
  return fail(inputError('key-file-too-large', `${what} is larger than ${MAX_KEY_SOURCE_BYTES} bytes`));
}

/** Build a record from a full name, or report why the name is not a key name. */
export function makeRecord(
  name: string,
  value: string,
  provenance: KeyProvenance,
  problems: ProblemList,
  at: number | string | undefined = provenance.line,
): KeyRecord | null {
  const split = splitKeyName(name);
  if (!split.ok) {
    problems.addError(split.error, at);
    return null;
  }
  return { selector: split.value.selector, domain: split.value.domain, value, provenance };
}

/** Trim spaces, tabs and CRs only: in one-char-per-byte text, trim() would also eat byte 0xA0. */
export function trimAscii(s: string): string {
  // A loop, not a regex: /[ \t]+$/ is quadratic on long inner runs of spaces.
  let a = 0;
  let b = s.length;
  while (a < b && isBlank(s.charCodeAt(a))) a++;
  while (b > a && isBlank(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d;
}
