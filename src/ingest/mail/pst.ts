import { PSTFile, type PSTFolder, PSTMessage } from 'pst-extractor';
import { inputError } from '../../shared/errors.ts';
import type { ItemLocation, LimitName } from '../types.ts';
import type { SourceBase } from './mbox-variants.ts';
import { address, type ConvertedOptions, DEFAULT_CONVERTED_OPTIONS } from './msg.ts';
import type { ConvertedAttachment, ConvertedMessageItem, MailItem } from './types.ts';

/** The .pst/.ost header magic. */
export const PST_MAGIC = Buffer.from('!BDN', 'latin1');

/**
 * Every item of a .pst/.ost, folder by folder, as converted messages (no raw MIME exists in a PST).
 * pst-extractor reads synchronously and throws on damage: a file it cannot open is one coded
 * failure; a folder or item it cannot read is a failed record and the walk goes on.
 */
export function* readPst(
  path: string,
  options: ConvertedOptions = DEFAULT_CONVERTED_OPTIONS,
  base: SourceBase = { sourcePath: path, chain: [] },
): Generator<MailItem> {
  const fileLocation: ItemLocation = { sourcePath: base.sourcePath, chain: base.chain, extraction: 'read' };
  let pst: PSTFile;
  let root: PSTFolder;
  try {
    pst = new PSTFile(path);
    root = pst.getRootFolder();
  } catch (e) {
    yield {
      kind: 'failed',
      location: fileLocation,
      error: inputError('pst-unreadable', `not a readable PST: ${String(e)}`),
    };
    return;
  }
  const at = (folder: string, entry: string): ItemLocation => ({
    sourcePath: base.sourcePath,
    chain: [...base.chain, { format: 'pst', entry: `${folder}${entry}` }],
    extraction: 'converted',
  });
  let taken = 0;
  try {
    // Depth-first with an explicit stack; a folder is visited once even if the PST loops.
    const stack: { folder: PSTFolder; path: string; depth: number }[] = [
      { folder: root, path: '', depth: 0 },
    ];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const { folder, path: folderPath, depth } = stack.pop()!;
      const id = safe(() => folder.descriptorNodeId.toString()) ?? folderPath;
      if (seen.has(id)) continue;
      seen.add(id);
      const count = safe(() => folder.contentCount) ?? 0;
      for (let i = 0; i < count; i++) {
        if (taken >= options.maxEntriesPerArchive) {
          yield {
            kind: 'skipped',
            location: at(`${folderPath}/`, `#${i}`),
            limit: 'maxEntriesPerArchive',
            detail: `items from #${i} of this folder on, and later folders, not read`,
          };
          return;
        }
        taken++;
        try {
          // Seek each time: after a throw the library's cursor cannot be trusted to advance.
          folder.moveChildCursorTo(i);
          const child: unknown = folder.getNextChild();
          if (!(child instanceof PSTMessage)) continue;
          const itemId = safe(() => child.descriptorNodeId.toString()) ?? String(i);
          yield convert(child, at(`${folderPath}/`, `#${itemId}`), options, 0);
        } catch (e) {
          yield {
            kind: 'failed',
            location: at(`${folderPath}/`, `#${i}`),
            error: inputError('pst-item-unreadable', String(e)),
          };
        }
      }
      let subs: PSTFolder[] = [];
      try {
        subs = folder.hasSubfolders ? folder.getSubFolders() : [];
      } catch (e) {
        yield {
          kind: 'failed',
          location: at(`${folderPath}/`, ''),
          error: inputError('pst-item-unreadable', `subfolders: ${String(e)}`),
        };
      }
      if (depth + 1 > 64) continue; // folder trees deeper than this are a loop or an attack
      for (const sub of subs.reverse()) {
        const name = safe(() => sub.displayName) ?? '?';
        stack.push({ folder: sub, path: `${folderPath}/${name}`, depth: depth + 1 });
      }
    }
  } finally {
    safe(() => pst.close());
  }
}

function convert(
  m: PSTMessage,
  location: ItemLocation,
  options: ConvertedOptions,
  depth: number,
): ConvertedMessageItem {
  const limitsHit: { limit: LimitName; detail: string }[] = [];
  const attachments: ConvertedAttachment[] = [];
  const embedded: ConvertedMessageItem[] = [];
  const n = safe(() => m.numberOfAttachments) ?? 0;
  for (let i = 0; i < n; i++) {
    if (i >= options.maxAttachmentsPerMessage) {
      limitsHit.push({
        limit: 'maxAttachmentsPerMessage',
        detail: `${n - i} attachments from #${i} on not read`,
      });
      break;
    }
    try {
      const att = m.getAttachment(i);
      const name = safe(() => att.longFilename || att.filename || att.displayName) ?? '';
      const contentType = safe(() => att.mimeTag) || undefined;
      const inner = safe(() => att.embeddedPSTMessage);
      if (inner) {
        if (depth + 1 > options.maxNestingDepth) {
          limitsHit.push({ limit: 'maxNestingDepth', detail: `embedded message ${i} at depth ${depth + 1}` });
        } else {
          const step = { format: 'pst', entry: `attachment ${i}: ${name}` };
          embedded.push(
            convert(inner, { ...location, chain: [...location.chain, step] }, options, depth + 1),
          );
        }
        continue;
      }
      const stream = att.fileInputStream;
      const size = stream ? stream.length.toNumber() : (safe(() => att.filesize) ?? 0);
      if (size > options.maxAttachmentBytes) {
        const status = { status: 'skipped', limit: 'maxAttachmentBytes', detail: `${size} bytes` } as const;
        attachments.push({ name, contentType, bytes: undefined, size, status });
        continue;
      }
      const bytes = Buffer.alloc(stream ? size : 0);
      if (stream && size > 0) stream.readCompletely(bytes);
      attachments.push({ name, contentType, bytes, size, status: { status: 'done' } });
    } catch (e) {
      const error = inputError('attachment-unreadable', `attachment ${i}: ${String(e)}`);
      attachments.push({
        name: '',
        contentType: undefined,
        bytes: undefined,
        size: undefined,
        status: { status: 'failed', error },
      });
    }
  }
  const body = safe(() => m.body) || undefined;
  return {
    kind: 'converted-message',
    converted: true,
    location,
    headers: safe(() => m.transportMessageHeaders) || undefined,
    messageClass: safe(() => m.messageClass) || undefined,
    from:
      address(
        safe(() => m.senderName),
        safe(() => m.senderEmailAddress),
      ) || undefined,
    to: safe(() => m.displayTo) || undefined,
    cc: safe(() => m.displayCC) || undefined,
    subject: safe(() => m.subject),
    sentAt: safe(() => m.clientSubmitTime?.toISOString()),
    receivedAt: safe(() => m.messageDeliveryTime?.toISOString()),
    bodies: { text: !!body, html: !!safe(() => m.bodyHTML), rtf: !!safe(() => m.bodyRTF) },
    text: body,
    attachments,
    embedded,
    limitsHit,
  };
}

/** A property getter of a damaged item throws; one missing property is not a failed item. */
function safe<T>(get: () => T): T | undefined {
  try {
    return get();
  } catch {
    return undefined;
  }
}
