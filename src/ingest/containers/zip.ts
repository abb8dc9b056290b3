import { readFile, stat } from 'node:fs/promises';
import yauzl from 'yauzl';
import type { ContainerStep } from '../types.ts';
import type { EntryRecord } from './entries.ts';
import { collectBounded, decodeName, failure, limitHit } from './entries.ts';
import type { ContainerLimits, DecompressionBudget } from './limits.ts';
import { entryCap, newBudget } from './limits.ts';
import { SALVAGE_MAX_BYTES, salvageZip } from './zip-salvage.ts';

/**
 * The entries of a zip, in central-directory order, each decompressed into a Buffer bounded by the
 * limits. Never throws on input: damage yields a coded `failed` record after the entries read
 * before it. Directory entries are yielded as `directory` records (they are not items).
 */
export async function* readZip(
  input: string | Buffer,
  limits: ContainerLimits,
  budget: DecompressionBudget = newBudget(),
): AsyncGenerator<EntryRecord> {
  // decodeStrings: false keeps the raw name bytes (evidence) and stops yauzl from rejecting
  // names like "../x" or "/etc/passwd": those are recorded as names, never used as paths.
  const options: yauzl.Options = { lazyEntries: true, decodeStrings: false, validateEntrySizes: true };
  let zip: yauzl.ZipFile;
  let archiveSize: number;
  try {
    if (typeof input === 'string') {
      archiveSize = (await stat(input)).size;
      zip = await yauzl.openPromise(input, options);
    } else {
      archiveSize = input.length;
      zip = await yauzl.fromBufferPromise(input, options);
    }
  } catch (error) {
    // Multi-disk (spanned or split) archives are valid but need their other parts.
    if (/multi-disk/i.test(String(error))) {
      yield failure('archive-unsupported', 'zip cannot be opened', error);
      return;
    }
    yield* salvageAfter(error, input, limits, budget);
    return;
  }
  const archive = { size: archiveSize, produced: 0 };
  let count = 0;
  const entries = zip.eachEntry();
  try {
    while (true) {
      let entry: yauzl.Entry;
      try {
        const next = await entries.next();
        if (next.done === true) break;
        entry = next.value;
      } catch (error) {
        if (count > 0) {
          yield failure('archive-corrupt', 'zip central directory is damaged', error);
          return;
        }
        zip.close();
        yield* salvageAfter(error, input, limits, budget);
        return;
      }
      count++;
      if (count > limits.maxEntriesPerArchive) {
        yield {
          kind: 'skipped',
          step: undefined,
          limit: 'maxEntriesPerArchive',
          detail: `read ${limits.maxEntriesPerArchive} of ${zip.entryCount} entries declared; the rest were not read`,
        };
        return;
      }
      const raw = Buffer.from(entry.fileNameRaw);
      const { name, entryRaw } = decodeName(raw);
      let step: ContainerStep = { format: 'zip', entry: name, entryRaw, length: entry.compressedSize };
      if (isDirectory(raw) && entry.uncompressedSize === 0) {
        yield { kind: 'directory', step };
        continue;
      }
      if (entry.isEncrypted()) {
        yield failure('archive-encrypted', `zip entry "${name}" is encrypted`, 'a password is needed', step);
        continue;
      }
      try {
        const local = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
        step = { ...step, offset: local.fileDataStart };
      } catch (error) {
        yield failure('archive-corrupt', `zip entry "${name}" has no readable local header`, error, step);
        continue;
      }
      const cap = entryCap(limits, budget, entry.compressedSize, archive);
      // A declared size over the bound would be stopped anyway; not inflating it saves the work.
      if (entry.uncompressedSize > cap.bytes) {
        yield limitHit(step, cap, 0);
        if (cap.limit === 'maxTotalDecompressedBytes' || cap.bytes === 0) return;
        continue;
      }
      let collected: Awaited<ReturnType<typeof collectBounded>>;
      try {
        collected = await collectBounded(await zip.openReadStreamPromise(entry), cap);
      } catch (error) {
        const code = /compression method/i.test(String(error)) ? 'archive-unsupported' : 'archive-corrupt';
        yield failure(code, `zip entry "${name}" cannot be read`, error, step);
        continue;
      }
      if (!collected.ok) {
        if (collected.hit !== undefined) {
          budget.used += collected.hit.bytes;
          archive.produced += collected.hit.bytes;
          yield limitHit(step, collected.hit, collected.read);
          if (collected.hit.limit === 'maxTotalDecompressedBytes') return;
        } else {
          yield failure('archive-corrupt', `zip entry "${name}" is damaged`, collected.error, step);
        }
        continue;
      }
      budget.used += collected.bytes.length;
      archive.produced += collected.bytes.length;
      yield {
        kind: 'entry',
        step,
        name,
        bytes: collected.bytes,
        size: collected.bytes.length,
        extraction: entry.compressionMethod === 0 ? 'read' : 'inflate',
      };
    }
  } finally {
    zip.close();
  }
}

/** Local-header salvage, for an archive small enough to hold in memory (see SALVAGE_MAX_BYTES). */
async function* salvage(
  input: string | Buffer,
  limits: ContainerLimits,
  budget: DecompressionBudget,
): AsyncGenerator<EntryRecord> {
  try {
    if (typeof input === 'string' && (await stat(input)).size > SALVAGE_MAX_BYTES) {
      yield failure('archive-corrupt', 'zip not salvaged', `larger than ${SALVAGE_MAX_BYTES} bytes`);
      return;
    }
    yield* salvageZip(typeof input === 'string' ? await readFile(input) : input, limits, budget);
  } catch (error) {
    yield failure('input-unreadable', 'zip cannot be read for salvage', error);
  }
}

/** A name ending in "/" (or "\" from some Windows tools). */
function isDirectory(raw: Buffer): boolean {
  const last = raw[raw.length - 1];
  return last === 0x2f || last === 0x5c;
}

/** The central directory could not be read: say so, then recover what the local headers hold. */
async function* salvageAfter(
  error: unknown,
  input: string | Buffer,
  limits: ContainerLimits,
  budget: DecompressionBudget,
): AsyncGenerator<EntryRecord> {
  yield failure(
    'archive-corrupt',
    'zip directory cannot be read; entries were salvaged from local headers',
    error,
  );
  yield* salvage(input, limits, budget);
}
