import type { InputError } from './errors.ts';

/** A value or the coded input error that prevented it. */
export type Result<T, E = InputError> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function fail<E = InputError>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
