/*
 * Writes examples/: sample messages (in mail/) signed with the project's own test keys, tampered copies
 * beside them, an mbox, and the public key records. Deterministic: fixed times, and RSA (PKCS#1 v1.5) and
 * Ed25519 signatures depend only on key and data, so a run reproduces the committed bytes exactly.
 * The keys are generated once, when examples/keys/ does not have them, and committed.
 *
 *   node scripts/make-examples.ts          write examples/
 *   node scripts/make-examples.ts --check  exit 1 if examples/ differs from what this script makes
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SigningAlgorithm, type SigningCanonicalization, signMessage } from '../src/dkim/sign.ts';

export const EXAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples');

interface TestKey {
  readonly domain: string;
  readonly selector: string;
  readonly type: 'rsa-1024' | 'rsa-2048' | 'ed25519';
  /** False for the key whose record is deliberately left out of keys.txt (the key-missing example). */
  readonly published: boolean;
  readonly note: string;
}

export const TEST_KEYS: readonly TestKey[] = [
  {
    domain: 'campaign.example',
    selector: 's2017',
    type: 'rsa-2048',
    published: true,
    note: 'campaign mail, 2017',
  },
  {
    domain: 'campaign.example',
    selector: 'ed2017',
    type: 'ed25519',
    published: true,
    note: 'campaign mail, Ed25519',
  },
  {
    domain: 'campaign.example',
    selector: 'legacy',
    type: 'rsa-1024',
    published: true,
    note: 'an old internal system',
  },
  {
    domain: 'campaign.example',
    selector: 's2016',
    type: 'rsa-2048',
    published: true,
    note: 'campaign mail, 2016',
  },
  {
    domain: 'mailer.example',
    selector: 'esp1',
    type: 'rsa-2048',
    published: true,
    note: 'a bulk-mail provider',
  },
  {
    domain: 'campaign.example',
    selector: 'k2017b',
    type: 'rsa-2048',
    published: false,
    note: 'not in keys.txt: as when a key left DNS before anyone archived it',
  },
];

const keyFile = (k: TestKey) => join(EXAMPLES_DIR, 'keys', `${k.selector}._domainkey.${k.domain}.pem`);

/** Read the committed private keys; generate (and write) any that are missing when `create` is set. */
export function loadKeys(create: boolean): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const k of TEST_KEYS) {
    const path = keyFile(k);
    if (!existsSync(path)) {
      if (!create) throw new Error(`missing test key ${path}`);
      const pair =
        k.type === 'ed25519'
          ? generateKeyPairSync('ed25519')
          : generateKeyPairSync('rsa', { modulusLength: k.type === 'rsa-1024' ? 1024 : 2048 });
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    }
    keys.set(`${k.selector}.${k.domain}`, createPrivateKey(readFileSync(path)));
  }
  return keys;
}

/** `selector._domainkey.domain TXT-value` lines, the ../shared/vectors key-file format. */
export function keysTxt(keys: Map<string, KeyObject>): string {
  let out =
    "# Public records of leakproof's example keys. PUBLIC TEST KEYS: their private halves are in this\n" +
    '# folder, so anyone can sign anything with them. Never trust a signature made with them.\n' +
    '# Format: selector._domainkey.domain TXT-value (one record a line, as in ../shared/vectors).\n';
  for (const k of TEST_KEYS) {
    if (!k.published) continue;
    const pub = keys.get(`${k.selector}.${k.domain}`)!;
    const p =
      k.type === 'ed25519'
        ? Buffer.from(pub.export({ format: 'jwk' }).x!, 'base64url').toString('base64') // RFC 8463: the raw 32 bytes
        : createPublicDer(pub);
    out += `# ${k.note} (${k.type})\n${k.selector}._domainkey.${k.domain} v=DKIM1; k=${k.type === 'ed25519' ? 'ed25519' : 'rsa'}; p=${p}\n`;
  }
  return out;
}

function createPublicDer(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).toString('base64');
}

