import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { MboxOptions } from '../mail/mbox.ts';
import { DEFAULT_MBOX_OPTIONS, looksLikeMbox, readMbox } from '../mail/mbox.ts';
import { looksLikeMessage } from '../mail/message.ts';
import type { InputError } from '../shared/errors.ts';
import { inputError } from '../shared/errors.ts';
import { ReusableFileReader } from './file-reader.ts';

/** Where a message came from: a file, or an entry of an mbox. */
export interface MessageSource {
  readonly path: string;
  /** Position within an mbox, when the file is one. */
  readonly index?: number | undefined;
  /** Byte offset of the entry within the mbox. */
  readonly offset?: number | undefined;
}

/** A message's `bytes` are valid only until the next item is taken: files share one read buffer. */
export type InputItem =
  | { readonly kind: 'message'; readonly source: MessageSource; readonly bytes: Uint8Array }
  | { readonly kind: 'not-a-message'; readonly source: MessageSource }
  | { readonly kind: 'error'; readonly source: MessageSource; readonly error: InputError };

export interface InputOptions {
  readonly mbox: MboxOptions;
  /** Largest single message file read; larger files are reported, not loaded. */
  readonly maxFileBytes: number;
}

export const DEFAULT_INPUT_OPTIONS: InputOptions = {
  mbox: DEFAULT_MBOX_OPTIONS,
  maxFileBytes: 256 * 1024 * 1024,
};

/**
 * Every message under the given paths: files as single messages, mbox files entry by entry,
 * directories recursively in name order (so output is stable). Sniffs content, not names.
 */
export function* enumerateMessages(
  paths: readonly string[],
  options = DEFAULT_INPUT_OPTIONS,
): Generator<InputItem> {
  const reader = new ReusableFileReader(options.maxFileBytes);
  for (const path of paths) yield* fromPath(path, options, reader);
}

function* fromPath(path: string, options: InputOptions, reader: ReusableFileReader): Generator<InputItem> {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch (e) {
    yield unreadable(path, e);
    return;
  }
  if (stat.isDirectory()) {
    let names: string[];
    try {
      names = readdirSync(path).sort();
    } catch (e) {
      yield unreadable(path, e);
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue; // .git, editor files; Maildir's tmp/new/cur are not hidden
      yield* fromPath(join(path, name), options, reader);
    }
    return;
  }
  if (!stat.isFile()) return;
  let bytes: Buffer | 'too-large' | 'stopped';
  try {
    bytes = reader.read(path, (head) => !looksLikeMbox(head));
  } catch (e) {
    yield unreadable(path, e);
    return;
  }
  if (bytes === 'stopped') {
    // An mbox is read in chunks, entry by entry, however large it is.
    yield* fromMbox(path, options);
  } else if (bytes === 'too-large') {
    const error = inputError(
      'message-too-large',
      `file larger than ${options.maxFileBytes} bytes (limit maxFileBytes)`,
    );
    yield { kind: 'error', source: { path }, error };
  } else if (bytes.length > 0 && !looksLikeMessage(bytes)) {
    // A dump holds documents and other files beside mail: they are reported, not called unsigned.
    yield { kind: 'not-a-message', source: { path } };
  } else {
    yield { kind: 'message', source: { path }, bytes };
  }
}

function* fromMbox(path: string, options: InputOptions): Generator<InputItem> {
  try {
    for (const item of readMbox(path, options.mbox)) {
      const source = { path, index: item.index, offset: item.offset };
      if (item.kind === 'message') {
        yield { kind: 'message', source, bytes: item.bytes };
      } else {
        const error = inputError(
          'message-too-large',
          `mbox entry of ${item.length} bytes is over the limit maxMessageBytes`,
        );
        yield { kind: 'error', source, error };
      }
    }
  } catch (e) {
    yield unreadable(path, e);
  }
}

function unreadable(path: string, e: unknown): InputItem {
  const reason = e instanceof Error ? e.message : String(e);
  return {
    kind: 'error',
    source: { path },
    error: inputError('input-unreadable', `cannot read ${path}: ${reason}`),
  };
}
