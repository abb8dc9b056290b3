import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ContainerStep } from '../types.ts';
import type { EntryRecord } from './entries.ts';
import { collectBounded, decodeName, entryRecord, failure, limitHit } from './entries.ts';
import type { ContainerLimits, DecompressionBudget } from './limits.ts';
import { entryCap, newBudget } from './limits.ts';

const FEXTRA = 0x04;
const FNAME = 0x08;

/**
 * The one entry of a gzip: its decompressed content, bounded while inflating (a gzip bomb stops at
 * the limit). Concatenated members are one entry, as gunzip gives them. The entry is named by the
 * header's FNAME field when there is one, else "" (the name is a label, never a path). Whether the
 * content is a tar is for the caller to sniff.
 */
export async function* readGzip(
  input: string | Buffer,
  limits: ContainerLimits,
  budget: DecompressionBudget = newBudget(),
): AsyncGenerator<EntryRecord> {
  let size: number;
  let head: Buffer;
  try {
    if (typeof input === 'string') {
      size = (await stat(input)).size;
      head = await readHead(input, 64 * 1024);
    } else {
      size = input.length;
      head = input.subarray(0, 64 * 1024);
    }
  } catch (error) {
    yield failure('input-unreadable', 'gzip cannot be read', error);
    return;
  }
  const step: ContainerStep = { format: 'gzip', ...storedName(head), offset: 0, length: size };
  const cap = entryCap(limits, budget, size);
  const source = typeof input === 'string' ? createReadStream(input) : Readable.from([input]);
  const gunzip = createGunzip();
  source.on('error', (error: Error) => gunzip.destroy(error));
  source.pipe(gunzip);
  const collected = await collectBounded(gunzip, cap);
  source.destroy();
  if (!collected.ok) {
    if (collected.hit !== undefined) {
      budget.used += collected.hit.bytes;
      yield limitHit(step, collected.hit, collected.read);
    } else {
      yield failure('archive-corrupt', 'gzip data is damaged', collected.error, step);
    }
    return;
  }
  yield entryRecord(step, collected.bytes, 'gunzip', budget);
}

async function readHead(path: string, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(path, { start: 0, end: max - 1 })) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The FNAME field (RFC 1952: ISO 8859-1, NUL-terminated), kept as raw bytes if not UTF-8. */
function storedName(head: Buffer): { entry: string; entryRaw?: string } {
  if (head.length < 10) return { entry: '' };
  const flags = head[3] ?? 0;
  if ((flags & FNAME) === 0) return { entry: '' };
  let at = 10;
  if ((flags & FEXTRA) !== 0) at += 2 + head.readUInt16LE(Math.min(at, head.length - 2));
  const end = head.indexOf(0, at);
  if (at >= head.length || end < 0) return { entry: '' };
  const { name, entryRaw } = decodeName(head.subarray(at, end));
  return entryRaw === undefined ? { entry: name } : { entry: name, entryRaw };
}