/** A message with LF line endings, as a leaked .eml usually sits on disk; verifiers read LF as CRLF. */
function message(headers: readonly (readonly [string, string])[], body: string): Buffer {
  const head = headers.map(([name, value]) => `${name}: ${value}\n`).join('');
  return Buffer.from(`${head}\n${body.replace(/^\n/, '')}`, 'utf8');
}

const PLAIN = [
  ['MIME-Version', '1.0'],
  ['Content-Type', 'text/plain; charset=utf-8'],
  ['Content-Transfer-Encoding', '8bit'],
] as const;

interface SignSpec {
  readonly key: string; // selector.domain
  readonly algorithm: SigningAlgorithm;
  readonly canonicalization: SigningCanonicalization;
  readonly at: Date;
  readonly expiration?: Date;
  readonly bodyLength?: 'all';
}

function signWith(keys: Map<string, KeyObject>, bytes: Uint8Array, spec: SignSpec): Uint8Array {
  const dot = spec.key.indexOf('.');
  return signMessage(bytes, {
    selector: spec.key.slice(0, dot),
    domain: spec.key.slice(dot + 1),
    privateKey: keys.get(spec.key)!,
    algorithm: spec.algorithm,
    canonicalization: spec.canonicalization,
    timestamp: spec.at,
    expiration: spec.expiration,
    bodyLength: spec.bodyLength,
  });
}

function replaceOnce(bytes: Uint8Array, from: string, to: string): Buffer {
  const text = Buffer.from(bytes).toString('utf8');
  if (text.split(from).length !== 2) throw new Error(`expected exactly one ${JSON.stringify(from)}`);
  return Buffer.from(text.replace(from, to), 'utf8');
}

