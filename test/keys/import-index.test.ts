import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { importKeysFromFile, sniffKeySourceFormat } from '../../src/keys/import/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'leakproof-import-'));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('sniffKeySourceFormat', () => {
  it('recognizes each format from its content', () => {
    assert.equal(sniffKeySourceFormat('\uFEFF  [{"domain":"a.com"}]'), 'json-archive');
    assert.equal(sniffKeySourceFormat('\n; <<>> DiG 9.18 <<>> TXT a._domainkey.b.c\n'), 'dig');
    assert.equal(sniffKeySourceFormat(';; ANSWER SECTION:\na._domainkey.b.c. 1 IN TXT "p="'), 'dig');
    assert.equal(sniffKeySourceFormat('"v=DKIM1; p=" "AB"\n'), 'dig');
    assert.equal(sniffKeySourceFormat('$ORIGIN example.com.\n'), 'zone-file');
    assert.equal(sniffKeySourceFormat('@ 3600 IN SOA ns. host. 1 2 3 4 5\n'), 'zone-file');
    assert.equal(sniffKeySourceFormat('s._domainkey  IN  TXT "p="\n'), 'zone-file');
    assert.equal(sniffKeySourceFormat('# keys\ns._domainkey.example.com v=DKIM1; p=\n'), 'key-file');
    assert.equal(sniffKeySourceFormat(''), 'key-file');
  });
});

describe('importKeysFromFile', () => {
  it('imports each format through sniffing', async () => {
    const cases: [string, string, string][] = [
      ['keys.txt', 'a._domainkey.example.com v=DKIM1; p=\n', 'key-file'],
      ['keys.json', '[{"domain":"example.com","selector":"a","value":"v=DKIM1; p="}]', 'json-archive'],
      ['db.zone', '$ORIGIN example.com.\na._domainkey IN TXT "v=DKIM1; " "p="\n', 'zone-file'],
      ['dig.txt', ';; ANSWER SECTION:\na._domainkey.example.com. 60 IN TXT "v=DKIM1; p="\n', 'dig'],
    ];
    for (const [name, content, format] of cases) {
      const r = await importKeysFromFile(file(name, content));
      assert.ok(r.ok, name);
      assert.equal(r.value.format, format);
      assert.deepEqual(r.value.problems, []);
      assert.equal(r.value.records.length, 1, name);
      assert.equal(r.value.records[0]!.value, 'v=DKIM1; p=', name);
      assert.equal(r.value.records[0]!.provenance.kind, format === 'json-archive' ? 'json-archive' : format);
    }
  });

  it('passes the name for dig +short and the zone origin through', async () => {
    const short = await importKeysFromFile(file('short.txt', '"p=AB"\n'), {
      name: 'a._domainkey.example.com',
    });
    assert.ok(short.ok);
    assert.equal(short.value.records[0]!.selector, 'a');
    const zone = await importKeysFromFile(file('z', 'a._domainkey IN TXT "p="\n'), {
      zoneOrigin: 'example.net',
    });
    assert.ok(zone.ok);
    assert.equal(zone.value.records[0]!.domain, 'example.net');
  });

  it('keeps 8-bit bytes one char per byte outside JSON', async () => {
    const r = await importKeysFromFile(
      file('8bit.txt', Buffer.from('a._domainkey.ex\xe9.com p=\n', 'latin1')),
    );
    assert.ok(r.ok);
    assert.equal(r.value.records[0]!.domain, 'ex\xe9.com');
  });

  it('refuses a file over the limit before reading it (a sparse 100 MB file)', async () => {
    const path = join(dir, 'huge.txt');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, 100 * 1024 * 1024);
    closeSync(fd);
    const started = performance.now();
    const r = await importKeysFromFile(path);
    assert.equal(r.ok ? null : r.error.code, 'key-file-too-large');
    assert.ok(performance.now() - started < 1000);
    const small = await importKeysFromFile(file('ten.txt', '0123456789'), { maxBytes: 5 });
    assert.equal(small.ok ? null : small.error.code, 'key-file-too-large');
  });

  it('reports an unreadable path as a coded error', async () => {
    const missing = await importKeysFromFile(join(dir, 'does-not-exist'));
    assert.equal(missing.ok ? null : missing.error.code, 'input-unreadable');
    const directory = await importKeysFromFile(dir);
    assert.equal(directory.ok ? null : directory.error.code, 'input-unreadable');
  });

  it('treats an invalid limit as a programming error', async () => {
    await assert.rejects(importKeysFromFile(file('x', ''), { maxBytes: -1 }), RangeError);
    await assert.rejects(importKeysFromFile(file('x', ''), { maxBytes: Number.NaN }), RangeError);
  });
});
