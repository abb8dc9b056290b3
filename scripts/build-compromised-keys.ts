/**
 * Build src/keys/compromised-keys.json: public keys whose private halves are public, so anything
 * they sign is forgeable. Reproducible: the list is derived from the test vectors in ../shared
 * (key files, and the private keys shipped beside them), plus a short table of keys whose private
 * halves were checked by hand in public sources that are not in ../shared.
 *
 *   node scripts/build-compromised-keys.ts [vectors-dir]     (default: ../shared/vectors)
 *
 * To add keys (leakproof's own example keys, say): add a SOURCES entry naming their key file, and
 * the private keys in PRIVATE_KEYS or ATTESTED, then rerun and commit both files.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseKeyFile } from '../src/keys/import/key-file.ts';
import { decodePublicKey, parseKeyRecord } from '../src/keys/record.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const vectors = resolve(process.argv[2] ?? join(repo, '..', 'shared', 'vectors'));
const output = join(repo, 'src', 'keys', 'compromised-keys.json');

interface Source {
  /** Key files (selector._domainkey.domain TXT-value lines); a path ending in "/" means its *.txt. */
  readonly keyFiles: readonly string[];
  /** Reason given when this source is the first to list a key whose private half is public. */
  readonly reason: string;
  readonly reference: string;
}

/** In priority order: a key listed by several sources takes the first one's reason. */
const SOURCES: readonly Source[] = [
  {
    keyFiles: ['dkimpy/keys/rfc8463-a3-signed.txt'],
    reason: 'example key of RFC 8463 Appendix A: the RFC prints its private key, so anyone can sign with it',
    reference: 'RFC 8463 Appendix A.1 (https://www.rfc-editor.org/rfc/rfc8463#appendix-A)',
  },
  {
    keyFiles: ['dkimpy/keys/'],
    reason: "test key used in dkimpy's test suite; its private key is public, so anyone can sign with it",
    reference: 'dkimpy test suite (python3-dkim 1.1.4, dkim/tests/)',
  },
  {
    keyFiles: ['arc/keys.txt'],
    reason: 'test key of the ARC test suite; its private key is public, so anyone can sign with it',
    reference: 'ValiMail arc_test_suite (https://github.com/ValiMail/arc_test_suite)',
  },
];

/** Private keys in ../shared: files holding PEM blocks, or a bare base64 Ed25519 seed. */
const PRIVATE_KEYS: readonly { readonly path: string; readonly reference: string }[] = [
  ...readdirSync(join(vectors, 'dkimpy/source/data')).map((file) => ({
    path: `dkimpy/source/data/${file}`,
    reference: `dkimpy dkim/tests/data/${file}`,
  })),
  {
    path: 'arc/source/arc-draft-sign-tests.yml',
    reference: 'ValiMail arc_test_suite tests/arc-draft-sign-tests.yml',
  },
];

/**
 * Keys whose private halves were found, by hand, in public sources not copied into ../shared.
 * Each was checked by deriving the public key from the published private key.
 */
const ATTESTED: readonly { readonly p: string; readonly reference: string }[] = [
  {
    p: 'MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBANmBe10IgY+u7h3enWTukkqtUD5PR52Tb/mPfjC0QJTocVBq6Za/PlzfV+Py92VaCak19F4WrbVTK5Gg5tW220MCAwEAAQ==',
    reference: 'dkimpy dkim/tests/test_dkim.py, test_dkim_dignature_canonicalization (sample_privkey)',
  },
  {
    p: 'sPs07Vu29FpHT/80UXUcYHFOHifD4o2ZlP2+XUh9g6E=',
    reference: 'Exim test suite, test/aux-fixed/dkim/dkim_ed25519.private',
  },
  {
    p: 'MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAIWmlgix/84GJ+dfgjm7LTc9EPdfkftlgiPpCq4/kbDAZmU0VvYKDljjleJ1dfvS+CGy9U/kk1tG3EeEvb82xAcCAwEAAQ==',
    reference: 'ValiMail arc_test_suite sig_gen/keys.py (private512)',
  },
  {
    p: 'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCyBwu6PiaDN87t3DVZ84zIrEhCoxtFuv7g52oCwAUXTDnXZ+0XHM/rhkm8XSGr1yLsDc1zLGX8IfITY1dL2CzptdgyiX7vgYjzZqG368C8BtGB5m6nj26NyhSKEdlV7MS9KbASd359ggCeGTT5QjRKEMSauVyVSeapq6ZcpZ9JwQIDAQAB',
    reference: 'ValiMail arc_test_suite sig_gen/keys.py (private1024)',
  },
  {
    p: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAv+7VkwpTtICeJFM4HfUZsvv2OaA+QMrW9Af1PpTOzVP0uvUFK20lcaxMvt81ia/sGYW4gHp/WUIk0BIQMPVhUeCIuM1mcOQNFSOflR8pLo916rjEZXpRP/XGo4HwWzdqD2qQeb3+fv1IrzfHiDb9THbamoz05EX7JX+wVSAhdSW/igwhA/+beuzWR0RDDyGMT1b1Sb/lrGfwSXm7QoZQtj5PRiTX+fsL7WlzL+fBThySwS8ZBZcHcd8iWOSGKZ0gYKzxyuOf8VCX71C4xDhahN+HXWZFn9TZb+uZX9m+WXM3t+P8CdfxsaOdnVg6imgNDlUWX4ClLTZhco0KmiBU+QIDAQAB',
    reference: 'ValiMail arc_test_suite sig_gen/keys.py (private2048)',
  },
];

