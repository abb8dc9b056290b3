import { createHash } from 'node:crypto';
import PostalMime, { type Address, type Attachment, type Email } from 'postal-mime';
import { type InputError, inputError } from '../shared/errors.ts';
import { scanStructure } from './mime-scan.ts';
import type { LimitName } from './types.ts';

/*
 * MIME decoding for ingest, on postal-mime. postal-mime reads a whole message in memory and has no
 * limit on the number of parts, so a structural pre-scan of our own (boundaries and part headers only,
 * one linear pass, no copies) counts parts, nesting depth and header bytes first and hands postal-mime
 * only the prefix that fits the limits. Forwards (message/rfc822 parts) are cut from the raw bytes by
 * that scan, so they can be verified as messages of their own.
 */

export interface MimeOptions {
  /** MIME parts per message, the root included. Answers multipart bombs (a million empty parts). */
  readonly maxMimeParts?: number | undefined;
  /** Multipart nesting depth (the root is depth 0), and the depth of forwards inside forwards in
   * decodeMimeTree. Answers deeply nested structures that exhaust the stack or time. */
  readonly maxNestingDepth?: number | undefined;
  /** Decoded bytes per attachment; a larger one is listed without its bytes. */
  readonly maxAttachmentBytes?: number | undefined;
  /** Header bytes summed over every part's header section (postal-mime's maxHeadersSize). */
  readonly maxHeaderBytes?: number | undefined;
}

export const DEFAULT_MIME_OPTIONS: Readonly<Required<MimeOptions>> = {
  maxMimeParts: 10_000,
  maxNestingDepth: 16,
  maxAttachmentBytes: 256 * 1024 * 1024,
  maxHeaderBytes: 2 * 1024 * 1024,
};

export interface LimitHit {
  readonly limit: LimitName;
  readonly detail: string;
}

export interface MailboxView {
  readonly name: string;
  readonly address: string;
  /** The RFC 5322 group the mailbox was listed in, if any. */
  readonly group?: string | undefined;
}

export interface DisplayHeaders {
  readonly from: readonly MailboxView[];
  readonly to: readonly MailboxView[];
  readonly cc: readonly MailboxView[];
  readonly bcc: readonly MailboxView[];
  readonly replyTo: readonly MailboxView[];
  readonly subject: string | null;
  /** The Date field as written (unfolded), and as ISO 8601 when it parses. */
  readonly dateRaw: string | null;
  readonly date: string | null;
  readonly messageId: string | null;
  readonly inReplyTo: string | null;
  readonly references: string | null;
}

export interface MimeAttachment {
  /** As given by the message (decoded for display); null when the part names none. */
  readonly filename: string | null;
  readonly contentType: string;
  readonly disposition: 'attachment' | 'inline' | null;
  readonly contentId: string | null;
  /** Null when the attachment is over maxAttachmentBytes (recorded in limitsHit). */
  readonly bytes: Uint8Array | null;
  readonly sha256: string | null;
  readonly size: number;
  /** An inline resource of a multipart/related body, e.g. an image the HTML shows by cid:. */
  readonly related: boolean;
}

export interface MimeForward {
  /** 0-based among this message's forwards, in document order. */
  readonly index: number;
  /** 0-based among all non-body parts (attachments and forwards), in document order. */
  readonly partIndex: number;
  readonly filename: string | null;
  /**
   * The forwarded message as it stands in the parent after transfer decoding, byte for byte (a
   * 7bit/8bit/binary part is cut from the parent, not re-assembled). A forward that the forwarder's
   * client re-encoded may not verify; that is expected and is not evidence of tampering.
   */
  readonly bytes: Uint8Array;
  readonly sha256: string;
  /** False when the raw part could not be located and postal-mime's line-normalised copy is used. */
  readonly exact: boolean;
}

export interface DecodedMessage {
  /** Set when nothing could be decoded (empty input, an unreadable structure); fields are then empty. */
  readonly error: InputError | null;
  readonly headers: DisplayHeaders;
  readonly text: string | null;
  readonly html: string | null;
  /** UTF-8 sizes of the decoded bodies. */
  readonly textBytes: number;
  readonly htmlBytes: number;
  readonly attachments: readonly MimeAttachment[];
  readonly forwards: readonly MimeForward[];
  /** MIME parts in the decoded prefix, the root included. */
  readonly parts: number;
  /** Bytes handed to the decoder: less than the input when a limit cut the message short. */
  readonly decodedBytes: number;
  readonly limitsHit: readonly LimitHit[];
  /** Charset labels the platform cannot decode; postal-mime reads such text as windows-1252. */
  readonly unsupportedCharsets: readonly string[];
}

