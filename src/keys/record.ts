import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { inputError } from '../shared/errors.ts';
import type { Result } from '../shared/result.ts';
import { fail, ok } from '../shared/result.ts';
import { parseTagList, withoutWhitespace } from '../shared/tag-list.ts';

/**
 * A DKIM key record (RFC 6376 3.6.1, RFC 8463), its tags interpreted but nothing judged: whether
 * the record allows a given signature (h=, s=, t=s, g=) is the verifier's question.
 */
export interface ParsedKeyRecord {
  /** v=, when present (then it was exactly "DKIM1" and the first tag). */
  readonly version: string | null;
  /** k= as written; "rsa" when absent. Unknown values are kept so the verifier can name them. */
  readonly keyType: string;
  /** h=: acceptable hash algorithms, or null when absent (all allowed). */
  readonly hashAlgorithms: readonly string[] | null;
  /** s=: service types; ["*"] when absent. */
  readonly serviceTypes: readonly string[];
  /** t=: flags such as "y" (testing) and "s" (no subdomains in i=); [] when absent. */
  readonly flags: readonly string[];
  /** g=: RFC 4871 granularity (local-part pattern), or null when absent. Dropped by RFC 6376. */
  readonly granularity: string | null;
  /** n=: notes for humans, as written. */
  readonly notes: string | null;
  /** p= with all whitespace removed (base64). Empty means revoked. */
  readonly publicKey: string;
  readonly revoked: boolean;
  /** Every tag as written, unknown ones included (they must be ignored, not rejected). */
  readonly tags: Readonly<Record<string, string>>;
}

export interface DecodedKey {
  readonly key: KeyObject;
  readonly keyType: 'rsa' | 'ed25519';
  /** RSA modulus length; null for Ed25519 (its strength is not comparable to RSA bit counts). */
  readonly bits: number | null;
  /** SHA-256 hex of the SubjectPublicKeyInfo DER; see keyFingerprint. */
  readonly fingerprint: string;
}

/** Longest record accepted. A TXT RDATA cannot exceed 65535 bytes, so nothing real is longer. */
export const MAX_KEY_RECORD_LENGTH = 64 * 1024;

/**
 * Longest p= (base64, whitespace removed) decoded. An RSA-16384 SubjectPublicKeyInfo is about 2,800
 * base64 characters; this bounds decoding work and the cache's memory.
 */
export const MAX_PUBLIC_KEY_BASE64_LENGTH = 8192;

/** Largest RSA modulus accepted (OpenSSL's own ceiling); larger keys only cost time. */
export const MAX_RSA_KEY_BITS = 16384;

/** Decoded keys kept in memory: many messages share few keys, so a small cache saves most decoding. */
export const DECODED_KEY_CACHE_ENTRIES = 1024;

export function parseKeyRecord(value: string): Result<ParsedKeyRecord> {
  if (value.length > MAX_KEY_RECORD_LENGTH) {
    return fail(
      inputError('key-record-too-long', `key record longer than ${MAX_KEY_RECORD_LENGTH} characters`),
    );
  }
  const list = parseTagList(value);
  if (!list.ok) {
    // One code family for the verifier (key-invalid); the tag-list reason stays in the message.
    return fail(inputError('key-record-malformed', `key record: ${list.error.message}`, list.error.at));
  }
  const { tags, byName } = list.value;
  const v = byName.get('v');
  if (v) {
    // RFC 6376 3.6.1: v= MUST be first and exactly DKIM1; otherwise the record MUST be discarded.
    if (tags[0] !== v) {
      return fail(
        inputError('key-version-invalid', 'v= is present but is not the first tag of the record', 'v'),
      );
    }
    if (v.value !== 'DKIM1') {
      return fail(inputError('key-version-invalid', `v=${preview(v.value)} is not "DKIM1"`, 'v'));
    }
  }
  const p = byName.get('p');
  if (!p) return fail(inputError('tag-missing', 'key record has no p= tag', 'p'));
  const publicKey = withoutWhitespace(p.value);
  const h = byName.get('h');
  const s = byName.get('s');
  const t = byName.get('t');
  return ok({
    version: v ? v.value : null,
    keyType: byName.get('k')?.value ?? 'rsa',
    hashAlgorithms: h ? colonList(h.value) : null,
    serviceTypes: s ? colonList(s.value) : ['*'],
    flags: t ? colonList(t.value) : [],
    granularity: byName.get('g')?.value ?? null,
    notes: byName.get('n')?.value ?? null,
    publicKey,
    revoked: publicKey === '',
    tags: Object.fromEntries(tags.map((tag) => [tag.name, tag.value])),
  });
}

