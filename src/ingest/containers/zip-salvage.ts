import { crc32, inflateRawSync } from 'node:zlib';
import type { ContainerStep } from '../types.ts';
import type { EntryRecord } from './entries.ts';
import { decodeName, failure, limitHit } from './entries.ts';
import type { ContainerLimits, DecompressionBudget } from './limits.ts';
import { entryCap } from './limits.ts';

/**
 * Larger zips are not salvaged: salvage reads the whole archive into memory. Salvage matters most
 * for partial downloads and damaged copies, which are the common case in leaks.
 */
export const SALVAGE_MAX_BYTES = 1024 * 1024 * 1024;

const LOCAL = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const DESCRIPTOR = Buffer.from([0x50, 0x4b, 0x07, 0x08]);
const CENTRAL = Buffer.from([0x50, 0x4b, 0x01, 0x02]);

/**
 * Reads a zip whose central directory is missing or wrong (a truncated download, a streamed zip
 * with a bad end record) by walking its local headers in file order, as streaming unzippers do.
 * Every entry carries extraction 'salvage' so a reader knows it did not come from the directory.
 * The CRC of each entry is checked; a mismatch is a coded failure, never a silently wrong item.
 */
export function* salvageZip(
  zip: Buffer,
  limits: ContainerLimits,
  budget: DecompressionBudget,
): Generator<EntryRecord> {
  const archive = { size: zip.length, produced: 0 };
  let count = 0;
  let pos = zip.indexOf(LOCAL);
  while (pos >= 0 && pos + 30 <= zip.length) {
    count++;
    if (count > limits.maxEntriesPerArchive) {
      const detail = `salvaged ${limits.maxEntriesPerArchive} entries; the rest were not read`;
      yield { kind: 'skipped', step: undefined, limit: 'maxEntriesPerArchive', detail };
      return;
    }
    const flags = zip.readUInt16LE(pos + 6);
    const method = zip.readUInt16LE(pos + 8);
    const crc = zip.readUInt32LE(pos + 14);
    let compressed = zip.readUInt32LE(pos + 18);
    const declared = zip.readUInt32LE(pos + 22);
    const nameLength = zip.readUInt16LE(pos + 26);
    const dataStart = pos + 30 + nameLength + zip.readUInt16LE(pos + 28);
    const { name, entryRaw } = decodeName(
      zip.subarray(pos + 30, Math.min(pos + 30 + nameLength, zip.length)),
    );
    const step: ContainerStep = { format: 'zip', entry: name, entryRaw, offset: dataStart };
    if (dataStart > zip.length) {
      yield failure('archive-corrupt', `zip entry "${name}"`, 'the archive ends inside its header', step);
      return;
    }
    const viaDescriptor = (flags & 0x08) !== 0 && compressed === 0;
    const cap = entryCap(limits, budget, viaDescriptor ? undefined : compressed, archive);
    let bytes: Buffer | undefined;
    let end: number;
    if ((flags & 0x01) !== 0) {
      yield failure('archive-encrypted', `zip entry "${name}" is encrypted`, 'a password is needed', step);
      end = viaDescriptor ? nextHeader(zip, dataStart) : dataStart + compressed;
    } else if (method === 8) {
      // Deflate ends itself, so the compressed length is what the inflater consumed.
      const input = viaDescriptor ? zip.subarray(dataStart) : zip.subarray(dataStart, dataStart + compressed);
      try {
        // With info: true the result also carries the engine; the typings only know the plain form.
        const options = { info: true, maxOutputLength: Math.max(1, cap.bytes) };
        const result = inflateRawSync(input, options) as unknown as Inflated;
        bytes = result.buffer;
        if (viaDescriptor) compressed = result.engine.bytesWritten;
      } catch (error) {
        if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
          yield limitHit({ ...step, length: compressed }, cap, cap.bytes);
          if (viaDescriptor) return; // where this entry ends is unknown without inflating it all
          pos = zip.indexOf(LOCAL, dataStart + compressed);
          continue;
        }
        yield failure('archive-corrupt', `zip entry "${name}" cannot be inflated`, error, step);
        end = nextHeader(zip, dataStart);
        pos = end < zip.length ? zip.indexOf(LOCAL, end) : -1;
        continue;
      }
      end = dataStart + compressed;
    } else if (method === 0) {
      if (viaDescriptor) compressed = storedLength(zip, dataStart);
      end = dataStart + compressed;
      if (end > zip.length) {
        const detail = `it declares ${compressed} bytes but the archive ends ${zip.length - dataStart} bytes later`;
        yield failure('archive-corrupt', `zip entry "${name}"`, detail, step);
        return;
      }
      if (compressed > cap.bytes) {
        yield limitHit({ ...step, length: compressed }, cap, 0);
        bytes = undefined;
      } else bytes = zip.subarray(dataStart, Math.min(end, zip.length));
    } else {
      yield failure('archive-unsupported', `zip entry "${name}"`, `compression method ${method}`, step);
      end = viaDescriptor ? nextHeader(zip, dataStart) : dataStart + compressed;
    }
    if (bytes !== undefined) {
      const located = { ...step, length: compressed };
      const expected = viaDescriptor ? (descriptorCrc(zip, end) ?? crc) : crc;
      if (end > zip.length) {
        yield failure('archive-corrupt', `zip entry "${name}"`, 'the archive ends inside its data', located);
        return;
      }
      if (crc32(bytes) >>> 0 !== expected >>> 0 || (!viaDescriptor && bytes.length !== declared)) {
        yield failure('archive-corrupt', `zip entry "${name}"`, 'its CRC or size does not match', located);
      } else {
        budget.used += bytes.length;
        archive.produced += bytes.length;
        const extraction = 'salvage';
        yield {
          kind: 'entry',
          step: located,
          name,
          bytes: Buffer.from(bytes),
          size: bytes.length,
          extraction,
        };
      }
    }
    if (end >= zip.length) return;
    const next = zip.indexOf(LOCAL, end);
    const central = zip.indexOf(CENTRAL, end);
    pos = central >= 0 && central < next ? -1 : next;
  }
}

interface Inflated {
  readonly buffer: Buffer;
  /** bytesWritten: how much input the inflater consumed, i.e. where the deflate stream ended. */
  readonly engine: { readonly bytesWritten: number };
}

/** The CRC in a data descriptor at `at` (its signature is optional). */
function descriptorCrc(zip: Buffer, at: number): number | undefined {
  if (at + 4 <= zip.length && zip.subarray(at, at + 4).equals(DESCRIPTOR)) {
    return at + 8 <= zip.length ? zip.readUInt32LE(at + 4) : undefined;
  }
  return at + 4 <= zip.length ? zip.readUInt32LE(at) : undefined;
}

/** A stored entry of unknown length ends where a data descriptor whose size field agrees starts. */
function storedLength(zip: Buffer, dataStart: number): number {
  for (let at = zip.indexOf(DESCRIPTOR, dataStart); at >= 0; at = zip.indexOf(DESCRIPTOR, at + 1)) {
    if (at + 16 <= zip.length && zip.readUInt32LE(at + 8) === at - dataStart) return at - dataStart;
  }
  return nextHeader(zip, dataStart) - dataStart;
}

function nextHeader(zip: Buffer, from: number): number {
  const next = zip.indexOf(LOCAL, from);
  return next < 0 ? zip.length : next;
}
