// Zips without a usable central directory: partial downloads and streamed zips, read by local headers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32, deflateRawSync } from 'node:zlib';
import type { EntryRecord } from '../../../src/ingest/containers/entries.ts';
import { containerLimits } from '../../../src/ingest/containers/limits.ts';
import { readZip } from '../../../src/ingest/containers/zip.ts';
import { buildZip, deflated, zeroDeflate } from './build.ts';

async function read(zip: Buffer, limits = containerLimits()): Promise<EntryRecord[]> {
  const out: EntryRecord[] = [];
  for await (const r of readZip(zip, limits)) out.push(r);
  return out;
}
const summary = (rs: EntryRecord[]) =>
  rs.map((r) =>
    r.kind === 'entry'
      ? `entry ${r.name} ${r.extraction}`
      : r.kind === 'failed'
        ? `failed ${r.error.code}${r.step ? ` ${r.step.entry}` : ''}`
        : r.kind === 'skipped'
          ? `skipped ${r.limit}`
          : `${r.kind}`,
  );

/** A streamed entry: general-purpose bit 3, zero sizes and CRC up front, a data descriptor after. */
function streamed(name: string, content: Buffer, method: 0 | 8, crc = crc32(content)): Buffer {
  const data = method === 8 ? deflateRawSync(content) : content;
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(0x08, 6);
  header.writeUInt16LE(method, 8);
  header.writeUInt16LE(name.length, 26);
  const descriptor = Buffer.alloc(16);
  descriptor.writeUInt32LE(0x08074b50, 0);
  descriptor.writeUInt32LE(crc >>> 0, 4);
  descriptor.writeUInt32LE(data.length, 8);
  descriptor.writeUInt32LE(content.length, 12);
  return Buffer.concat([header, Buffer.from(name), data, descriptor]);
}

describe('zip salvage', () => {
  it('a partial download keeps every whole entry and reports the cut one', async () => {
    const text = (i: number) => `document ${i} `.repeat(200);
    const zip = buildZip([0, 1, 2].map((i) => deflated(`d${i}.txt`, text(i))));
    const third = zip.indexOf('d2.txt');
    const records = await read(zip.subarray(0, third + 20));
    assert.deepEqual(summary(records), [
      'failed archive-corrupt',
      'entry d0.txt salvage',
      'entry d1.txt salvage',
      'failed archive-corrupt d2.txt',
    ]);
    const first = records[1];
    assert.ok(first?.kind === 'entry' && first.bytes.toString() === text(0));
  });

  it('a streamed zip (data descriptors, no directory) is read entry by entry, stored and deflated', async () => {
    const zip = Buffer.concat([
      streamed('a.txt', Buffer.from('alpha '.repeat(50)), 8),
      streamed('b.bin', Buffer.from('PK\u0003\u0004 inside stored data'), 0),
      streamed('c.txt', Buffer.from('gamma'), 8),
    ]);
    const records = await read(zip);
    assert.deepEqual(summary(records), [
      'failed archive-corrupt',
      'entry a.txt salvage',
      'entry b.bin salvage',
      'entry c.txt salvage',
    ]);
    const b = records[2];
    assert.ok(b?.kind === 'entry' && b.bytes.toString() === 'PK\u0003\u0004 inside stored data');
  });

  it('a CRC that does not match is a coded failure, not a silently wrong item', async () => {
    const zip = streamed('a.txt', Buffer.from('alpha'), 8, 12345);
    assert.deepEqual(summary(await read(zip)), ['failed archive-corrupt', 'failed archive-corrupt a.txt']);
  });

  it('a bomb without a directory still stops at a limit', async () => {
    const bomb = zeroDeflate(256);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(0x08, 6);
    header.writeUInt16LE(8, 8);
    header.writeUInt16LE(1, 26);
    const records = await read(Buffer.concat([header, Buffer.from('z'), bomb.data]));
    assert.deepEqual(summary(records), ['failed archive-corrupt', 'skipped maxExpansionRatio']);
  });
});
