import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { buildExamples, EXAMPLES_DIR, loadKeys } from '../../scripts/make-examples.ts';
import { type SigningAlgorithm, type SigningCanonicalization, signMessage } from '../../src/dkim/sign.ts';
import { verifyMessage } from '../../src/dkim/verify.ts';
import { KeyStore } from '../../src/keys/store.ts';

// The project's public test keys (examples/keys): deterministic, and no key generation in tests.
const pem = (name: string) => readFileSync(join(EXAMPLES_DIR, 'keys', `${name}.pem`), 'utf8');
const KEYS = {
  rsa2048: createPrivateKey(pem('s2017._domainkey.campaign.example')),
  rsa1024: createPrivateKey(pem('legacy._domainkey.campaign.example')),
  ed25519: createPrivateKey(pem('ed2017._domainkey.campaign.example')),
};
const SIGNED_AT = new Date('2017-05-03T07:14:22Z');

function record(key: KeyObject): string {
  const pub = createPublicKey(key);
  return pub.asymmetricKeyType === 'ed25519'
    ? `v=DKIM1; k=ed25519; p=${Buffer.from(pub.export({ format: 'jwk' }).x!, 'base64url').toString('base64')}`
    : `v=DKIM1; k=rsa; p=${pub.export({ type: 'spki', format: 'der' }).toString('base64')}`;
}

const RECORDS = new Map<string, string>([
  ['r2048._domainkey.campaign.example', record(KEYS.rsa2048)],
  ['r1024._domainkey.campaign.example', record(KEYS.rsa1024)],
  ['ed._domainkey.campaign.example', record(KEYS.ed25519)],
]);

async function resolver(name: string): Promise<string[][]> {
  const value = RECORDS.get(name.toLowerCase());
  if (value === undefined) throw Object.assign(new Error(`no TXT record for ${name}`), { code: 'ENOTFOUND' });
  return [[value]];
}

// leakproof's key store, over the same records.
const lookup = new KeyStore();
for (const [name, value] of RECORDS) {
  const [selector, domain] = name.split('._domainkey.') as [string, string];
  lookup.add({ selector, domain, value, provenance: { kind: 'key-file', origin: 'test' } });
}

async function mailauthResults(bytes: Uint8Array, curTime = SIGNED_AT) {
  const { results } = await dkimVerify(Buffer.from(bytes), { resolver, curTime });
  return results.map((r) => ({ result: r.status.result, comment: r.status.comment ?? '' }));
}

function sample(eol: string): Buffer {
  return Buffer.from(
    [
      'From: Julien Lefevre <julien.lefevre@campaign.example>',
      'To: Sophie Martin <sophie.martin@campaign.example>',
      'Subject: Draft statement   for',
      '\t Thursday',
      'Date: Wed, 03 May 2017 09:14:22 +0200',
      'Message-ID: <1@campaign.example>',
      'X-Not-Signed: whatever',
      '',
      'Sophie,  here is the draft. \t',
      '',
      'Julien',
      '',
      '',
    ].join(eol),
  );
}

const ALGORITHMS: readonly [SigningAlgorithm, KeyObject, string][] = [
  ['rsa-sha256', KEYS.rsa2048, 'r2048'],
  ['rsa-sha1', KEYS.rsa1024, 'r1024'],
  ['ed25519-sha256', KEYS.ed25519, 'ed'],
];
const CANONICALIZATIONS: readonly SigningCanonicalization[] = [
  'simple/simple',
  'relaxed/relaxed',
  'relaxed/simple',
  'simple/relaxed',
];

