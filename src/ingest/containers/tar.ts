import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { Header } from 'tar-stream';
import tar from 'tar-stream';
import type { ContainerStep } from '../types.ts';
import type { EntryRecord } from './entries.ts';
import { collectBounded, decodeName, entryRecord, failure, limitHit } from './entries.ts';
import type { ContainerLimits, DecompressionBudget } from './limits.ts';
import { entryCap, newBudget } from './limits.ts';

/**
 * The members of a tar (POSIX, GNU, and pre-POSIX v7 tars without a magic), each read into a Buffer
 * bounded by the limits. Regular files are entries; directories are `directory` records; links,
 * devices and fifos carry no bytes and are also given as `directory`-like records so they are
 * counted, never followed. Never throws on input.
 */
export async function* readTar(
  input: string | Buffer,
  limits: ContainerLimits,
  budget: DecompressionBudget = newBudget(),
): AsyncGenerator<EntryRecord> {
  // latin1 maps each name byte to one code unit, so the exact bytes can be recovered below.
  // allowUnknownFormat reads v7 tars with no magic; the options type of tar-stream omits both keys.
  const extract = tar.extract({ allowUnknownFormat: true, filenameEncoding: 'latin1' } as object);
  const source = typeof input === 'string' ? createReadStream(input) : Readable.from([input]);
  source.on('error', (error: Error) => extract.destroy(error));
  source.pipe(extract);
  let count = 0;
  const members = extract[Symbol.asyncIterator]();
  try {
    while (true) {
      let member: Awaited<ReturnType<typeof members.next>>['value'];
      try {
        const next = await members.next();
        if (next.done === true) break;
        member = next.value;
      } catch (error) {
        yield failure('archive-corrupt', 'tar is damaged', error);
        return;
      }
      count++;
      const step = memberStep(member.header, member.offset);
      if (count > limits.maxEntriesPerArchive) {
        member.resume();
        yield {
          kind: 'skipped',
          step: undefined,
          limit: 'maxEntriesPerArchive',
          detail: `read ${limits.maxEntriesPerArchive} entries; the rest were not read`,
        };
        return;
      }
      const type = member.header.type ?? 'file';
      if (type !== 'file' && type !== 'contiguous-file') {
        member.resume();
        yield { kind: 'directory', step };
        continue;
      }
      // Tar stores bytes as they are: no ratio applies to a member, only the size bounds.
      const cap = entryCap(limits, budget, undefined);
      if ((member.header.size ?? 0) > cap.bytes) {
        member.resume();
        yield limitHit(step, cap, 0);
        if (cap.limit === 'maxTotalDecompressedBytes') return;
        continue;
      }
      const collected = await collectBounded(member, cap);
      if (!collected.ok) {
        if (collected.hit !== undefined) {
          yield limitHit(step, collected.hit, collected.read);
        } else {
          yield failure('archive-corrupt', `tar member "${step.entry}" is damaged`, collected.error, step);
        }
        return;
      }
      yield entryRecord(step, collected.bytes, 'read', budget);
    }
  } finally {
    source.destroy();
    extract.destroy();
  }
}

/** `headerOffset` is where the member's (last) header block starts; its data follows it. */
function memberStep(header: Header, headerOffset: number): ContainerStep {
  const place = { offset: headerOffset + 512, length: header.size };
  const pax = header.pax as Record<string, string> | null | undefined;
  // A pax "path" record is UTF-8 by definition and tar-stream has already decoded it.
  if (pax?.['path'] !== undefined) return { format: 'tar', entry: header.name, ...place };
  const { name, entryRaw } = decodeName(Buffer.from(header.name, 'latin1'));
  return { format: 'tar', entry: name, entryRaw, ...place };
}
