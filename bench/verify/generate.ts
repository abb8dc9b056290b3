/**
 * Generates the DKIM verification benchmark corpus: N messages with a realistic size mix (2 KB to 2 MB,
 * most small, a minority with attachments), realistic headers, signed by mailauth (an independent
 * signer, so leakproof is not grading its own homework), ~5% tampered after signing.
 *
 *   node bench/verify/generate.ts [--messages 20000] [--seed 1] [--out DIR] [--force]
 *
 * Writes DIR (default bench/corpus/verify/<N>-seed<S>/, gitignored): eml/NNN/NNNNNN.eml, corpus.mbox,
 * keys.txt (`selector._domainkey.domain TXT-value`), manifest.json, all.txt and subset-2000.txt (the
 * fixed random subset slow peers run on). Deterministic: the same seed and count give the same bytes.
 * Idempotent: an existing corpus with the same parameters is left alone.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type DKIMSignOptions, dkimSign } from 'mailauth';
import {
  asctime,
  attachmentKind,
  base64Lines,
  encodeWord,
  hex,
  html,
  ipv4,
  mailbox,
  makeOrg,
  type Org,
  type Person,
  prose,
  quotedPrintable,
  rfc5322Date,
  subject,
} from './lib/content.ts';
import {
  type CorpusParams,
  corpusExists,
  defaultCorpusDir,
  GENERATOR_VERSION,
  KEYS,
  LIST_ALL,
  LIST_SUBSET,
  MANIFEST,
  type Manifest,
  type ManifestMessage,
  MBOX,
  type SignatureSpec,
  SUBSET_SIZE,
  type TamperKind,
} from './lib/corpus.ts';
import { type GeneratedKey, generateKey, type KeyKind } from './lib/keys.ts';
import { keystream, Rng } from './lib/rng.ts';

const MAX_MESSAGE = 2 * 1024 * 1024;
const MIN_MESSAGE = 2 * 1024;
/** Dates spread over the two years before the 2017 French run-off. */
const START = Date.UTC(2015, 4, 1);
const SPAN = Date.UTC(2017, 4, 5) - START;
const TAMPER_RATE = 0.05;

type Canon = 'relaxed/relaxed' | 'simple/simple' | 'relaxed/simple';
type Profile = 'rsa2048' | 'rsa1024' | 'ed25519' | 'dual' | 'esp';

interface Signer {
  readonly org: Org;
  readonly keys: readonly GeneratedKey[];
  readonly canon: Canon;
  readonly headerList: string | undefined;
  /** Popularity: a few organisations send most of the mail, as in a real leak. */
  readonly weight: number;
}

const OVERSIGNED =
  'From:From:Reply-To:Reply-To:Subject:Subject:Date:Date:To:To:Cc:Cc:Message-ID:In-Reply-To:References:MIME-Version:Content-Type';
const MINIMAL = 'From:To:Cc:Subject:Date:Message-ID:MIME-Version:Content-Type';

function fold(name: string, items: readonly string[]): string {
  let out = `${name}: `;
  let lineLen = out.length;
  items.forEach((item, i) => {
    const piece = i < items.length - 1 ? `${item},` : item;
    if (i > 0) {
      if (lineLen + 1 + piece.length > 78) {
        out += '\r\n\t';
        lineLen = 1;
      } else {
        out += ' ';
        lineLen += 1;
      }
    }
    out += piece;
    lineLen += piece.length;
  });
  return out;
}

function selectorFor(rng: Rng, year: string): string {
  return rng.pick(['s2016', 'google', 'k1', 'selector1', 'mail', 'dkim', `${year}0412`, 'mx', 'sel1']);
}

