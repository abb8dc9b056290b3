// Real archives from Apache Tika's test documents (read-only): every file opens or fails with a code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { containerLimits } from '../../../src/ingest/containers/limits.ts';
import { readTar } from '../../../src/ingest/containers/tar.ts';
import type { WalkRecord, WalkStats } from '../../../src/ingest/containers/walk.ts';
import { walkContainers } from '../../../src/ingest/containers/walk.ts';
import { readZip } from '../../../src/ingest/containers/zip.ts';

const CORPUS = join(import.meta.dirname, '../../../../shared/corpus/tika/mail-and-containers');

async function walk(file: string): Promise<{ records: WalkRecord[]; stats: WalkStats }> {
  const records: WalkRecord[] = [];
  let stats: WalkStats | undefined;
  for await (const r of walkContainers(join(CORPUS, file))) {
    if (r.kind === 'summary') stats = r.stats;
    else records.push(r);
  }
  assert.ok(stats, 'a walk ends with a summary');
  return { records, stats };
}

const path = (r: WalkRecord): string =>
  r.kind === 'summary' ? '' : r.location.chain.map((s) => `${s.format}:${s.entry}`).join(' > ');
const items = (rs: WalkRecord[]) => rs.filter((r) => r.kind === 'item');
const codes = (rs: WalkRecord[]) => rs.flatMap((r) => (r.kind === 'failed' ? [r.error.code] : []));

const DOCUMENTS = [
  'testEXCEL.xls',
  'testHTML.html',
  'testOpenOffice2.odt',
  'testPDF.pdf',
  'testPPT.ppt',
  'testRTF.rtf',
  'testTXT.txt',
  'testWORD.doc',
  'testXML.xml',
];