function fingerprint(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/** Fingerprint -> where its private key is published. */
function privateKeyIndex(): Map<string, Set<string>> {
  const index = new Map<string, Set<string>>();
  const note = (key: KeyObject, reference: string): void => {
    const fp = fingerprint(createPublicKey(key));
    if (!index.has(fp)) index.set(fp, new Set());
    index.get(fp)!.add(reference);
  };
  for (const { path, reference } of PRIVATE_KEYS) {
    const text = readFileSync(join(vectors, path), 'latin1');
    for (const m of text.matchAll(/-----BEGIN ([A-Z ]*PRIVATE KEY)-----[\s\S]*?-----END \1-----/g)) {
      note(createPrivateKey(m[0].replace(/^[ \t]+/gm, '')), reference);
    }
    const seed = text.trim();
    if (/^[A-Za-z0-9+/]{43}=$/.test(seed)) {
      // A bare 32-byte Ed25519 seed (RFC 8032): wrap it as PKCS#8 to load it.
      const der = Buffer.concat([
        Buffer.from('302e020100300506032b657004220420', 'hex'),
        Buffer.from(seed, 'base64'),
      ]);
      note(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }), reference);
    }
  }
  return index;
}

interface Entry {
  fingerprint: string;
  keyType: 'rsa' | 'ed25519';
  bits: number | null;
  reason: string;
  references: Set<string>;
  names: Set<string>;
  publicKeys: Set<string>;
}

function keyFilesOf(source: Source): string[] {
  return source.keyFiles.flatMap((path) =>
    path.endsWith('/')
      ? readdirSync(join(vectors, path))
          .filter((f) => f.endsWith('.txt'))
          .sort()
          .map((f) => join(vectors, path, f))
      : [join(vectors, path)],
  );
}

const published = privateKeyIndex();
const attested = new Map(ATTESTED.map((a) => [a.p, a.reference]));
const entries = new Map<string, Entry>();
const notListed = new Map<string, Set<string>>();

for (const source of SOURCES) {
  for (const file of keyFilesOf(source)) {
    const imported = parseKeyFile(readFileSync(file, 'latin1'), { origin: file });
    if (!imported.ok) throw new Error(`${file}: ${imported.error.message}`);
    for (const record of imported.value.records) {
      const parsed = parseKeyRecord(record.value);
      if (!parsed.ok) continue; // a malformed record has no key to list
      const decoded = decodePublicKey(parsed.value);
      if (!decoded.ok) continue;
      const { fingerprint: fp, keyType, bits } = decoded.value;
      const name = `${record.selector}._domainkey.${record.domain}`;
      const references = new Set(published.get(fp));
      const byHand = attested.get(parsed.value.publicKey);
      if (byHand) references.add(byHand);
      const isRfcSource = source === SOURCES[0];
      if (references.size === 0 && !isRfcSource) {
        // Not listed: in test data, but its private key is not known to be public (a real key that
        // once signed a test message, like Gmail's 2012 key, must never be called compromised).
        if (!notListed.has(fp)) notListed.set(fp, new Set());
        notListed.get(fp)!.add(name);
        continue;
      }
      let entry = entries.get(fp);
      if (!entry) {
        entry = {
          fingerprint: fp,
          keyType,
          bits,
          reason: source.reason,
          references: new Set(),
          names: new Set(),
          publicKeys: new Set(),
        };
        entry.references.add(source.reference);
        entries.set(fp, entry);
      }
      for (const r of references) entry.references.add(r);
      entry.names.add(name);
      entry.publicKeys.add(parsed.value.publicKey);
    }
  }
}

const keys = [...entries.values()]
  .sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1))
  .map((e) => ({
    fingerprint: e.fingerprint,
    keyType: e.keyType,
    bits: e.bits,
    reason: e.reason,
    reference: [...e.references].join('; '),
    names: [...e.names].sort(),
    publicKeys: [...e.publicKeys].sort(),
  }));
const json = {
  description:
    'Public keys whose private halves are public: anything they sign is forgeable. Generated; do not edit by hand.',
  generatedBy: 'node scripts/build-compromised-keys.ts',
  keys,
};
writeFileSync(output, JSON.stringify(json, null, 2) + '\n');
// Format as the repository's formatter would, so a rerun on unchanged inputs leaves no diff.
execFileSync(join(repo, 'node_modules', '.bin', 'biome'), ['format', '--write', output], { stdio: 'ignore' });
console.log(`wrote ${keys.length} keys to ${output}`);
for (const [fp, names] of notListed) {
  if (!entries.has(fp))
    console.log(`not listed (private key not known to be public): ${[...names].join(', ')}`);
}
