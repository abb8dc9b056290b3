import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KeyStore, recordPeriod } from '../../src/keys/store.ts';
import type { KeyProvenance, KeyRecord } from '../../src/keys/types.ts';

function rec(
  selector: string,
  domain: string,
  value: string,
  provenance: Partial<KeyProvenance> = {},
): KeyRecord {
  return { selector, domain, value, provenance: { kind: 'key-file', origin: 'keys.txt', ...provenance } };
}

describe('KeyStore', () => {
  it('normalizes names: lower-case, no trailing dot', () => {
    const store = new KeyStore();
    store.add(rec('Sel', 'Example.COM.', 'p=A'));
    assert.equal(store.lookup('sel', 'example.com').length, 1);
    assert.equal(store.lookup('SEL', 'EXAMPLE.com.').length, 1);
    assert.equal(store.lookup('sel', 'example.org').length, 0);
    const [r] = store.lookup('sel', 'example.com');
    assert.equal(r!.selector, 'sel');
    assert.equal(r!.domain, 'example.com');
  });

  it('merges identical records, keeping every provenance', () => {
    const store = new KeyStore();
    assert.equal(store.add(rec('s', 'example.com', 'v=DKIM1; p=AB', { origin: 'a.txt', line: 1 })), true);
    assert.equal(
      store.add(
        rec('s', 'EXAMPLE.com', 'v=DKIM1;  p=A B', { kind: 'json-archive', origin: 'b.json', index: 3 }),
      ),
      false,
    );
    // The same line imported twice is one source, not two.
    store.add(rec('s', 'example.com', 'v=DKIM1; p=AB', { origin: 'a.txt', line: 1 }));
    assert.equal(store.size, 1);
    const [r] = store.lookup('s', 'example.com');
    assert.equal(r!.value, 'v=DKIM1; p=AB', 'the first value as written is kept');
    assert.deepEqual(
      r!.seenIn!.map((p) => p.origin),
      ['a.txt', 'b.json'],
    );
  });

  it('keeps different records for one selector, oldest first and undated last', () => {
    const store = new KeyStore();
    store.add(rec('s', 'example.com', 'p=UNDATED'));
    store.add(rec('s', 'example.com', 'p=NEW', { firstSeenAt: '2019-01-01T00:00:00.000Z' }));
    store.add(rec('s', 'example.com', 'p=OLD', { firstSeenAt: '2015-06-01T00:00:00.000Z' }));
    store.add(rec('s', 'example.com', 'p=UNDATED2'));
    assert.deepEqual(
      store.lookup('s', 'example.com').map((r) => r.value),
      ['p=OLD', 'p=NEW', 'p=UNDATED', 'p=UNDATED2'],
    );
    // A later source dating an undated record moves it.
    store.add(
      rec('s', 'example.com', 'p=UNDATED2', { origin: 'archive', firstSeenAt: '2016-01-01T00:00:00Z' }),
    );
    assert.deepEqual(
      store.lookup('s', 'example.com').map((r) => r.value),
      ['p=OLD', 'p=UNDATED2', 'p=NEW', 'p=UNDATED'],
    );
    const moved = store.lookup('s', 'example.com')[1]!;
    assert.equal(moved.provenance.origin, 'archive', 'the dated source becomes the primary provenance');
    assert.equal(moved.seenIn!.length, 2);
  });

  it('reports the period over all sources', () => {
    const store = new KeyStore();
    store.add(
      rec('s', 'a.com', 'p=X', { firstSeenAt: '2016-01-01T00:00:00Z', lastSeenAt: '2016-06-01T00:00:00Z' }),
    );
    store.add(rec('s', 'a.com', 'p=X', { origin: 'dig', firstSeenAt: '2017-05-05T00:00:00Z' }));
    assert.deepEqual(recordPeriod(store.lookup('s', 'a.com')[0]!), {
      firstSeenAt: '2016-01-01T00:00:00Z',
      lastSeenAt: '2017-05-05T00:00:00Z',
    });
    assert.deepEqual(recordPeriod(rec('s', 'a.com', 'p=')), { firstSeenAt: null, lastSeenAt: null });
  });

  it('iterates over all records and lists selectors', () => {
    const store = new KeyStore();
    store.addAll([
      rec('b', 'example.com', 'p=1'),
      rec('a', 'example.com', 'p=2'),
      rec('a', 'example.com', 'p=3'),
      rec('z', 'another.org', 'p=4'),
    ]);
    assert.equal(store.size, 4);
    assert.equal([...store].length, 4);
    assert.deepEqual(store.selectors(), [
      { selector: 'z', domain: 'another.org', records: 1 },
      { selector: 'a', domain: 'example.com', records: 2 },
      { selector: 'b', domain: 'example.com', records: 1 },
    ]);
  });

  it('stays fast when one record recurs very often', () => {
    const store = new KeyStore();
    const started = performance.now();
    for (let i = 0; i < 20_000; i++) store.add(rec('s', 'a.com', 'p=X', { origin: 'big.json', index: i }));
    for (let i = 0; i < 20_000; i++) store.add(rec('s', 'a.com', `p=${i}`));
    assert.equal(store.lookup('s', 'a.com').length, 20_001);
    assert.ok(performance.now() - started < 3000);
  });

  it('imports a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leakproof-keys-'));
    const path = join(dir, 'keys.txt');
    writeFileSync(path, 'a._domainkey.example.com p=\nbad line\n');
    const store = new KeyStore();
    const r = await store.importFile(path);
    assert.ok(r.ok);
    assert.equal(r.value.added, 1);
    assert.equal(r.value.format, 'key-file');
    assert.equal(r.value.problems.length, 1);
    assert.equal(store.lookup('a', 'example.com')[0]!.provenance.origin, path);
  });
});
