import { inputError } from '../shared/errors.ts';
import type { Result } from '../shared/result.ts';
import { fail, ok } from '../shared/result.ts';

/**
 * Longest `selector._domainkey.domain` name accepted. DNS caps names at 253 characters; key files
 * and archives are looser (test vectors use names DNS could never carry), so the bound is generous.
 */
export const MAX_KEY_NAME_LENGTH = 1024;

const DOMAINKEY = '._domainkey.';

/**
 * DNS names compare case-insensitively in ASCII only (RFC 4343). Text here is one char per byte, so
 * 8-bit bytes must not go through toLowerCase(), which would rewrite UTF-8 sequences. One trailing
 * dot (an absolute name) is dropped.
 */
export function normalizeName(name: string): string {
  const lower = name.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** True when a (normalized) name is a key name, i.e. has a selector and a domain around `._domainkey.`. */
export function isKeyName(name: string): boolean {
  const at = name.indexOf(DOMAINKEY);
  return at > 0 && at + DOMAINKEY.length < name.length;
}

/** Split `selector._domainkey.domain`; the selector may itself contain dots (RFC 6376 3.1). */
export function splitKeyName(name: string): Result<{ selector: string; domain: string }> {
  if (name.length > MAX_KEY_NAME_LENGTH) {
    return fail(inputError('key-name-invalid', `name longer than ${MAX_KEY_NAME_LENGTH} characters`));
  }
  const normalized = normalizeName(name);
  if (/[\x00-\x20\x7f]/.test(normalized)) {
    return fail(
      inputError('key-name-invalid', `name contains whitespace or control characters: ${preview(name)}`),
    );
  }
  const at = normalized.indexOf(DOMAINKEY);
  if (!isKeyName(normalized)) {
    return fail(inputError('key-name-invalid', `not a selector._domainkey.domain name: ${preview(name)}`));
  }
  return ok({ selector: normalized.slice(0, at), domain: normalized.slice(at + DOMAINKEY.length) });
}

export function preview(s: string): string {
  return JSON.stringify(s.length > 60 ? s.slice(0, 60) + '...' : s);
}