function makeSigners(seed: string): {
  signers: Map<Profile, Signer[]>;
  esps: Signer[];
  keys: GeneratedKey[];
} {
  const rng = new Rng(seed, 'orgs');
  const signers = new Map<Profile, Signer[]>();
  const keys: GeneratedKey[] = [];
  const plan: [Profile, number][] = [
    ['rsa2048', 28],
    ['rsa1024', 10],
    ['ed25519', 4],
    ['dual', 6],
  ];
  let index = 0;
  for (const [profile, count] of plan) {
    const list: Signer[] = [];
    for (let i = 0; i < count; i++) {
      const org = makeOrg(rng, index++);
      const kinds: KeyKind[] =
        profile === 'rsa2048'
          ? ['rsa-2048']
          : profile === 'rsa1024'
            ? ['rsa-1024']
            : profile === 'ed25519'
              ? ['ed25519']
              : ['ed25519', 'rsa-2048'];
      const orgKeys = kinds.map((kind, k) =>
        generateKey(
          seed,
          kind,
          kinds.length > 1 ? `${kind === 'ed25519' ? 'ed' : 'rsa'}${k}` : selectorFor(rng, '2016'),
          org.domain,
        ),
      );
      keys.push(...orgKeys);
      list.push({
        org,
        keys: orgKeys,
        canon: rng.weighted<Canon>([
          ['relaxed/relaxed', 80],
          ['simple/simple', 12],
          ['relaxed/simple', 8],
        ]),
        headerList: rng.weighted<string | undefined>([
          [undefined, 70],
          [MINIMAL, 15],
          [OVERSIGNED, 15],
        ]),
        weight: 1 / (i + 1),
      });
    }
    signers.set(profile, list);
  }
  const esps: Signer[] = [];
  for (const name of ['mailout.esp-one.example', 'bounce.newsletter-two.example', 'em.crm-three.example']) {
    const org = { ...makeOrg(rng, index++), domain: name, mta: `o${rng.int(1, 30)}.${name}` };
    const key = generateKey(seed, 'rsa-2048', rng.pick(['s1', 'scph0417', 'k2']), name);
    keys.push(key);
    esps.push({ org, keys: [key], canon: 'relaxed/relaxed', headerList: undefined, weight: 1 });
  }
  return { signers, esps, keys };
}

function pickSigner(rng: Rng, list: readonly Signer[]): Signer {
  return rng.weighted(list.map((s) => [s, s.weight] as const));
}

function boundary(rng: Rng, mailer: string): string {
  if (mailer.startsWith('Microsoft'))
    return `----=_NextPart_000_${hex(rng, 4)}_01D2${hex(rng, 4).toUpperCase()}.${hex(rng, 8).toUpperCase()}`;
  if (mailer.startsWith('Apple') || mailer.startsWith('iPhone'))
    return `Apple-Mail=_${hex(rng, 8).toUpperCase()}-${hex(rng, 4).toUpperCase()}-${hex(rng, 4).toUpperCase()}-${hex(rng, 12).toUpperCase()}`;
  return `${hex(rng, 28)}`;
}

interface Part {
  /** Content headers of the part, CRLF-joined, no trailing CRLF. */
  readonly headers: string;
  readonly body: string;
}

function textPart(rng: Rng, org: Org, lines: readonly string[]): Part {
  const text = lines.join('\n');
  const isAscii = /^[\x00-\x7f]*$/.test(text);
  if (isAscii) {
    return {
      headers: `Content-Type: text/plain; charset="us-ascii"${rng.chance(0.2) ? '; format=flowed' : ''}\r\nContent-Transfer-Encoding: 7bit`,
      body: lines.join('\r\n'),
    };
  }
  if (rng.chance(0.25)) {
    return {
      headers: 'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: 8bit',
      body: lines.join('\r\n'),
    };
  }
  return {
    headers: `Content-Type: text/plain; charset="${org.french && rng.chance(0.3) ? 'UTF-8' : 'utf-8'}"\r\nContent-Transfer-Encoding: quoted-printable`,
    body: quotedPrintable(lines),
  };
}

function multipart(type: string, b: string, parts: readonly Part[]): Part {
  let body = 'This is a multi-part message in MIME format.\r\n';
  for (const p of parts) body += `\r\n--${b}\r\n${p.headers}\r\n\r\n${p.body}\r\n`;
  body += `\r\n--${b}--\r\n`;
  return { headers: `Content-Type: ${type};\r\n\tboundary="${b}"`, body };
}

