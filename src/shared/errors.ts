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
  | 'key-record-too-long'
  | 'key-version-invalid' // v= present but not exactly DKIM1, or not the first tag
  | 'key-type-unknown' // k= names a key type we do not implement
  | 'key-data-invalid' // p= is not valid base64, or not a key of the stated type
  | 'key-revoked' // empty p=
  | 'key-name-invalid' // not a selector._domainkey.domain name
  | 'key-name-missing' // a source that does not say which name it is for (dig +short)
  // archives (src/ingest/containers)
  | 'archive-corrupt' // structure or compressed data cannot be read; entries before the damage are kept
  | 'archive-encrypted' // an entry or the whole archive needs a password
  | 'archive-unsupported' // a format (7z, rar) or compression method we cannot open
  | 'archive-recursive' // an archive holds a byte-identical copy of itself or of an ancestor (a quine)
  // live DNS (--live-dns only)
  | 'dns-no-record'
  | 'dns-lookup-failed'
  // command-line arguments that name input
  | 'input-unreadable'
  // mail sources (src/ingest/mail)
  | 'source-unreadable' // the file or directory could not be opened or read
  | 'source-format-unknown' // no mail format recognised by content
  | 'mbox-preamble' // bytes before an mbox's first `From ` line
  | 'emlx-malformed' // no byte-count line
  | 'emlx-count-mismatch' // the byte count does not fit the file
  | 'maildir-entry-not-file' // a directory or special file where a message file should be
  | 'msg-unreadable' // not a readable Outlook .msg (OLE2) file
  | 'pst-unreadable' // not a readable .pst/.ost file
  | 'pst-item-unreadable' // one folder or item of a readable .pst could not be read
  | 'attachment-unreadable'
  // MIME decoding (src/ingest/mime.ts)
  | 'mime-unreadable'; // the MIME decoder gave up on the structure (limits are recorded apart)

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
