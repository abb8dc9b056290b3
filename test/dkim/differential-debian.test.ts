/**
 * Differential test against the Debian peers, run as real processes: dkimpy (python3-dkim) and
 * Mail::DKIM (libmail-dkim-perl), each reading the same key files, no DNS. Messages: the
 * examples and every DKIM message of ../shared/vectors/dkimpy. Per signature, leakproof's pass must
 * equal the peer's pass. The peers judge x= against today, so leakproof is run with --as-of now here.
 * A peer that is not installed is skipped, loudly (CI installs both).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SignatureEvidence } from '../../src/dkim/types.ts';
import { verifyMessage } from '../../src/dkim/verify.ts';
import { importKeysFromFile } from '../../src/keys/import/index.ts';
import { KeyStore } from '../../src/keys/store.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const VECTORS = join(ROOT, '../shared/vectors/dkimpy');
const PEERS = join(ROOT, 'test/dkim/peers');

interface Case {
  message: string;
  keys: string;
}

const cases: Case[] = [];
for (const name of readdirSync(join(ROOT, 'examples/mail')).sort()) {
  if (name.endsWith('.eml'))
    cases.push({ message: join(ROOT, 'examples/mail', name), keys: join(ROOT, 'examples/keys/keys.txt') });
}
const manifest = JSON.parse(readFileSync(join(VECTORS, 'manifest.json'), 'utf8')) as {
  messages: { file: string; keys_file: string; expected: unknown }[];
};
for (const e of manifest.messages) {
  if (typeof e.expected === 'string')
    cases.push({ message: join(VECTORS, e.file), keys: join(VECTORS, e.keys_file) });
}

interface OurSignature {
  readonly pass: boolean;
  readonly evidence: SignatureEvidence;
}

/**
 * Where a peer differs by design, and why: a rule over one signature where the two disagree.
 * Every rule must still be observed at least once, so a stale rule fails the test.
 */
interface KnownDifference {
  readonly peer: string;
  readonly why: string;
  readonly applies: (ours: OurSignature, peerPasses: boolean) => boolean;
}

const KNOWN: readonly KnownDifference[] = [
  {
    peer: 'dkimpy',
    why: 'dkimpy always adds one more "from" to h= when verifying (Debian bug 644046), so any extra unsigned From fails; leakproof passes the signature as RFC 6376 says and flags the extra From as a caveat',
    applies: (o, p) =>
      o.pass && !p && o.evidence.unsignedInstances.some((u) => u.name.toLowerCase() === 'from'),
  },
  {
    peer: 'Mail::DKIM',
    why: 'Mail::DKIM 1.20230212 (Debian 12) does not implement ed25519-sha256 (RFC 8463)',
    applies: (o, p) => o.pass && !p && o.evidence.a === 'ed25519-sha256',
  },
  {
    peer: 'Mail::DKIM',
    why: 'Mail::DKIM reads p= only as SubjectPublicKeyInfo; leakproof also accepts a bare PKCS#1 RSAPublicKey, which some publishers use',
    applies: (o, p) => o.pass && !p && isBarePkcs1(o.evidence.key?.record ?? ''),
  },
  {
    peer: 'Mail::DKIM',
    why: 'Mail::DKIM does not check that d= is a domain name, so d=legitimate.com(.attacker.com verifies against the key at that name; leakproof and dkimpy call it malformed',
    applies: (o, p) =>
      !o.pass &&
      p &&
      o.evidence.result === 'malformed' &&
      /d=.* is not a valid domain name/.test(o.evidence.reason),
  },
];

/** p= holding RSAPublicKey (SEQUENCE { INTEGER, INTEGER }) rather than SubjectPublicKeyInfo. */
function isBarePkcs1(record: string): boolean {
  const p = /(?:^|;)\s*p=([^;]*)/.exec(record)?.[1]?.replace(/\s+/g, '') ?? '';
  const der = Buffer.from(p, 'base64');
  if (der[0] !== 0x30) return false;
  const lengthBytes = der[1]! & 0x80 ? der[1]! & 0x7f : 0;
  return der[2 + lengthBytes] === 0x02;
}

async function verifyOurs(c: Case): Promise<OurSignature[]> {
  const keys = new KeyStore();
  const imported = await importKeysFromFile(c.keys);
  assert.ok(imported.ok);
  for (const r of imported.value.records) keys.add(r);
  const result = verifyMessage(readFileSync(c.message), { keys, asOf: { kind: 'now' } });
  return result.signatures.map((evidence) => ({ pass: evidence.result === 'pass', evidence }));
}

function runPeer(command: string, args: string[]): Map<string, boolean[]> {
  const input = cases.map((c) => JSON.stringify(c)).join('\n') + '\n';
  const r = spawnSync(command, args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  const out = new Map<string, boolean[]>();
  for (const line of r.stdout.trim().split('\n')) {
    const { message, results } = JSON.parse(line) as { message: string; results: unknown[] };
    out.set(
      message,
      results.map((x) => x === true || x === 'pass'),
    );
  }
  return out;
}

function hasDkimpy(): boolean {
  return existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import dkim']).status === 0;
}

function hasMailDkim(): boolean {
  return spawnSync('perl', ['-MMail::DKIM::Verifier', '-MNet::DNS', '-e', '1']).status === 0;
}

const peers = [
  {
    name: 'dkimpy',
    available: hasDkimpy,
    command: '/usr/bin/python3',
    args: [join(PEERS, 'dkimpy-verify.py')],
  },
  { name: 'Mail::DKIM', available: hasMailDkim, command: 'perl', args: [join(PEERS, 'maildkim-verify.pl')] },
];

for (const peer of peers) {
  const available = peer.available();
  test(`leakproof and ${peer.name} agree on every signature of ${cases.length} messages`, {
    skip: available
      ? false
      : `${peer.name} is not installed (apt-get install ${peer.name === 'dkimpy' ? 'python3-dkim' : 'libmail-dkim-perl'})`,
  }, async (t) => {
    const theirs = runPeer(peer.command, peer.args);
    const rules = KNOWN.filter((k) => k.peer === peer.name);
    const used = new Set<KnownDifference>();
    const disagreements: string[] = [];
    let signatures = 0;
    let explained = 0;
    for (const c of cases) {
      const ours = await verifyOurs(c);
      const peerPasses = theirs.get(c.message);
      const name = c.message.split('/').pop()!;
      assert.ok(peerPasses, `${peer.name} answered for ${name}`);
      assert.equal(peerPasses.length, ours.length, `${name}: same number of signatures`);
      ours.forEach((o, i) => {
        signatures++;
        if (o.pass === peerPasses[i]) return;
        const rule = rules.find((k) => k.applies(o, peerPasses[i]!));
        if (rule) {
          used.add(rule);
          explained++;
        } else {
          disagreements.push(
            `${name} signature ${i + 1}: leakproof ${o.evidence.result}, ${peer.name} ${peerPasses[i] ? 'pass' : 'fail'}`,
          );
        }
      });
    }
    t.diagnostic(
      `${cases.length} messages, ${signatures} signatures, ${explained} explained by ${used.size} known differences`,
    );
    assert.deepEqual(disagreements, []);
    assert.deepEqual(
      rules.filter((k) => !used.has(k)).map((k) => k.why),
      [],
      'every known difference still occurs',
    );
  });
}
