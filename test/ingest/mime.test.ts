import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { signMessage } from '../../src/dkim/sign.ts';
import { verifyMessage } from '../../src/dkim/verify.ts';
import { decodeMime, decodeMimeTree, type MimeTreeNode } from '../../src/ingest/mime.ts';
import type { KeyRecord } from '../../src/keys/types.ts';

const CORPUS = '/work/shared/corpus/tika/mail-and-containers';
const read = (name: string) => new Uint8Array(readFileSync(join(CORPUS, name)));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'latin1');

describe('decodeMime on the Tika corpus', () => {
  test('multipart with two text attachments', async () => {
    const d = await decodeMime(read('testRFC822_multipart_attachments.eml'));
    assert.equal(d.error, null);
    assert.equal(d.headers.subject, 'EML 1');
    assert.deepEqual(d.headers.from, [{ name: 'Bugs Bunny', address: 'Bugs.Bunny@acme.com' }]);
    assert.deepEqual(
      d.attachments.map((a) => [a.filename, a.contentType, a.disposition, a.size]),
      [
        ['Test TxtA.txt', 'text/plain', 'attachment', 33],
        ['Test TxtB.txt', 'text/plain', 'attachment', 33],
      ],
    );
    assert.equal(Buffer.from(d.attachments[0]!.bytes!).toString(), 'This is Test TXTA File for parser');
    assert.equal(
      d.attachments[1]!.sha256,
      '41b47f8d34c25c3321a842944692ede16784b17e404531b97ade8ac19fcaa478',
    );
    assert.ok(d.text?.length && d.html?.length);
    assert.deepEqual(d.limitsHit, []);
  });

  test('embedded xhtml with an inline image', async () => {
    const d = await decodeMime(read('testEML_embedded_xhtml_and_img.eml'));
    assert.equal(d.headers.subject, 'This is the subject');
    assert.equal(d.headers.dateRaw, 'Wed, 21 Mar 2018 14:14:32 -0800');
    assert.equal(d.headers.date, '2018-03-21T22:14:32.000Z');
    assert.equal(d.htmlBytes, Buffer.byteLength(d.html ?? '', 'utf8'));
    assert.deepEqual(
      d.attachments.map((a) => [a.filename, a.contentType, a.disposition, a.size]),
      [['testimage.jpeg', 'image/jpeg', 'inline', 4699]],
    );
  });

  test('a file that opens with an mbox From line is fed from the line after it', async () => {
    const raw = read('testEmailWithPNGAtt.eml');
    assert.equal(Buffer.from(raw.subarray(0, 5)).toString(), 'From ');
    const d = await decodeMime(raw.subarray(raw.indexOf(0x0a) + 1));
    assert.equal(d.headers.subject, 'Test Attachment Email');
    const png = d.attachments[0]!;
    assert.deepEqual([png.filename, png.contentType, png.size], ['testPNG.png', 'image/png', 17041]);
    // Cross-check against an independent base64 decode of the part.
    const text = Buffer.from(raw).toString('latin1');
    const body = text.slice(text.indexOf('\n\n', text.indexOf('filename="testPNG.png"')) + 2);
    const b64 = body.slice(0, body.indexOf('\n--')).replace(/\s+/g, '');
    assert.equal(png.sha256, sha256(Buffer.from(b64, 'base64')));
    assert.equal(Buffer.from(png.bytes!.subarray(1, 4)).toString(), 'PNG');
  });

  test('Thunderbird, Lotus, x- headers, DKIM example, incremental-update PDF', async () => {
    const tb = await decodeMime(read('testThunderbirdEml.eml'));
    assert.equal(tb.headers.subject, 'JUnit test message');
    assert.equal(tb.attachments.length, 0);
    const lotus = await decodeMime(read('testLotusEml.eml'));
    assert.equal(lotus.error, null);
    assert.equal(lotus.headers.subject, null);
    assert.ok(lotus.html?.length);
    const x = await decodeMime(read('testRFC822_x-.eml'));
    assert.equal(x.headers.subject, '[jira] Commented: (TIKA-461) RFC822 messages not parsed');
    const dkim = await decodeMime(read('testRFC822_dkim.eml'));
    assert.equal(dkim.headers.subject, 'Is dinner ready?');
    assert.equal(dkim.headers.date, '2003-07-12T04:00:37.000Z');
    const pdf = await decodeMime(read('test-incremental-updates.eml'));
    assert.equal(pdf.headers.subject, 'test incremental updates');
    const a = pdf.attachments[0]!;
    assert.deepEqual(
      [a.filename, a.contentType, a.contentId, a.size],
      ['testPDF_incrementalUpdates.pdf', 'application/pdf', '<f_lh979qim0>', 64872],
    );
    assert.equal(a.sha256, '3e795587a3430b8fe4ed30c98065a00a8b09129247dfc70766e1b59ce07ec67c');
    assert.equal(Buffer.from(a.bytes!.subarray(0, 5)).toString(), '%PDF-');
  });

  test('GroupWise: an attached message/rfc822 is a forward, not an attachment', async () => {
    const d = await decodeMime(read('testGroupWiseEml.eml'));
    assert.equal(d.headers.subject, 'test333');
    assert.deepEqual(
      d.attachments.map((a) => [a.filename, a.size]),
      [['Neues Textdokument.txt', 23]],
    );
    assert.equal(d.forwards.length, 1);
    const fwd = await decodeMime(d.forwards[0]!.bytes);
    assert.equal(fwd.headers.subject, 'test2');
  });
});

