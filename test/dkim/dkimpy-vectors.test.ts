/**
 * Conformance: the 84 messages of dkimpy's test suite (../shared/vectors/dkimpy) give the
 * manifest's results. The manifest says pass/fail for the first signature (dkimpy's truth value);
 * leakproof says more, so each "fail" is also pinned to the specific result it must be.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SignatureResult } from '../../src/dkim/types.ts';
import { verifyMessage } from '../../src/dkim/verify.ts';
import { importKeysFromFile } from '../../src/keys/import/index.ts';
import { KeyStore } from '../../src/keys/store.ts';

const ROOT = new URL('../../../shared/vectors/dkimpy/', import.meta.url).pathname;

interface Entry {
  id: string;
  file: string;
  keys_file: string;
  kind: string;
  expected: string | { arc_cv: string };
  expected_per_signature?: string[];
  minkey: number;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8')) as {
  count: number;
  messages: Entry[];
};

/** What each expected failure must be in leakproof's vocabulary, and why. */
const SPECIFIC_FAILURES: Record<string, SignatureResult> = {
  'rfc8463-rsa-corrupt-key': 'key-invalid', // p= with a byte dropped does not decode
  'baddomain-presigned': 'malformed', // d=legitimate.com(.attacker.com is not a domain name
  'rsa-altered-body': 'body-altered',
  'ed25519-altered-body': 'body-altered',
  'rsa-extra-from-after': 'headers-altered', // over-signed From: the added instance breaks it
  'rsa-extra-from-before': 'headers-altered',
  'ed25519-extra-from-after': 'headers-altered',
  'rsa-non-ascii-domain': 'malformed',
  'rsa-invalid-domain': 'malformed',
};
for (const c of ['ss', 'sr', 'rs', 'rr']) {
  SPECIFIC_FAILURES[`rsa-bad-key-version-${c}`] = 'key-invalid'; // "v=DKIM1:" is not v=DKIM1
  SPECIFIC_FAILURES[`rsa-unknown-k-${c}`] = 'key-invalid'; // k=ed25519-sha256 is no key type
}

const dkimEntries = manifest.messages.filter((e) => typeof e.expected === 'string');

test('the manifest lists 84 messages, 82 of them DKIM (2 are ARC cases for issue 4)', () => {
  assert.equal(manifest.messages.length, 84);
  assert.equal(dkimEntries.length, 82);
});

for (const entry of dkimEntries) {
  test(`dkimpy vector ${entry.id}: ${entry.expected}`, async () => {
    const keys = new KeyStore();
    const imported = await importKeysFromFile(join(ROOT, entry.keys_file));
    assert.ok(imported.ok, 'key file imports');
    for (const r of imported.value.records) keys.add(r);
    const result = verifyMessage(readFileSync(join(ROOT, entry.file)), { keys });
    assert.ok(result.signatures.length > 0, 'has signatures');
    const first = result.signatures[0]!;
    if (entry.expected === 'pass') {
      assert.equal(first.result, 'pass', first.reason);
      if (entry.minkey === 512)
        assert.deepEqual(first.weak, ['key-under-1024-bits'], 'a 512-bit key is reported weak');
    } else {
      assert.notEqual(first.result, 'pass');
      const specific = SPECIFIC_FAILURES[entry.id];
      assert.ok(specific, `a specific expected result is pinned for ${entry.id}`);
      assert.equal(first.result, specific, first.reason);
    }
    if (entry.expected_per_signature) {
      assert.deepEqual(
        result.signatures.map((s) => (s.result === 'pass' ? 'pass' : 'fail')),
        entry.expected_per_signature,
      );
    }
  });
}