/** "a : b:c" -> ["a", "b", "c"]; whitespace around items is folding, not content. */
function colonList(value: string): string[] {
  return value
    .split(':')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
// SubjectPublicKeyInfo header for an Ed25519 key (RFC 8410): the raw 32 bytes follow it.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

const cache = new Map<string, Result<DecodedKey>>();

/**
 * The public key of a record: for k=rsa, p= as SubjectPublicKeyInfo DER or as a bare PKCS#1
 * RSAPublicKey (both occur in the wild); for k=ed25519, the raw 32-byte key (RFC 8463). Failures
 * are coded results; nothing here throws on input.
 */
export function decodePublicKey(parsed: ParsedKeyRecord): Result<DecodedKey> {
  if (parsed.revoked) return fail(inputError('key-revoked', 'the key record has an empty p= (revoked)', 'p'));
  const keyType = parsed.keyType.toLowerCase();
  if (keyType !== 'rsa' && keyType !== 'ed25519') {
    return fail(inputError('key-type-unknown', `unknown key type k=${preview(parsed.keyType)}`, 'k'));
  }
  const cacheKey = keyType + ':' + parsed.publicKey;
  const cached = cache.get(cacheKey);
  if (cached) {
    // Refresh its place: the cache evicts the least recently used entry.
    cache.delete(cacheKey);
    cache.set(cacheKey, cached);
    return cached;
  }
  const result = decodeUncached(keyType, parsed.publicKey);
  if (parsed.publicKey.length <= MAX_PUBLIC_KEY_BASE64_LENGTH) {
    if (cache.size >= DECODED_KEY_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(cacheKey, result);
  }
  return result;
}

function decodeUncached(keyType: 'rsa' | 'ed25519', p: string): Result<DecodedKey> {
  if (p.length > MAX_PUBLIC_KEY_BASE64_LENGTH) {
    return fail(
      inputError('key-data-invalid', `p= is longer than ${MAX_PUBLIC_KEY_BASE64_LENGTH} characters`, 'p'),
    );
  }
  // Strict alphabet; missing "=" padding is tolerated (a wrong key cannot verify anything anyway).
  if (!BASE64.test(p) || p.length % 4 === 1) {
    return fail(inputError('key-data-invalid', 'p= is not valid base64', 'p'));
  }
  const der = Buffer.from(p, 'base64');
  return keyType === 'ed25519' ? decodeEd25519(der) : decodeRsa(der);
}

function decodeEd25519(raw: Buffer): Result<DecodedKey> {
  if (raw.length !== 32) {
    const hint =
      raw.length === 44 ? ' (it looks like a SubjectPublicKeyInfo; RFC 8463 wants the bare key)' : '';
    return fail(
      inputError(
        'key-data-invalid',
        `k=ed25519 needs a 32-byte key in p=, found ${raw.length} bytes${hint}`,
        'p',
      ),
    );
  }
  const key = tryKey(Buffer.concat([ED25519_SPKI_PREFIX, raw]), 'spki');
  if (key?.asymmetricKeyType !== 'ed25519') {
    return fail(inputError('key-data-invalid', 'p= is not a usable Ed25519 public key', 'p'));
  }
  return ok({ key, keyType: 'ed25519', bits: null, fingerprint: keyFingerprint(key) });
}

function decodeRsa(der: Buffer): Result<DecodedKey> {
  const key = tryKey(der, 'spki') ?? tryKey(der, 'pkcs1');
  if (!key) {
    return fail(
      inputError('key-data-invalid', 'p= is neither a SubjectPublicKeyInfo nor a PKCS#1 RSA public key', 'p'),
    );
  }
  if (key.asymmetricKeyType !== 'rsa') {
    return fail(
      inputError('key-data-invalid', `k=rsa but p= holds a ${key.asymmetricKeyType ?? 'non-RSA'} key`, 'p'),
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? null;
  if (bits === null || bits > MAX_RSA_KEY_BITS) {
    return fail(inputError('key-data-invalid', `RSA key of ${bits ?? 'unknown'} bits is out of range`, 'p'));
  }
  return ok({ key, keyType: 'rsa', bits, fingerprint: keyFingerprint(key) });
}

function tryKey(der: Buffer, type: 'spki' | 'pkcs1'): KeyObject | null {
  try {
    return createPublicKey({ key: der, format: 'der', type });
  } catch {
    // OpenSSL rejects malformed DER by throwing; here that is an answer, not an error.
    return null;
  }
}

/**
 * A stable identity for a public key, whatever form p= used: the SHA-256 (hex, lower-case) of its
 * SubjectPublicKeyInfo DER. The compromised-key list and key recovery match on it.
 */
export function keyFingerprint(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

function preview(s: string): string {
  return JSON.stringify(s.length > 40 ? s.slice(0, 40) + '...' : s);
}
