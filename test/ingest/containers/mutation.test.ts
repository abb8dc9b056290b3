// Property: any byte mutation of a small valid archive never throws out of a reader and always ends.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import tar from 'tar-stream';
import type { EntryRecord } from '../../../src/ingest/containers/entries.ts';
import { readGzip } from '../../../src/ingest/containers/gzip.ts';
import { containerLimits } from '../../../src/ingest/containers/limits.ts';
import { sniff } from '../../../src/ingest/containers/sniff.ts';
import { readTar } from '../../../src/ingest/containers/tar.ts';
import { walkContainers } from '../../../src/ingest/containers/walk.ts';
import { readZip } from '../../../src/ingest/containers/zip.ts';
import { buildZip, deflated, stored } from './build.ts';

const dir = mkdtempSync(join(tmpdir(), 'leakproof-mutation-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// Small limits, so a mutation that inflates a size field cannot make a test slow.
const limits = containerLimits({
  maxEntryDecompressedBytes: 1024 * 1024,
  maxTotalDecompressedBytes: 4 * 1024 * 1024,
  maxEntriesPerArchive: 100,
});

const text = 'Lorem ipsum dolor sit amet, '.repeat(20);
const zip = buildZip([
  deflated('a.txt', text),
  stored('b/c.txt', 'hello'),
  deflated('d.bin', Buffer.alloc(300)),
]);
const gz = gzipSync(Buffer.from(text));
const tarBytes = await new Promise<Buffer>((resolve) => {
  const pack = tar.pack();
  pack.entry({ name: 'a.txt' }, text);
  pack.entry({ name: 'dir/b.txt' }, 'hello');
  pack.finalize();
  const chunks: Buffer[] = [];
  pack.on('data', (c) => chunks.push(c as Buffer));
  pack.on('end', () => resolve(Buffer.concat(chunks)));
});

/** Byte edits: overwrite positions, then optionally cut the tail. */
function mutated(original: Buffer) {
  return fc
    .record({
      edits: fc.array(fc.tuple(fc.nat(original.length - 1), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 8,
      }),
      cut: fc.option(fc.nat(original.length), { nil: undefined }),
    })
    .map(({ edits, cut }) => {
      const copy = Buffer.from(original);
      for (const [at, value] of edits) copy[at] = value;
      return cut === undefined ? copy : copy.subarray(0, cut);
    });
}

async function drain(records: AsyncIterable<EntryRecord>): Promise<void> {
  for await (const r of records) {
    assert.ok(['entry', 'directory', 'skipped', 'failed'].includes(r.kind));
    if (r.kind === 'entry') assert.ok(r.size <= limits.maxEntryDecompressedBytes);
    if (r.kind === 'failed') assert.match(r.error.code, /^(archive-|input-)/);
  }
}

describe('mutated archives', () => {
  it('the unmutated inputs read cleanly', async () => {
    for (const [bytes, read] of [
      [zip, readZip],
      [gz, readGzip],
      [tarBytes, readTar],
    ] as const) {
      const kinds: string[] = [];
      for await (const r of read(bytes, limits)) kinds.push(r.kind);
      assert.ok(kinds.length > 0 && kinds.every((k) => k === 'entry'));
    }
  });

  for (const [label, original, read] of [
    ['zip', zip, readZip],
    ['gzip', gz, readGzip],
    ['tar', tarBytes, readTar],
  ] as const) {
    it(`${label}: never throws, always ends`, async () => {
      await fc.assert(
        fc.asyncProperty(mutated(original), async (bytes) => {
          sniff(bytes.subarray(0, 512), bytes);
          await drain(read(bytes, limits));
        }),
        { numRuns: 500 },
      );
    });
  }

  it('walkContainers over mutated files never throws and ends with a summary', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated(zip), mutated(gz), mutated(tarBytes)), async (bytes) => {
        const path = join(dir, `m${n++}`);
        writeFileSync(path, bytes);
        let last = '';
        for await (const r of walkContainers(path, limits)) last = r.kind;
        assert.equal(last, 'summary');
      }),
      { numRuns: 200 },
    );
  });
});
