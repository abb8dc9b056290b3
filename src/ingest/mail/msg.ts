import { readFileSync, statSync } from 'node:fs';
import * as msgreader from '@kenjiuno/msgreader';
import type { FieldsData, default as MsgReaderType } from '@kenjiuno/msgreader/lib/MsgReader.js';

import { inputError } from '../../shared/errors.ts';
import type { ItemLocation, LimitName } from '../types.ts';
import type { SourceBase } from './mbox-variants.ts';
import type { ConvertedAttachment, ConvertedMessageItem, MailItem } from './types.ts';

export interface ConvertedOptions {
  /** Largest .msg file read, in bytes; a bigger one is a skipped record. Default 256 MiB. */
  readonly maxMessageBytes: number;
  /** Most attachments kept per message; the rest are recorded as skipped. Default 1000. */
  readonly maxAttachmentsPerMessage: number;
  /** Largest attachment whose bytes are kept; a bigger one is recorded without bytes. Default 64 MiB. */
  readonly maxAttachmentBytes: number;
  /** Deepest chain of messages attached to messages. Default 8. */
  readonly maxNestingDepth: number;
  /** Most items read from one .pst. Default 1,000,000. */
  readonly maxEntriesPerArchive: number;
}

export const DEFAULT_CONVERTED_OPTIONS: ConvertedOptions = {
  maxMessageBytes: 256 * 1024 * 1024,
  maxAttachmentsPerMessage: 1000,
  maxAttachmentBytes: 64 * 1024 * 1024,
  maxNestingDepth: 8,
  maxEntriesPerArchive: 1_000_000,
};

/** OLE2 compound file signature: what every .msg (and .doc, .xls) starts with. */
export const OLE2_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

// The package is CommonJS with `exports.default`: under Node's ESM the class is one level down.
type MsgReaderClass = typeof MsgReaderType.default;
const loaded = msgreader as unknown as { default: MsgReaderClass | { default: MsgReaderClass } };
const MsgReader: MsgReaderClass = 'default' in loaded.default ? loaded.default.default : loaded.default;
type Reader = InstanceType<MsgReaderClass>;

/** Outlook .msg: no raw MIME exists, so the message is converted, with its transport headers if kept. */
export function* readMsg(
  path: string,
  options: ConvertedOptions = DEFAULT_CONVERTED_OPTIONS,
  base: SourceBase = { sourcePath: path, chain: [] },
): Generator<MailItem> {
  const location: ItemLocation = { sourcePath: base.sourcePath, chain: base.chain, extraction: 'converted' };
  let bytes: Buffer;
  try {
    const size = statSync(path).size;
    if (size > options.maxMessageBytes) {
      yield { kind: 'skipped', location, limit: 'maxMessageBytes', detail: `${size} bytes` };
      return;
    }
    bytes = readFileSync(path);
  } catch (e) {
    yield { kind: 'failed', location, error: inputError('source-unreadable', String(e)) };
    return;
  }
  yield parseMsg(bytes, location, options);
}

/** Convert .msg bytes; a file msgreader cannot read is a coded failure, never a throw. */
export function parseMsg(
  bytes: Uint8Array,
  location: ItemLocation,
  options: ConvertedOptions = DEFAULT_CONVERTED_OPTIONS,
): MailItem {
  try {
    // msgreader wants an ArrayBuffer holding exactly the file (a Buffer's may be larger and shared).
    const copy = new Uint8Array(bytes).buffer;
    let reader = new MsgReader(copy);
    let data = reader.getFileData();
    // 8-bit strings are in the message's code page (Big5, GBK, Shift-JIS...): read again with it,
    // else they come out as Latin-1 mojibake. A code page iconv does not know keeps the first read.
    const codepage = data.messageCodepage ?? data.internetCodepage;
    if (!data.error && codepage && codepage !== 65001 && codepage !== 1252) {
      try {
        const again = new MsgReader(copy);
        again.parserConfig = { ansiEncoding: `cp${codepage}` };
        const decoded = again.getFileData();
        if (!decoded.error) [reader, data] = [again, decoded];
      } catch {
        // keep the Latin-1 reading
      }
    }
    if (data.error) return { kind: 'failed', location, error: inputError('msg-unreadable', data.error) };
    if (data.dataType !== 'msg') {
      return {
        kind: 'failed',
        location,
        error: inputError('msg-unreadable', 'an OLE2 file, but not an Outlook message'),
      };
    }
    return convert(reader, data, location, options, 0);
  } catch (e) {
    return {
      kind: 'failed',
      location,
      error: inputError('msg-unreadable', `not a readable .msg: ${String(e)}`),
    };
  }
}

