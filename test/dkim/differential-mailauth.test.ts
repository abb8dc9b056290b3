/*
 * Differential test: leakproof's verifier against mailauth 7 (lenient mode, the default).
 *
 * A seeded generator makes base messages (CRLF or LF, folded and odd-case headers, trailing
 * whitespace, 8-bit text), signs each with one or two signatures (author d=campaign.example, then an
 * ESP d=mailer.example on top), made by leakproof's signer or mailauth's, with rsa-1024, rsa-2048 or
 * ed25519, any canonicalization, with or without l=, i=, over-signed From. Then tampered copies. Both
 * verifiers read every message, with the same key records served from memory and mailauth's curTime
 * at the signing time (leakproof's default as-of time is the signature's own t=).
 *
 * How leakproof's per-signature result maps to mailauth's status (mailauth 7.1.0,
 * lib/dkim/dkim-verifier.js verifySignature and lib/tools.js getPublicKey). mailauth checks, in
 * order: the signature's syntax, the body hash (and stops if it fails), the key record, the RSA key
 * size (minBitLength 1024), the header signature, x= against curTime. leakproof always checks the
 * header signature, so the mapping depends on its body-hash evidence too:
 *
 * | leakproof result | body hash | mailauth status.result | mailauth status.comment | note |
 * |---|---|---|---|---|
 * | any that hashed the body | does not match | neutral | body hash did not verify | by design: mailauth stops here; leakproof goes on to tell body-altered from headers-altered |
 * | pass | matches | pass | | |
 * | pass, RSA key under 1024 bits | matches | policy (policy.dkim-rules=weak-key) | | by design: leakproof verifies and reports the key as weak |
 * | body-altered | does not match | neutral | body hash did not verify | |
 * | headers-altered | matches | fail | bad signature | |
 * | key-mismatch | matches | fail | bad signature | by design: leakproof's RSA padding check tells another key from a changed header |
 * | key-missing | matches | neutral | no key | resolver answers ENOTFOUND |
 * | key-revoked | matches | neutral | invalid public key | empty p= (mailauth's "Missing key value", EINVALIDVAL) |
 * | key-invalid | matches | neutral | invalid public key, unknown key type, unknown key version, inappropriate hash algorithm or key not for email | |
 * | expired | matches | neutral | expired | only with the same as-of time: mailauth judges x= against curTime, leakproof by default against t= |
 * | malformed | (not hashed) | neutral, or no result at all | signature syntax error, From field not signed, ... | the lenient mode drops what it cannot process |
 * | unsupported | (not hashed) | no result | | the lenient mode drops unknown algorithms and canonicalizations |
 * | (no signature) verdict unsigned | | none | message not signed | |
 *
 * The same table is in docs/peers.md. The by-design differences each have a dedicated case below.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { EXAMPLES_DIR } from '../../scripts/make-examples.ts';
import { canonicalizeBody } from '../../src/dkim/canonicalize.ts';
import { type SigningAlgorithm, type SigningCanonicalization, signMessage } from '../../src/dkim/sign.ts';
import type { SignatureEvidence } from '../../src/dkim/types.ts';
import { verifyMessage } from '../../src/dkim/verify.ts';
import { KeyStore } from '../../src/keys/store.ts';
import { parseMessage } from '../../src/mail/message.ts';

// ---- keys: the project's public test keys (examples/keys), served under several selectors ----

const pem = (name: string) =>
  createPrivateKey(readFileSync(join(EXAMPLES_DIR, 'keys', `${name}.pem`), 'utf8'));
const RSA1024 = pem('legacy._domainkey.campaign.example');
const RSA2048 = pem('s2017._domainkey.campaign.example');
const ED25519 = pem('ed2017._domainkey.campaign.example');
const OTHER_RSA2048 = pem('s2016._domainkey.campaign.example');

function record(key: KeyObject): string {
  const pub = createPublicKey(key);
  return pub.asymmetricKeyType === 'ed25519'
    ? `v=DKIM1; k=ed25519; p=${Buffer.from(pub.export({ format: 'jwk' }).x!, 'base64url').toString('base64')}`
    : `v=DKIM1; k=rsa; p=${pub.export({ type: 'spki', format: 'der' }).toString('base64')}`;
}

const DOMAINS = ['campaign.example', 'mailer.example'] as const;
/** Selectors whose signatures are made with a key, and the record served for them (null: none). */
const SELECTORS: Record<string, { key: KeyObject; record: string | null }> = {
  r1024: { key: RSA1024, record: record(RSA1024) },
  r2048: { key: RSA2048, record: record(RSA2048) },
  ed: { key: ED25519, record: record(ED25519) },
  gone: { key: RSA2048, record: null }, // key-missing
  revoked: { key: RSA2048, record: 'v=DKIM1; k=rsa; p=' }, // key-revoked
  rekeyed: { key: RSA2048, record: record(OTHER_RSA2048) }, // key-mismatch: the selector now holds another key
  sha1only: { key: RSA2048, record: record(RSA2048).replace('k=rsa;', 'k=rsa; h=sha1;') }, // key-invalid for rsa-sha256
};