describe('signMessage output verifies with mailauth', () => {
  for (const [algorithm, privateKey, selector] of ALGORITHMS) {
    for (const canonicalization of CANONICALIZATIONS) {
      for (const [eolName, eol] of [
        ['CRLF', '\r\n'],
        ['LF', '\n'],
      ] as const) {
        test(`${algorithm} ${canonicalization} ${eolName}`, async () => {
          const signed = signMessage(sample(eol), {
            domain: 'campaign.example',
            selector,
            privateKey,
            algorithm,
            canonicalization,
            timestamp: SIGNED_AT,
          });
          assert.deepEqual(await mailauthResults(signed), [{ result: 'pass', comment: '' }]);
        });
      }
    }
  }

  test('l= with a count, l= for the whole body, appended text after l=', async () => {
    const base = { domain: 'campaign.example', selector: 'r2048', privateKey: KEYS.rsa2048 } as const;
    for (const canonicalization of CANONICALIZATIONS) {
      const partial = signMessage(sample('\r\n'), {
        ...base,
        algorithm: 'rsa-sha256',
        canonicalization,
        bodyLength: 10,
      });
      assert.match(Buffer.from(partial).toString(), /; l=10;/);
      assert.deepEqual(await mailauthResults(partial), [{ result: 'pass', comment: '' }]);
      const whole = signMessage(sample('\r\n'), {
        ...base,
        algorithm: 'rsa-sha256',
        canonicalization,
        bodyLength: 'all',
      });
      const appended = Buffer.concat([Buffer.from(whole), Buffer.from('appended after signing\r\n')]);
      assert.deepEqual(await mailauthResults(appended), [{ result: 'pass', comment: '' }]);
      // l= never claims more bytes than the body has
      const capped = signMessage(sample('\r\n'), {
        ...base,
        algorithm: 'rsa-sha256',
        canonicalization,
        bodyLength: 1e6,
      });
      assert.doesNotMatch(Buffer.from(capped).toString(), /l=1000000/);
    }
  });

  test('i=, t= and x=', async () => {
    const signed = signMessage(sample('\r\n'), {
      domain: 'campaign.example',
      selector: 'ed',
      privateKey: KEYS.ed25519,
      algorithm: 'ed25519-sha256',
      canonicalization: 'relaxed/relaxed',
      identity: 'julien.lefevre@press.campaign.example',
      timestamp: SIGNED_AT,
      expiration: new Date(SIGNED_AT.getTime() + 86_400_000),
    });
    const text = Buffer.from(signed).toString();
    assert.match(text, /i=julien\.lefevre@press\.campaign\.example;/);
    assert.match(text, /t=1493795662;/);
    assert.match(text, /x=1493882062;/);
    assert.deepEqual(await mailauthResults(signed), [{ result: 'pass', comment: '' }]);
    assert.equal((await mailauthResults(signed, new Date('2018-01-01')))[0]?.comment, 'expired');
  });

  test('over-signing: a From added later breaks the signature only when From is over-signed', async () => {
    const opts = {
      domain: 'campaign.example',
      selector: 'r2048',
      privateKey: KEYS.rsa2048,
      algorithm: 'rsa-sha256',
      canonicalization: 'relaxed/relaxed',
    } as const;
    const extraFrom = Buffer.from('From: someone-else@campaign.example\r\n');
    const plain = signMessage(sample('\r\n'), opts);
    const over = signMessage(sample('\r\n'), { ...opts, oversign: ['from'] });
    assert.match(Buffer.from(over).toString(), /h=from:.*from;/s);
    assert.deepEqual(await mailauthResults(over), [{ result: 'pass', comment: '' }]);
    assert.deepEqual(await mailauthResults(Buffer.concat([extraFrom, plain])), [
      { result: 'pass', comment: '' },
    ]);
    assert.deepEqual(await mailauthResults(Buffer.concat([extraFrom, over])), [
      { result: 'fail', comment: 'bad signature' },
    ]);
  });

  test('a second signature on top of the first: both verify', async () => {
    const first = signMessage(sample('\r\n'), {
      domain: 'campaign.example',
      selector: 'r2048',
      privateKey: KEYS.rsa2048,
      algorithm: 'rsa-sha256',
      canonicalization: 'simple/simple',
    });
    const second = signMessage(first, {
      domain: 'campaign.example',
      selector: 'ed',
      privateKey: KEYS.ed25519,
      algorithm: 'ed25519-sha256',
      canonicalization: 'relaxed/relaxed',
      headers: ['from', 'subject', 'dkim-signature'],
    });
    assert.deepEqual(await mailauthResults(second), [
      { result: 'pass', comment: '' },
      { result: 'pass', comment: '' },
    ]);
  });
});

