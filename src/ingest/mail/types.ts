import type { InputError } from '../../shared/errors.ts';
import type { ItemLocation, LimitName } from '../types.ts';

/** The mbox family (Qmail / Wikipedia naming). mboxo and mboxrd look alike unless `>>From ` shows. */
export type MboxVariant = 'mboxo' | 'mboxrd' | 'mboxcl' | 'mboxcl2';

/** What an mbox entry shows about its framing and escaping; nothing is unescaped here. */
export interface MboxInfo {
  /** The `From ` separator line, without its line terminator (Latin-1, lossless). */
  readonly fromLine: string;
  /** Best reading of the variant from this entry alone (see README for the rule). */
  readonly variant: MboxVariant;
  /** Body lines matching `>+From `: what a repair would unescape. */
  readonly escapedFromLines: number;
  /** Of those, lines with two or more `>` (`>>From `): only mboxrd writes them. */
  readonly deepEscapedFromLines: number;
  /** Unescaped `From ` lines inside the body: only possible with Content-Length framing (mboxcl2). */
  readonly unescapedFromLines: number;
  /** How the entry was cut: at `From ` lines, or by its Content-Length. */
  readonly framing: 'from-lines' | 'content-length';
  /** The Content-Length header as found: absent, not a length, or stated and whether it held. */
  readonly contentLength:
    | { readonly status: 'absent' }
    | { readonly status: 'invalid'; readonly value: string }
    | { readonly status: 'consistent' | 'inconsistent'; readonly value: number };
}

/** A message as bytes, exactly as stored. */
export interface RawMessageItem {
  readonly kind: 'raw-message';
  /** For mbox: valid only until the iterator advances (entries share one buffer); copy to keep. */
  readonly bytes: Uint8Array;
  readonly location: ItemLocation;
  readonly mbox?: MboxInfo | undefined;
  readonly maildir?: MaildirInfo | undefined;
  readonly emlx?: { readonly plist: string } | undefined;
}

export interface MaildirInfo {
  /** 'cur', 'new' or 'tmp'; a file in tmp/ may be a partial delivery. */
  readonly subdir: 'cur' | 'new' | 'tmp';
  /** The flag letters after `:2,` (e.g. 'FRS'); empty when none. */
  readonly flags: string;
  /** Everything after the first ':' when it is not the `2,` form (experimental info), else ''. */
  readonly info: string;
}

export interface ConvertedAttachment {
  readonly name: string;
  readonly contentType: string | undefined;
  /** Undefined when skipped by a limit or unreadable; see `status`. */
  readonly bytes: Uint8Array | undefined;
  readonly size: number | undefined;
  readonly status:
    | { readonly status: 'done' }
    | { readonly status: 'failed'; readonly error: InputError }
    | { readonly status: 'skipped'; readonly limit: LimitName; readonly detail: string };
}

/**
 * A message from a store that keeps no raw MIME (Outlook .msg, .pst). It can never be
 * DKIM-verified: its verdict is `unverifiable (converted)`, never `altered`.
 */
export interface ConvertedMessageItem {
  readonly kind: 'converted-message';
  readonly converted: true;
  readonly location: ItemLocation;
  /** PR_TRANSPORT_MESSAGE_HEADERS as stored, when the store kept it. */
  readonly headers: string | undefined;
  readonly messageClass: string | undefined;
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly cc: string | undefined;
  readonly subject: string | undefined;
  /** ISO 8601 dates as the store gives them. */
  readonly sentAt: string | undefined;
  readonly receivedAt: string | undefined;
  readonly bodies: { readonly text: boolean; readonly html: boolean; readonly rtf: boolean };
  readonly text: string | undefined;
  readonly attachments: readonly ConvertedAttachment[];
  /** Attached Outlook messages, converted in turn. */
  readonly embedded: readonly ConvertedMessageItem[];
  /** Limits hit inside this message (attachments, nesting), so nothing is dropped silently. */
  readonly limitsHit: readonly { readonly limit: LimitName; readonly detail: string }[];
}

export interface FailedItem {
  readonly kind: 'failed';
  readonly location: ItemLocation;
  readonly error: InputError;
}

export interface SkippedItem {
  readonly kind: 'skipped';
  readonly location: ItemLocation;
  readonly limit: LimitName;
  readonly detail: string;
}

/** Once per mbox file, after its entries: what the file as a whole shows. */
export interface MboxSummary {
  readonly kind: 'mbox-summary';
  readonly location: ItemLocation;
  readonly messages: number;
  readonly variants: Readonly<Record<MboxVariant, number>>;
  readonly escapedFromLines: number;
  readonly deepEscapedFromLines: number;
  readonly contentLengthFramed: number;
  readonly contentLengthInconsistent: number;
}

export type MailItem = RawMessageItem | ConvertedMessageItem | FailedItem | SkippedItem | MboxSummary;
