import { open } from 'node:fs/promises';
import { inputError } from '../../shared/errors.ts';
import type { Result } from '../../shared/result.ts';
import { fail } from '../../shared/result.ts';
import type { ImportResult } from './common.ts';
import { MAX_KEY_SOURCE_BYTES } from './common.ts';
import { parseDig } from './dig.ts';
import { parseJsonArchive } from './json-archive.ts';
import { parseKeyFile } from './key-file.ts';
import { parseZoneFile } from './zone-file.ts';

export type { ImportOptions, ImportResult } from './common.ts';
export { MAX_KEY_SOURCE_BYTES, MAX_REPORTED_PROBLEMS } from './common.ts';
export { parseDig } from './dig.ts';
export { parseJsonArchive } from './json-archive.ts';
export { parseKeyFile } from './key-file.ts';
export { parseZoneFile } from './zone-file.ts';

export type KeySourceFormat = 'json-archive' | 'dig' | 'zone-file' | 'key-file';

export interface ImportFileOptions {
  /** Skip sniffing. */
  readonly format?: KeySourceFormat | undefined;
  /** dig +short output: the queried `selector._domainkey.domain`. */
  readonly name?: string | undefined;
  /** Zone files without `$ORIGIN`: the zone's origin. */
  readonly zoneOrigin?: string | undefined;
  /** Largest file read, in bytes; at most MAX_KEY_SOURCE_BYTES (the default). */
  readonly maxBytes?: number | undefined;
}

/** How much of the start of a file sniffing looks at. */
export const SNIFF_BYTES = 64 * 1024;

/**
 * Which importer fits, from the text alone: a JSON array; dig output (`; <<>> DiG`, `;; ANSWER
 * SECTION`, or +short's bare "quoted" lines); a zone file (`$ORIGIN`, `$TTL`, `SOA`, `IN TXT`);
 * else the one-record-per-line key file.
 */
export function sniffKeySourceFormat(text: string): KeySourceFormat {
  const head = text.slice(0, SNIFF_BYTES).replace(/^\uFEFF/, '');
  if (/^\s*\[/.test(head)) return 'json-archive';
  if (/^; <<>> DiG|^;; ANSWER SECTION:|^;; Got answer:/im.test(head)) return 'dig';
  const firstLine = /^[ \t]*(\S.*)$/m.exec(head)?.[1] ?? '';
  if (firstLine.startsWith('"')) return 'dig';
  if (/^\$(?:ORIGIN|TTL|INCLUDE)\b|\bSOA\b|\bIN\s+TXT\b|\s\(\s*$/im.test(head)) return 'zone-file';
  return 'key-file';
}

/** Parse text already in memory with the importer for `format`. */
export function parseKeySource(
  text: string,
  format: KeySourceFormat,
  options: ImportFileOptions & { origin?: string | undefined } = {},
): Result<ImportResult> {
  switch (format) {
    case 'json-archive':
      return parseJsonArchive(text, options);
    case 'dig':
      return parseDig(text, options);
    case 'zone-file':
      return parseZoneFile(text, options);
    case 'key-file':
      return parseKeyFile(text, options);
  }
}

/**
 * Read a key source file, choose its importer by sniffing (unless `format` is given) and import it.
 * A file larger than the limit is refused before it is read; an unreadable file is a coded error.
 */
export async function importKeysFromFile(
  path: string,
  options: ImportFileOptions = {},
): Promise<Result<ImportResult & { format: KeySourceFormat }>> {
  const limit = options.maxBytes ?? MAX_KEY_SOURCE_BYTES;
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_KEY_SOURCE_BYTES) {
    // A limit that is not a limit is a caller's bug, not an input problem.
    throw new RangeError(`maxBytes must be an integer from 0 to ${MAX_KEY_SOURCE_BYTES}`);
  }
  let bytes: Buffer;
  try {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      if (size > limit) {
        return fail(
          inputError('key-file-too-large', `${path} is ${size} bytes, more than the limit of ${limit}`),
        );
      }
      // Read at most limit + 1 bytes: the file may grow between stat and read.
      const buffer = Buffer.alloc(Math.min(size, limit) + 1);
      const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
      if (bytesRead > limit) {
        return fail(inputError('key-file-too-large', `${path} is larger than the limit of ${limit} bytes`));
      }
      bytes = buffer.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return fail(inputError('input-unreadable', `cannot read key source ${path} (${code})`));
  }
  // One char per byte, the project's convention; JSON is UTF-8 by definition.
  const latin1 = bytes.toString('latin1');
  const format = options.format ?? sniffKeySourceFormat(latin1);
  const text = format === 'json-archive' ? bytes.toString('utf8') : latin1;
  const result = parseKeySource(text, format, { ...options, origin: path });
  return result.ok ? { ok: true, value: { ...result.value, format } } : result;
}