class Keys {
  readonly records = new Map<string, string>();
  /** leakproof's key store, over the same records. */
  readonly lookup = new KeyStore();
  constructor(extra: Record<string, string> = {}) {
    for (const domain of DOMAINS) {
      for (const [selector, { record }] of Object.entries(SELECTORS)) {
        if (record !== null) this.records.set(`${selector}._domainkey.${domain}`, record);
      }
    }
    for (const [name, value] of Object.entries(extra)) this.records.set(name, value);
    for (const [name, value] of this.records) {
      const [selector, domain] = name.split('._domainkey.') as [string, string];
      this.lookup.add({ selector, domain, value, provenance: { kind: 'key-file', origin: 'memory' } });
    }
  }
  /** mailauth's resolver: TXT answers as arrays of strings; a missing name fails like DNS does. */
  readonly resolver = async (name: string): Promise<string[][]> => {
    const value = this.records.get(name.toLowerCase());
    if (value === undefined)
      throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return [[value]];
  };
}

// ---- a seeded generator ----

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

const WORDS = [
  'rally',
  'statement',
  'volunteers',
  'donors',
  'schedule',
  'press',
  'debate',
  'leaflets',
  'Lyon',
  'Lille',
  'meeting',
  'transfer',
  'budget',
  'draft',
  'tonight',
  'tomorrow',
  'please',
  'confirm',
  'the',
  'and',
  'for',
  'élection',
  'déjà',
  'équipe',
  'Größe',
  'réunion',
];
const ASCII_START = ['Hello', 'Sophie', 'Julien', 'Team', 'Dear', 'Quick', 'Note', 'Update'];
const NAMES = ['Julien Lefevre', 'Sophie Martin', 'Claire Moreau', 'Press office', 'Élodie Garnier'];

function words(rng: Rng, n: number): string {
  return Array.from({ length: n }, () => rng.pick(WORDS)).join(' ');
}

interface Base {
  readonly bytes: Buffer;
  readonly eol: string;
  readonly signedAt: Date;
}