interface Built {
  readonly message: Buffer;
  readonly meta: ManifestMessage;
  readonly envelopeFrom: string;
  readonly receivedAt: number;
}

const CRLF = '\r\n';

async function buildMessage(
  seed: string,
  i: number,
  ctx: { signers: Map<Profile, Signer[]>; esps: Signer[]; allPeople: Person[] },
): Promise<Built> {
  const rng = new Rng(seed, `msg:${i}`);
  const profile = rng.weighted<Profile>([
    ['rsa2048', 66],
    ['rsa1024', 12],
    ['ed25519', 4],
    ['dual', 8],
    ['esp', 10],
  ]);
  const authorPool =
    profile === 'esp'
      ? [...(ctx.signers.get('rsa2048') ?? []), ...(ctx.signers.get('rsa1024') ?? [])]
      : (ctx.signers.get(profile) ?? []);
  const author = pickSigner(rng, authorPool);
  const esp = profile === 'esp' ? rng.pick(ctx.esps) : null;
  const org = author.org;
  const sender = rng.pick(org.people);
  const to: Person[] = [];
  const nTo = rng.weighted([
    [1, 6],
    [2, 2],
    [3, 1],
    [5, 1],
  ] as const);
  for (let k = 0; k < nTo; k++) to.push(rng.chance(0.5) ? rng.pick(org.people) : rng.pick(ctx.allPeople));
  const cc: Person[] = [];
  if (rng.chance(0.35)) for (let k = rng.int(1, 4); k > 0; k--) cc.push(rng.pick(ctx.allPeople));
  const dateMs = START + Math.floor((rng.next() * SPAN) / 1000) * 1000;
  const date = rfc5322Date(dateMs, org.tz);
  const signedAt = Math.floor(dateMs / 1000) + rng.int(0, 4);
  const french = org.french;

  const kind = rng.weighted<ManifestMessage['kind']>([
    ['plain', 64],
    ['alternative', 21],
    ['attachments', 12.5],
    ['large-attachments', 2.5],
  ]);

  // the text: prose, a signature block, often a quoted earlier message
  const lines = prose(rng, french, rng.logNormal(1800, 0.9, 200, 60_000));
  lines.push(
    '--',
    sender.name,
    rng.pick(
      french
        ? ['Chargé de mission', 'Directrice de la communication', 'Conseiller']
        : ['Press officer', 'Campaign manager', 'Senior advisor'],
    ),
    org.domain,
    `+33 6 ${rng.int(10, 99)} ${rng.int(10, 99)} ${rng.int(10, 99)} ${rng.int(10, 99)}`,
  );
  const subj = subject(rng, french);
  const isReply = /^(re|tr|fwd):/i.test(subj);
  if (isReply) {
    const other = rng.pick(ctx.allPeople);
    lines.push(
      '',
      french
        ? `Le ${rfc5322Date(dateMs - rng.int(600, 86_400 * 3) * 1000, org.tz)}, ${other.name} <${other.address}> a écrit :`
        : `On ${rfc5322Date(dateMs - rng.int(600, 86_400 * 3) * 1000, org.tz)}, ${other.name} <${other.address}> wrote:`,
      '',
    );
    for (const l of prose(rng, french, rng.logNormal(1500, 0.9, 200, 30_000))) lines.push(l ? `> ${l}` : '>');
  }
  lines.push('');

  let content: Part = textPart(rng, org, lines);
  if (kind !== 'plain') {
    if (kind === 'alternative' || rng.chance(0.6)) {
      const htmlPart: Part = {
        headers: 'Content-Type: text/html; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable',
        body: quotedPrintable(html(lines)),
      };
      content = multipart('multipart/alternative', boundary(rng, org.mailer), [content, htmlPart]);
    }
  }
  let attachmentMarker: string | null = null;
  if (kind === 'attachments' || kind === 'large-attachments') {
    const n =
      kind === 'attachments'
        ? rng.weighted([
            [1, 80],
            [2, 15],
            [3, 5],
          ] as const)
        : rng.int(1, 3);
    const total = kind === 'attachments' ? 0 : rng.logUniform(400_000, 1_400_000);
    const parts: Part[] = [content];
    for (let k = 0; k < n; k++) {
      const a = attachmentKind(rng, french, date);
      const size = kind === 'attachments' ? rng.logUniform(10_000, 300_000) : Math.floor(total / n);
      const payload = Buffer.concat([
        a.magic,
        keystream(seed, `att:${i}:${k}`, Math.max(0, size - a.magic.length - a.trailer.length)),
        a.trailer,
      ]);
      const encoded = base64Lines(payload);
      if (attachmentMarker === null) attachmentMarker = encoded.slice(0, 40);
      parts.push({
        headers:
          `Content-Type: ${a.contentType};\r\n\tname="${a.filename}"\r\nContent-Description: ${a.filename}\r\n` +
          `Content-Disposition: attachment;\r\n\tfilename="${a.filename}"; size=${payload.length}\r\nContent-Transfer-Encoding: base64`,
        body: encoded,
      });
    }
    content = multipart('multipart/mixed', boundary(rng, org.mailer), parts);
  }

  // the headers the sender's system signed
  const msgId = `<${org.mailer.startsWith('Microsoft') ? `${hex(rng, 32).toUpperCase()}` : `${hex(rng, 16)}.${hex(rng, 8)}`}@${rng.chance(0.5) ? org.mta : org.domain}>`;
  const h: string[] = [];
  if (rng.chance(0.7)) {
    const ip = ipv4(rng, true);
    h.push(
      `Received: from [${ip}] (unknown [${ip}])\r\n\tby ${org.mta} (Postfix) with ESMTPSA id ${hex(rng, 10).toUpperCase()}\r\n\tfor <${to[0]?.address}>; ${date}`,
    );
  }
  h.push(`From: ${mailbox(rng, sender)}`);
  h.push(
    fold(
      'To',
      to.map((p) => mailbox(rng, p)),
    ),
  );
  if (cc.length)
    h.push(
      fold(
        'Cc',
        cc.map((p) => mailbox(rng, p)),
      ),
    );
  h.push(`Subject: ${encodeWord(rng, subj)}`);
  if (org.mailer.startsWith('Microsoft')) {
    h.push(`Thread-Topic: ${encodeWord(rng, subj.replace(/^(re|tr|fwd|RE: RE):\s*/i, ''))}`);
    h.push(`Thread-Index: ${rng.bytes(22).toString('base64')}`);
  }
  h.push(`Date: ${date}`);
  h.push(`Message-ID: ${msgId}`);
  if (isReply) {
    const ref = `<${hex(rng, 24)}@${rng.pick(ctx.allPeople).address.split('@')[1]}>`;
    h.push(`In-Reply-To: ${ref}`, `References: ${ref}`);
  }
  h.push('MIME-Version: 1.0');
  h.push(content.headers);
  h.push(
    org.mailer.startsWith('Mozilla') || org.mailer.startsWith('Roundcube')
      ? `User-Agent: ${org.mailer}`
      : `X-Mailer: ${org.mailer}`,
  );
  if (org.mailer.startsWith('Microsoft')) h.push(`Content-Language: ${french ? 'fr-FR' : 'en-US'}`);
  let original = h.join(CRLF) + CRLF + CRLF + content.body + (content.body.endsWith(CRLF) ? '' : CRLF);

  // at least 2 KB: pad short messages with more quoted history (before signing, so it is signed)
  if (Buffer.byteLength(original) < MIN_MESSAGE - 1500) {
    // rare: the signature and transit headers add ~1.5 KB; make sure the total clears 2 KB
    original = original.replace(/\r\n\r\n/, `\r\nX-Pad: ${'x'.repeat(8)}\r\n\r\n`);
  }

  // sign: the author's key(s), then an ESP's on its behalf
  const signers: { signer: Signer; key: GeneratedKey }[] = author.keys.map((key) => ({
    signer: author,
    key,
  }));
  if (esp) signers.push({ signer: esp, key: esp.keys[0] as GeneratedKey });
  const signatureData = signers.map(({ signer, key }) => ({
    signingDomain: key.domain,
    selector: key.selector,
    privateKey: key.privateKeyPem,
    canonicalization: signer.canon,
    algorithm: key.kind === 'ed25519' ? 'ed25519-sha256' : 'rsa-sha256',
    ...(signer.headerList ? { headerList: signer.headerList } : {}),
  }));
  const first = signatureData[0];
  if (!first) throw new Error('no signer');
  const signed = await dkimSign(Buffer.from(original, 'utf8'), {
    ...first,
    signTime: new Date(signedAt * 1000),
    signatureData: signatureData as DKIMSignOptions[],
  });
  if (signed.errors?.length) throw new Error(`signing message ${i}: ${JSON.stringify(signed.errors)}`);

  // what the receiving side added above the signatures
  const rcpt = to[0] ?? sender;
  const rcptDomain = rcpt.address.split('@')[1] ?? 'example';
  const hop1 = rfc5322Date(dateMs + rng.int(1, 20) * 1000, '+0000');
  const hop2 = rfc5322Date(dateMs + rng.int(21, 90) * 1000, '+0000');
  const outMta = esp ? esp.org.mta : org.mta;
  const transit: string[] = [
    `Return-Path: <${esp ? `bounce-${hex(rng, 12)}@${esp.org.domain}` : sender.address}>`,
    `Delivered-To: ${rcpt.address}`,
    `Received: from mx${rng.int(1, 3)}.${rcptDomain} (localhost [127.0.0.1])\r\n\tby imap.${rcptDomain} (Dovecot) with LMTP id ${hex(rng, 16)}\r\n\tfor <${rcpt.address}>; ${hop2}`,
    `Authentication-Results: mx.${rcptDomain};\r\n\tdkim=pass header.d=${signers[0]?.key.domain} header.s=${signers[0]?.key.selector} header.b=${hex(rng, 8)};\r\n\tspf=pass (${rcptDomain}: domain of ${sender.address} designates ${ipv4(rng)} as permitted sender) smtp.mailfrom=${sender.address}`,
    `Received: from ${outMta} (${outMta} [${ipv4(rng)}])\r\n\t(using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits))\r\n\t(No client certificate requested)\r\n\tby mx${rng.int(1, 3)}.${rcptDomain} (Postfix) with ESMTPS id ${hex(rng, 10).toUpperCase()}\r\n\tfor <${rcpt.address}>; ${hop1}`,
  ];
  if (esp)
    transit.push(
      `Received: from ${org.mta} (${org.mta} [${ipv4(rng)}])\r\n\tby ${esp.org.mta} with ESMTP id ${hex(rng, 12)}; ${hop1}`,
    );
  let message: Buffer = Buffer.concat([
    Buffer.from(transit.join(CRLF) + CRLF, 'latin1'),
    Buffer.from(signed.signatures, 'latin1'),
    Buffer.from(original, 'utf8'),
  ]);

  // ~5% changed after signing: what archives, gateways and forgers do
  let tamper: TamperKind | null = null;
  if (rng.chance(TAMPER_RATE)) {
    tamper = rng.weighted<TamperKind>([
      ['body-text', 35],
      ['body-attachment', 15],
      ['subject', 20],
      ['footer', 20],
      ['from-address', 10],
    ]);
    if (tamper === 'body-attachment' && attachmentMarker === null) tamper = 'body-text';
    message = applyTamper(rng, message, tamper, attachmentMarker);
  }
  if (message.length > MAX_MESSAGE) throw new Error(`message ${i} is ${message.length} bytes`);
  if (message.length < MIN_MESSAGE) throw new Error(`message ${i} is only ${message.length} bytes`);
  if (/(^|\n)>*From /.test(message.toString('latin1')))
    throw new Error(`message ${i} has a line an mbox would escape`);

  const sigs: SignatureSpec[] = signers.map(({ signer, key }) => ({
    d: key.domain,
    s: key.selector,
    a: key.kind === 'ed25519' ? 'ed25519-sha256' : 'rsa-sha256',
    c: signer.canon,
    keyKind: key.kind,
  }));
  const dir = String(Math.floor(i / 1000)).padStart(3, '0');
  return {
    message,
    envelopeFrom: sender.address,
    receivedAt: dateMs + 60_000,
    meta: {
      file: `eml/${dir}/${String(i).padStart(6, '0')}.eml`,
      bytes: message.length,
      mboxOffset: 0,
      kind,
      signatures: sigs,
      tamper,
      expected: tamper ? 'fail' : 'pass',
      signedAt,
    },
  };
}

