/**
 * The one error type for problems that come from input (a message, a key record, a key file).
 * Hostile input is the normal case here, so such problems are returned as data with a stable code,
 * never thrown past a module boundary. Bugs in leakproof itself may still throw ordinary errors.
 */
export type InputErrorCode =
  // raw message model
  | 'message-empty'
  | 'message-too-large'
  | 'header-section-too-large'
  | 'header-field-too-many'
  | 'header-field-malformed'
  // tag lists (DKIM-Signature, key records, ARC)
  | 'tag-list-malformed'
  | 'tag-list-too-long'
  | 'tag-duplicate'
  | 'tag-missing'
  | 'tag-value-invalid'
  // key records and key files
  | 'key-record-malformed'
  | 'key-file-malformed'
  | 'key-file-too-large'
  // command-line arguments that name input
  | 'input-unreadable';

export interface InputError {
  readonly code: InputErrorCode;
  /** One sentence a reader understands; names the offending value where that is safe to print. */
  readonly message: string;
  /** Where in the input the problem is, when known (byte offset, line number, tag name). */
  readonly at?: number | string | undefined;
}

export function inputError(code: InputErrorCode, message: string, at?: number | string): InputError {
  return at === undefined ? { code, message } : { code, message, at };
}