function baseMessage(rng: Rng, n: number): Base {
  const eol = rng.chance(0.7) ? '\r\n' : '\n';
  const signedAt = new Date(Date.UTC(2014, 0, 1) + rng.int(6 * 365) * 86_400_000 + rng.int(86_400) * 1000);
  const name = (h: string) => (rng.chance(0.15) ? h.toUpperCase() : rng.chance(0.1) ? h.toLowerCase() : h);
  const ws = () => rng.pick([' ', ' ', ' ', '  ', '\t', ' \t ']);
  const headers: string[] = [];
  if (rng.chance(0.3))
    headers.push(`Received: from mx${n}.mailer.example by mx.newsroom.example; ${signedAt.toUTCString()}`);
  headers.push(`${name('From')}:${ws()}${rng.pick(NAMES)} <author${n}@campaign.example>`);
  headers.push(`${name('To')}:${ws()}desk${n}@newsroom.example`);
  if (rng.chance(0.4)) headers.push(`${name('Cc')}: press@campaign.example, team@campaign.example`);
  const subject = `${rng.pick(ASCII_START)} ${words(rng, 2 + rng.int(5))}`;
  headers.push(
    rng.chance(0.3)
      ? `${name('Subject')}:${ws()}${subject}${eol}${rng.pick(['\t', ' ', '  '])}${words(rng, 3)}`
      : `${name('Subject')}:${ws()}${subject}${rng.chance(0.2) ? ' \t' : ''}`,
  );
  headers.push(`Date: ${signedAt.toUTCString().replace('GMT', '+0000')}`);
  headers.push(`Message-ID: <${n}.${signedAt.getTime()}@campaign.example>`);
  if (rng.chance(0.5)) {
    headers.push('MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8');
  }
  if (rng.chance(0.2)) headers.push(`Reply-To: <reply${n}@campaign.example>`);
  if (rng.chance(0.3)) headers.push(`X-Mailer: Campaign Mailer ${rng.int(10)}.${rng.int(10)}`);

  const lines: string[] = [
    `${rng.pick(ASCII_START)}${rng.chance(0.3) ? '  ' : ' '}${words(rng, 1 + rng.int(8))}`,
  ];
  const count = rng.int(6);
  for (let i = 0; i < count; i++) {
    if (rng.chance(0.2)) lines.push('');
    let line = words(rng, 1 + rng.int(12));
    if (rng.chance(0.2)) line = line.replace(' ', rng.pick(['  ', '\t', ' \t ']));
    if (rng.chance(0.2)) line += rng.pick([' ', '\t', '  ', ' \t']);
    lines.push(line);
  }
  for (let i = rng.int(3); i > 0; i--) lines.push('');
  return {
    bytes: Buffer.from(`${headers.join(eol)}${eol}${eol}${lines.join(eol)}${eol}`, 'utf8'),
    eol,
    signedAt,
  };
}

// ---- signing, with leakproof's signer or mailauth's ----

interface SigSpec {
  readonly signer: 'leakproof' | 'mailauth';
  readonly domain: string;
  readonly selector: string;
  readonly algorithm: SigningAlgorithm;
  readonly canonicalization: SigningCanonicalization;
  readonly bodyLength: 'all' | number | undefined;
  readonly identity: string | undefined;
  readonly oversignFrom: boolean;
  readonly coverSignatures: boolean;
  /** x= this many days after t=, or none. */
  readonly expiresInDays: number | undefined;
}

const CANONICALIZATIONS: readonly SigningCanonicalization[] = [
  'simple/simple',
  'relaxed/relaxed',
  'relaxed/simple',
  'simple/relaxed',
];

function sigSpec(rng: Rng, domain: string, second: boolean): SigSpec {
  const signer = rng.chance(0.5) ? 'leakproof' : 'mailauth';
  const roll = rng.next();
  // Mostly usable keys; a few signatures whose key is missing, revoked, replaced or refuses the hash.
  const selector =
    roll < 0.04
      ? 'gone'
      : roll < 0.07
        ? 'revoked'
        : roll < 0.1
          ? 'rekeyed'
          : roll < 0.12
            ? 'sha1only'
            : rng.pick(['r1024', 'r2048', 'ed']);
  const algorithm: SigningAlgorithm =
    selector === 'ed'
      ? 'ed25519-sha256'
      : selector === 'r1024' && rng.chance(0.5)
        ? 'rsa-sha1'
        : 'rsa-sha256';
  const l = rng.next();
  return {
    signer,
    domain,
    selector,
    algorithm,
    canonicalization: rng.pick(CANONICALIZATIONS),
    bodyLength: l < 0.2 ? 'all' : l < 0.3 ? 20 + rng.int(40) : undefined,
    identity: rng.chance(0.2) ? `sender@${rng.chance(0.5) ? '' : 'news.'}${domain}` : undefined,
    oversignFrom: signer === 'leakproof' && rng.chance(0.3), // mailauth's signer never over-signs
    coverSignatures: signer === 'leakproof' && second && rng.chance(0.5),
    expiresInDays: rng.chance(0.2) ? 30 : undefined,
  };
}