function applyTamper(rng: Rng, message: Buffer, tamper: TamperKind, attachmentMarker: string | null): Buffer {
  const text = message.toString('latin1');
  const headerEnd = text.indexOf('\r\n\r\n');
  const flipLetter = (from: number, to: number): Buffer => {
    const out = Buffer.from(message);
    const start = from + Math.floor(rng.next() * Math.max(1, (to - from) / 2));
    for (let p = start; p < to; p++) {
      const b = out[p] ?? 0;
      if (b >= 0x61 && b <= 0x7a) {
        out[p] = 0x61 + ((b - 0x61 + 1 + rng.int(0, 24)) % 26);
        return out;
      }
    }
    throw new Error('no letter to change');
  };
  switch (tamper) {
    case 'subject': {
      const at = text.indexOf('\r\nSubject: ') + '\r\nSubject: '.length;
      return Buffer.concat([message.subarray(0, at), Buffer.from('[EXT] '), message.subarray(at)]);
    }
    case 'from-address': {
      const at = text.indexOf('\r\nFrom: ');
      const atSign = text.indexOf('@', at);
      return flipLetter(text.lastIndexOf('<', atSign) + 1, atSign);
    }
    case 'footer':
      return Buffer.concat([
        message,
        Buffer.from('\r\n-- \r\nArchived copy, exported by the records office.\r\n'),
      ]);
    case 'body-attachment': {
      const at = attachmentMarker ? text.indexOf(attachmentMarker, headerEnd) : -1;
      return flipLetter(at + 200, Math.min(text.length, at + 20_000));
    }
    case 'body-text': {
      const bodyStart = headerEnd + 4;
      return flipLetter(bodyStart, Math.min(text.length, bodyStart + 3000));
    }
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export async function generate(params: {
  messages: number;
  seed: string;
  out?: string;
  force?: boolean;
}): Promise<string> {
  const corpusParams: CorpusParams = {
    generator: GENERATOR_VERSION,
    seed: params.seed,
    messages: params.messages,
  };
  const out = resolve(params.out ?? defaultCorpusDir(params.messages, params.seed));
  if (!params.force && corpusExists(out, corpusParams)) {
    console.error(`corpus ${out} exists with these parameters; nothing to do`);
    return out;
  }
  // start from a clean slate, removing only what this generator writes
  mkdirSync(out, { recursive: true });
  for (const name of [MANIFEST, 'eml', MBOX, KEYS, LIST_ALL, LIST_SUBSET])
    rmSync(join(out, name), { recursive: true, force: true });

  const t0 = performance.now();
  const { signers, esps, keys } = makeSigners(params.seed);
  const allPeople = [...signers.values()].flat().flatMap((s) => s.org.people);
  writeFileSync(
    join(out, KEYS),
    `# DKIM keys of the leakproof benchmark corpus (seed ${params.seed}); test keys, generated\n` +
      keys.map((k) => `${k.selector}._domainkey.${k.domain} ${k.txt}`).join('\n') +
      '\n',
  );

  const mboxPath = join(out, `${MBOX}.partial`);
  const fd = openSync(mboxPath, 'w');
  let mboxPos = 0;
  const mboxHash = createHash('sha256');
  const append = (b: Buffer) => {
    writeSync(fd, b);
    mboxHash.update(b);
  };
  const messages: ManifestMessage[] = [];
  const sizes: number[] = [];
  const counts: Record<string, number> = {};
  const bump = (k: string) => {
    counts[k] = (counts[k] ?? 0) + 1;
  };
  let totalBytes = 0;
  try {
    for (let i = 0; i < params.messages; i++) {
      const built = await buildMessage(params.seed, i, { signers, esps, allPeople });
      const file = join(out, built.meta.file);
      if (i % 1000 === 0) mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, built.message);
      // A Unix mbox as an MDA appends to it: an LF `From ` line, the message as received (CRLF),
      // an LF blank line. A reader that cuts at "\nFrom " and drops that newline gets the exact bytes.
      const fromLine = Buffer.from(`From ${built.envelopeFrom} ${asctime(built.receivedAt)}\n`, 'latin1');
      append(fromLine);
      const mboxOffset = mboxPos + fromLine.length;
      append(built.message);
      append(Buffer.from('\n'));
      mboxPos = mboxOffset + built.message.length + 1;
      messages.push({ ...built.meta, mboxOffset });
      sizes.push(built.message.length);
      totalBytes += built.message.length;
      bump(`kind:${built.meta.kind}`);
      bump(`signatures:${built.meta.signatures.length}`);
      for (const s of built.meta.signatures) bump(`sig:${s.keyKind} ${s.c}`);
      bump(`tamper:${built.meta.tamper ?? 'none'}`);
      if ((i + 1) % 1000 === 0) {
        const s = (performance.now() - t0) / 1000;
        console.error(
          `${i + 1}/${params.messages} messages, ${(totalBytes / 1e6).toFixed(0)} MB, ${s.toFixed(0)} s`,
        );
      }
    }
  } finally {
    closeSync(fd);
  }
  renameSync(mboxPath, join(out, MBOX));

  writeFileSync(join(out, LIST_ALL), messages.map((m) => m.file).join('\n') + '\n');
  // the fixed random subset for slow peers: same seed, same subset
  const pickRng = new Rng(params.seed, 'subset');
  const indices = messages.map((_, i) => i);
  for (let i = indices.length - 1; i > 0; i--) {
    const j = Math.floor(pickRng.next() * (i + 1));
    [indices[i], indices[j]] = [indices[j] as number, indices[i] as number];
  }
  const subset = indices.slice(0, SUBSET_SIZE).sort((a, b) => a - b);
  writeFileSync(join(out, LIST_SUBSET), subset.map((i) => messages[i]?.file).join('\n') + '\n');

  const sorted = [...sizes].sort((a, b) => a - b);
  const manifest: Manifest = {
    params: corpusParams,
    createdAt: new Date().toISOString(),
    totalBytes,
    mboxBytes: mboxPos,
    summary: {
      /** Names the corpus: the same parameters must give this hash on any machine. */
      mboxSha256: mboxHash.digest('hex'),
      meanBytes: Math.round(totalBytes / params.messages),
      sizePercentiles: {
        min: sorted[0],
        p50: percentile(sorted, 50),
        p90: percentile(sorted, 90),
        p99: percentile(sorted, 99),
        max: sorted[sorted.length - 1],
      },
      counts: Object.fromEntries(Object.entries(counts).sort()),
      expectedPass: messages.filter((m) => m.expected === 'pass').length,
      keys: keys.length,
      subset: {
        list: LIST_SUBSET,
        messages: subset.length,
        bytes: subset.reduce((n, i) => n + (messages[i]?.bytes ?? 0), 0),
      },
    },
    messages,
  };
  writeFileSync(join(out, `${MANIFEST}.partial`), JSON.stringify(manifest));
  renameSync(join(out, `${MANIFEST}.partial`), join(out, MANIFEST));
  console.error(
    `wrote ${out}: ${params.messages} messages, ${(totalBytes / 1e6).toFixed(1)} MB in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );
  return out;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '20000' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
    },
  });
  const messages = Number(values.messages);
  if (!Number.isInteger(messages) || messages < 1)
    throw new Error(`--messages must be a positive integer, not ${values.messages}`);
  const out = await generate({
    messages,
    seed: values.seed,
    force: values.force,
    ...(values.out ? { out: values.out } : {}),
  });
  console.log(out);
}
