/**
 * The verifier's forensic behaviour beyond pass/fail, on messages signed here with fresh keys:
 * as-of time, the header check after a body-hash failure, another key vs changed headers,
 * historical keys, record tags, caveats.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, test } from 'node:test';
import { signMessage } from '../../src/dkim/sign.ts';
import type { MessageResult } from '../../src/dkim/types.ts';
import { verifyMessage } from '../../src/dkim/verify.ts';
import type { KeyLookup, KeyProvenance, KeyRecord } from '../../src/keys/types.ts';

interface TestKey {
  privateKey: KeyObject;
  record: string;
}

function rsaKey(bits = 2048, extra = ''): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return { privateKey, record: `v=DKIM1; k=rsa;${extra} p=${p}` };
}

function edKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32).toString('base64');
  return { privateKey, record: `v=DKIM1; k=ed25519; p=${raw}` };
}

function lookup(records: { selector: string; domain: string; value: string; seen?: string }[]): KeyLookup {
  const all: KeyRecord[] = records.map((r, i) => ({
    selector: r.selector,
    domain: r.domain,
    value: r.value,
    provenance: { kind: 'key-file', origin: `test-record-${i}`, firstSeenAt: r.seen } satisfies KeyProvenance,
  }));
  return { lookup: (s, d) => all.filter((r) => r.selector === s && r.domain === d) };
}

const RSA = rsaKey();
const ED = edKey();
const SIGNED_AT = new Date('2015-03-02T10:00:00Z');
const MESSAGE = [
  'From: Alice Martin <alice@campaign.example>',
  'To: Bob <bob@campaign.example>',
  'Subject: Budget for the rally',
  'Date: Mon, 02 Mar 2015 11:00:00 +0100',
  'Message-ID: <budget-1@campaign.example>',
  '',
  'The rally budget is 40,000 euros.',
  'Please confirm by Friday.',
  '',
].join('\r\n');

function sign(
  key: TestKey,
  options: Partial<Parameters<typeof signMessage>[1]> = {},
  message = MESSAGE,
): Buffer {
  return Buffer.from(
    signMessage(Buffer.from(message), {
      domain: 'campaign.example',
      selector: 's2015',
      privateKey: key.privateKey,
      algorithm: key === ED ? 'ed25519-sha256' : 'rsa-sha256',
      canonicalization: 'relaxed/relaxed',
      timestamp: SIGNED_AT,
      ...options,
    }),
  );
}

const keys = lookup([{ selector: 's2015', domain: 'campaign.example', value: RSA.record }]);

function verify(
  bytes: Uint8Array,
  keyLookup: KeyLookup = keys,
  extra: Partial<Parameters<typeof verifyMessage>[1]> = {},
): MessageResult {
  return verifyMessage(bytes, { keys: keyLookup, now: new Date('2026-11-22T00:00:00Z'), ...extra });
}

function replace(bytes: Buffer, from: string, to: string): Buffer {
  const text = bytes.toString('latin1');
  assert.ok(text.includes(from), `message contains ${from}`);
  return Buffer.from(text.replace(from, to), 'latin1');
}

describe('results', () => {
  test('an intact message signed by its From domain is authentic, with full evidence', () => {
    const r = verify(sign(RSA));
    assert.equal(r.verdict, 'authentic', r.reason);
    const s = r.signatures[0]!;
    assert.equal(s.result, 'pass');
    assert.equal(s.headerSignature, 'verified');
    assert.equal(s.bodyHash?.matches, true);
    assert.equal(s.key?.bits, 2048);
    assert.equal(s.key?.provenance.origin, 'test-record-0');
    assert.deepEqual(s.signedHeaders.map((h) => h.name.toLowerCase()).sort(), [
      'date',
      'from',
      'message-id',
      'subject',
      'to',
    ]);
    assert.ok(s.signedHeaders.every((h) => h.fieldIndex !== null));
  });

  test('a changed body with intact headers is body-altered: the signed headers are still proven', () => {
    const r = verify(replace(sign(RSA), '40,000', '400,000'));
    assert.equal(r.verdict, 'altered');
    const s = r.signatures[0]!;
    assert.equal(s.result, 'body-altered');
    assert.equal(s.headerSignature, 'verified');
    assert.equal(s.bodyHash?.matches, false);
    assert.notEqual(s.bodyHash?.computed, s.bodyHash?.expected);
  });

  test('a changed signed header is headers-altered, named as a changed header (RSA padding intact)', () => {
    const r = verify(replace(sign(RSA), 'Budget for the rally', 'Budget for the party'));
    assert.equal(r.signatures[0]!.result, 'headers-altered');
    assert.match(r.signatures[0]!.reason, /signed header was changed/);
    assert.equal(r.verdict, 'altered');
  });

  test('a record holding another key is key-mismatch and unverifiable, never altered', () => {
    const other = rsaKey();
    const r = verify(
      sign(RSA),
      lookup([{ selector: 's2015', domain: 'campaign.example', value: other.record }]),
    );
    assert.equal(r.signatures[0]!.result, 'key-mismatch');
    assert.equal(r.verdict, 'unverifiable');
  });

  test('ed25519 cannot tell another key from a changed header, and says so', () => {
    const edKeys = lookup([{ selector: 's2015', domain: 'campaign.example', value: ED.record }]);
    assert.equal(verify(sign(ED), edKeys).verdict, 'authentic');
    const r = verify(replace(sign(ED), 'Budget for the rally', 'Budget for the party'), edKeys);
    assert.equal(r.signatures[0]!.result, 'headers-altered');
    assert.match(r.signatures[0]!.reason, /ed25519 cannot tell/);
  });

  test('no record is key-missing; an empty p= is key-revoked; both unverifiable', () => {
    assert.equal(verify(sign(RSA), lookup([])).signatures[0]!.result, 'key-missing');
    const revoked = verify(
      sign(RSA),
      lookup([{ selector: 's2015', domain: 'campaign.example', value: 'v=DKIM1; p=' }]),
    );
    assert.equal(revoked.signatures[0]!.result, 'key-revoked');
    assert.equal(revoked.verdict, 'unverifiable');
  });

  test('unsigned mail is unsigned', () => {
    assert.equal(verify(Buffer.from(MESSAGE)).verdict, 'unsigned');
  });

  test('an unknown algorithm is unsupported; a missing required tag is malformed', () => {
    const signed = sign(RSA);
    assert.equal(
      verify(replace(signed, 'a=rsa-sha256', 'a=rsa-sha512')).signatures[0]!.result,
      'unsupported',
    );
    assert.equal(verify(replace(signed, 'bh=', 'xh=')).signatures[0]!.result, 'malformed');
  });
});

describe('time', () => {
  const expiring = () => sign(RSA, { expiration: new Date('2015-04-01T00:00:00Z') });

  test('an x= long passed does not fail a message judged as of its signing time', () => {
    const r = verify(expiring());
    assert.equal(r.signatures[0]!.result, 'pass');
    assert.equal(r.signatures[0]!.time.asOfSource, 'signature-t');
    assert.equal(r.signatures[0]!.time.expiredNow, true, 'expiry today is reported as information');
    assert.equal(r.signatures[0]!.time.expiredAsOf, false);
  });

  test('--as-of now makes the same signature expired (unverifiable, not altered)', () => {
    const r = verify(expiring(), keys, { asOf: { kind: 'now' } });
    assert.equal(r.signatures[0]!.result, 'expired');
    assert.equal(r.verdict, 'unverifiable');
  });

  test('a fixed as-of date before x= passes', () => {
    const r = verify(expiring(), keys, { asOf: { kind: 'fixed', time: new Date('2015-03-15T00:00:00Z') } });
    assert.equal(r.signatures[0]!.result, 'pass');
  });

  test('without t=, the Date header is the signing time', () => {
    const r = verify(sign(RSA, { timestamp: undefined }));
    assert.equal(r.signatures[0]!.time.asOfSource, 'date-header');
    assert.equal(r.signatures[0]!.time.asOf, '2015-03-02T10:00:00.000Z');
  });
});

describe('keys', () => {
  test('several historical records: each is tried and the one that verified is reported', () => {
    const old = rsaKey();
    const r = verify(
      sign(RSA),
      lookup([
        { selector: 's2015', domain: 'campaign.example', value: old.record, seen: '2013-01-01' },
        { selector: 's2015', domain: 'campaign.example', value: RSA.record, seen: '2015-01-01' },
      ]),
    );
    const s = r.signatures[0]!;
    assert.equal(s.result, 'pass');
    assert.equal(s.keysTried.length, 2);
    assert.equal(s.keysTried[0]!.outcome, 'wrong-key');
    assert.equal(s.keysTried[1]!.outcome, 'verified');
    assert.equal(s.key?.provenance.origin, 'test-record-1');
  });

  test('record tags that forbid the use make the key invalid: h=, s=, k=, t=s, g=', () => {
    const p = RSA.record.split('p=')[1]!;
    const cases: [string, Partial<Parameters<typeof signMessage>[1]>][] = [
      [`v=DKIM1; h=sha1; p=${p}`, {}],
      [`v=DKIM1; s=other; p=${p}`, {}],
      [`v=DKIM1; k=ed25519; p=${p}`, {}],
      [`v=DKIM1; t=s; p=${p}`, { identity: 'alice@mail.campaign.example' }],
      [`v=DKIM1; g=bob; p=${p}`, { identity: 'alice@campaign.example' }],
    ];
    for (const [record, options] of cases) {
      const r = verify(
        sign(RSA, options),
        lookup([{ selector: 's2015', domain: 'campaign.example', value: record }]),
      );
      assert.equal(r.signatures[0]!.result, 'key-invalid', record);
    }
    const ok = verify(
      sign(RSA, { identity: 'alice@campaign.example' }),
      lookup([
        { selector: 's2015', domain: 'campaign.example', value: `v=DKIM1; g=ali*; t=s; s=email; p=${p}` },
      ]),
    );
    assert.equal(ok.signatures[0]!.result, 'pass');
  });

  test('a key under 1024 bits and rsa-sha1 verify but are reported weak', () => {
    const small = rsaKey(768);
    const r = verify(
      sign(small, { algorithm: 'rsa-sha1' }),
      lookup([{ selector: 's2015', domain: 'campaign.example', value: small.record }]),
    );
    assert.equal(r.signatures[0]!.result, 'pass');
    assert.deepEqual([...r.signatures[0]!.weak].sort(), ['key-under-1024-bits', 'rsa-sha1']);
    assert.equal(r.verdict, 'authentic-with-caveats');
    assert.deepEqual(r.caveats.map((c) => c.code).sort(), ['weak-hash', 'weak-key']);
  });

  test('t=y is reported as a testing key', () => {
    const r = verify(
      sign(RSA),
      lookup([
        { selector: 's2015', domain: 'campaign.example', value: RSA.record.replace('k=rsa;', 'k=rsa; t=y;') },
      ]),
    );
    assert.ok(r.caveats.some((c) => c.code === 'testing-key'));
  });
});

describe('what a pass covers', () => {
  test('content after l= is counted and makes the pass conditional', () => {
    const signed = sign(RSA, { bodyLength: 'all' });
    const r = verify(Buffer.concat([signed, Buffer.from('P.S. Send the money to account 12345.\r\n')]));
    const s = r.signatures[0]!;
    assert.equal(s.result, 'pass');
    assert.equal(s.body?.bytesBeyondLimit, 'P.S. Send the money to account 12345.\r\n'.length);
    assert.equal(r.verdict, 'authentic-with-caveats');
    assert.ok(r.caveats.some((c) => c.code === 'partial-body'));
  });

  test('a body cut shorter than l= is body-altered', () => {
    const signed = sign(RSA, { bodyLength: 'all' });
    const r = verify(replace(signed, 'Please confirm by Friday.\r\n', ''));
    assert.equal(r.signatures[0]!.result, 'body-altered');
    assert.match(r.signatures[0]!.reason, /shorter than l=/);
  });

  test('a prepended From that was not over-signed passes, with the unsigned instance named', () => {
    const signed = sign(RSA);
    const r = verify(Buffer.concat([Buffer.from('From: Mallory <mallory@campaign.example>\r\n'), signed]));
    assert.equal(r.signatures[0]!.result, 'pass');
    assert.deepEqual(r.signatures[0]!.unsignedInstances, [{ name: 'From', fieldIndex: 0 }]);
    assert.equal(r.verdict, 'authentic-with-caveats');
    assert.ok(r.caveats.some((c) => c.code === 'unsigned-header-instance'));
  });

  test('an over-signed From makes a prepended From break the signature', () => {
    const signed = sign(RSA, { oversign: ['from'] });
    const r = verify(Buffer.concat([Buffer.from('From: Mallory <mallory@campaign.example>\r\n'), signed]));
    assert.equal(r.signatures[0]!.result, 'headers-altered');
  });

  test('a third-party signer passes with a caveat; an aligned subdomain signer does not need one', () => {
    const thirdParty = lookup([{ selector: 's2015', domain: 'mailer.example', value: RSA.record }]);
    const r = verify(sign(RSA, { domain: 'mailer.example' }), thirdParty);
    assert.equal(r.verdict, 'authentic-with-caveats');
    assert.ok(r.caveats.some((c) => c.code === 'third-party-signer'));
    const sub = lookup([{ selector: 's2015', domain: 'mail.campaign.example', value: RSA.record }]);
    assert.equal(verify(sign(RSA, { domain: 'mail.campaign.example' }), sub).verdict, 'authentic');
  });

  test('a displayed header left out of h= is a caveat', () => {
    const r = verify(sign(RSA, { headers: ['from', 'date', 'message-id', 'to'] }));
    assert.equal(r.verdict, 'authentic-with-caveats');
    assert.match(r.caveats.find((c) => c.code === 'headers-not-covered')!.text, /subject/);
  });

  test('every signature has its own result; one passing aligned signature decides', () => {
    const esp = rsaKey();
    const both = signMessage(sign(RSA), {
      domain: 'mailer.example',
      selector: 'esp',
      privateKey: esp.privateKey,
      algorithm: 'rsa-sha256',
      canonicalization: 'relaxed/relaxed',
    });
    const r = verify(both, lookup([{ selector: 's2015', domain: 'campaign.example', value: RSA.record }]));
    assert.deepEqual(
      r.signatures.map((s) => [s.d, s.result]),
      [
        ['mailer.example', 'key-missing'],
        ['campaign.example', 'pass'],
      ],
    );
    assert.equal(r.verdict, 'authentic');
  });
});

describe('input', () => {
  test('LF-only storage of a CRLF-signed message verifies (the wire form is CRLF)', () => {
    const lf = Buffer.from(sign(RSA).toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    assert.equal(verify(lf).signatures[0]!.result, 'pass');
  });

  test('an empty input is unverifiable with a coded error, not a throw', () => {
    const r = verify(new Uint8Array(0));
    assert.equal(r.verdict, 'unverifiable');
    assert.equal(r.inputError?.code, 'message-empty');
  });

  test('a header section over the limit is unverifiable with header-section-too-large', () => {
    const r = verify(sign(RSA), keys, { limits: { maxHeaderBytes: 100, maxHeaderFields: 1000 } });
    assert.equal(r.inputError?.code, 'header-section-too-large');
  });
});
