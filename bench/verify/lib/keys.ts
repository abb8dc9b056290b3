/**
 * Deterministic DKIM key pairs for the benchmark corpus: the same seed gives the same keys, so the same
 * signatures, on any machine. These are throw-away test keys; nothing here is meant for real use.
 */
import { checkPrimeSync, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { Rng } from './rng.ts';

export type KeyKind = 'rsa-2048' | 'rsa-1024' | 'ed25519';

export interface GeneratedKey {
  readonly kind: KeyKind;
  readonly selector: string;
  readonly domain: string;
  /** PKCS#8 PEM, for mailauth's dkimSign. */
  readonly privateKeyPem: string;
  /** The TXT value published at `selector._domainkey.domain`. */
  readonly txt: string;
}

function bigFromBytes(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function bigToBase64url(n: bigint): string {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex').toString('base64url');
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new Error('not invertible');
  return ((oldS % m) + m) % m;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

const E = 65537n;

/** A prime of exactly `bits` bits with its top two bits set (so p*q has the full length), p-1 prime to e. */
function seededPrime(rng: Rng, bits: number): bigint {
  const bytes = rng.bytes(bits / 8);
  bytes[0] = (bytes[0] ?? 0) | 0xc0;
  let p = bigFromBytes(bytes) | 1n;
  for (;;) {
    if ((p - 1n) % E !== 0n && checkPrimeSync(p, { checks: 32 })) return p;
    p += 2n;
  }
}

function rsaKey(rng: Rng, bits: number): KeyObject {
  for (;;) {
    const p = seededPrime(rng, bits / 2);
    const q = seededPrime(rng, bits / 2);
    if (p === q) continue;
    const n = p * q;
    if (n.toString(2).length !== bits) continue;
    const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
    const d = modInverse(E, lambda);
    return createPrivateKey({
      format: 'jwk',
      key: {
        kty: 'RSA',
        n: bigToBase64url(n),
        e: bigToBase64url(E),
        d: bigToBase64url(d),
        p: bigToBase64url(p),
        q: bigToBase64url(q),
        dp: bigToBase64url(d % (p - 1n)),
        dq: bigToBase64url(d % (q - 1n)),
        qi: bigToBase64url(modInverse(q, p)),
      },
    });
  }
}

/** PKCS#8 prefix of an Ed25519 private key; the 32-byte seed follows (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function generateKey(seed: string, kind: KeyKind, selector: string, domain: string): GeneratedKey {
  const rng = new Rng(seed, `key:${kind}:${selector}:${domain}`);
  if (kind === 'ed25519') {
    const privateKey = createPrivateKey({
      format: 'der',
      type: 'pkcs8',
      key: Buffer.concat([ED25519_PKCS8_PREFIX, rng.bytes(32)]),
    });
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    const raw = Buffer.from(String(jwk.x), 'base64url').toString('base64');
    return {
      kind,
      selector,
      domain,
      privateKeyPem: String(privateKey.export({ format: 'pem', type: 'pkcs8' })),
      txt: `v=DKIM1; k=ed25519; p=${raw}`,
    };
  }
  const privateKey = rsaKey(rng, kind === 'rsa-2048' ? 2048 : 1024);
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).toString('base64');
  return {
    kind,
    selector,
    domain,
    privateKeyPem: String(privateKey.export({ format: 'pem', type: 'pkcs8' })),
    txt: `v=DKIM1; k=rsa; p=${spki}`,
  };
}
