import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { InputError } from '../../shared/errors.ts';
import { inputError } from '../../shared/errors.ts';
import type { ContainerStep, ItemLocation, LimitName } from '../types.ts';
import type { EntryRecord } from './entries.ts';
import { readGzip } from './gzip.ts';
import type { ContainerLimits, DecompressionBudget } from './limits.ts';
import { containerLimits, newBudget } from './limits.ts';
import type { ContainerFormat } from './sniff.ts';
import { isZipDocument, SNIFF_HEAD_BYTES, SNIFF_TAIL_BYTES, sniff } from './sniff.ts';
import { readTar } from './tar.ts';
import { readZip } from './zip.ts';

/**
 * What a walk yields: leaf items (files that are not containers we open), and a record for every
 * entry or archive that a limit stopped or that could not be read. The last record is a summary.
 */
export type WalkRecord =
  | {
      readonly kind: 'item';
      readonly location: ItemLocation;
      /** The item's bytes; null for a source file that is not a container (read it from sourcePath). */
      readonly bytes: Buffer | null;
      readonly size: number;
    }
  | {
      readonly kind: 'skipped';
      readonly location: ItemLocation;
      readonly limit: LimitName;
      readonly detail: string;
      /** The bytes of a nested archive that was not opened, so it can still be stored as evidence. */
      readonly bytes?: Buffer | undefined;
    }
  | {
      readonly kind: 'failed';
      readonly location: ItemLocation;
      readonly error: InputError;
      readonly bytes?: Buffer | undefined;
    }
  | {
      /**
       * An archive about to be opened, yielded before its contents so its own bytes can be stored
       * and matched too (an archive attached to an email is evidence as a whole).
       */
      readonly kind: 'container';
      readonly location: ItemLocation;
      readonly format: ContainerFormat;
      /** null for the source file itself (read it from sourcePath). */
      readonly bytes: Buffer | null;
      readonly size: number;
    }
  | { readonly kind: 'summary'; readonly stats: WalkStats };

export interface WalkStats {
  containersOpened: number;
  /** Entries read from archives: files, directories, links (directories are not items). */
  entries: number;
  directories: number;
  items: number;
  skipped: number;
  failed: number;
  bytesExtracted: number;
}

const EXTRACTION: Record<string, string> = { zip: 'inflate', tar: 'read', gzip: 'gunzip' };

/**
 * Opens a source file and every container inside it, depth first, down to `maxNestingDepth`. A
 * container whose bytes equal one it is inside of (a quine like droste.zip) is recorded as
 * `archive-recursive` instead of being opened again. Never throws on input.
 */
export async function* walkContainers(
  sourcePath: string,
  given: Partial<ContainerLimits> = {},
): AsyncGenerator<WalkRecord> {
  const limits = containerLimits(given);
  const stats: WalkStats = {
    containersOpened: 0,
    entries: 0,
    directories: 0,
    items: 0,
    skipped: 0,
    failed: 0,
    bytesExtracted: 0,
  };
  const budget = newBudget();
  const count = (record: WalkRecord): WalkRecord => {
    if (record.kind === 'item') stats.items++;
    else if (record.kind === 'skipped') stats.skipped++;
    else if (record.kind === 'failed') stats.failed++;
    return record;
  };
  const top = await probeFile(sourcePath);
  if (!top.ok) {
    yield count({
      kind: 'failed',
      location: { sourcePath, chain: [], extraction: 'read' },
      error: top.error,
    });
  } else if (top.format === 'other' || (top.format === 'zip' && isZipDocument(top.head, top.tail))) {
    yield count({
      kind: 'item',
      location: { sourcePath, chain: [], extraction: 'read' },
      bytes: null,
      size: top.size,
    });
  } else {
    const ctx: WalkContext = { sourcePath, limits, budget, stats, count };
    const location = { sourcePath, chain: [], extraction: 'read' };
    yield { kind: 'container', location, format: top.format, bytes: null, size: top.size };
    let memo: Promise<string> | undefined;
    const self: Ancestor = { size: top.size, sha256: () => (memo ??= hashFile(sourcePath)) };
    yield* openContainer(ctx, top.format, sourcePath, top.head, [], 1, [self]);
  }
  stats.bytesExtracted = budget.used;
  yield { kind: 'summary', stats };
}

interface WalkContext {
  readonly sourcePath: string;
  readonly limits: ContainerLimits;
  readonly budget: DecompressionBudget;
  readonly stats: WalkStats;
  readonly count: (record: WalkRecord) => WalkRecord;
}

async function* openContainer(
  ctx: WalkContext,
  format: Exclude<ContainerFormat, 'other'>,
  input: string | Buffer,
  head: Buffer,
  chain: readonly ContainerStep[],
  depth: number,
  ancestors: readonly Ancestor[],
): AsyncGenerator<WalkRecord> {
  const here = { sourcePath: ctx.sourcePath, chain };
  const nestedBytes = typeof input === 'string' ? undefined : input;
  if (format === '7z' || format === 'rar') {
    const encrypted = format === '7z' && (await sevenZipEncrypted(input, head));
    const error = encrypted
      ? inputError('archive-encrypted', '7z archive is encrypted (AES coder); it cannot be opened')
      : inputError('archive-unsupported', `${format} archives cannot be opened by leakproof yet`);
    yield ctx.count({ kind: 'failed', location: { ...here, extraction: 'read' }, error, bytes: nestedBytes });
    return;
  }
  ctx.stats.containersOpened++;
  const reader = format === 'zip' ? readZip : format === 'tar' ? readTar : readGzip;
  for await (const record of reader(input, ctx.limits, ctx.budget)) {
    // Records about the archive as a whole (no step) are not entries.
    if (record.step !== undefined) ctx.stats.entries++;
    yield* followRecord(ctx, format, record, chain, depth, ancestors);
  }
}

