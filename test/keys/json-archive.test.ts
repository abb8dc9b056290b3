import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJsonArchive } from '../../src/keys/import/json-archive.ts';

function ok(text: string) {
  const r = parseJsonArchive(text, { origin: 'archive.json' });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

describe('parseJsonArchive', () => {
  it('imports the archive shape with its period and source', () => {
    const { records, problems } = ok(
      JSON.stringify([
        {
          domain: 'Example.COM.',
          selector: 'S2017',
          value: 'v=DKIM1; k=rsa; p=ABC',
          firstSeenAt: '2017-03-01T10:00:00Z',
          lastSeenAt: '2018-01-01T00:00:00+01:00',
          source: 'archive scan 42',
        },
      ]),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(records, [
      {
        selector: 's2017',
        domain: 'example.com',
        value: 'v=DKIM1; k=rsa; p=ABC',
        provenance: {
          kind: 'json-archive',
          origin: 'archive.json',
          index: 0,
          firstSeenAt: '2017-03-01T10:00:00.000Z',
          lastSeenAt: '2017-12-31T23:00:00.000Z',
          note: 'archive scan 42',
        },
      },
    ]);
  });

  it('tolerates missing optional fields', () => {
    const { records, problems } = ok('[{"domain":"example.com","selector":"s","value":"p="}]');
    assert.deepEqual(problems, []);
    const p = records[0]!.provenance;
    assert.equal(p.firstSeenAt, undefined);
    assert.equal(p.lastSeenAt, undefined);
    assert.equal(p.note, undefined);
  });

  it('accepts unix seconds, date-only strings and times without a zone (read as UTC)', () => {
    const { records, problems } = ok(
      JSON.stringify([
        { domain: 'a.com', selector: 's', value: 'p=', firstSeenAt: 1494000000, lastSeenAt: '1494086400' },
        {
          domain: 'a.com',
          selector: 't',
          value: 'p=',
          firstSeenAt: '2017-05-05',
          lastSeenAt: '2017-05-05 12:30',
        },
        { domain: 'a.com', selector: 'u', value: 'p=', firstSeenAt: '2017-05-05T12:30:00+0200' },
      ]),
    );
    assert.deepEqual(problems, []);
    assert.equal(records[0]!.provenance.firstSeenAt, '2017-05-05T16:00:00.000Z');
    assert.equal(records[0]!.provenance.lastSeenAt, '2017-05-06T16:00:00.000Z');
    assert.equal(records[1]!.provenance.firstSeenAt, '2017-05-05T00:00:00.000Z');
    assert.equal(records[1]!.provenance.lastSeenAt, '2017-05-05T12:30:00.000Z');
    assert.equal(records[2]!.provenance.firstSeenAt, '2017-05-05T10:30:00.000Z');
  });

  it('joins a value given as TXT strings', () => {
    const { records } = ok('[{"domain":"a.com","selector":"s","value":["v=DKIM1; ","p=AB","CD"]}]');
    assert.equal(records[0]!.value, 'v=DKIM1; p=ABCD');
  });

  it('reports a bad item by index and imports the rest', () => {
    const { records, problems } = ok(
      JSON.stringify([
        { domain: 'a.com', selector: 's', value: 'p=' },
        { domain: 'a.com', value: 'p=' },
        'not an object',
        { domain: 'a.com', selector: 't', value: 42 },
        { domain: 'a.com', selector: 'u', value: 'p=', firstSeenAt: 'last tuesday', source: 7 },
        { domain: 'a com', selector: 'v', value: 'p=' },
        { domain: 'a.com', selector: 'w', value: 'p=', firstSeenAt: 1494000000000 },
      ]),
    );
    assert.deepEqual(
      records.map((r) => r.selector),
      ['s', 'u', 'w'],
    );
    assert.deepEqual(
      problems.map((p) => [p.code, p.at]),
      [
        ['key-file-malformed', '[1]'],
        ['key-file-malformed', '[2]'],
        ['key-file-malformed', '[3]'],
        ['key-file-malformed', '[4]'],
        ['key-file-malformed', '[4]'],
        ['key-name-invalid', '[5]'],
        ['key-file-malformed', '[6]'],
      ],
    );
    assert.equal(records[1]!.provenance.firstSeenAt, undefined);
    assert.equal(records[2]!.provenance.firstSeenAt, undefined, 'milliseconds are not guessed');
  });

  it('turns UTF-8 names into one char per byte, like the message model', () => {
    const { records } = ok('[{"domain":"exämple.com","selector":"s","value":"p="}]');
    assert.equal(records[0]!.domain, 'ex\xc3\xa4mple.com');
  });

  it('fails on text that is not a JSON array', () => {
    for (const text of ['{"domain":"a.com"}', '[{"domain":', '', 'null']) {
      const r = parseJsonArchive(text);
      assert.equal(r.ok ? null : r.error.code, 'key-file-malformed', text);
    }
  });

  it('survives absurd nesting', () => {
    const r = parseJsonArchive('['.repeat(1_000_000) + ']'.repeat(1_000_000));
    assert.ok(r.ok || r.error.code === 'key-file-malformed');
    if (r.ok) assert.equal(r.value.records.length, 0);
  });
});
