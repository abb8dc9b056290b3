/** The mbox reader: entries, offsets, limits and ranges, across chunk boundaries of every size. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { MboxItem } from '../../src/mail/mbox.ts';
import { findMboxCuts, looksLikeMbox, readMbox } from '../../src/mail/mbox.ts';

const dir = mkdtempSync(join(tmpdir(), 'leakproof-mbox-'));
let fileNo = 0;

function mboxFile(text: string): string {
  const path = join(dir, `m${fileNo++}.mbox`);
  writeFileSync(path, Buffer.from(text, 'latin1'));
  return path;
}

/** What a reader should give, computed the obvious way: split before every "\nFrom ". */
function reference(text: string): { offset: number; text: string }[] {
  const out: { offset: number; text: string }[] = [];
  let start = 0;
  for (let i = text.indexOf('\nFrom ', 1); i >= 0; i = text.indexOf('\nFrom ', i + 1)) {
    out.push({ offset: start, text: text.slice(start, i) });
    start = i + 1;
  }
  if (start < text.length) out.push({ offset: start, text: text.slice(start) });
  return out;
}

/** Copies each entry as it comes: an entry's bytes are only valid until the next is taken. */
function collect(
  items: Iterable<MboxItem>,
): { kind: string; offset: number; text: string; length: number }[] {
  const out = [];
  for (const i of items) {
    out.push(
      i.kind === 'message'
        ? {
            kind: i.kind,
            offset: i.offset,
            text: Buffer.from(i.bytes).toString('latin1'),
            length: i.bytes.length,
          }
        : { kind: i.kind, offset: i.offset, text: '', length: i.length },
    );
  }
  return out;
}

const entry = (n: number, body = 'hello') =>
  `From sender${n}@example.org Mon Jan  1 00:00:0${n % 10} 2001\nFrom: a${n}@example.org\nSubject: ${n}\n\n${body}\n`;

describe('readMbox', () => {
  test('splits at From lines, with offsets; the separating newline belongs to no entry', () => {
    const text = entry(1) + '\n' + entry(2) + '\n' + entry(3);
    const got = collect(readMbox(mboxFile(text)));
    assert.deepEqual(
      got.map((g) => [g.offset, g.text]),
      reference(text).map((r) => [r.offset, r.text]),
    );
    assert.equal(got.length, 3);
    assert.ok(got.every((g, i) => text.slice(g.offset).startsWith(`From sender${i + 1}@`)));
  });

  test('a ">From " line inside a body is not a separator and is left escaped', () => {
    const text = entry(1, 'line\n>From the start\n') + '\n' + entry(2);
    const got = collect(readMbox(mboxFile(text)));
    assert.equal(got.length, 2);
    assert.match(got[0]!.text, /\n>From the start\n/);
  });

  test('an entry over maxMessageBytes is reported with its offset and length; the next ones are read', () => {
    const big = entry(2, 'x'.repeat(5000));
    const text = entry(1) + '\n' + big + '\n' + entry(3);
    for (const chunkBytes of [16, 64, 1000, 100_000]) {
      const got = collect(readMbox(mboxFile(text), { maxMessageBytes: 1000, chunkBytes }));
      assert.deepEqual(
        got.map((g) => [g.kind, g.offset, g.length]),
        [
          ['message', 0, entry(1).length],
          ['too-large', entry(1).length + 1, big.length],
          ['message', entry(1).length + 1 + big.length + 1, entry(3).length],
        ],
        `chunkBytes ${chunkBytes}`,
      );
    }
  });

  test('property: any chunk size gives the reference split, and ranges cut by findMboxCuts add up to it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 9 }), fc.string({ maxLength: 300 })), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.integer({ min: 7, max: 400 }),
        fc.integer({ min: 1, max: 5 }),
        (entries, chunkBytes, parts) => {
          const text = entries.map(([n, body]) => entry(n, body.replace(/\nFrom /g, '\n>From '))).join('\n');
          const path = mboxFile(text);
          const expected = reference(text).map((r) => [r.offset, r.text]);
          const options = { maxMessageBytes: 1_000_000, chunkBytes };
          assert.deepEqual(
            collect(readMbox(path, options)).map((g) => [g.offset, g.text]),
            expected,
          );
          const cuts = findMboxCuts(path, parts);
          const joined = [];
          for (let k = 0; k + 1 < cuts.length; k++) {
            joined.push(...collect(readMbox(path, options, { start: cuts[k]!, end: cuts[k + 1]! })));
          }
          assert.deepEqual(
            joined.map((g) => [g.offset, g.text]),
            expected,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a file that opens with a blank line: the separator at offset 0 is found, no empty entry', () => {
    const text = '\n' + entry(1) + '\n' + entry(2);
    const got = collect(readMbox(mboxFile(text), { maxMessageBytes: 1_000_000, chunkBytes: 7 }));
    assert.deepEqual(
      got.map((g) => [g.offset, g.text]),
      [
        [1, entry(1)],
        [1 + entry(1).length + 1, entry(2)],
      ],
    );
  });

  test('an invalid limit is a caller bug', () => {
    assert.throws(
      () => [...readMbox(mboxFile(entry(1)), { maxMessageBytes: 0, chunkBytes: 10 })],
      RangeError,
    );
  });
});

describe('looksLikeMbox', () => {
  test('a From line, not a From: header, not obsolete "From :"', () => {
    assert.equal(looksLikeMbox(Buffer.from('From a@b Mon Jan  1 00:00:00 2001\n')), true);
    assert.equal(looksLikeMbox(Buffer.from('From: a@b\n')), false);
    assert.equal(looksLikeMbox(Buffer.from('From : a@b\n')), false);
    assert.equal(looksLikeMbox(Buffer.from('Fro')), false);
  });
});