function dkimFixture() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const record: KeyRecord = {
    selector: 'fw',
    domain: 'inner.example',
    value: `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
    provenance: { kind: 'key-file', origin: 'test' },
  };
  const records = [record];
  const keys = {
    lookup: (s: string, d: string) => records.filter((r) => r.selector === s && r.domain === d),
  };
  const inner = signMessage(
    crlf([
      'From: Ana <ana@inner.example>',
      'To: Ben <ben@outer.example>',
      'Subject: the original',
      'Date: Tue, 02 May 2017 10:00:00 +0000',
      'Message-ID: <orig@inner.example>',
      '',
      'Line one.  With  spaces.\t',
      'Line two.',
      '',
    ]),
    {
      domain: 'inner.example',
      selector: 'fw',
      privateKey,
      algorithm: 'rsa-sha256',
      canonicalization: 'simple/simple',
      timestamp: new Date('2017-05-02T10:00:00Z'),
    },
  );
  return { inner, keys };
}

function wrap(inner: Uint8Array, subject: string): Uint8Array {
  const b = `b-${subject.replace(/\W/g, '')}`;
  return Buffer.concat([
    crlf([
      'From: Ben <ben@outer.example>',
      `Subject: ${subject}`,
      `Content-Type: multipart/mixed; boundary="${b}"`,
      '',
      `--${b}`,
      'Content-Type: text/plain',
      '',
      'See below.',
      `--${b}`,
      'Content-Type: message/rfc822',
      'Content-Disposition: attachment; filename="fwd.eml"',
      '',
      '',
    ]),
    inner,
    crlf(['', `--${b}--`, '']),
  ]);
}

describe('forwards', () => {
  test('a DKIM-signed message attached as message/rfc822 keeps its bytes and verifies', async () => {
    const { inner, keys } = dkimFixture();
    assert.equal(verifyMessage(inner, { keys }).verdict, 'authentic');
    const d = await decodeMime(wrap(inner, 'Fwd: the original'));
    assert.equal(d.text, 'See below.\n');
    assert.equal(d.attachments.length, 0);
    const f = d.forwards[0]!;
    assert.deepEqual([f.index, f.partIndex, f.filename, f.exact], [0, 0, 'fwd.eml', true]);
    assert.deepEqual(Buffer.from(f.bytes), Buffer.from(inner));
    assert.equal(f.sha256, sha256(inner));
    assert.equal(verifyMessage(f.bytes, { keys }).verdict, 'authentic');
  });

  test('decodeMimeTree walks forwards inside forwards, bounded by maxNestingDepth', async () => {
    const { inner, keys } = dkimFixture();
    const twice = wrap(wrap(inner, 'Fwd: level 1'), 'Fwd: level 2');
    const nodes: MimeTreeNode[] = [];
    for await (const n of decodeMimeTree(twice)) nodes.push(n);
    assert.deepEqual(
      nodes.map((n) => [n.depth, n.path, n.decoded.headers.subject]),
      [
        [0, [], 'Fwd: level 2'],
        [1, [0], 'Fwd: level 1'],
        [2, [0, 0], 'the original'],
      ],
    );
    const innermost = nodes[1]!.decoded.forwards[0]!.bytes;
    assert.equal(verifyMessage(innermost, { keys }).verdict, 'authentic');
    const cut: MimeTreeNode[] = [];
    for await (const n of decodeMimeTree(twice, { maxNestingDepth: 1 })) cut.push(n);
    assert.equal(cut.length, 2);
    assert.equal(cut[1]!.decoded.limitsHit[0]?.limit, 'maxNestingDepth');
  });
});

describe('hostile input', () => {
  const small = crlf([
    'From: a@example.com',
    'Subject: small',
    'Content-Type: multipart/mixed; boundary=xx',
    '',
    '--xx',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'hello',
    '--xx',
    'Content-Type: application/octet-stream; name=a.bin',
    'Content-Transfer-Encoding: base64',
    '',
    'AAECAwQ=',
    '--xx--',
    '',
  ]);

  test('100,000 tiny parts stop at maxMimeParts, quickly', async () => {
    const parts = Array.from({ length: 100_000 }, () => '--bomb\r\n\r\nx\r\n').join('');
    const bomb = Buffer.from(`Content-Type: multipart/mixed; boundary=bomb\r\n\r\n${parts}--bomb--\r\n`);
    const started = performance.now();
    const d = await decodeMime(bomb, { maxMimeParts: 50 });
    assert.ok(performance.now() - started < 2000);
    assert.equal(d.error, null);
    assert.equal(d.parts, 50);
    assert.equal(d.limitsHit[0]?.limit, 'maxMimeParts');
    assert.ok(d.decodedBytes < bomb.length);
    // The default limit holds too, and the million-part case is the same linear scan.
    const dflt = await decodeMime(bomb);
    assert.equal(dflt.parts, 10_000);
    assert.equal(dflt.limitsHit[0]?.limit, 'maxMimeParts');
  });

  test('nesting 1,000 deep stops at maxNestingDepth', async () => {
    let head = '';
    for (let i = 0; i < 1000; i++) head += `Content-Type: multipart/mixed; boundary=n${i}\r\n\r\n--n${i}\r\n`;
    const deep = Buffer.from(`Subject: deep\r\n${head}Content-Type: text/plain\r\n\r\nbottom\r\n`);
    const d = await decodeMime(deep);
    assert.equal(d.error, null);
    assert.equal(d.headers.subject, 'deep');
    assert.equal(d.limitsHit[0]?.limit, 'maxNestingDepth');
    assert.equal(d.parts, 17); // the root at depth 0, then depths 1 to 16
  });

  test('a missing closing boundary keeps the last part', async () => {
    const cut = small.subarray(0, small.indexOf('--xx--'));
    const d = await decodeMime(cut);
    assert.equal(d.text, 'hello\n');
    assert.deepEqual(Array.from(d.attachments[0]!.bytes!), [0, 1, 2, 3, 4]);
  });

  test('a part claiming base64 with garbage decodes to something, never a rejection', async () => {
    const bad = Buffer.from(
      Buffer.from(small).toString('latin1').replace('AAECAwQ=', '!!!*** not base64 ~~~\x00\xff'),
      'latin1',
    );
    const d = await decodeMime(bad);
    assert.equal(d.error, null);
    assert.equal(d.attachments[0]?.filename, 'a.bin');
  });

  test('a 0-byte message is a coded result', async () => {
    const d = await decodeMime(new Uint8Array(0));
    assert.equal(d.error?.code, 'message-empty');
  });

  test('attachments over maxAttachmentBytes are listed without bytes; charsets noted; bad limits throw', async () => {
    const d = await decodeMime(small, { maxAttachmentBytes: 4 });
    assert.deepEqual([d.attachments[0]?.bytes, d.attachments[0]?.size], [null, 5]);
    assert.equal(d.limitsHit[0]?.limit, 'maxAttachmentBytes');
    const odd = Buffer.from(Buffer.from(small).toString('latin1').replace('utf-8', 'x-made-up-7'), 'latin1');
    assert.deepEqual((await decodeMime(odd)).unsupportedCharsets, ['x-made-up-7']);
    await assert.rejects(decodeMime(small, { maxMimeParts: 0 }), RangeError);
    await assert.rejects(decodeMime(small, { maxNestingDepth: Number.NaN }), RangeError);
  });

  test('maxHeaderBytes: a top-level header over the limit is a coded result', async () => {
    const d = await decodeMime(small, { maxHeaderBytes: 10 });
    assert.equal(d.error?.code, 'header-section-too-large');
    assert.equal(d.limitsHit[0]?.limit, 'maxHeaderBytes');
  });

  test('an inline cid image in multipart/related is marked related', async () => {
    const rel = crlf([
      'Content-Type: multipart/related; boundary=r',
      '',
      '--r',
      'Content-Type: text/html',
      '',
      '<img src="cid:pic@x">',
      '--r',
      'Content-Type: image/png',
      'Content-ID: <pic@x>',
      'Content-Disposition: inline',
      'Content-Transfer-Encoding: base64',
      '',
      'iVBORw0KGgo=',
      '--r--',
      '',
    ]);
    const a = (await decodeMime(rel)).attachments[0]!;
    assert.deepEqual([a.related, a.contentId, a.disposition, a.size], [true, '<pic@x>', 'inline', 8]);
  });

  test('random byte mutations of a small multipart never reject', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(small.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 20 }),
        fc.nat(small.length),
        async (edits, cut) => {
          const b = new Uint8Array(small.subarray(0, Math.max(cut, 1)));
          for (const [at, value] of edits) if (at < b.length) b[at] = value;
          const d = await decodeMime(b, { maxMimeParts: 8, maxNestingDepth: 4 });
          assert.ok(d.error === null || typeof d.error.code === 'string');
        },
      ),
      { numRuns: 300 },
    );
  });
});
