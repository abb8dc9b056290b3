import { readFileSync, statSync } from 'node:fs';
import { inputError } from '../../shared/errors.ts';
import type { ItemLocation } from '../types.ts';
import { DEFAULT_EMLX_OPTIONS, readEmlx } from './emlx.ts';
import { DEFAULT_MAILDIR_OPTIONS, readMaildir } from './maildir.ts';
import { DEFAULT_MBOX_VARIANT_OPTIONS, readMboxVariants, type SourceBase } from './mbox-variants.ts';
import { DEFAULT_CONVERTED_OPTIONS, readMsg } from './msg.ts';
import { readPst } from './pst.ts';
import { type MailFormat, sniffMail } from './sniff.ts';
import type { MailItem } from './types.ts';

export { type MailFormat, sniffBytes, sniffMail } from './sniff.ts';
export type * from './types.ts';

/** Every limit of the mail readers, by name. Defaults are documented on each reader's options. */
export interface MailSourceOptions {
  readonly maxMessageBytes: number;
  readonly chunkBytes: number;
  readonly maxHeaderBytes: number;
  readonly maxContentLengthPieces: number;
  readonly maxEntriesPerArchive: number;
  readonly maxAttachmentsPerMessage: number;
  readonly maxAttachmentBytes: number;
  readonly maxNestingDepth: number;
}

export const DEFAULT_MAIL_SOURCE_OPTIONS: MailSourceOptions = {
  ...DEFAULT_MBOX_VARIANT_OPTIONS,
  ...DEFAULT_EMLX_OPTIONS,
  ...DEFAULT_MAILDIR_OPTIONS,
  ...DEFAULT_CONVERTED_OPTIONS,
};

/**
 * Read one mail source (a file or a Maildir directory), choosing the reader by content. Yields
 * messages (raw or converted) and a failed or skipped record for everything that could not be
 * read; it does not throw on input. Raw bytes from an mbox are valid only until the next item.
 */
export async function* readMailSource(
  path: string,
  options: Partial<MailSourceOptions> = {},
  base: SourceBase = { sourcePath: path, chain: [] },
): AsyncGenerator<MailItem & { readonly format: MailFormat }> {
  const o = { ...DEFAULT_MAIL_SOURCE_OPTIONS, ...options };
  const location: ItemLocation = { sourcePath: base.sourcePath, chain: base.chain, extraction: 'read' };
  let format: MailFormat;
  try {
    format = sniffMail(path);
  } catch (e) {
    yield { kind: 'failed', location, error: inputError('source-unreadable', String(e)), format: 'unknown' };
    return;
  }
  const items = ((): Iterable<MailItem> => {
    switch (format) {
      case 'mbox':
        return readMboxVariants(path, o, base);
      case 'emlx':
        return readEmlx(path, o, base);
      case 'maildir':
        return readMaildir(path, o, base);
      case 'msg':
        return readMsg(path, o, base);
      case 'pst':
        return readPst(path, o, base);
      case 'message':
        return readSingle(path, o.maxMessageBytes, location);
      case 'unknown':
        return [
          {
            kind: 'failed',
            location,
            error: inputError('source-format-unknown', 'not a mail format we read'),
          },
        ];
    }
  })();
  for (const item of items) yield { ...item, format };
}

function* readSingle(path: string, maxMessageBytes: number, location: ItemLocation): Generator<MailItem> {
  try {
    const size = statSync(path).size;
    if (size > maxMessageBytes) {
      yield { kind: 'skipped', location, limit: 'maxMessageBytes', detail: `${size} bytes` };
      return;
    }
    yield { kind: 'raw-message', bytes: readFileSync(path), location };
  } catch (e) {
    yield { kind: 'failed', location, error: inputError('source-unreadable', String(e)) };
  }
}
