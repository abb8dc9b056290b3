import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTarHeader, isZipDocument, sniff } from '../../../src/ingest/containers/sniff.ts';
import { buildZip, stored } from './build.ts';

const at = (bytes: number[], size = 600): Buffer => {
  const b = Buffer.alloc(size);
  Buffer.from(bytes).copy(b);
  return b;
};

/** A v7 tar header: a name, octal fields and a checksum, no "ustar" magic. */
function v7Header(name: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'latin1');
  h.write('0000644\0', 100);
  h.write('00000000005\0', 124);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

describe('sniff', () => {
  it('knows each format by its first bytes, never by a name', () => {
    assert.equal(sniff(at([0x50, 0x4b, 3, 4])), 'zip');
    assert.equal(sniff(at([0x50, 0x4b, 5, 6])), 'zip');
    assert.equal(sniff(at([0x50, 0x4b, 7, 8])), 'zip');
    assert.equal(sniff(at([0x1f, 0x8b, 8])), 'gzip');
    assert.equal(sniff(at([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])), '7z');
    assert.equal(sniff(at([0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0])), 'rar');
    const ustar = Buffer.alloc(512);
    ustar.write('ustar', 257);
    assert.equal(sniff(ustar), 'tar');
    assert.equal(sniff(Buffer.from('From someone@example.com Mon Jan 1 00:00:00 2017\n')), 'other');
    assert.equal(sniff(Buffer.alloc(0)), 'other');
  });

  it('a v7 tar is known by its checksum; a zero block or a wrong checksum is not a tar', () => {
    const h = v7Header('notes.txt');
    assert.ok(isTarHeader(h));
    assert.equal(sniff(h), 'tar');
    assert.ok(!isTarHeader(Buffer.alloc(512)));
    const broken = Buffer.from(h);
    broken[0] = 0x4e;
    assert.ok(!isTarHeader(broken));
  });

  it('a zip with bytes in front is found by its end record in the tail', () => {
    const zip = Buffer.concat([Buffer.from('#!/bin/sh self-extractor\n'), buildZip([stored('a', 'b')])]);
    assert.equal(sniff(zip.subarray(0, 512)), 'other');
    assert.equal(sniff(zip.subarray(0, 512), zip), 'zip');
  });

  it('Office and ODF zips are documents, plain zips are archives', () => {
    const odf = buildZip([
      stored('mimetype', 'application/vnd.oasis.opendocument.text'),
      stored('content.xml', '<x/>'),
    ]);
    assert.ok(isZipDocument(odf, odf));
    const ooxml = buildZip([stored('word/document.xml', '<x/>'), stored('[Content_Types].xml', '<x/>')]);
    assert.ok(isZipDocument(ooxml.subarray(0, 512), ooxml));
    const plain = buildZip([stored('report/mimetype', 'x'), stored('a.txt', 'y')]);
    assert.ok(!isZipDocument(plain, plain));
  });
});
