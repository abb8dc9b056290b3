import type { InputError } from '../shared/errors.ts';

/**
 * Where an item was found. Originals are never modified, so every derived item points back to its
 * source file, the chain of containers it came out of, and its byte range where one exists.
 */
export interface ContainerStep {
  /** What the container is: 'zip', 'tar', 'gzip', 'mbox', 'maildir', 'pst', 'msg', 'mime' ... */
  readonly format: string;
  /** The entry's name inside the container, exactly as stored (bytes decoded for display); never
   * used as a file-system path. For mbox: the entry index; for PST: the folder path and item id. */
  readonly entry: string;
  /** Raw bytes of the entry name when it is not valid UTF-8 (e.g. Shift-JIS zip names), base64. */
  readonly entryRaw?: string | undefined;
  /** Byte offset and length of the entry's stored data in its container, where that exists. */
  readonly offset?: number | undefined;
  readonly length?: number | undefined;
}

export interface ItemLocation {
  /** The source file given to ingest, as a path. */
  readonly sourcePath: string;
  /** Containers from the outermost (the source file itself) inward; empty for a loose file. */
  readonly chain: readonly ContainerStep[];
  /** How the bytes were obtained: 'read' (as stored), 'inflate', 'gunzip', 'mbox-split', 'converted' ... */
  readonly extraction: string;
}

/** A named limit, recorded with the item that hit it. Sizes are bytes; numbers are 64-bit safe. */
export type LimitName =
  | 'maxNestingDepth'
  | 'maxTotalDecompressedBytes'
  | 'maxEntryDecompressedBytes'
  | 'maxExpansionRatio'
  | 'maxEntriesPerArchive'
  | 'maxHeaderBytes'
  | 'maxMimeParts'
  | 'maxMessageBytes'
  | 'maxAttachmentsPerMessage'
  | 'maxAttachmentBytes';

/** The outcome of one item: done, failed with a coded reason, or skipped by a limit. */
export type ItemStatus =
  | { readonly status: 'done' }
  | { readonly status: 'failed'; readonly error: InputError }
  | { readonly status: 'skipped'; readonly limit: LimitName; readonly detail: string };
