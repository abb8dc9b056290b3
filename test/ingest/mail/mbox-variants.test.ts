/** mbox variants: the Tika mboxes, escaping counts, Content-Length framing and lying lengths. */
import assert from 'node:assert/strict';
import { mkdtempSync, openSync, readSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_MBOX_VARIANT_OPTIONS, readMboxVariants } from '../../../src/ingest/mail/mbox-variants.ts';
import type { MailItem, RawMessageItem } from '../../../src/ingest/mail/types.ts';

const CORPUS = '/work/shared/corpus/tika/mail-and-containers/';
const dir = mkdtempSync(join(tmpdir(), 'leakproof-mboxv-'));
let fileNo = 0;

function file(text: string): string {
  const path = join(dir, `m${fileNo++}.mbox`);
  writeFileSync(path, Buffer.from(text, 'latin1'));
  return path;
}

/** Keep copies: mbox bytes are only valid until the iterator advances. */
function collect(path: string, options = DEFAULT_MBOX_VARIANT_OPTIONS): MailItem[] {
  const out: MailItem[] = [];
  for (const item of readMboxVariants(path, options)) {
    out.push(item.kind === 'raw-message' ? { ...item, bytes: item.bytes.slice() } : item);
  }
  return out;
}

const messages = (items: MailItem[]): RawMessageItem[] =>
  items.filter((i): i is RawMessageItem => i.kind === 'raw-message');

function readAt(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  const b = Buffer.alloc(length);
  readSync(fd, b, 0, length, offset);
  return b;
}

describe('Tika mboxes', () => {
  const counts: Record<string, number> = {
    'complex.mbox': 3,
    'headers.mbox': 1,
    'multiline.mbox': 1,
    'multiline2.mbox': 1,
    'quoted.mbox': 1,
    'simple.mbox': 2,
    'single_mail.mbox': 1,
    'testMBOX_complex.mbox': 1,
    'testMBOX_lengthy_x-headers.mbox': 1,
  };
  for (const [name, count] of Object.entries(counts)) {
    test(`${name}: ${count} messages, offsets at From lines, bytes as stored`, () => {
      const path = CORPUS + name;
      const items = collect(path);
      const msgs = messages(items);
      assert.equal(msgs.length, count);
      assert.equal(items.filter((i) => i.kind === 'failed' || i.kind === 'skipped').length, 0);
      for (const [i, m] of msgs.entries()) {
        const step = m.location.chain[0]!;
        assert.equal(step.format, 'mbox');
        assert.equal(step.entry, String(i));
        assert.equal(step.length, m.bytes.length);
        assert.deepEqual(readAt(path, step.offset!, step.length!), Buffer.from(m.bytes));
        assert.ok(m.mbox!.fromLine.startsWith('From '));
        assert.equal(m.mbox!.variant, 'mboxo');
      }
      const summary = items.at(-1)!;
      assert.equal(summary.kind, 'mbox-summary');
      if (summary.kind === 'mbox-summary') assert.equal(summary.messages, count);
    });
  }
});

