import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ImportResult } from '../../src/keys/import/common.ts';
import { MAX_KEY_SOURCE_BYTES } from '../../src/keys/import/common.ts';
import { parseDig } from '../../src/keys/import/dig.ts';
import { parseJsonArchive } from '../../src/keys/import/json-archive.ts';
import { parseKeyFile } from '../../src/keys/import/key-file.ts';
import { parseZoneFile } from '../../src/keys/import/zone-file.ts';
import {
  decodePublicKey,
  MAX_KEY_RECORD_LENGTH,
  type ParsedKeyRecord,
  parseKeyRecord,
} from '../../src/keys/record.ts';
import type { Result } from '../../src/shared/result.ts';

// Any input gives a result or a coded error, never a throw, and quickly. Inputs mix 8-bit chars,
// lone surrogates and the syntax each parser cares about, so runs reach the interesting paths.
const RUNS = 500;
const SLOW_MS = 2000;

const byteChar = fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c));
const syntax = fc.constantFrom(
  ';',
  '=',
  ':',
  '"',
  '(',
  ')',
  '\\',
  '\n',
  '\r\n',
  ' ',
  '\t',
  '#',
  '@',
  '.',
  '$ORIGIN ',
  '$INCLUDE ',
  '$TTL 1',
  '._domainkey.',
  'sel',
  'example.com.',
  'p=',
  'k=ed25519',
  'k=rsa',
  'v=DKIM1',
  'v=DKIM1:',
  't=y:s',
  'g=*',
  'h=sha256',
  ' IN ',
  ' TXT ',
  ' CNAME ',
  '3600',
  '1h30m',
  ';; ANSWER SECTION:\n',
  '; <<>> DiG 9 <<>>\n',
  ';; WHEN: Tue Mar 05 14:23:11 UTC 2024\n',
  ';; SERVER: 1.1.1.1#53\n',
  '\\034',
  '\\999',
  '\\',
  '[',
  ']',
  '{',
  '}',
  ',',
  '"domain":',
  '"selector":',
  '"value":',
  'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ',
  '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=',
  '\u00e9',
  '\uFFFD',
  '\uD800',
);
const hostile = fc
  .array(fc.oneof(byteChar, syntax, fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 300 })
  .map((parts) => parts.join(''));

/** A hostile string stretched to `n` characters by repetition (cheap, so huge sizes stay fast). */
function stretched(max: number): fc.Arbitrary<string> {
  return fc.tuple(hostile, fc.integer({ min: 0, max })).map(([s, n]) => {
    const unit = s === '' ? 'x' : s;
    return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
  });
}

function assertCoded<T>(r: Result<T>): void {
  assert.equal(typeof r.ok, 'boolean');
  if (!r.ok) {
    assert.equal(typeof r.error.code, 'string');
    assert.equal(typeof r.error.message, 'string');
  }
}

function assertImport(r: Result<ImportResult>): void {
  assertCoded(r);
  if (r.ok) {
    assert.ok(Array.isArray(r.value.records));
    for (const p of r.value.problems) assert.equal(typeof p.code, 'string');
    for (const rec of r.value.records) {
      assert.ok(rec.selector.length > 0 && rec.domain.length > 0);
      assert.equal(rec.selector, rec.selector.replace(/[A-Z]/g, ''), 'names are lower-case');
    }
  }
}

function timed<T>(f: () => T): T {
  const started = performance.now();
  const value = f();
  const ms = performance.now() - started;
  assert.ok(ms < SLOW_MS, `took ${ms.toFixed(0)} ms`);
  return value;
}

describe('properties: key records', () => {
  it('parseKeyRecord never throws', () => {
    fc.assert(
      fc.property(hostile, (s) => assertCoded(timed(() => parseKeyRecord(s)))),
      { numRuns: RUNS },
    );
  });

  it('parseKeyRecord stays bounded on inputs up to and past its limit', () => {
    fc.assert(
      fc.property(stretched(MAX_KEY_RECORD_LENGTH + 64), (s) => assertCoded(timed(() => parseKeyRecord(s)))),
      { numRuns: 100 },
    );
  });

  it('decodePublicKey never throws, on any record text', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const parsed = parseKeyRecord(s);
        if (parsed.ok) assertCoded(timed(() => decodePublicKey(parsed.value)));
      }),
      { numRuns: RUNS },
    );
  });

  const real = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
  const realDer = [
    real.export({ type: 'spki', format: 'der' }),
    real.export({ type: 'pkcs1', format: 'der' }),
    generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).subarray(12),
  ];

  it('decodePublicKey never throws on corrupted real keys or any p= and k=', () => {
    const corrupted = fc
      .tuple(
        fc.constantFrom(...realDer),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.nat(),
      )
      .map(([der, edits, cut]) => {
        const copy = Buffer.from(der);
        for (const [at, byte] of edits) copy[at % copy.length] = byte;
        return copy.subarray(0, copy.length - (cut % 8)).toString('base64');
      });
    const publicKey = fc.oneof(corrupted, fc.base64String({ maxLength: 12000 }), hostile);
    const keyType = fc.oneof(fc.constantFrom('rsa', 'RSA', 'ed25519', 'Ed25519', ''), hostile);
    fc.assert(
      fc.property(publicKey, keyType, (p, k) => {
        const record: ParsedKeyRecord = {
          version: null,
          keyType: k,
          hashAlgorithms: null,
          serviceTypes: ['*'],
          flags: [],
          granularity: null,
          notes: null,
          publicKey: p,
          revoked: p === '',
          tags: {},
        };
        assertCoded(timed(() => decodePublicKey(record)));
      }),
      { numRuns: RUNS },
    );
  });
});

const importers: [string, (text: string) => Result<ImportResult>][] = [
  ['parseKeyFile', (t) => parseKeyFile(t)],
  ['parseJsonArchive', (t) => parseJsonArchive(t)],
  ['parseZoneFile', (t) => parseZoneFile(t, { zoneOrigin: 'example.com' })],
  ['parseDig', (t) => parseDig(t, { name: 'sel._domainkey.example.com' })],
];

describe('properties: importers', () => {
  for (const [name, parse] of importers) {
    it(`${name} never throws`, () => {
      fc.assert(
        fc.property(hostile, (s) => assertImport(timed(() => parse(s)))),
        { numRuns: RUNS },
      );
    });

    it(`${name} stays bounded on long inputs`, () => {
      fc.assert(
        fc.property(stretched(2 * 1024 * 1024), (s) => assertImport(timed(() => parse(s)))),
        { numRuns: 20 },
      );
    });

    it(`${name} refuses input one past the limit, at once`, () => {
      const r = timed(() => parse('"'.repeat(MAX_KEY_SOURCE_BYTES + 1)));
      assert.equal(r.ok ? null : r.error.code, 'key-file-too-large');
    });
  }

  it('parseJsonArchive never throws on any JSON', () => {
    const item = fc.record(
      {
        domain: fc.oneof(fc.domain(), fc.jsonValue()),
        selector: fc.oneof(fc.string(), fc.jsonValue()),
        value: fc.oneof(fc.string(), fc.array(fc.string()), fc.jsonValue()),
        firstSeenAt: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.double(),
          fc.jsonValue(),
        ),
        lastSeenAt: fc.jsonValue(),
        source: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    const document = fc.oneof(fc.array(item, { maxLength: 20 }), fc.jsonValue());
    fc.assert(
      fc.property(document, (doc) => assertImport(timed(() => parseJsonArchive(JSON.stringify(doc) ?? '')))),
      { numRuns: RUNS },
    );
  });
});
