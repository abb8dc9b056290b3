/** Mail sources: emlx, Maildir, .msg, .pst, sniffing and readMailSource on the Tika files and hostile inputs. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseEmlx } from '../../../src/ingest/mail/emlx.ts';
import { type MailItem, readMailSource } from '../../../src/ingest/mail/index.ts';
import { maildirFlags, readMaildir } from '../../../src/ingest/mail/maildir.ts';
import type { ConvertedMessageItem } from '../../../src/ingest/mail/types.ts';

const CORPUS = '/work/shared/corpus/tika/mail-and-containers/';
const dir = mkdtempSync(join(tmpdir(), 'leakproof-mailsrc-'));

async function all(path: string): Promise<MailItem[]> {
  const out: MailItem[] = [];
  for await (const item of readMailSource(path)) out.push(item);
  return out;
}

const converted = (items: MailItem[]) =>
  items.filter((i): i is ConvertedMessageItem => i.kind === 'converted-message');

describe('sniffing and single messages', () => {
  for (const name of [
    'test-incremental-updates.eml',
    'testEML_embedded_xhtml_and_img.eml',
    'testEmailWithPNGAtt.eml',
    'testGroupWiseEml.eml',
    'testLotusEml.eml',
    'testRFC822_dkim.eml',
    'testRFC822_multipart_attachments.eml',
    'testRFC822_x-.eml',
    'testThunderbirdEml.eml',
  ]) {
    test(`${name}: one raw message, bytes as stored`, async () => {
      // testEmailWithPNGAtt.eml starts with a `From ` line: read as a one-message mbox, plus its summary.
      const items = (await all(CORPUS + name)).filter((i) => i.kind !== 'mbox-summary');
      assert.equal(items.length, 1);
      if (items[0]!.kind !== 'raw-message') assert.fail('expected a message');
      assert.deepEqual(Buffer.from(items[0]!.bytes), readFileSync(CORPUS + name));
    });
  }

  test('a zip is not mail: a coded failure', async () => {
    const [item] = await all(`${CORPUS}test-documents.zip`);
    assert.equal(item!.kind, 'failed');
    if (item!.kind === 'failed') assert.equal(item!.error.code, 'source-format-unknown');
  });

  test('a missing path is a coded failure', async () => {
    const [item] = await all(join(dir, 'missing'));
    if (item?.kind !== 'failed') return assert.fail('expected a failure');
    assert.equal(item.error.code, 'source-unreadable');
  });
});

describe('emlx', () => {
  test('testEMLX.emlx: the message by its count, the plist kept', async () => {
    const items = await all(`${CORPUS}testEMLX.emlx`);
    assert.equal(items.length, 1);
    const m = items[0]!;
    if (m.kind !== 'raw-message') assert.fail('expected a message');
    assert.equal(m.bytes.length, 1795);
    assert.match(Buffer.from(m.bytes).toString('latin1'), /^From: "Julien Nioche/);
    assert.match(m.emlx!.plist, /<plist/);
    assert.equal(m.location.chain[0]!.offset, 5);
  });

  for (const [name, count] of [
    ['too long', 99999],
    ['too short', 10],
  ] as const) {
    test(`a wrong count (${name}) is a coded failure with what could be read`, () => {
      const text = `${count}\nSubject: x\n\nbody\n<?xml version="1.0"?><plist/>`;
      const items = [...parseEmlx(Buffer.from(text), { sourcePath: 'x.emlx', chain: [] })];
      if (items[0]!.kind !== 'failed') assert.fail('expected a failure');
      assert.equal(items[0]!.error.code, 'emlx-count-mismatch');
      assert.equal(items[1]!.kind, 'raw-message');
    });
  }
});

describe('Maildir', () => {
  test('flags, stable order, tmp/ marked, a directory where a file should be', async () => {
    const md = join(dir, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(md, sub), { recursive: true });
    writeFileSync(join(md, 'cur', '2.host:2,RS'), 'Subject: b\n\nb\n');
    writeFileSync(join(md, 'cur', '1.host:2,F'), 'Subject: a\n\na\n');
    writeFileSync(join(md, 'new', '3.host'), 'Subject: c\n\nc\n');
    writeFileSync(join(md, 'tmp', '4.host'), 'Subject: partial');
    mkdirSync(join(md, 'new', '5.host'));
    const items = await all(md);
    assert.deepEqual(
      items.map((i) => `${i.kind}:${i.location.chain[0]!.entry}`),
      [
        'raw-message:cur/1.host:2,F',
        'raw-message:cur/2.host:2,RS',
        'raw-message:new/3.host',
        'failed:new/5.host',
        'raw-message:tmp/4.host',
      ],
    );
    const flags = items.map((i) => (i.kind === 'raw-message' ? i.maildir!.flags : '-'));
    assert.deepEqual(flags, ['F', 'RS', '', '-', '']);
    const tmp = items[4]!;
    if (tmp.kind === 'raw-message') assert.equal(tmp.maildir!.subdir, 'tmp');
    const bad = items[3]!;
    if (bad.kind === 'failed') assert.equal(bad.error.code, 'maildir-entry-not-file');
    assert.deepEqual(maildirFlags('x:1,abc'), { flags: '', info: '1,abc' });
  });

  test('maxEntriesPerArchive stops with a record', () => {
    const md = join(dir, 'Maildir2');
    for (const sub of ['cur', 'new']) mkdirSync(join(md, sub), { recursive: true });
    for (let i = 0; i < 5; i++) writeFileSync(join(md, 'new', `m${i}`), 'Subject: x\n\nx\n');
    const items = [...readMaildir(md, { maxMessageBytes: 1000, maxEntriesPerArchive: 2 })];
    assert.deepEqual(
      items.map((i) => i.kind),
      ['raw-message', 'raw-message', 'skipped'],
    );
  });
});

describe('Outlook .msg', () => {
  const subjects: Record<string, string> = {
    'testMSG.msg': 'MIME registry use cases',
    'test-outlook.msg': 'Microsoft Outlook Express 6',
    'test-outlook2003.msg': 'Welcome to Microsoft Office Outlook 2003',
    'testMSG_att_doc.msg': 'test pièce jointe 1',
    'testMSG_forwarded.msg': 'FW: Testing',
    'testMSG_chinese.msg': 'Alfresco MSG format testing ( MSG 格式測試 )',
    'testMSG_Task.msg': 'Must jump over the lazy dog',
  };
  for (const [name, subject] of Object.entries(subjects)) {
    test(`${name}: converted, subject read`, async () => {
      const msgs = converted(await all(CORPUS + name));
      assert.equal(msgs.length, 1);
      assert.equal(msgs[0]!.subject, subject);
      assert.equal(msgs[0]!.converted, true);
    });
  }

  test('attachments and a nested .msg', async () => {
    const [doc] = converted(await all(`${CORPUS}testMSG_att_doc.msg`));
    assert.deepEqual(
      doc!.attachments.map((a) => [a.name, a.bytes?.length]),
      [
        ['test-unicode.doc', 24064],
        ['pj1.txt', 89],
      ],
    );
    const [outer] = converted(await all(`${CORPUS}testMSG_att_msg.msg`));
    assert.deepEqual(
      outer!.attachments.map((a) => a.name),
      ['smbprn.00009008.KdcPjl.pdf'],
    );
    assert.equal(outer!.embedded.length, 1);
    assert.equal(outer!.embedded[0]!.subject, 'Test Attachment');
    assert.ok(outer!.headers?.startsWith('Received:'));
    assert.equal(outer!.embedded[0]!.location.chain.at(-1)!.format, 'msg');
  });

  test('attachment limits are recorded', async () => {
    const items: MailItem[] = [];
    for await (const i of readMailSource(`${CORPUS}testMSG_att_doc.msg`, {
      maxAttachmentBytes: 1000,
      maxAttachmentsPerMessage: 1,
    }))
      items.push(i);
    const [m] = converted(items);
    assert.equal(m!.attachments.length, 1);
    assert.equal(m!.attachments[0]!.status.status, 'skipped');
    assert.equal(m!.limitsHit[0]!.limit, 'maxAttachmentsPerMessage');
  });

  test('a truncated .msg is a coded failure, not a crash', async () => {
    const bytes = readFileSync(`${CORPUS}testMSG_att_msg.msg`);
    for (const keep of [8, 512, 4096, Math.floor(bytes.length / 2)]) {
      const path = join(dir, `cut${keep}.msg`);
      writeFileSync(path, bytes.subarray(0, keep));
      const items = await all(path);
      assert.ok(items.length >= 1);
      for (const i of items) assert.ok(i.kind === 'failed' || i.kind === 'converted-message');
    }
  });
});

describe('Outlook .pst', () => {
  test('testPST.pst: 7 messages in one folder, one attachment', async () => {
    const msgs = converted(await all(`${CORPUS}testPST.pst`));
    assert.equal(msgs.length, 7);
    assert.equal(msgs[0]!.subject, 'Re: Feature Generators');
    assert.ok(msgs[0]!.location.chain[0]!.entry.startsWith('/Début du fichier de données Outlook/#'));
    assert.deepEqual(
      msgs.flatMap((m) => m.attachments.map((a) => a.name)),
      ['First email'],
    );
    assert.ok(msgs[0]!.headers);
  });

  test('testPST_variousBodyTypes.pst: 4 messages in Inbox/tmp, html and rtf bodies', async () => {
    const msgs = converted(await all(`${CORPUS}testPST_variousBodyTypes.pst`));
    assert.equal(msgs.length, 4);
    assert.ok(
      msgs.every((m) => m.location.chain[0]!.entry.startsWith('/Top of Outlook data file/Inbox/tmp/#')),
    );
    assert.equal(msgs[0]!.subject, 'original email');
    assert.ok(msgs.some((m) => m.bodies.rtf));
    assert.ok(msgs.some((m) => m.bodies.html));
  });

  test('a truncated .pst is a coded failure or per-item failures, never a throw', async () => {
    const bytes = readFileSync(`${CORPUS}testPST.pst`);
    for (const keep of [4, 512, 20000, Math.floor(bytes.length / 2)]) {
      const path = join(dir, `cut${keep}.pst`);
      writeFileSync(path, bytes.subarray(0, keep));
      const items = await all(path);
      assert.ok(items.length >= 0);
      for (const i of items) if (i.kind === 'failed') assert.match(i.error.code, /^(pst-|source-format)/);
    }
  });
});
