import type { KeyObject } from 'node:crypto';
import { constants, createHash, publicDecrypt, verify } from 'node:crypto';
import type { HashAlgorithm, KeyType } from './signature.ts';

/**
 * The outcome of checking the header signature with one key.
 * - verified: the key made this signature over these signed headers.
 * - digest-mismatch: RSA only. The key made this signature (its padding decrypts correctly) but over
 *   other header bytes: the signed headers were changed.
 * - wrong-key: RSA only. The signature was not made by this key at all (a re-keyed selector, or a
 *   corrupted b=); nothing about the message follows.
 * - failed: ed25519, which cannot tell a changed header from a different key.
 */
export type HeaderCheck = 'verified' | 'digest-mismatch' | 'wrong-key' | 'failed';

// DER DigestInfo prefixes (RFC 8017 9.2 note 1); the NULL-parameter form is the standard one, and
// the absent-parameter form is accepted because it is equally unambiguous.
const DIGEST_INFO: Record<HashAlgorithm, Buffer[]> = {
  sha256: [
    Buffer.from('3031300d060960864801650304020105000420', 'hex'),
    Buffer.from('302f300b0609608648016503040201' + '0420', 'hex'),
  ],
  sha1: [
    Buffer.from('3021300906052b0e03021a05000414', 'hex'),
    Buffer.from('301f300706052b0e03021a0414', 'hex'),
  ],
};

export function checkHeaderSignature(
  keyType: KeyType,
  hash: HashAlgorithm,
  key: KeyObject,
  signingInput: Buffer,
  signature: Buffer,
): HeaderCheck {
  if (keyType === 'ed25519') {
    // RFC 8463 3: Ed25519 signs the SHA-256 hash of the canonicalized data, not the data itself.
    const digest = createHash(hash).update(signingInput).digest();
    try {
      return verify(null, digest, key, signature) ? 'verified' : 'failed';
    } catch {
      return 'failed';
    }
  }
  // Most signatures verify, and crypto.verify is the cheaper check. Only a failure is decrypted with
  // the public key, which yields the signed DigestInfo, so the failure can be told apart: the right
  // key over other headers, or another key altogether.
  try {
    if (verify(hash, signingInput, key, signature)) return 'verified';
  } catch {
    // a signature of the wrong length for the key: diagnosed below
  }
  const digest = createHash(hash).update(signingInput).digest();
  let block: Buffer;
  try {
    block = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return 'wrong-key';
  }
  for (const prefix of DIGEST_INFO[hash]) {
    if (block.length === prefix.length + digest.length && block.subarray(0, prefix.length).equals(prefix)) {
      return block.subarray(prefix.length).equals(digest) ? 'verified' : 'digest-mismatch';
    }
  }
  // Valid padding around a DigestInfo for another hash or of another shape: this key made it, but
  // not over what a= says. Treat as changed content rather than another key.
  return 'digest-mismatch';
}
