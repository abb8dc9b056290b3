import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { MboxOptions } from '../mail/mbox.ts';
import { DEFAULT_MBOX_OPTIONS, looksLikeMbox, readMbox } from '../mail/mbox.ts';
import { looksLikeMessage } from '../mail/message.ts';
import type { InputError } from '../shared/errors.ts';
import { inputError } from '../shared/errors.ts';

/** Where a message came from: a file, or an entry of an mbox. */
export interface MessageSource {
  readonly path: string;
  /** Position within an mbox, when the file is one. */
  readonly index?: number | undefined;
  /** Byte offset of the entry within the mbox. */
  readonly offset?: number | undefined;
}

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
  for (const path of paths) yield* fromPath(path, options);
}

function* fromPath(path: string, options: InputOptions): Generator<InputItem> {
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
      yield* fromPath(join(path, name), options);
    }
    return;
  }
  if (!stat.isFile()) return;
  if (isMbox(path)) {
    try {
      for (const item of readMbox(path, options.mbox)) {
        const source = { path, index: item.index, offset: item.offset };
        if (item.kind === 'message') yield { kind: 'message', source, bytes: item.bytes };
        else {
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
    return;
  }
  if (stat.size > options.maxFileBytes) {
    const error = inputError(
      'message-too-large',
      `file of ${stat.size} bytes is over the limit maxFileBytes`,
    );
    yield { kind: 'error', source: { path }, error };
    return;
  }
  try {
    const bytes = readFileSync(path);
    // A dump holds documents and other files beside mail: they are reported, not called unsigned.
    if (bytes.length > 0 && !looksLikeMessage(bytes)) yield { kind: 'not-a-message', source: { path } };
    else yield { kind: 'message', source: { path }, bytes };
  } catch (e) {
    yield unreadable(path, e);
  }
}

/** A file that starts with a `From ` separator line is read as an mbox (possibly of one entry). */
function isMbox(path: string): boolean {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(1024);
    const n = readSync(fd, head, 0, head.length, 0);
    return looksLikeMbox(head.subarray(0, n));
  } catch {
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
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