function expiry(spec: SigSpec, at: Date): Date | undefined {
  return spec.expiresInDays === undefined
    ? undefined
    : new Date(at.getTime() + spec.expiresInDays * 86_400_000);
}

async function sign(message: Buffer, spec: SigSpec, at: Date): Promise<Buffer> {
  const key = SELECTORS[spec.selector]!.key;
  if (spec.signer === 'leakproof') {
    return Buffer.from(
      signMessage(message, {
        domain: spec.domain,
        selector: spec.selector,
        privateKey: key,
        algorithm: spec.algorithm,
        canonicalization: spec.canonicalization,
        bodyLength: spec.bodyLength,
        identity: spec.identity,
        timestamp: at,
        expiration: expiry(spec, at),
        oversign: spec.oversignFrom ? ['from'] : undefined,
        headers: spec.coverSignatures
          ? ['from', 'to', 'cc', 'subject', 'date', 'message-id', 'reply-to', 'dkim-signature']
          : undefined,
      }),
    );
  }
  let maxBodyLength: number | undefined;
  if (spec.bodyLength === 'all') {
    // mailauth takes a number: the canonical body length
    const parsed = parseMessage(message);
    assert.ok(parsed.ok);
    maxBodyLength = canonicalizeBody(
      parsed.value.body,
      spec.canonicalization.split('/')[1] as 'simple',
    ).length;
  } else {
    maxBodyLength = spec.bodyLength;
  }
  const { signatures, errors } = await dkimSign(message, {
    signTime: at,
    ...(spec.expiresInDays === undefined ? {} : { expires: expiry(spec, at) }),
    signatureData: [
      {
        signingDomain: spec.domain,
        selector: spec.selector,
        privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
        algorithm: spec.algorithm,
        canonicalization: spec.canonicalization,
        ...(maxBodyLength === undefined ? {} : { maxBodyLength }),
        ...(spec.identity === undefined ? {} : { identity: spec.identity }),
      },
    ],
  } as Parameters<typeof dkimSign>[1]);
  assert.deepEqual(errors, [], 'mailauth signed');
  return Buffer.concat([Buffer.from(signatures), message]);
}

// ---- tampering ----

const VARIANTS = [
  'original',
  'body-edit', // one letter of the first body word changed
  'header-edit', // one letter of the (signed) Subject changed
  'body-and-header-edit',
  'appended', // a line appended to the body: passes only where l= leaves room
  'prepended-from', // a second From above everything: breaks only an over-signed From
  'unsigned-header', // a header no signature covers: must still pass
] as const;
type Variant = (typeof VARIANTS)[number];

/** Replace the character at `at` (an ASCII letter) with another letter. */
function flip(text: string, at: number): string {
  const c = text[at]!;
  assert.match(c, /[A-Za-z]/, 'tampering changes a letter');
  const other = c === 'x' ? 'y' : c === 'X' ? 'Y' : c === c.toUpperCase() ? 'X' : 'x';
  return text.slice(0, at) + other + text.slice(at + 1);
}

