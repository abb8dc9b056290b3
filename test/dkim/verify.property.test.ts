/**
 * Hostile signatures: whatever a DKIM-Signature field holds, verification returns a result with a
 * result code and a reason, never an exception or a hang.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { signMessage } from '../../src/dkim/sign.ts';
import { verifyMessage } from '../../src/dkim/verify.ts';
import { KeyStore } from '../../src/keys/store.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const keys = new KeyStore();
keys.add({
  selector: 'sel',
  domain: 'example.org',
  value: `v=DKIM1; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
  provenance: { kind: 'key-file', origin: 'test' },
});
const BASE = 'From: a@example.org\r\nTo: b@example.org\r\nSubject: s\r\n\r\nbody\r\n';
const SIGNED = Buffer.from(
  signMessage(Buffer.from(BASE), {
    domain: 'example.org',
    selector: 'sel',
    privateKey,
    algorithm: 'rsa-sha256',
    canonicalization: 'relaxed/relaxed',
  }),
).toString('latin1');

const RESULTS = new Set([
  'pass',
  'body-altered',
  'headers-altered',
  'key-mismatch',
  'key-missing',
  'key-revoked',
  'key-invalid',
  'expired',
  'malformed',
  'unsupported',
]);

function check(message: string): void {
  const r = verifyMessage(Buffer.from(message, 'latin1'), { keys });
  for (const s of r.signatures) {
    assert.ok(RESULTS.has(s.result), s.result);
    assert.equal(typeof s.reason, 'string');
  }
}

const tagName = fc.constantFrom('v', 'a', 'b', 'bh', 'c', 'd', 'h', 'i', 'l', 'q', 's', 't', 'x', 'z', 'zz');
const tagValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    '1',
    'rsa-sha256',
    'ed25519-sha256',
    'relaxed/simple',
    'example.org',
    'sel',
    'from:to',
    '99999999999999999999',
  ),
  fc.base64String({ maxLength: 200 }),
  fc.stringMatching(/^[\x00-\xff]{0,20}$/),
);
const tagSoup = fc
  .array(fc.tuple(tagName, tagValue, fc.constantFrom(';', '; ', ';\r\n ', ';;')), { maxLength: 14 })
  .map((tags) => tags.map(([n, v, sep]) => `${n}=${v}${sep}`).join(''));

test('arbitrary DKIM-Signature tag lists give a coded result, never a throw', () => {
  fc.assert(
    fc.property(tagSoup, (soup) => check(`DKIM-Signature: ${soup}\r\n${BASE}`)),
    { numRuns: 3000 },
  );
});

test('mutating any byte of a signed message gives a coded result, never a throw', () => {
  fc.assert(
    fc.property(fc.nat({ max: SIGNED.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, byte) =>
      check(SIGNED.slice(0, at) + String.fromCharCode(byte) + SIGNED.slice(at + 1)),
    ),
    { numRuns: 2000 },
  );
});

test('truncating a signed message anywhere gives a coded result, never a throw', () => {
  for (let at = 0; at <= SIGNED.length; at++) check(SIGNED.slice(0, at));
});

test('an unmodified copy passes, so the properties above do exercise the real path', () => {
  const r = verifyMessage(Buffer.from(SIGNED, 'latin1'), { keys });
  assert.equal(r.signatures[0]?.result, 'pass');
});