describe('escaping and framing', () => {
  test('mboxrd: >From and >>From lines are counted, not undone', () => {
    const text = 'From a@b Mon\nSubject: x\n\n>From here\n>>From there\n a >From not a line start\n';
    const [m] = messages(collect(file(text)));
    assert.equal(m!.mbox!.escapedFromLines, 2);
    assert.equal(m!.mbox!.deepEscapedFromLines, 1);
    assert.equal(m!.mbox!.variant, 'mboxrd');
    assert.equal(Buffer.from(m!.bytes).toString('latin1'), text);
  });

  test('mboxcl2: a consistent Content-Length joins a body cut by an unescaped From line', () => {
    const body = 'line one\nFrom the desk of nobody\nline three\n';
    const text =
      `From a@b Mon\nContent-Length: ${body.length}\n\n${body}\n` + 'From c@d Tue\nContent-Length: 3\n\nhi\n';
    const msgs = messages(collect(file(text)));
    assert.equal(msgs.length, 2);
    assert.equal(msgs[0]!.mbox!.framing, 'content-length');
    assert.equal(msgs[0]!.mbox!.variant, 'mboxcl2');
    assert.equal(msgs[0]!.mbox!.unescapedFromLines, 1);
    assert.ok(Buffer.from(msgs[0]!.bytes).toString('latin1').endsWith(body));
    assert.equal(msgs[1]!.location.chain[0]!.offset, text.indexOf('From c@d'));
    assert.equal(msgs[1]!.mbox!.contentLength.status, 'consistent');
  });

  test('mboxcl: Content-Length with escaped From lines', () => {
    const body = 'a\n>From b\n';
    const [m] = messages(collect(file(`From a@b Mon\nContent-Length: ${body.length}\n\n${body}`)));
    assert.equal(m!.mbox!.variant, 'mboxcl');
    assert.equal(m!.mbox!.framing, 'content-length');
  });

  const body = 'one\nFrom inside the body\ntwo\n';
  const lying: [string, string, string][] = [
    ['too long', String(body.length + 7), 'inconsistent'],
    ['too short', String(body.length - 9), 'inconsistent'],
    ['negative', '-5', 'invalid'],
    ['huge', '999999999999999', 'inconsistent'],
    ['not a number', 'lots', 'invalid'],
  ];
  for (const [name, value, status] of lying) {
    test(`mboxcl2 with a lying Content-Length (${name}) falls back to From-line framing`, () => {
      const text = `From a@b Mon\nContent-Length: ${value}\n\n${body}\nFrom c@d Tue\nSubject: y\n\nz\n`;
      const items = collect(file(text));
      const msgs = messages(items);
      assert.equal(msgs.length, 3); // the body's From line cuts it: recorded, not guessed away
      assert.equal(msgs[0]!.mbox!.framing, 'from-lines');
      assert.equal(msgs[0]!.mbox!.contentLength.status, status);
      assert.equal(msgs.map((m) => Buffer.from(m.bytes).toString('latin1')).join('\n'), text);
      const summary = items.at(-1)!;
      assert.equal(summary.kind, 'mbox-summary');
    });
  }

  test('bytes before the first From line are a coded failure with their range', () => {
    const items = collect(file('garbage\nFrom a@b Mon\nSubject: x\n\nbody\n'));
    assert.equal(items[0]!.kind, 'failed');
    if (items[0]!.kind === 'failed') assert.equal(items[0]!.error.code, 'mbox-preamble');
    assert.equal(messages(items).length, 1);
  });

  test('an entry over maxMessageBytes is a skipped record with its limit', () => {
    const options = { ...DEFAULT_MBOX_VARIANT_OPTIONS, maxMessageBytes: 64, chunkBytes: 16 };
    const items = collect(file(`From a@b Mon\n\n${'x'.repeat(200)}\nFrom c@d\n\nshort\n`), options);
    assert.deepEqual(
      items.map((i) => i.kind),
      ['skipped', 'raw-message', 'mbox-summary'],
    );
    if (items[0]!.kind === 'skipped') assert.equal(items[0]!.limit, 'maxMessageBytes');
    assert.equal(items[1]!.location.chain[0]!.entry, '1');
  });

  test('a missing file is a coded failure', () => {
    const items = collect(join(dir, 'nope.mbox'));
    assert.equal(items[0]!.kind, 'failed');
  });
});

describe('hostile mboxes', () => {
  const base =
    'From a@b Mon\nContent-Length: 12\nSubject: x\n\nbody\nFrom x\nmore\n' +
    'From c@d Tue\nContent-Length: 4\n\n>From\n\nFrom e@f\n\nz';
  test('mutations never throw out of the iterator and always end', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length), fc.nat(base.length), fc.string({ maxLength: 12 })), {
          maxLength: 6,
        }),
        fc.integer({ min: 1, max: 64 }),
        (edits, chunk) => {
          let text = base;
          for (const [at, del, ins] of edits) text = text.slice(0, at) + ins + text.slice(at + (del % 8));
          const path = file(text);
          const options = { ...DEFAULT_MBOX_VARIANT_OPTIONS, chunkBytes: chunk, maxMessageBytes: 96 };
          const items = collect(path, options);
          assert.equal(items.at(-1)!.kind, 'mbox-summary');
          // Every byte is accounted for: messages, failures and skips tile the file.
          let covered = 0;
          for (const i of items) {
            const step = i.location.chain[0];
            if (step && i.kind !== 'mbox-summary') covered += step.length! + 1;
          }
          assert.ok(covered >= Buffer.byteLength(text, 'latin1'));
        },
      ),
      { numRuns: 300 },
    );
  });
});
