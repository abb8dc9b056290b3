import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  decodePublicKey,
  keyFingerprint,
  MAX_KEY_RECORD_LENGTH,
  type ParsedKeyRecord,
  parseKeyRecord,
} from '../../src/keys/record.ts';

function parsed(value: string): ParsedKeyRecord {
  const r = parseKeyRecord(value);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

function errorCode(r: { ok: boolean; error?: { code: string } }): string | null {
  return r.ok ? null : (r.error?.code ?? null);
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
const spkiB64 = rsa.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const pkcs1B64 = rsa.publicKey.export({ type: 'pkcs1', format: 'der' }).toString('base64');
const ed = generateKeyPairSync('ed25519');
const edSpki = ed.publicKey.export({ type: 'spki', format: 'der' });
const edRawB64 = edSpki.subarray(12).toString('base64');

// The RFC 8463 Appendix A records, as in ../shared/vectors/dkimpy/keys/rfc8463-a3-signed.txt.
const RFC8463_ED = 'v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';
const DKIMPY_BAD_VERSION =
  'v=DKIM1: g=*; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB';

describe('parseKeyRecord', () => {
  it('applies the RFC 6376 defaults', () => {
    const r = parsed(`p=${spkiB64}`);
    assert.equal(r.version, null);
    assert.equal(r.keyType, 'rsa');
    assert.equal(r.hashAlgorithms, null);
    assert.deepEqual(r.serviceTypes, ['*']);
    assert.deepEqual(r.flags, []);
    assert.equal(r.granularity, null);
    assert.equal(r.notes, null);
    assert.equal(r.revoked, false);
  });

  it('reads every tag', () => {
    const r = parsed(`v=DKIM1; k=rsa; h=sha1 : sha256; s=email:*; t=y:s; g=jdoe*; n=a note; p=${spkiB64}`);
    assert.equal(r.version, 'DKIM1');
    assert.deepEqual(r.hashAlgorithms, ['sha1', 'sha256']);
    assert.deepEqual(r.serviceTypes, ['email', '*']);
    assert.deepEqual(r.flags, ['y', 's']);
    assert.equal(r.granularity, 'jdoe*');
    assert.equal(r.notes, 'a note');
  });

  it('keeps unknown tags and ignores them', () => {
    const r = parsed(`v=DKIM1; zz=whatever; p=${spkiB64}`);
    assert.equal(r.tags['zz'], 'whatever');
  });

  it('keeps g= values as written, empty included (RFC 4871 records)', () => {
    assert.equal(parsed(`g=*; p=${spkiB64}`).granularity, '*');
    assert.equal(parsed(`g=; p=${spkiB64}`).granularity, '');
    assert.equal(parsed(`g=user+*; p=${spkiB64}`).granularity, 'user+*');
  });

  it('removes whitespace inside p= (folded base64)', () => {
    const folded = spkiB64.replace(/(.{20})/g, '$1 \r\n\t');
    const r = parsed(`v=DKIM1; p=${folded}`);
    assert.equal(r.publicKey, spkiB64);
    assert.ok(decodePublicKey(r).ok);
  });

  it('reads an empty p= as revoked, and decoding says so', () => {
    const r = parsed('v=DKIM1; k=rsa; p=');
    assert.equal(r.revoked, true);
    assert.equal(errorCode(decodePublicKey(r)), 'key-revoked');
    assert.equal(parsed('v=DKIM1; p=  ').revoked, true);
  });

  it('requires p=', () => {
    assert.equal(errorCode(parseKeyRecord('v=DKIM1; k=rsa')), 'tag-missing');
  });

  it('rejects v= that is not the first tag', () => {
    const r = parseKeyRecord(`k=rsa; v=DKIM1; p=${spkiB64}`);
    assert.equal(errorCode(r), 'key-version-invalid');
    assert.match(r.ok ? '' : r.error.message, /first tag/);
  });

  it('rejects v=DKIM1: with a colon (dkimpy bad-key-version vector)', () => {
    const r = parseKeyRecord(DKIMPY_BAD_VERSION);
    assert.equal(errorCode(r), 'key-version-invalid');
    assert.match(r.ok ? '' : r.error.message, /DKIM1:/);
  });

  it('rejects other versions', () => {
    assert.equal(errorCode(parseKeyRecord(`v=DKIM2; p=${spkiB64}`)), 'key-version-invalid');
    assert.equal(errorCode(parseKeyRecord(`v=dkim1; p=${spkiB64}`)), 'key-version-invalid');
  });

  it('reports malformed tag lists with a key-record code', () => {
    assert.equal(errorCode(parseKeyRecord('v=DKIM1; k=rsa; omgwhatsgoingon')), 'key-record-malformed');
    assert.equal(errorCode(parseKeyRecord(`p=${spkiB64}; p=${spkiB64}`)), 'key-record-malformed');
  });

  it('refuses records over the limit', () => {
    const long = `v=DKIM1; n=${'x'.repeat(MAX_KEY_RECORD_LENGTH)}; p=${spkiB64}`;
    assert.equal(errorCode(parseKeyRecord(long)), 'key-record-too-long');
  });
});

describe('decodePublicKey', () => {
  it('decodes RSA as SubjectPublicKeyInfo and as bare PKCS#1, to the same key', () => {
    const a = decodePublicKey(parsed(`k=rsa; p=${spkiB64}`));
    const b = decodePublicKey(parsed(`k=rsa; p=${pkcs1B64}`));
    assert.ok(a.ok && b.ok);
    assert.equal(a.value.keyType, 'rsa');
    assert.equal(a.value.bits, 1024);
    assert.equal(b.value.bits, 1024);
    assert.equal(a.value.fingerprint, b.value.fingerprint);
  });

  it('keeps unknown k= for the verifier to name', () => {
    const r = parsed(`v=DKIM1; k=ed25519-sha256; p=${spkiB64}`);
    assert.equal(r.keyType, 'ed25519-sha256');
    const d = decodePublicKey(r);
    assert.equal(errorCode(d), 'key-type-unknown');
    assert.match(d.ok ? '' : d.error.message, /unknown key type/);
  });

  it('decodes k=ed25519 with the bare 32-byte key (RFC 8463)', () => {
    const d = decodePublicKey(parsed(`v=DKIM1; k=ed25519; p=${edRawB64}`));
    assert.ok(d.ok);
    assert.equal(d.value.keyType, 'ed25519');
    assert.equal(d.value.bits, null);
    assert.deepEqual(d.value.key.export({ type: 'spki', format: 'der' }), edSpki);
    assert.ok(decodePublicKey(parsed(RFC8463_ED)).ok);
  });

  it('refuses k=ed25519 keys of the wrong length, naming an SPKI mistake', () => {
    const short = decodePublicKey(parsed(`k=ed25519; p=${Buffer.alloc(31, 1).toString('base64')}`));
    assert.equal(errorCode(short), 'key-data-invalid');
    const spki = decodePublicKey(parsed(`k=ed25519; p=${edSpki.toString('base64')}`));
    assert.equal(errorCode(spki), 'key-data-invalid');
    assert.match(spki.ok ? '' : spki.error.message, /SubjectPublicKeyInfo/);
  });

  it('refuses k=rsa holding another kind of key', () => {
    const d = decodePublicKey(parsed(`k=rsa; p=${edSpki.toString('base64')}`));
    assert.equal(errorCode(d), 'key-data-invalid');
    assert.match(d.ok ? '' : d.error.message, /ed25519/);
  });

  it('refuses invalid base64 and corrupted DER without throwing', () => {
    assert.equal(errorCode(decodePublicKey(parsed('k=rsa; p=MIGf*MA0'))), 'key-data-invalid');
    assert.equal(errorCode(decodePublicKey(parsed('k=rsa; p=A'))), 'key-data-invalid');
    // dkimpy's rfc8463-rsa-corrupt-key vector: one base64 character removed from a valid key.
    const corrupt =
      'k=rsa; p=MFwwDQYJKoZIhvNAQEBBQADSwAwSAJBANmBe10IgY+u7h3enWTukkqtUD5PR52Tb/mPfjC0QJTocVBq6Za/PlzfV+Py92VaCak19F4WrbVTK5Gg5tW220MCAwEAAQ==';
    assert.equal(errorCode(decodePublicKey(parsed(corrupt))), 'key-data-invalid');
    const truncated = spkiB64.slice(0, 100);
    assert.equal(errorCode(decodePublicKey(parsed(`k=rsa; p=${truncated}`))), 'key-data-invalid');
  });

  it('accepts base64 without padding', () => {
    const unpadded = edRawB64.replace(/=+$/, '');
    assert.ok(decodePublicKey(parsed(`k=ed25519; p=${unpadded}`)).ok);
  });

  it('caches decoded keys by p=', () => {
    const a = decodePublicKey(parsed(`k=rsa; p=${spkiB64}`));
    const b = decodePublicKey(parsed(`v=DKIM1; k=rsa; t=y; p=${spkiB64}`));
    assert.ok(a.ok && b.ok);
    assert.equal(a.value.key, b.value.key);
  });
});

describe('keyFingerprint', () => {
  it('is the SHA-256 of the SubjectPublicKeyInfo DER', () => {
    const expected = createHash('sha256')
      .update(rsa.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex');
    assert.equal(keyFingerprint(rsa.publicKey), expected);
    const d = decodePublicKey(parsed(`p=${pkcs1B64}`));
    assert.ok(d.ok);
    assert.equal(keyFingerprint(d.value.key), expected);
  });
});