function tamper(signed: Buffer, variant: Variant, eol: string): Buffer {
  let text = signed.toString('latin1'); // one char per byte: edits keep every other byte as it was
  const bodyStart = () => {
    const m = /\r?\n\r?\n/.exec(text);
    assert.ok(m);
    return m.index + m[0].length;
  };
  const subjectAt = () => {
    const m = /^subject:[ \t]*/im.exec(text);
    assert.ok(m);
    return m.index + m[0].length;
  };
  switch (variant) {
    case 'original':
      break;
    case 'body-edit':
      text = flip(text, bodyStart());
      break;
    case 'header-edit':
      text = flip(text, subjectAt());
      break;
    case 'body-and-header-edit':
      text = flip(flip(text, bodyStart()), subjectAt());
      break;
    case 'appended':
      text += `Appended after signing: see the attached list.${eol}`;
      break;
    case 'prepended-from':
      text = `From: Impostor <ceo@campaign.example>${eol}${text}`;
      break;
    case 'unsigned-header':
      text = `X-Archive-Id: leak-${signed.length}${eol}${text}`;
      break;
  }
  return Buffer.from(text, 'latin1');
}

/** What leakproof must say for a signature of this spec on this variant (a check of our own logic). */
function expectedLeakproof(
  spec: SigSpec,
  variant: Variant,
  expiredAtCheck: boolean,
): SignatureEvidence['result'] {
  if (spec.selector === 'gone') return 'key-missing';
  if (spec.selector === 'revoked') return 'key-revoked';
  if (spec.selector === 'sha1only') return 'key-invalid';
  const keyResult = (r: SignatureEvidence['result']) =>
    spec.selector === 'rekeyed' ? 'key-mismatch' : r === 'pass' && expiredAtCheck ? 'expired' : r;
  switch (variant) {
    case 'original':
    case 'unsigned-header':
      return keyResult('pass');
    case 'body-edit':
      return keyResult('body-altered');
    case 'header-edit':
    case 'body-and-header-edit':
      return keyResult('headers-altered');
    case 'appended':
      return keyResult(spec.bodyLength === undefined ? 'body-altered' : 'pass');
    case 'prepended-from':
      return keyResult(spec.oversignFrom ? 'headers-altered' : 'pass');
  }
}

// ---- the mapping ----

interface MailauthStatus {
  readonly result: string;
  readonly comment: string;
}

const KEY_INVALID_COMMENTS = [
  'invalid public key',
  'unknown key type',
  'unknown key version',
  'inappropriate hash algorithm',
  'key not for email',
];

/** The mailauth status that leakproof's evidence for one signature corresponds to (the table above). */
function mailauthEquivalent(sig: SignatureEvidence): MailauthStatus | MailauthStatus[] | 'not-reported' {
  if (sig.result === 'unsupported') return 'not-reported';
  if (sig.result === 'malformed') return { result: 'neutral', comment: '*' };
  // mailauth hashes the body first and stops when it does not match
  if (sig.bodyHash && !sig.bodyHash.matches)
    return { result: 'neutral', comment: 'body hash did not verify' };
  const weakKey = sig.weak.includes('key-under-1024-bits');
  switch (sig.result) {
    case 'pass':
      return weakKey ? { result: 'policy', comment: '' } : { result: 'pass', comment: '' };
    case 'body-altered': // unreachable: the body hash does not match
      return { result: 'neutral', comment: 'body hash did not verify' };
    case 'headers-altered':
    case 'key-mismatch':
      return weakKey ? { result: 'policy', comment: '' } : { result: 'fail', comment: 'bad signature' };
    case 'key-missing':
      return { result: 'neutral', comment: 'no key' };
    case 'key-revoked':
      return { result: 'neutral', comment: 'invalid public key' };
    case 'key-invalid':
      return KEY_INVALID_COMMENTS.map((comment) => ({ result: 'neutral', comment }));
    case 'expired':
      return { result: 'neutral', comment: 'expired' };
  }
}

interface MailauthResult {
  readonly signingDomain?: string;
  readonly selector?: string;
  readonly status: { readonly result: string; readonly comment?: string };
}

async function mailauth(bytes: Buffer, keys: Keys, curTime: Date): Promise<MailauthResult[]> {
  const { results } = await dkimVerify(bytes, { resolver: keys.resolver, curTime });
  return results as MailauthResult[];
}