/** Every file of examples/ except the private keys, by path relative to examples/. */
export function buildExamples(keys: Map<string, KeyObject>): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const may3 = new Date('2017-05-03T07:14:22Z');

  const statement = message(
    [
      ['From', 'Julien Lefèvre <julien.lefevre@campaign.example>'],
      ['To', 'Sophie Martin <sophie.martin@campaign.example>'],
      ['Cc', 'press@campaign.example'],
      ['Subject', "Draft statement for Thursday's rally"],
      ['Date', 'Wed, 03 May 2017 09:14:22 +0200'],
      ['Message-ID', '<20170503091422.4f2a91@campaign.example>'],
      ...PLAIN,
    ],
    `
Sophie,

Here is the draft for Thursday. Claire wants it short: three points, no
numbers we cannot source, and nothing about the debate.

1. Thank the volunteers in Lyon and Lille by name.
2. Announce the last town hall, Friday 19:00, Salle Rameau.
3. Repeat the line on the energy plan from Monday's interview.

Please do not share the donor figures before Friday. Finance is still
reconciling the April transfers and the numbers will move.

Comments by noon, please.

Julien
`,
  );
  const authentic = signWith(keys, statement, {
    key: 's2017.campaign.example',
    algorithm: 'rsa-sha256',
    canonicalization: 'relaxed/relaxed',
    at: may3,
  });
  out.set('mail/01-authentic.eml', authentic);

  out.set(
    'mail/02-authentic-ed25519.eml',
    signWith(
      keys,
      message(
        [
          ['From', 'Sophie Martin <sophie.martin@campaign.example>'],
          ['To', 'desk@newsroom.example'],
          ['Subject', 'Revised schedule: Lyon town hall'],
          ['Date', 'Thu, 04 May 2017 16:02:10 +0200'],
          ['Message-ID', '<20170504160210.77c3@campaign.example>'],
          ...PLAIN,
        ],
        `
Hello,

The Lyon town hall moves from Saturday to Friday evening. Doors open at
18:30 at the Halle Tony-Garnier; accreditation closes Thursday at 20:00.

Élodie Garnier will meet camera crews at the east entrance.

Sophie Martin
Press office
`,
      ),
      {
        key: 'ed2017.campaign.example',
        algorithm: 'ed25519-sha256',
        canonicalization: 'relaxed/relaxed',
        at: new Date('2017-05-04T14:02:10Z'),
      },
    ),
  );

  out.set(
    'mail/03-weak-sha1.eml',
    signWith(
      keys,
      message(
        [
          ['From', 'Volunteer portal <no-reply@campaign.example>'],
          ['To', 'marc.dubois@mail.example'],
          ['Subject', 'Your volunteer portal password was changed'],
          ['Date', 'Tue, 02 May 2017 22:41:05 +0200'],
          ['Message-ID', '<portal.20170502224105.118@campaign.example>'],
          ...PLAIN,
        ],
        `
Hello Marc,

The password of your volunteer portal account was changed on
2 May 2017 at 22:40. If you did not do this, write to
support@campaign.example.

The campaign team
`,
      ),
      {
        key: 'legacy.campaign.example',
        algorithm: 'rsa-sha1',
        canonicalization: 'simple/simple',
        at: new Date('2017-05-02T20:41:05Z'),
      },
    ),
  );

  out.set(
    'mail/04-third-party-signer.eml',
    signWith(
      keys,
      message(
        [
          ['From', 'Claire Moreau <newsletter@campaign.example>'],
          ['To', 'supporter-48213@mail.example'],
          ['Subject', 'Five days to go'],
          ['Date', 'Tue, 02 May 2017 08:00:00 +0200'],
          ['Message-ID', '<nl-20170502-48213@mailer.example>'],
          ['List-Unsubscribe', '<https://mailer.example/u/48213>'],
          ...PLAIN,
        ],
        `
Dear friend,

Five days. Every conversation you have this week matters more than any
poster. Bring one person to a meeting before Sunday.

Claire
`,
      ),
      {
        key: 'esp1.mailer.example',
        algorithm: 'rsa-sha256',
        canonicalization: 'relaxed/relaxed',
        at: new Date('2017-05-02T06:00:00Z'),
      },
    ),
  );

  // Signed with l= covering the body as sent; the list server then appended its footer.
  const listPost = signWith(
    keys,
    message(
      [
        ['From', 'Julien Lefèvre <julien.lefevre@campaign.example>'],
        ['To', 'volunteers@list.example'],
        ['Subject', 'Leaflets for the weekend'],
        ['Date', 'Mon, 01 May 2017 18:30:00 +0200'],
        ['Message-ID', '<20170501183000.9e01@campaign.example>'],
        ...PLAIN,
      ],
      `
Hi all,

The new leaflets are at the Lille office from Wednesday. Take a box per
team; the old ones go back for recycling.

Julien
`,
    ),
    {
      key: 's2017.campaign.example',
      algorithm: 'rsa-sha256',
      canonicalization: 'relaxed/simple',
      at: new Date('2017-05-01T16:30:00Z'),
      bodyLength: 'all',
    },
  );
  out.set(
    'mail/05-partial-body-appended.eml',
    Buffer.concat([
      Buffer.from('List-Id: Campaign volunteers <volunteers.list.example>\n'),
      listPost,
      Buffer.from(
        '\n-- \nPS from the list: the meeting point has moved to the station car park.\n' +
          'You receive this because you joined volunteers@list.example.\n',
      ),
    ]),
  );

  out.set('mail/06-tampered-body.eml', replaceOnce(authentic, 'Please do not share', 'Please now share'));
  out.set(
    'mail/07-tampered-subject.eml',
    replaceOnce(
      authentic,
      "Subject: Draft statement for Thursday's rally",
      'Subject: Draft statement: we withdraw',
    ),
  );
  out.set(
    'mail/08-prepended-from.eml',
    Buffer.concat([Buffer.from('From: Claire Moreau <claire.moreau@campaign.example>\n'), authentic]),
  );

  out.set(
    'mail/09-unsigned.eml',
    message(
      [
        ['From', 'Treasurer <treasurer@campaign.example>'],
        ['To', 'Julien Lefèvre <julien.lefevre@campaign.example>'],
        ['Subject', 'Transfer confirmation'],
        ['Date', 'Wed, 03 May 2017 11:05:47 +0200'],
        ['Message-ID', '<3f9c2b1e-transfer@campaign.example>'],
        ...PLAIN,
      ],
      `
Julien,

The transfer you asked for has gone out. Reference and amount in the
attached note, as usual.

Treasurer
`,
    ),
  );

  out.set(
    'mail/10-key-missing.eml',
    signWith(
      keys,
      message(
        [
          ['From', 'Press office <press@campaign.example>'],
          ['To', 'desk@newsroom.example'],
          ['Subject', 'Statement on the leaked documents'],
          ['Date', 'Fri, 05 May 2017 23:56:00 +0200'],
          ['Message-ID', '<20170505235600.2c7d@campaign.example>'],
          ...PLAIN,
        ],
        `
The campaign has been the target of a massive and coordinated hacking
operation. The documents circulating tonight were obtained illegally,
and false documents have been mixed in with authentic ones.

Press office
`,
      ),
      {
        key: 'k2017b.campaign.example',
        algorithm: 'rsa-sha256',
        canonicalization: 'relaxed/relaxed',
        at: new Date('2017-05-05T21:56:00Z'),
      },
    ),
  );

  const nov2016 = new Date('2016-11-14T09:20:31Z');
  out.set(
    'mail/11-expired-2016.eml',
    signWith(
      keys,
      message(
        [
          ['From', 'Julien Lefèvre <julien.lefevre@campaign.example>'],
          ['To', 'it@campaign.example'],
          ['Subject', 'Volunteer database: who has access'],
          ['Date', 'Mon, 14 Nov 2016 10:20:31 +0100'],
          ['Message-ID', '<20161114102031.51aa@campaign.example>'],
          ...PLAIN,
        ],
        `
Hi,

Before we open the volunteer database to the regional teams, can you
send me the list of everyone with write access? Two-factor for all of
them, please.

Julien
`,
      ),
      {
        key: 's2016.campaign.example',
        algorithm: 'rsa-sha256',
        canonicalization: 'relaxed/simple',
        at: nov2016,
        expiration: new Date(nov2016.getTime() + 30 * 86_400_000),
      },
    ),
  );

  // An mbox (mboxrd) holding three of them, each after its `From ` line, ended by a blank line.
  const mbox = [
    ['mail/01-authentic.eml', 'From julien.lefevre@campaign.example Wed May  3 09:14:22 2017'],
    ['mail/06-tampered-body.eml', 'From julien.lefevre@campaign.example Wed May  3 09:14:22 2017'],
    ['mail/09-unsigned.eml', 'From treasurer@campaign.example Wed May  3 11:05:47 2017'],
  ] as const;
  out.set(
    'mail/mailbox.mbox',
    Buffer.concat(
      mbox.map(([file, fromLine]) => {
        const text = Buffer.from(out.get(file)!).toString('latin1');
        const escaped = text.replace(/^(>*From )/gm, '>$1');
        return Buffer.from(`${fromLine}\n${escaped}${escaped.endsWith('\n') ? '' : '\n'}\n`, 'latin1');
      }),
    ),
  );

  out.set('keys/keys.txt', Buffer.from(keysTxt(keys)));
  return out;
}

if (import.meta.main) {
  const check = process.argv.includes('--check');
  const files = buildExamples(loadKeys(!check));
  let differ = 0;
  for (const [name, bytes] of files) {
    const path = join(EXAMPLES_DIR, name);
    if (check) {
      if (!existsSync(path) || !Buffer.from(bytes).equals(readFileSync(path))) {
        console.error(`differs: examples/${name}`);
        differ++;
      }
    } else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes);
    }
  }
  if (check) {
    console.log(differ ? `${differ} file(s) differ` : `examples/ is up to date (${files.size} files)`);
    process.exitCode = differ ? 1 : 0;
  } else {
    console.log(`wrote ${files.size} files to examples/`);
  }
}
