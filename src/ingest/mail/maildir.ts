import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inputError } from '../../shared/errors.ts';
import type { ItemLocation } from '../types.ts';
import type { SourceBase } from './mbox-variants.ts';
import type { MaildirInfo, MailItem } from './types.ts';

export interface MaildirOptions {
  /** Largest message file read, in bytes; a bigger one is a skipped record. Default 256 MiB. */
  readonly maxMessageBytes: number;
  /** Most files read from one Maildir; the rest are one skipped record. Default 1,000,000. */
  readonly maxEntriesPerArchive: number;
}

export const DEFAULT_MAILDIR_OPTIONS: MaildirOptions = {
  maxMessageBytes: 256 * 1024 * 1024,
  maxEntriesPerArchive: 1_000_000,
};

const SUBDIRS = ['cur', 'new', 'tmp'] as const;

/** A Maildir is a directory holding `cur/` and `new/` directories (`tmp/` is often dropped in copies). */
export function isMaildir(path: string): boolean {
  try {
    return lstatSync(join(path, 'cur')).isDirectory() && lstatSync(join(path, 'new')).isDirectory();
  } catch {
    return false;
  }
}

/** The flags of a Maildir file name: `unique:2,FRS` gives 'FRS'; other info after ':' is kept apart. */
export function maildirFlags(name: string): Pick<MaildirInfo, 'flags' | 'info'> {
  const colon = name.indexOf(':');
  if (colon < 0) return { flags: '', info: '' };
  const info = name.slice(colon + 1);
  return info.startsWith('2,') ? { flags: info.slice(2), info: '' } : { flags: '', info };
}

/**
 * Every file of cur/, new/ and tmp/ as a message, in a stable order (subdirectory, then name by
 * code unit). A file in tmp/ may be a delivery cut short: it is yielded and marked as from tmp/.
 * Anything that is not a regular file (a directory, a symlink) is a coded failure: symlinks are
 * not followed, since a hostile dump could point them anywhere on the reader's machine.
 */
export function* readMaildir(
  path: string,
  options: MaildirOptions = DEFAULT_MAILDIR_OPTIONS,
  base: SourceBase = { sourcePath: path, chain: [] },
): Generator<MailItem> {
  let taken = 0;
  for (const subdir of SUBDIRS) {
    const where = (entry: string, extraction = 'read'): ItemLocation => ({
      sourcePath: base.sourcePath,
      chain: [...base.chain, { format: 'maildir', entry }],
      extraction,
    });
    let names: string[];
    try {
      if (!lstatSync(join(path, subdir)).isDirectory()) {
        if (subdir === 'tmp') continue;
        throw new Error(`${subdir} is not a directory`);
      }
      names = readdirSync(join(path, subdir)).sort();
    } catch (e) {
      if (subdir === 'tmp') continue; // tmp/ is optional
      yield { kind: 'failed', location: where(subdir), error: inputError('source-unreadable', String(e)) };
      continue;
    }
    for (const [i, name] of names.entries()) {
      const entry = `${subdir}/${name}`;
      if (taken >= options.maxEntriesPerArchive) {
        yield {
          kind: 'skipped',
          location: where(entry),
          limit: 'maxEntriesPerArchive',
          detail: `${names.length - i} files of ${subdir}/ from this one on not read`,
        };
        break;
      }
      taken++;
      try {
        const st = lstatSync(join(path, subdir, name));
        if (!st.isFile()) {
          const what = st.isDirectory()
            ? 'a directory'
            : st.isSymbolicLink()
              ? 'a symbolic link'
              : 'not a file';
          yield {
            kind: 'failed',
            location: where(entry),
            error: inputError('maildir-entry-not-file', `${entry} is ${what}`),
          };
          continue;
        }
        if (st.size > options.maxMessageBytes) {
          yield {
            kind: 'skipped',
            location: where(entry),
            limit: 'maxMessageBytes',
            detail: `${st.size} bytes`,
          };
          continue;
        }
        const bytes = readFileSync(join(path, subdir, name));
        yield {
          kind: 'raw-message',
          bytes,
          location: where(entry),
          maildir: { subdir, ...maildirFlags(name) },
        };
      } catch (e) {
        yield { kind: 'failed', location: where(entry), error: inputError('source-unreadable', String(e)) };
      }
    }
  }
}