describe('signMessage output shape', () => {
  test('the field is folded to at most 78 columns, and signing is deterministic', () => {
    for (const [algorithm, privateKey, selector] of ALGORITHMS) {
      const opts = {
        domain: 'campaign.example',
        selector,
        privateKey,
        algorithm,
        canonicalization: 'relaxed/relaxed',
        identity: 'a.rather.long.local.part@campaign.example',
        timestamp: SIGNED_AT,
        oversign: ['from', 'to', 'cc', 'subject', 'date', 'reply-to', 'message-id'],
      } as const;
      const a = Buffer.from(signMessage(sample('\r\n'), opts));
      const b = Buffer.from(signMessage(sample('\r\n'), opts));
      assert.ok(a.equals(b), `${algorithm} is deterministic`);
      const field = a.toString().split('\r\nFrom:')[0]!;
      for (const line of field.split('\r\n')) assert.ok(line.length <= 78, `${line.length} columns: ${line}`);
    }
  });

  test('keeps the line endings of the message, signs only present default headers', () => {
    const signed = Buffer.from(
      signMessage(sample('\n'), {
        domain: 'campaign.example',
        selector: 'r2048',
        privateKey: pem('s2017._domainkey.campaign.example'),
        algorithm: 'rsa-sha256',
        canonicalization: 'simple/simple',
      }),
    ).toString();
    assert.doesNotMatch(signed, /\r/);
    assert.match(signed, /h=from:subject:date:message-id:to;/);
  });

  test('refuses a key of the wrong type, an unsigned From, x= before t=', () => {
    const base = { domain: 'campaign.example', selector: 's', canonicalization: 'relaxed/relaxed' } as const;
    assert.throws(() =>
      signMessage(sample('\r\n'), { ...base, privateKey: KEYS.ed25519, algorithm: 'rsa-sha256' }),
    );
    assert.throws(() =>
      signMessage(sample('\r\n'), {
        ...base,
        privateKey: KEYS.rsa2048,
        algorithm: 'rsa-sha256',
        headers: ['subject'],
      }),
    );
    assert.throws(() =>
      signMessage(sample('\r\n'), {
        ...base,
        privateKey: KEYS.rsa2048,
        algorithm: 'rsa-sha256',
        timestamp: SIGNED_AT,
        expiration: SIGNED_AT,
      }),
    );
  });
});

describe("mailauth's signatures verify with leakproof", () => {
  for (const [algorithm, privateKey, selector] of ALGORITHMS) {
    for (const canonicalization of CANONICALIZATIONS) {
      test(`${algorithm} ${canonicalization}`, async () => {
        for (const maxBodyLength of [undefined, 12]) {
          const message = sample('\r\n');
          const { signatures, errors } = await dkimSign(message, {
            signTime: SIGNED_AT,
            signatureData: [
              {
                signingDomain: 'campaign.example',
                selector,
                privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
                algorithm,
                canonicalization,
                ...(maxBodyLength === undefined ? {} : { maxBodyLength }),
              },
            ],
          } as Parameters<typeof dkimSign>[1]);
          assert.deepEqual(errors, []);
          const result = verifyMessage(Buffer.concat([Buffer.from(signatures), message]), { keys: lookup });
          assert.deepEqual(
            result.signatures.map((s) => s.result),
            ['pass'],
            result.signatures.map((s) => s.reason).join('; '),
          );
        }
      });
    }
  }
});

describe('examples/', () => {
  test('the committed examples are exactly what scripts/make-examples.ts makes', () => {
    for (const [name, bytes] of buildExamples(loadKeys(false))) {
      assert.ok(
        Buffer.from(bytes).equals(readFileSync(join(EXAMPLES_DIR, name))),
        `examples/${name} is up to date`,
      );
    }
  });
});