function resolveOptions(options: MimeOptions | undefined): Required<MimeOptions> {
  const out = { ...DEFAULT_MIME_OPTIONS };
  for (const key of Object.keys(DEFAULT_MIME_OPTIONS) as (keyof MimeOptions)[]) {
    const value = options?.[key];
    if (value === undefined) continue;
    // An invalid limit is a caller bug, never a silent "no limit".
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${key} must be a positive integer`);
    out[key] = value;
  }
  return out;
}

// ---- decoding -----------------------------------------------------------------------------------

const EMPTY_HEADERS: DisplayHeaders = {
  from: [],
  to: [],
  cc: [],
  bcc: [],
  replyTo: [],
  subject: null,
  dateRaw: null,
  date: null,
  messageId: null,
  inReplyTo: null,
  references: null,
};

function failed(error: InputError, limitsHit: readonly LimitHit[], decodedBytes = 0): DecodedMessage {
  return {
    error,
    headers: EMPTY_HEADERS,
    text: null,
    html: null,
    textBytes: 0,
    htmlBytes: 0,
    attachments: [],
    forwards: [],
    parts: 0,
    decodedBytes,
    limitsHit,
    unsupportedCharsets: [],
  };
}

function mailboxes(value: Address | readonly Address[] | undefined): MailboxView[] {
  if (value === undefined) return [];
  const out: MailboxView[] = [];
  for (const a of Array.isArray(value) ? value : [value as Address]) {
    if (a.group !== undefined) {
      for (const m of a.group) out.push({ name: m.name, address: m.address, group: a.name });
    } else out.push({ name: a.name, address: a.address });
  }
  return out;
}

function isoDate(raw: string | null): string | null {
  if (raw === null) return null;
  const t = Date.parse(raw);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

function toBytes(content: Attachment['content']): Uint8Array {
  if (typeof content === 'string') return Buffer.from(content, 'utf8'); // not reached: arraybuffer encoding
  return content instanceof Uint8Array ? content : new Uint8Array(content);
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const charsetSupport = new Map<string, boolean>();
function decodable(label: string): boolean {
  let known = charsetSupport.get(label);
  if (known === undefined) {
    try {
      new TextDecoder(label);
      known = true;
    } catch {
      known = false;
    }
    // Labels come from hostile input: remember a bounded number only.
    if (charsetSupport.size < 1000) charsetSupport.set(label, known);
  }
  return known;
}

const IDENTITY_ENCODINGS = new Set(['', '7bit', '8bit', 'binary']);

/**
 * Decode one message. Never rejects on hostile input: problems come back as `error` (nothing
 * decodable) or `limitsHit` (what fitted the limits was decoded). postal-mime holds the whole
 * message in memory: cap the message size (maxMessageBytes) before calling this.
 * Throws RangeError only for an invalid option.
 */
export async function decodeMime(bytes: Uint8Array, options?: MimeOptions): Promise<DecodedMessage> {
  const o = resolveOptions(options);
  if (bytes.length === 0) return failed(inputError('message-empty', 'the message has no bytes'), []);
  const scan = scanStructure(bytes, o);
  const limitsHit = [...scan.limits];
  if (scan.end === 0) {
    return failed(
      inputError('header-section-too-large', 'the header section is over the limit', 0),
      limitsHit,
    );
  }
  let email: Email;
  try {
    email = await new PostalMime({
      attachmentEncoding: 'arraybuffer',
      // Forwards stay parts of their own: they are verified as messages, not merged into this body.
      forceRfc822Attachments: true,
      maxRfc822NestingDepth: 0,
      // Backstops: the scan has already cut the message to fit these.
      maxNestingDepth: o.maxNestingDepth,
      maxHeadersSize: o.maxHeaderBytes,
    }).parse(bytes.subarray(0, scan.end));
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return failed(
      inputError('mime-unreadable', `the MIME structure could not be decoded: ${reason}`),
      limitsHit,
    );
  }

  const attachments: MimeAttachment[] = [];
  const forwards: MimeForward[] = [];
  // The scan and postal-mime find forwards in the same document order; if they disagree, the raw
  // slices cannot be paired with parts and postal-mime's copies are used instead.
  const countsMatch =
    scan.rfc822.length === email.attachments.filter((a) => a.mimeType === 'message/rfc822').length;
  email.attachments.forEach((a, partIndex) => {
    const content = toBytes(a.content);
    if (a.mimeType === 'message/rfc822') {
      const raw = countsMatch ? scan.rfc822[forwards.length] : undefined;
      // Cut identity-encoded forwards from the parent: postal-mime rewrites their line endings.
      const identity = raw !== undefined && IDENTITY_ENCODINGS.has(raw.encoding);
      const fwd = identity ? bytes.slice(raw.bodyStart, raw.bodyEnd) : content;
      const exact = raw !== undefined;
      forwards.push({
        index: forwards.length,
        partIndex,
        filename: a.filename,
        bytes: fwd,
        sha256: sha256(fwd),
        exact,
      });
      return;
    }
    const over = content.length > o.maxAttachmentBytes;
    if (over) {
      limitsHit.push({
        limit: 'maxAttachmentBytes',
        detail: `part ${partIndex} (${a.filename ?? 'unnamed'}) is ${content.length} bytes; kept without its bytes`,
      });
    }
    attachments.push({
      filename: a.filename,
      contentType: a.mimeType,
      disposition:
        a.disposition === 'attachment' || a.disposition === 'inline'
          ? (a.disposition as 'attachment' | 'inline')
          : null,
      contentId: a.contentId ?? null,
      bytes: over ? null : content,
      sha256: over ? null : sha256(content),
      size: content.length,
      related: a.related === true,
    });
  });

  const field = (name: string) => email.headers.find((h) => h.key === name)?.value ?? null;
  const dateRaw = field('date');
  const text = email.text ?? null;
  const html = email.html ?? null;
  return {
    error: null,
    headers: {
      from: mailboxes(email.from),
      to: mailboxes(email.to),
      cc: mailboxes(email.cc),
      bcc: mailboxes(email.bcc),
      replyTo: mailboxes(email.replyTo),
      subject: email.subject ?? null,
      dateRaw,
      date: isoDate(dateRaw),
      messageId: email.messageId ?? null,
      inReplyTo: email.inReplyTo ?? null,
      references: email.references ?? null,
    },
    text,
    html,
    textBytes: text === null ? 0 : Buffer.byteLength(text, 'utf8'),
    htmlBytes: html === null ? 0 : Buffer.byteLength(html, 'utf8'),
    attachments,
    forwards,
    parts: scan.parts,
    decodedBytes: scan.end,
    limitsHit,
    unsupportedCharsets: [...scan.charsets].filter((c) => !decodable(c)),
  };
}

export interface MimeTreeNode {
  /** 0 for the message itself, 1 for its forwards, and so on. */
  readonly depth: number;
  /** Forward indices from the root: [] for the root, [2, 0] for the first forward of its third. */
  readonly path: readonly number[];
  readonly decoded: DecodedMessage;
}

/**
 * Decode a message and, depth first, every forward inside it, each as a message of its own.
 * Forwards deeper than maxNestingDepth are not decoded; the message holding them records the limit.
 */
export async function* decodeMimeTree(
  bytes: Uint8Array,
  options?: MimeOptions,
): AsyncGenerator<MimeTreeNode> {
  const o = resolveOptions(options);
  const pending: { bytes: Uint8Array; depth: number; path: number[] }[] = [{ bytes, depth: 0, path: [] }];
  while (pending.length > 0) {
    const item = pending.pop()!;
    let decoded = await decodeMime(item.bytes, o);
    if (decoded.forwards.length > 0 && item.depth + 1 > o.maxNestingDepth) {
      const detail = `${decoded.forwards.length} forwards at depth ${item.depth + 1} not decoded`;
      decoded = { ...decoded, limitsHit: [...decoded.limitsHit, { limit: 'maxNestingDepth', detail }] };
    } else {
      // Reversed so that pop() visits them in document order.
      for (const f of [...decoded.forwards].reverse()) {
        pending.push({ bytes: f.bytes, depth: item.depth + 1, path: [...item.path, f.index] });
      }
    }
    yield { depth: item.depth, path: item.path, decoded };
  }
}
