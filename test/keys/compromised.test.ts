import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { COMPROMISED_KEYS, CompromisedKeyList, knownCompromised } from '../../src/keys/compromised.ts';
import data from '../../src/keys/compromised-keys.json' with { type: 'json' };
import { parseKeyFile } from '../../src/keys/import/key-file.ts';
import { decodePublicKey, keyFingerprint, parseKeyRecord } from '../../src/keys/record.ts';

const VECTORS = new URL('../../../shared/vectors/', import.meta.url).pathname;

function fingerprintOf(value: string): string {
  const parsed = parseKeyRecord(value);
  assert.ok(parsed.ok);
  const decoded = decodePublicKey(parsed.value);
  assert.ok(decoded.ok);
  return decoded.value.fingerprint;
}

function recordsOf(path: string) {
  const r = parseKeyFile(readFileSync(VECTORS + path, 'latin1'));
  assert.ok(r.ok);
  return r.value.records;
}

describe('the compromised-key list', () => {
  it('lists both RFC 8463 Appendix A keys, with the RFC as reference', () => {
    const records = recordsOf('dkimpy/keys/rfc8463-a3-signed.txt');
    assert.equal(records.length, 2);
    for (const r of records) {
      const hit = knownCompromised(fingerprintOf(r.value));
      assert.ok(hit, r.selector);
      assert.match(hit.reason, /RFC 8463/);
      assert.match(hit.reference, /RFC 8463 Appendix A/);
    }
  });

  it('lists the dkimpy and ARC test keys whose private halves are public', () => {
    const names = [
      ['dkimpy/keys/rsakey-test-rr.txt', 'dkimpy dkim/tests/data/1024_testkey.key'],
      ['dkimpy/keys/rsakey-test4-rr.txt', 'dkimpy dkim/tests/data/2048_testkey.key'],
      ['dkimpy/keys/rsakey-test5-rr.txt', '2048_testkey_PKCS8.key'],
      ['dkimpy/keys/ed25519-verifies-rr.txt', 'ed25519test.key'],
      ['dkimpy/keys/rsa512-refolded-simple.txt', 'test_dkim.py'],
      ['dkimpy/keys/exim-ed25519.txt', 'Exim'],
    ];
    for (const [path, reference] of names) {
      const hit = knownCompromised(fingerprintOf(recordsOf(path!)[0]!.value));
      assert.ok(hit, path);
      assert.ok(hit.reference.includes(reference!), `${path}: ${hit.reference}`);
    }
    for (const r of recordsOf('arc/keys.txt')) {
      if (r.selector === 'invalid' || r.domain === 'example2.org') continue;
      assert.ok(knownCompromised(fingerprintOf(r.value)), r.selector);
    }
  });

  it("does not list Gmail's real 2012 key, which only signed a test message", () => {
    const gmail = recordsOf('dkimpy/keys/gmail-2013-degenerate-folding.txt')[0]!;
    assert.equal(knownCompromised(fingerprintOf(gmail.value)), null);
  });

  it('does not list a fresh key', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    assert.equal(knownCompromised(keyFingerprint(publicKey)), null);
    assert.equal(knownCompromised('not a fingerprint'), null);
  });

  it('is consistent: every p= decodes to its entry fingerprint', () => {
    assert.equal(COMPROMISED_KEYS.size, data.keys.length);
    for (const entry of data.keys) {
      assert.ok(entry.reason && entry.reference && entry.names.length > 0);
      for (const p of entry.publicKeys) {
        assert.equal(fingerprintOf(`k=${entry.keyType}; p=${p}`), entry.fingerprint);
      }
    }
  });

  it('matches by record text too, saying whether the name is the published one', () => {
    const p = '11qYAYKx CrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';
    const same = COMPROMISED_KEYS.byRecord('Brisbane', 'football.example.com', p);
    assert.equal(same?.sameName, true);
    const copied = COMPROMISED_KEYS.byRecord('mail', 'real-bank.example', p);
    assert.equal(copied?.sameName, false);
    assert.equal(COMPROMISED_KEYS.byRecord('mail', 'real-bank.example', 'AAAA'), null);
  });

  it('takes more entries', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const fingerprint = keyFingerprint(publicKey);
    const list = new CompromisedKeyList(COMPROMISED_KEYS);
    list.add({
      fingerprint: fingerprint.toUpperCase(),
      keyType: 'ed25519',
      bits: null,
      reason: 'leakproof example key',
      reference: 'examples/keys',
      names: ['example._domainkey.example.com'],
      publicKeys: [],
    });
    assert.equal(list.size, COMPROMISED_KEYS.size + 1);
    assert.equal(list.byFingerprint(fingerprint)?.reason, 'leakproof example key');
    assert.equal(knownCompromised(fingerprint), null, 'the built-in list is not changed');
  });
});
