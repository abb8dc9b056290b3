/** The benchmark corpus on disk: its layout, manifest and key file, shared by the generator and the drivers. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bump when the generator's output changes, so an old corpus is regenerated rather than reused. */
export const GENERATOR_VERSION = 1;

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPO_DIR = resolve(BENCH_DIR, '..');

export function defaultCorpusDir(messages: number, seed: string): string {
  return join(BENCH_DIR, 'corpus', 'verify', `${messages}-seed${seed}`);
}

export const MANIFEST = 'manifest.json';
export const KEYS = 'keys.txt';
export const MBOX = 'corpus.mbox';
export const LIST_ALL = 'all.txt';
/** The fixed random subset slow peers run on. */
export const SUBSET_SIZE = 2000;
export const LIST_SUBSET = `subset-${SUBSET_SIZE}.txt`;

export type TamperKind = 'body-text' | 'body-attachment' | 'subject' | 'footer' | 'from-address';

export interface SignatureSpec {
  readonly d: string;
  readonly s: string;
  readonly a: string;
  readonly c: string;
  readonly keyKind: string;
}

export interface ManifestMessage {
  /** Path of the .eml file, relative to the corpus directory. */
  readonly file: string;
  readonly bytes: number;
  /** Byte range of the message inside the mbox (the `From ` line and separator excluded). */
  readonly mboxOffset: number;
  readonly kind: 'plain' | 'alternative' | 'attachments' | 'large-attachments';
  readonly signatures: readonly SignatureSpec[];
  /** How the message was changed after signing, or null. */
  readonly tamper: TamperKind | null;
  /** What every signature should give: all pass, or (tampered) none does. */
  readonly expected: 'pass' | 'fail';
  /** The signing time (t=), seconds since the epoch. */
  readonly signedAt: number;
}

export interface CorpusParams {
  readonly generator: number;
  readonly seed: string;
  readonly messages: number;
}

export interface Manifest {
  readonly params: CorpusParams;
  readonly createdAt: string;
  readonly totalBytes: number;
  readonly mboxBytes: number;
  readonly summary: Readonly<Record<string, unknown>>;
  readonly messages: readonly ManifestMessage[];
}

export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as Manifest;
}

export function corpusExists(dir: string, params: CorpusParams): boolean {
  if (!existsSync(join(dir, MANIFEST))) return false;
  try {
    const m = readManifest(dir);
    return (
      m.params.generator === params.generator &&
      m.params.seed === params.seed &&
      m.params.messages === params.messages &&
      existsSync(join(dir, MBOX)) &&
      existsSync(join(dir, KEYS))
    );
  } catch {
    return false;
  }
}

/** Reads a key file: `selector._domainkey.domain TXT-value` per line, `#` comments. Keyed `selector._domainkey.domain`. */
export function readKeyFile(path: string): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const sp = line.search(/\s/);
    if (sp < 0) continue;
    const name = line.slice(0, sp).toLowerCase().replace(/\.$/, '');
    const value = line.slice(sp).trim();
    const list = keys.get(name);
    if (list) list.push(value);
    else keys.set(name, [value]);
  }
  return keys;
}

/** The files of a list (`all.txt`, `subset-2000.txt`), as paths relative to the corpus directory. */
export function readList(dir: string, list: string): string[] {
  return readFileSync(resolve(dir, list), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
}
