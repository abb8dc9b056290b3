// Generated hostile archives: bombs, nests, entry floods and path-like names, made in a temp dir.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import tar from 'tar-stream';
import type { ContainerLimits } from '../../../src/ingest/containers/limits.ts';
import { containerLimits } from '../../../src/ingest/containers/limits.ts';
import type { WalkRecord } from '../../../src/ingest/containers/walk.ts';
import { walkContainers } from '../../../src/ingest/containers/walk.ts';
import { buildZip, deflated, stored, zeroDeflate, zeroGzip } from './build.ts';

const dir = mkdtempSync(join(tmpdir(), 'leakproof-containers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function walkBytes(bytes: Buffer, limits: Partial<ContainerLimits> = {}): Promise<WalkRecord[]> {
  const path = join(dir, `input-${n++}`);
  writeFileSync(path, bytes);
  const records: WalkRecord[] = [];
  for await (const r of walkContainers(path, limits)) records.push(r);
  return records;
}

const skips = (rs: WalkRecord[]) => rs.flatMap((r) => (r.kind === 'skipped' ? [r.limit] : []));
const items = (rs: WalkRecord[]) => rs.filter((r) => r.kind === 'item');

function tarOf(members: readonly { name: string; content: Buffer | string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const m of members) pack.entry({ name: m.name }, Buffer.from(m.content));
  pack.finalize();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    pack.on('data', (c) => chunks.push(c as Buffer));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
}

describe('zip bombs', () => {
  const bomb = zeroDeflate(1024); // 1 GiB of zeros in about 1 MiB
  const member = { name: 'zeros.bin', data: bomb.data, method: 8, crc: bomb.crc, size: bomb.size };

  it('a 1 GiB entry in a 1 MiB zip stops at the expansion ratio', async () => {
    const records = await walkBytes(buildZip([member, stored('note.txt', 'hello')]));
    assert.deepEqual(skips(records), ['maxExpansionRatio']);
    assert.equal(items(records).length, 1, 'the entry after the bomb is still read');
  });

  it('with the ratio allowed, it stops at the per-entry size', async () => {
    const limits = { maxExpansionRatio: 10_000, maxEntryDecompressedBytes: 8 * 1024 * 1024 };
    assert.deepEqual(skips(await walkBytes(buildZip([member]), limits)), ['maxEntryDecompressedBytes']);
  });

  it('a declared size that lies is caught while inflating: a coded failure, not a bomb', async () => {
    const liar = { ...member, size: 100 };
    const records = await walkBytes(buildZip([liar]));
    const failed = records.find((r) => r.kind === 'failed');
    assert.ok(failed?.kind === 'failed' && failed.error.code === 'archive-corrupt');
  });

  it('many small entries stop at the total', async () => {
    const small = zeroDeflate(2);
    const members = Array.from({ length: 10 }, (_, i) => ({ ...member, ...small, name: `z${i}` }));
    const limits = { maxTotalDecompressedBytes: 5 * 1024 * 1024, maxExpansionRatio: 10_000 };
    const records = await walkBytes(buildZip(members), limits);
    assert.equal(items(records).length, 2);
    assert.deepEqual(skips(records), ['maxTotalDecompressedBytes']);
  });

  it('a 42.zip-style nest stops at the nesting depth with the limit recorded', async () => {
    let bytes = buildZip([deflated('leaf.txt', 'the bottom')]);
    for (let i = 0; i < 12; i++) bytes = buildZip([stored(`level${i}.zip`, bytes)]);
    const records = await walkBytes(bytes, { maxNestingDepth: 8 });
    assert.deepEqual(skips(records), ['maxNestingDepth']);
    const skipped = records.find((r) => r.kind === 'skipped');
    assert.equal(skipped?.kind === 'skipped' ? skipped.location.chain.length : -1, 8);
    assert.equal(items(await walkBytes(bytes, { maxNestingDepth: 13 })).length, 1);
  });
});

describe('gzip bombs', () => {
  it('256 MiB of zeros stops at the ratio, and at the entry size when the ratio allows', async () => {
    const gz = zeroGzip(256); // 256 MiB in about 256 KiB
    assert.deepEqual(skips(await walkBytes(gz)), ['maxExpansionRatio']);
    const limits = { maxExpansionRatio: 10_000, maxEntryDecompressedBytes: 8 * 1024 * 1024 };
    const records = await walkBytes(gz, limits);
    assert.deepEqual(skips(records), ['maxEntryDecompressedBytes']);
    const skipped = records.find((r) => r.kind === 'skipped');
    assert.match(skipped?.kind === 'skipped' ? skipped.detail : '', /stopped after \d+ bytes/);
  });

  it('a small gzip comes through whole', async () => {
    const records = await walkBytes(zeroGzip(1));
    assert.equal(items(records)[0]?.kind === 'item' ? items(records)[0]?.size : 0, 1024 * 1024);
  });
});

describe('entry floods', () => {
  it('a zip with more entries than maxEntriesPerArchive reads that many and records the rest', async () => {
    const members = Array.from({ length: 50 }, (_, i) => stored(`e${i}.txt`, `${i}`));
    const records = await walkBytes(buildZip(members), { maxEntriesPerArchive: 10 });
    assert.equal(items(records).length, 10);
    assert.deepEqual(skips(records), ['maxEntriesPerArchive']);
  });

  it('the same for a tar', async () => {
    const bytes = await tarOf(Array.from({ length: 30 }, (_, i) => ({ name: `e${i}`, content: 'x' })));
    const records = await walkBytes(bytes, { maxEntriesPerArchive: 5 });
    assert.equal(items(records).length, 5);
    assert.deepEqual(skips(records), ['maxEntriesPerArchive']);
  });
});

describe('path-like entry names are names only', () => {
  const names = ['../../etc/passwd', '/etc/shadow', 'C:\\Windows\\evil.dll', '..\\..\\x.txt', 'a\u0000b.txt'];

  it('zip: recorded verbatim, nothing written outside (or inside) the temp dir', async () => {
    const before = readdirSync(dir).length;
    const records = await walkBytes(buildZip(names.map((name) => stored(name, name))));
    const entries = items(records).map((r) => (r.kind === 'item' ? r.location.chain[0]?.entry : ''));
    assert.deepEqual(entries, names);
    assert.equal(readdirSync(dir).length, before + 1, 'only the input file itself');
  });

  it('tar: recorded verbatim (a NUL ends a tar name field, so it is left out here)', async () => {
    const tarNames = names.filter((x) => !x.includes('\u0000'));
    const records = await walkBytes(await tarOf(tarNames.map((name) => ({ name, content: name }))));
    const entries = items(records).map((r) => (r.kind === 'item' ? r.location.chain[0]?.entry : ''));
    assert.deepEqual(entries, tarNames);
  });
});

describe('archives we cannot open', () => {
  it('rar, and a 7z inside a zip, are recorded with their bytes kept', async () => {
    const rar = Buffer.concat([Buffer.from('Rar!\u001a\u0007\u0000', 'latin1'), Buffer.alloc(64)]);
    const top = await walkBytes(rar);
    const failedTop = top.find((r) => r.kind === 'failed');
    assert.ok(failedTop?.kind === 'failed' && failedTop.error.code === 'archive-unsupported');
    const sevenZ = Buffer.concat([Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]), Buffer.alloc(64)]);
    const nested = await walkBytes(buildZip([stored('inner.7z', sevenZ)]));
    const failed = nested.find((r) => r.kind === 'failed');
    assert.ok(failed?.kind === 'failed' && failed.error.code === 'archive-unsupported');
    assert.ok(failed.bytes?.equals(sevenZ));
    assert.equal(failed.location.chain[0]?.entry, 'inner.7z');
  });
});

describe('limits', () => {
  it('an invalid limit is a caller bug (RangeError), never a silent "off"', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => containerLimits({ maxNestingDepth: bad }), RangeError);
      assert.throws(() => containerLimits({ maxTotalDecompressedBytes: bad }), RangeError);
    }
    assert.equal(containerLimits().maxExpansionRatio, 200);
  });
});