async function* followRecord(
  ctx: WalkContext,
  format: string,
  record: EntryRecord,
  chain: readonly ContainerStep[],
  depth: number,
  ancestors: readonly Ancestor[],
): AsyncGenerator<WalkRecord> {
  const locate = (step: ContainerStep | undefined, extraction: string): ItemLocation => ({
    sourcePath: ctx.sourcePath,
    chain: step === undefined ? chain : [...chain, step],
    extraction,
  });
  const extraction = EXTRACTION[format] ?? 'read';
  switch (record.kind) {
    case 'directory':
      ctx.stats.directories++;
      return;
    case 'skipped':
      yield ctx.count({
        kind: 'skipped',
        location: locate(record.step, extraction),
        limit: record.limit,
        detail: record.detail,
      });
      return;
    case 'failed':
      yield ctx.count({ kind: 'failed', location: locate(record.step, extraction), error: record.error });
      return;
    case 'entry': {
      const location = locate(record.step, record.extraction);
      const bytes = record.bytes;
      const inner = sniff(bytes.subarray(0, SNIFF_HEAD_BYTES), bytes.subarray(-SNIFF_TAIL_BYTES));
      // An Office or ODF file is a zip, but it is one document: the document extractors read it whole.
      if (inner === 'other' || (inner === 'zip' && isZipDocument(bytes, bytes.subarray(-SNIFF_TAIL_BYTES)))) {
        yield ctx.count({ kind: 'item', location, bytes, size: record.size });
        return;
      }
      if (depth + 1 > ctx.limits.maxNestingDepth) {
        const detail = `a ${inner} at nesting depth ${depth + 1} was not opened (maxNestingDepth ${ctx.limits.maxNestingDepth})`;
        yield ctx.count({ kind: 'skipped', location, limit: 'maxNestingDepth', detail, bytes });
        return;
      }
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      let level = -1;
      for (const [i, a] of ancestors.entries()) {
        // Only an ancestor of the same size can be the same bytes; the source file is hashed only then.
        if (a.size === bytes.length && (await a.sha256()) === sha256) level = i;
      }
      if (level >= 0) {
        const error = inputError(
          'archive-recursive',
          `this ${inner} is byte-identical to the archive it is inside of, ${depth - level} level(s) up (sha256 ${sha256}); not opened again`,
        );
        yield ctx.count({ kind: 'failed', location, error, bytes });
        return;
      }
      yield { kind: 'container', location, format: inner, bytes, size: record.size };
      const head = bytes.subarray(0, SNIFF_HEAD_BYTES);
      yield* openContainer(ctx, inner, bytes, head, location.chain, depth + 1, [
        ...ancestors,
        { size: bytes.length, sha256: async () => sha256 },
      ]);
    }
  }
}

/** An archive on the current chain; its hash is computed only when a same-sized archive is inside. */
interface Ancestor {
  readonly size: number;
  readonly sha256: () => Promise<string>;
}

/** The source file's SHA-256, or '' (which matches nothing) if it can no longer be read. */
async function hashFile(path: string): Promise<string> {
  try {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  } catch {
    return '';
  }
}

type Probe =
  | { ok: true; format: ContainerFormat; head: Buffer; tail: Buffer; size: number }
  | { ok: false; error: InputError };

/** Sniffs a source file from its head and tail. */
async function probeFile(path: string): Promise<Probe> {
  try {
    const handle = await open(path, 'r');
    let head: Buffer;
    let tail: Buffer;
    let size: number;
    try {
      size = (await handle.stat()).size;
      head = Buffer.alloc(Math.min(size, SNIFF_HEAD_BYTES));
      await handle.read(head, 0, head.length, 0);
      tail = Buffer.alloc(Math.min(size, SNIFF_TAIL_BYTES));
      await handle.read(tail, 0, tail.length, size - tail.length);
    } finally {
      await handle.close();
    }
    return { ok: true, format: sniff(head, tail), head, tail, size };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, error: inputError('input-unreadable', `source file cannot be read: ${detail}`) };
  }
}

const AES_CODER = Buffer.from([0x06, 0xf1, 0x07, 0x01]);
const MAX_7Z_HEADER = 1024 * 1024;

/**
 * Whether a 7z names the AES coder in its (possibly encoded) header. The header's coder list is
 * stored uncompressed even when the file list itself is compressed or encrypted, so the coder id is
 * visible without a password.
 */
async function sevenZipEncrypted(input: string | Buffer, head: Buffer): Promise<boolean> {
  if (head.length < 32) return false;
  const offset = 32 + Number(head.readBigUInt64LE(12));
  const length = Math.min(Number(head.readBigUInt64LE(20)), MAX_7Z_HEADER);
  if (!Number.isSafeInteger(offset) || length <= 0) return false;
  if (typeof input !== 'string') return input.subarray(offset, offset + length).includes(AES_CODER);
  try {
    const handle = await open(input, 'r');
    try {
      const header = Buffer.alloc(length);
      const { bytesRead } = await handle.read(header, 0, length, offset);
      return header.subarray(0, bytesRead).includes(AES_CODER);
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}