function convert(
  reader: Reader,
  data: FieldsData,
  location: ItemLocation,
  options: ConvertedOptions,
  depth: number,
): ConvertedMessageItem {
  const limitsHit: { limit: LimitName; detail: string }[] = [];
  const attachments: ConvertedAttachment[] = [];
  const embedded: ConvertedMessageItem[] = [];
  for (const [i, att] of (data.attachments ?? []).entries()) {
    const name = att.fileName ?? att.fileNameShort ?? att.name ?? '';
    if (i >= options.maxAttachmentsPerMessage) {
      const detail = `${(data.attachments?.length ?? 0) - i} attachments from #${i} on not read`;
      limitsHit.push({ limit: 'maxAttachmentsPerMessage', detail });
      break;
    }
    if (att.innerMsgContent && att.innerMsgContentFields) {
      const inner: ItemLocation = {
        ...location,
        chain: [...location.chain, { format: 'msg', entry: `attachment ${i}: ${name}` }],
      };
      if (depth + 1 > options.maxNestingDepth) {
        limitsHit.push({ limit: 'maxNestingDepth', detail: `embedded message ${i} at depth ${depth + 1}` });
        continue;
      }
      // The embedded message's attachments live in the same compound file: one reader serves all.
      embedded.push(convert(reader, att.innerMsgContentFields, inner, options, depth + 1));
      continue;
    }
    attachments.push(readAttachment(reader, att, name, options));
  }
  const byType = (type: string) =>
    (data.recipients ?? [])
      .filter((r) => r.recipType === type)
      .map((r) => address(r.name, r.email))
      .join(', ') || undefined;
  return {
    kind: 'converted-message',
    converted: true,
    location,
    headers: data.headers || undefined,
    messageClass: data.messageClass,
    from: address(data.senderName, data.senderEmail) || undefined,
    to: byType('to'),
    cc: byType('cc'),
    subject: data.subject,
    sentAt: data.clientSubmitTime,
    receivedAt: data.messageDeliveryTime,
    bodies: { text: !!data.body, html: !!(data.bodyHtml || data.html), rtf: !!data.compressedRtf },
    text: data.body,
    attachments,
    embedded,
    limitsHit,
  };
}

function readAttachment(
  reader: Reader,
  att: FieldsData,
  name: string,
  options: ConvertedOptions,
): ConvertedAttachment {
  const contentType = att.attachMimeTag;
  const size = att.contentLength;
  if (size !== undefined && size > options.maxAttachmentBytes) {
    return {
      name,
      contentType,
      bytes: undefined,
      size,
      status: { status: 'skipped', limit: 'maxAttachmentBytes', detail: `${size} bytes` },
    };
  }
  try {
    const content = reader.getAttachment(att).content;
    return { name, contentType, bytes: content, size: content.length, status: { status: 'done' } };
  } catch (e) {
    const error = inputError('attachment-unreadable', `attachment ${name}: ${String(e)}`);
    return { name, contentType, bytes: undefined, size, status: { status: 'failed', error } };
  }
}

export function address(name: string | undefined, email: string | undefined): string {
  if (name && email && name !== email) return `${name} <${email}>`;
  return email || name || '';
}
