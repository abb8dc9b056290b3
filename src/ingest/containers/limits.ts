import type { LimitName } from '../types.ts';

/**
 * Bounds on opening archives. A leaker can hand us any bytes, so every archive read is bounded by
 * these; each limit, when hit, is recorded with the entry or archive that hit it (never silent).
 */
export interface ContainerLimits {
  /**
   * How many containers deep an item may be (the source file is depth 1). Answers zip quines
   * (`droste.zip` holds itself) and 42.zip-style nests, where each level multiplies the work.
   * Default 8.
   */
  readonly maxNestingDepth: number;
  /**
   * Bytes extracted in one walk, summed over every entry at every depth (an archive nested in
   * another is counted once as an entry and again as its entries come out). Answers zip bombs that
   * spread their expansion over many entries or levels, each one under the per-entry limit.
   * Default 64 GiB.
   */
  readonly maxTotalDecompressedBytes: number;
  /**
   * Bytes of one entry once decompressed. Answers a single-entry bomb (a gigabyte of zeros deflates
   * to a megabyte) and a declared size that lies: the count is enforced while inflating, not read
   * from the header. Default 4 GiB.
   */
  readonly maxEntryDecompressedBytes: number;
  /**
   * Decompressed bytes per compressed byte, for an entry whose compressed size is known (zip, the
   * whole stream of a gzip) and for an archive as a whole. Deflate reaches about 1,000:1 on zeros;
   * real documents rarely pass 20:1. Output under {@link RATIO_GRACE_BYTES} is never judged by
   * ratio, so a tiny, highly repetitive file is not flagged. Default 200.
   */
  readonly maxExpansionRatio: number;
  /**
   * Entries (files and directories) read from one archive. Answers entry floods: millions of empty
   * entries cost memory and records even when no byte expands. Default 1,000,000.
   */
  readonly maxEntriesPerArchive: number;
}

const GiB = 1024 ** 3;

export const DEFAULT_CONTAINER_LIMITS: ContainerLimits = Object.freeze({
  maxNestingDepth: 8,
  maxTotalDecompressedBytes: 64 * GiB,
  maxEntryDecompressedBytes: 4 * GiB,
  maxExpansionRatio: 200,
  maxEntriesPerArchive: 1_000_000,
});

/** Below this much output, the expansion ratio is not judged (small, repetitive files are normal). */
export const RATIO_GRACE_BYTES = 1024 * 1024;

type ContainerLimitName = keyof ContainerLimits & LimitName;

/**
 * Fills defaults and checks each given limit. An invalid limit is a caller bug, never a silent
 * "off", so it throws a RangeError.
 */
export function containerLimits(given: Partial<ContainerLimits> = {}): ContainerLimits {
  const limits = { ...DEFAULT_CONTAINER_LIMITS, ...given };
  for (const name of Object.keys(DEFAULT_CONTAINER_LIMITS) as ContainerLimitName[]) {
    const value = limits[name];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`${name} must be a positive safe integer, got ${String(value)}`);
    }
  }
  return Object.freeze(limits);
}

/** Bytes extracted so far in one walk; shared by every reader so the total limit spans nesting. */
export interface DecompressionBudget {
  used: number;
}

export function newBudget(): DecompressionBudget {
  return { used: 0 };
}

/** The most bytes an entry may produce, and the limit that sets that bound. */
export interface EntryCap {
  readonly bytes: number;
  readonly limit: ContainerLimitName;
}

/**
 * The bound for one entry: the smallest of the per-entry limit, what is left of the total, the
 * ratio to its compressed size (when known), and what is left of the archive's own ratio allowance.
 */
export function entryCap(
  limits: ContainerLimits,
  budget: DecompressionBudget,
  compressedSize: number | undefined,
  archive?: { readonly size: number; readonly produced: number },
): EntryCap {
  let cap: EntryCap = { bytes: limits.maxEntryDecompressedBytes, limit: 'maxEntryDecompressedBytes' };
  const left = Math.max(0, limits.maxTotalDecompressedBytes - budget.used);
  if (left < cap.bytes) cap = { bytes: left, limit: 'maxTotalDecompressedBytes' };
  if (compressedSize !== undefined) {
    const byRatio = Math.max(RATIO_GRACE_BYTES, compressedSize * limits.maxExpansionRatio);
    if (byRatio < cap.bytes) cap = { bytes: byRatio, limit: 'maxExpansionRatio' };
  }
  if (archive !== undefined) {
    const allowed = Math.max(RATIO_GRACE_BYTES, archive.size * limits.maxExpansionRatio);
    const archiveLeft = Math.max(0, allowed - archive.produced);
    if (archiveLeft < cap.bytes) cap = { bytes: archiveLeft, limit: 'maxExpansionRatio' };
  }
  return cap;
}