/** Compare one message; returns the disagreements, and counts categories into `tally`. */
function compare(
  leak: readonly SignatureEvidence[],
  peer: readonly MailauthResult[],
  tally: Map<string, number>,
  label: string,
): string[] {
  const problems: string[] = [];
  if (leak.length === 0) {
    const ok = peer.length === 1 && peer[0]!.status.result === 'none';
    tally.set('unsigned <-> none', (tally.get('unsigned <-> none') ?? 0) + 1);
    return ok ? [] : [`${label}: leakproof unsigned, mailauth ${JSON.stringify(peer.map((p) => p.status))}`];
  }
  const reported = leak.filter((s) => mailauthEquivalent(s) !== 'not-reported');
  if (reported.length !== peer.length) {
    return [`${label}: ${reported.length} signatures for leakproof, ${peer.length} for mailauth`];
  }
  reported.forEach((sig, i) => {
    const p = peer[i]!;
    const got: MailauthStatus = { result: p.status.result, comment: p.status.comment ?? '' };
    const want = [mailauthEquivalent(sig)].flat() as MailauthStatus[];
    const agrees =
      p.signingDomain === sig.d &&
      p.selector === sig.s &&
      want.some((w) => w.result === got.result && (w.comment === '*' || w.comment === got.comment));
    const key = `${sig.result}${sig.bodyHash?.matches === false && sig.result !== 'body-altered' ? ' (body hash fails too)' : ''} <-> ${got.result}${got.comment ? ` "${got.comment}"` : ''}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
    if (!agrees) {
      problems.push(
        `${label} signature ${i} (d=${sig.d} s=${sig.s}): leakproof ${sig.result} (${sig.reason}); mailauth ${got.result} ${got.comment}`,
      );
    }
  });
  return problems;
}

// ---- the generated set ----

// Override to explore: LEAKPROOF_DIFF_SEED=7 LEAKPROOF_DIFF_BASES=2000 node --test test/dkim/differential-mailauth.test.ts
const SEED = Number(process.env['LEAKPROOF_DIFF_SEED'] ?? 20170505);
const BASES = Number(process.env['LEAKPROOF_DIFF_BASES'] ?? 160);
const UNSIGNED = 20;

describe('leakproof and mailauth agree on a generated set', () => {
  test(`${BASES} signed bases x ${VARIANTS.length} variants, plus ${UNSIGNED} unsigned messages`, async (t) => {
    const rng = new Rng(SEED);
    const keys = new Keys();
    const tally = new Map<string, number>();
    const disagreements: string[] = [];
    const unexpected: string[] = [];
    let messages = 0;
    let signatures = 0;
    const bySigner = { leakproof: 0, mailauth: 0 };
    const byVariant: Record<string, { messages: number; signatures: number; agree: number }> = {};

    for (let n = 0; n < BASES + UNSIGNED; n++) {
      const base = baseMessage(rng, n);
      const specs: SigSpec[] = [];
      let signed = base.bytes;
      if (n < BASES) {
        specs.push(sigSpec(rng, 'campaign.example', false));
        if (rng.chance(0.35)) specs.push(sigSpec(rng, 'mailer.example', true));
        for (const spec of specs) {
          signed = await sign(signed, spec, base.signedAt);
          bySigner[spec.signer]++;
        }
      }
      // Judged as of the signing time, or for some messages 40 days later (past a 30-day x=), the same
      // instant for both: leakproof's asOf and mailauth's curTime.
      const later = rng.chance(0.3);
      const checkAt = later ? new Date(base.signedAt.getTime() + 40 * 86_400_000) : base.signedAt;
      const asOf = later ? ({ kind: 'fixed', time: checkAt } as const) : undefined;
      const variants: readonly Variant[] = n < BASES ? VARIANTS : ['original'];
      for (const variant of variants) {
        const bytes = tamper(signed, variant, base.eol);
        const label = `seed ${SEED} message ${n} ${variant}${later ? ' (as of t= + 40 days)' : ''}`;
        const leak = verifyMessage(bytes, { keys: keys.lookup, asOf });
        const peer = await mailauth(bytes, keys, checkAt);
        messages++;
        signatures += leak.signatures.length;
        const found = compare(leak.signatures, peer, tally, label);
        disagreements.push(...found);
        const v = byVariant[variant] ?? { messages: 0, signatures: 0, agree: 0 };
        byVariant[variant] = v;
        v.messages++;
        v.signatures += leak.signatures.length;
        v.agree += leak.signatures.length - found.length;
        // specs were applied bottom-up; signatures are listed top-down
        [...specs].reverse().forEach((spec, i) => {
          const got = leak.signatures[i]?.result;
          const want = expectedLeakproof(spec, variant, later && spec.expiresInDays !== undefined);
          if (got !== want)
            unexpected.push(`${label} signature ${i} (${JSON.stringify(spec)}): ${got}, expected ${want}`);
        });
      }
    }

    t.diagnostic(
      `messages: ${messages}, signatures: ${signatures} (signed by leakproof ${bySigner.leakproof}, by mailauth ${bySigner.mailauth} before tampering)`,
    );
    for (const [variant, v] of Object.entries(byVariant)) {
      t.diagnostic(`${variant}: ${v.messages} messages, ${v.signatures} signatures, ${v.agree} agree`);
    }
    for (const [category, count] of [...tally].sort((a, b) => b[1] - a[1]))
      t.diagnostic(`${count} x ${category}`);
    t.diagnostic(`disagreements: ${disagreements.length}`);
    assert.ok(messages >= 1000, 'at least 1,000 messages');
    assert.deepEqual(unexpected, [], 'leakproof gives the result each tampering calls for');
    assert.deepEqual(disagreements, [], 'leakproof and mailauth agree under the mapping');
  });
});

// ---- where they differ by design, one case each ----

async function signed(
  opts: Partial<Parameters<typeof signMessage>[1]> & { selector: string; privateKey: KeyObject },
  at = new Date('2017-05-03T07:14:22Z'),
): Promise<Buffer> {
  const base = Buffer.from(
    'From: Julien <julien@campaign.example>\r\nTo: desk@newsroom.example\r\nSubject: Draft statement\r\n' +
      'Date: Wed, 03 May 2017 09:14:22 +0200\r\n\r\nPlease do not share the donor figures.\r\n',
  );
  return Buffer.from(
    signMessage(base, {
      domain: 'campaign.example',
      algorithm: 'rsa-sha256',
      canonicalization: 'relaxed/relaxed',
      timestamp: at,
      ...opts,
    }),
  );
}

describe('where leakproof and mailauth differ by design', () => {
  test('as-of time: mailauth judges x= against curTime, leakproof against the signature time', async (t) => {
    const keys = new Keys();
    const t2016 = new Date('2016-11-14T09:20:31Z');
    const bytes = await signed(
      { selector: 'r2048', privateKey: RSA2048, expiration: new Date(t2016.getTime() + 30 * 86_400_000) },
      t2016,
    );
    const today = new Date();
    const [asSigned] = verifyMessage(bytes, { keys: keys.lookup }).signatures;
    assert.equal(asSigned?.result, 'pass');
    assert.equal(asSigned?.time.expiredNow, true, 'the expiry is still reported, as information');
    assert.equal((await mailauth(bytes, keys, today))[0]?.status.comment, 'expired');
    // Same as-of time, same answer:
    assert.equal(
      verifyMessage(bytes, { keys: keys.lookup, asOf: { kind: 'now' } }).signatures[0]?.result,
      'expired',
    );
    assert.equal((await mailauth(bytes, keys, t2016))[0]?.status.result, 'pass');
    t.diagnostic('leakproof (as of signing) pass <-> mailauth (curTime today) neutral "expired"');
  });

  test('header check after a body-hash failure: mailauth stops, leakproof tells body-altered from headers-altered', async (t) => {
    const keys = new Keys();
    for (const [selector, privateKey] of [
      ['r2048', RSA2048],
      ['ed', ED25519],
    ] as const) {
      const bytes = await signed({
        selector,
        privateKey,
        algorithm: selector === 'ed' ? 'ed25519-sha256' : 'rsa-sha256',
      });
      const bodyOnly = Buffer.from(bytes.toString('latin1').replace('do not share', 'now share'), 'latin1');
      const both = Buffer.from(
        bodyOnly.toString('latin1').replace('Subject: Draft statement', 'Subject: Draft withdrawal'),
        'latin1',
      );
      const a = verifyMessage(bodyOnly, { keys: keys.lookup }).signatures[0]!;
      const b = verifyMessage(both, { keys: keys.lookup }).signatures[0]!;
      assert.equal(a.result, 'body-altered');
      assert.equal(a.headerSignature, 'verified', 'the signed headers are proven');
      assert.equal(b.result, 'headers-altered');
      assert.equal(b.headerSignature, 'failed');
      const at = new Date('2017-05-03T07:14:22Z');
      const ma = (await mailauth(bodyOnly, keys, at))[0]!.status;
      const mb = (await mailauth(both, keys, at))[0]!.status;
      assert.deepEqual([ma.result, ma.comment], ['neutral', 'body hash did not verify']);
      assert.deepEqual(
        [mb.result, mb.comment],
        ['neutral', 'body hash did not verify'],
        'mailauth cannot tell them apart',
      );
    }
    t.diagnostic(
      'body-altered and headers-altered (body changed too) <-> both neutral "body hash did not verify"',
    );
  });

  test('key-mismatch: a selector that now holds another RSA key is not a changed header', async (t) => {
    const keys = new Keys();
    const bytes = await signed({ selector: 'rekeyed', privateKey: RSA2048 });
    const atTime = new Date('2017-05-03T07:14:22Z');
    assert.equal(verifyMessage(bytes, { keys: keys.lookup }).signatures[0]?.result, 'key-mismatch');
    const ma = (await mailauth(bytes, keys, atTime))[0]!.status;
    assert.deepEqual([ma.result, ma.comment], ['fail', 'bad signature']);
    // With the right key, a changed Subject gives mailauth the very same answer:
    const right = await signed({ selector: 'r2048', privateKey: RSA2048 });
    const rightEdited = Buffer.from(
      right.toString('latin1').replace('Subject: Draft', 'Subject: Final'),
      'latin1',
    );
    assert.equal(verifyMessage(rightEdited, { keys: keys.lookup }).signatures[0]?.result, 'headers-altered');
    const mb = (await mailauth(rightEdited, keys, atTime))[0]!.status;
    assert.deepEqual([mb.result, mb.comment], ['fail', 'bad signature']);
    t.diagnostic('key-mismatch <-> fail "bad signature" (the same as headers-altered)');
  });

  test('an RSA key under 1024 bits: leakproof verifies and calls it weak, mailauth refuses it as policy', async (t) => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 512 });
    const keys = new Keys({ 'weak512._domainkey.campaign.example': record(privateKey) });
    const bytes = await signed({ selector: 'weak512', privateKey });
    const sig = verifyMessage(bytes, { keys: keys.lookup }).signatures[0]!;
    assert.equal(sig.result, 'pass');
    assert.deepEqual(sig.weak, ['key-under-1024-bits']);
    const ma = (await mailauth(bytes, keys, new Date('2017-05-03T07:14:22Z')))[0]! as MailauthResult & {
      status: { policy?: Record<string, string> };
    };
    assert.equal(ma.status.result, 'policy');
    assert.equal(ma.status.policy?.['dkim-rules'], 'weak-key');
    t.diagnostic('pass (weak: key-under-1024-bits) <-> policy, dkim-rules=weak-key');
  });
});