describe('Tika corpus archives', () => {
  it('test-documents.zip: 9 documents; the .odt stays one item', async () => {
    const { records, stats } = await walk('test-documents.zip');
    assert.deepEqual(
      items(records).map(path),
      DOCUMENTS.map((d) => `zip:${d}`),
    );
    assert.equal(stats.failed + stats.skipped, 0);
  });

  it('test-documents.tar and .tgz: the same 9 documents, the tgz one level deeper', async () => {
    const tar = await walk('test-documents.tar');
    assert.deepEqual(
      items(tar.records).map(path),
      DOCUMENTS.map((d) => `tar:test-documents/${d}`),
    );
    assert.equal(tar.stats.directories, 1);
    const tgz = await walk('test-documents.tgz');
    const expected = DOCUMENTS.map((d) => `gzip:test-documents.tar > tar:test-documents/${d}`);
    assert.deepEqual(items(tgz.records).map(path), expected);
    // Same bytes whichever way they were packed.
    for (const [i, r] of items(tgz.records).entries()) {
      const t = items(tar.records)[i];
      assert.ok(r.kind === 'item' && t?.kind === 'item' && r.bytes?.equals(t.bytes ?? Buffer.alloc(0)));
    }
    const pdf = items(tar.records).find((r) => path(r).endsWith('testPDF.pdf'));
    assert.ok(pdf?.kind === 'item');
    const step = pdf.location.chain[0];
    const whole = readFileSync(join(CORPUS, 'test-documents.tar'));
    assert.ok(step?.offset !== undefined && step.length !== undefined);
    assert.ok(whole.subarray(step.offset, step.offset + step.length).equals(pdf.bytes ?? Buffer.alloc(0)));
  });

  it('test-zip-of-zip.zip: a chain of two zips; each zip is also given as a container', async () => {
    const { records } = await walk('test-zip-of-zip.zip');
    assert.deepEqual(items(records).map(path), ['zip:html-within-zip.zip > zip:text.html']);
    const containers = records.filter((r) => r.kind === 'container');
    assert.deepEqual(containers.map(path), ['', 'zip:html-within-zip.zip']);
    const inner = containers[1];
    assert.ok(inner?.kind === 'container' && inner.bytes?.length === 163 && inner.format === 'zip');
  });

  it('test-nested-tarball.tar: tar > tgz > tar', async () => {
    const { records, stats } = await walk('test-nested-tarball.tar');
    assert.deepEqual(items(records).map(path), [
      'tar:folderContainingTgz/inner/nested.tgz > gzip: > tar:folderWithinTgz/testTXT.txt',
    ]);
    assert.equal(stats.containersOpened, 3);
  });

  it('TIKA-216.tgz (a nest of highly compressible tgz): stops at the expansion ratio, recorded', async () => {
    const { records } = await walk('TIKA-216.tgz');
    const skipped = records.filter((r) => r.kind === 'skipped');
    assert.equal(skipped.length, 9);
    for (const r of skipped) assert.ok(r.kind === 'skipped' && r.limit === 'maxExpansionRatio');
    assert.equal(path(skipped[0] as WalkRecord), 'gzip: > tar:blah.tgz > gzip:');
  });

  it('testTAR_no_magic.tar: a v7 tar without magic is read', async () => {
    const { records } = await walk('testTAR_no_magic.tar');
    assert.deepEqual(items(records).map(path), [
      'tar:Lorem ipsum 1',
      'tar:Lorem ipsum 2',
      'tar:Lorem ipsum 3',
    ]);
  });

  it('droste.zip (a quine): recorded as archive-recursive, not looped', async () => {
    const { records, stats } = await walk('droste.zip');
    assert.deepEqual(items(records).map(path), ['zip:droste.jpg']);
    assert.deepEqual(codes(records), ['archive-recursive']);
    assert.equal(stats.containersOpened, 1);
  });

  it('droste.zip with the hash check out of reach still stops at the nesting limit', async () => {
    // Each level is the same bytes, so only the depth limit could stop it if the hash check failed.
    const records: WalkRecord[] = [];
    for await (const r of walkContainers(join(CORPUS, 'droste.zip'), { maxNestingDepth: 1 })) records.push(r);
    const skipped = records.find((r) => r.kind === 'skipped');
    assert.ok(skipped?.kind === 'skipped' && skipped.limit === 'maxNestingDepth');
  });

  it('encrypted archives are reported, not crashed on', async () => {
    const zip = await walk('testZipEncrypted.zip');
    assert.deepEqual(items(zip.records).map(path), ['zip:unencrypted.txt']);
    assert.deepEqual(codes(zip.records), ['archive-encrypted']);
    assert.deepEqual(codes((await walk('test7Z_protected_passTika.7z')).records), ['archive-encrypted']);
    assert.deepEqual(codes((await walk('full_encrypted.7z')).records), ['archive-encrypted']);
    assert.deepEqual(codes((await walk('test-documents.7z')).records), ['archive-unsupported']);
  });

  it('testZIP_corrupted_oom.zip (sizes of 2 GiB declared): a coded failure, no huge allocation', async () => {
    const before = process.memoryUsage().rss;
    const { records } = await walk('testZIP_corrupted_oom.zip');
    // The directory is unreadable; salvage finds the entry's declared 2 GiB run past the file's end.
    assert.deepEqual(codes(records), ['archive-corrupt', 'archive-corrupt']);
    assert.ok(process.memoryUsage().rss - before < 256 * 1024 * 1024);
  });

  it('testZipEntryNameCharsetShiftSJIS.zip and gbk.zip: raw name bytes kept', async () => {
    const sjis: string[] = [];
    for await (const r of readZip(join(CORPUS, 'testZipEntryNameCharsetShiftSJIS.zip'), containerLimits())) {
      if (r.kind === 'entry') sjis.push(Buffer.from(r.step.entryRaw ?? '', 'base64').toString('hex'));
    }
    // 95b68fcd is 文書 in Shift-JIS.
    assert.deepEqual(sjis, ['95b68fcd312e747874', '95b68fcd322e747874']);
    const gbk = await walk('gbk.zip');
    assert.equal(items(gbk.records).length, 1);
    const step = items(gbk.records)[0]?.location.chain[0];
    assert.ok(step?.entryRaw !== undefined && step.entry.endsWith('_V4.0.doc'));
    assert.equal(gbk.stats.directories, 1);
  });

  it('data-descriptor zips: one opens; the other (end record points 32 bytes off) is salvaged', async () => {
    const two = await walk('testZip_with_DataDescriptor2.zip');
    assert.equal(two.stats.failed, 0);
    assert.ok(items(two.records).length >= 1);
    const one = await walk('testZip_with_DataDescriptor.zip');
    assert.deepEqual(codes(one.records), ['archive-corrupt']);
    assert.deepEqual(items(one.records).map(path), ['zip:en0', 'zip:en1', 'zip:en2', 'zip:en3', 'zip:en4']);
    for (const r of items(one.records)) assert.equal(r.location.extraction, 'salvage');
  });

  it('test-documents-spanned.zip: sniffed as zip by its end record; multi-disk is unsupported', async () => {
    const { records } = await walk('test-documents-spanned.zip');
    assert.deepEqual(codes(records), ['archive-unsupported']);
  });

  it('every archive in the corpus ends with items or coded records', async () => {
    for (const file of [
      'moby.zip',
      'testEmbedded.zip',
      'testIWorksNPEDetector.zip',
      'testOpenOfficeInAZip.zip',
    ]) {
      const { records } = await walk(file);
      assert.ok(records.length > 0, file);
      for (const r of records) if (r.kind === 'failed') assert.match(r.error.code, /^archive-/);
    }
  });

  it('readTar on the no-magic tar gives offsets that point at the bytes', async () => {
    const whole = readFileSync(join(CORPUS, 'testTAR_no_magic.tar'));
    for await (const r of readTar(whole, containerLimits())) {
      assert.equal(r.kind, 'entry');
      if (r.kind !== 'entry' || r.step.offset === undefined) continue;
      assert.ok(whole.subarray(r.step.offset, r.step.offset + r.size).equals(r.bytes));
    }
  });
});
