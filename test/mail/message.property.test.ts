import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { ParseLimits, RawMessage } from '../../src/mail/message.ts';
import { DEFAULT_PARSE_LIMITS, parseMessage } from '../../src/mail/message.ts';

const CR = 0x0d;
const LF = 0x0a;
const FIELD_NAME_OK = /^[\x21-\x39\x3b-\x7e]+$/;
const LIMIT_CODES = new Set(['header-section-too-large', 'header-field-too-many']);

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/** The invariants every successful parse must satisfy, whatever the input. */
function assertInvariants(input: Uint8Array, m: RawMessage): void {
  // The mbox line is cut off the front and nothing else.
  assert.equal(m.mboxFromLength + m.bytes.length, input.length);
  assert.deepEqual(m.bytes, input.subarray(m.mboxFromLength));
  if (m.mboxFromLine === null) assert.equal(m.mboxFromLength, 0);
  else assert.ok(m.mboxFromLine.startsWith('From '));

  assert.ok(m.bodyOffset <= m.bytes.length);
  assert.ok(m.headerEnd <= m.bodyOffset);
  assert.deepEqual(m.body, m.bytes.subarray(m.bodyOffset));

  // Fields in order; each raw is its own slice; between fields only a line terminator.
  let pos = 0;
  let previous = -1;
  for (const [i, f] of m.fields.entries()) {
    assert.equal(f.index, i);
    assert.ok(f.offset > previous, 'offsets increase');
    previous = f.offset;
    assert.ok(f.raw.length > 0, 'no empty field');
    assert.deepEqual(f.raw, m.bytes.subarray(f.offset, f.offset + f.raw.length));
    assert.equal(f.offset, pos, 'nothing lost before this field');
    // Inside a field, a LF only ever starts a fold.
    for (let j = 0; j < f.raw.length; j++) {
      if (f.raw[j] === LF)
        assert.ok(f.raw[j + 1] === 0x20 || f.raw[j + 1] === 0x09, 'LF inside raw is a fold');
    }
    if (f.malformed) {
      assert.equal(f.key, '');
    } else {
      assert.ok(FIELD_NAME_OK.test(f.name));
      assert.equal(f.key, f.name.toLowerCase());
      assert.equal(f.raw[f.colon], 0x3a);
      assert.equal(latin1(f.raw.subarray(0, f.name.length)), f.name);
      assert.match(latin1(f.raw.subarray(f.name.length, f.colon)), /^[ \t]*$/);
    }
    if (f.colon >= 0) assert.equal(f.raw[f.colon], 0x3a);
    pos += f.raw.length;
    if (m.bytes[pos] === CR && m.bytes[pos + 1] === LF) pos += 2;
    else if (m.bytes[pos] === LF) pos += 1;
    else {
      assert.equal(pos, m.bytes.length, 'a field without terminator ends the data');
      assert.equal(i, m.fields.length - 1);
    }
  }
  assert.equal(pos, m.headerEnd, 'nothing lost after the last field');
  const separator = latin1(m.bytes.subarray(m.headerEnd, m.bodyOffset));
  if (m.hasSeparator) {
    assert.ok(separator === '\r\n' || separator === '\n');
  } else {
    assert.equal(separator, '');
    assert.equal(m.bodyOffset, m.bytes.length);
  }
}

function parseChecked(input: Uint8Array, limits: ParseLimits = DEFAULT_PARSE_LIMITS): void {
  const r = parseMessage(input, limits);
  if (r.ok) {
    assertInvariants(input, r.value);
  } else {
    assert.equal(typeof r.error.message, 'string');
    if (r.error.code === 'message-empty') {
      // empty, or nothing but an mbox From line
      const text = Buffer.from(input).toString('latin1');
      assert.ok(input.length === 0 || /^From [^\n]*\n?$/.test(text), JSON.stringify(text));
    } else assert.ok(LIMIT_CODES.has(r.error.code), r.error.code);
  }
}

/** Byte strings biased towards what the parser cares about. */
const tokenBytes = fc
  .array(
    fc.constantFrom(
      '\r\n',
      '\n',
      '\r',
      ' ',
      '\t',
      ':',
      ' :',
      'From ',
      'From: ',
      'Subject',
      'a',
      'Z9',
      '\xff',
      '\x80',
      '\x00',
      '\r\n\r\n',
      '\n\n',
    ),
    { maxLength: 60 },
  )
  .map((parts) => new Uint8Array(Buffer.from(parts.join(''), 'latin1')));

describe('parseMessage never throws on input', () => {
  test('arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (input) => parseChecked(input)),
      { numRuns: 2000 },
    );
  });

  test('token soup of terminators, colons, whitespace and 8-bit bytes', () => {
    fc.assert(
      fc.property(tokenBytes, (input) => parseChecked(input)),
      { numRuns: 3000 },
    );
  });

  test('small limits give a justified error or a result within the limits', () => {
    const unlimited = { maxHeaderBytes: Number.MAX_SAFE_INTEGER, maxHeaderFields: Number.MAX_SAFE_INTEGER };
    fc.assert(
      fc.property(
        tokenBytes,
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 1, max: 8 }),
        (input, maxHeaderBytes, maxHeaderFields) => {
          const limits = { maxHeaderBytes, maxHeaderFields };
          parseChecked(input, limits);
          const limited = parseMessage(input, limits);
          const full = parseMessage(input, unlimited);
          if (!full.ok) {
            assert.equal(full.error.code, 'message-empty'); // empty, or only an mbox From line
            return;
          }
          if (limited.ok) {
            assert.ok(limited.value.headerEnd <= maxHeaderBytes);
            assert.ok(limited.value.fields.length <= maxHeaderFields);
            assert.deepEqual(limited.value, full.value);
          } else if (limited.error.code === 'header-section-too-large') {
            assert.ok(full.value.headerEnd > maxHeaderBytes);
          } else {
            assert.equal(limited.error.code, 'header-field-too-many');
            assert.ok(full.value.fields.length > maxHeaderFields);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

// A structured generator with a model: the fields it wrote are exactly the fields expected back.

interface GeneratedField {
  readonly text: string;
  readonly malformed: boolean;
  /** The name as written (kept even when invalid); `key` is empty for every malformed field. */
  readonly name: string;
}

const eol = fc.constantFrom('\r\n', '\n');
const wsp = fc.stringMatching(/^[ \t]{1,3}$/);
/** Value bytes: anything but LF, and no CR right before a terminator (that CR would be the CRLF's). */
const valueChunk = fc
  .string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 20 })
  .map((s) => s.replace(/\n/g, '').replace(/\r+$/, ''));
const validName = fc.oneof(
  fc.constantFrom('From', 'To', 'Subject', 'Date', 'DKIM-Signature', 'Received', 'X-Mailer', 'message-id'),
  fc.stringMatching(/^[\x21-\x39\x3b-\x7e]{1,12}$/),
);
const foldedValue = fc
  .tuple(valueChunk, fc.array(fc.tuple(eol, wsp, valueChunk), { maxLength: 3 }))
  .map(([first, folds]) => first + folds.map(([e, w, v]) => e + w + v).join(''));

const goodField: fc.Arbitrary<GeneratedField> = fc
  .tuple(validName, fc.constantFrom('', ' ', '   ', '\t'), foldedValue)
  .map(([name, beforeColon, value]) => ({ text: name + beforeColon + ':' + value, malformed: false, name }));
const noColonField: fc.Arbitrary<GeneratedField> = fc
  .tuple(valueChunk, fc.array(fc.tuple(eol, wsp, valueChunk), { maxLength: 2 }))
  .map(([first, folds]) => ({
    text: 'junk' + (first + folds.map(([e, w, v]) => e + w + v).join('')).replace(/:/g, ''),
    malformed: true,
    name: '',
  }));
const badNameField: fc.Arbitrary<GeneratedField> = fc
  .tuple(fc.constantFrom('Bad Name', 'Subj\xe9ct', 'X\x00Y', 'A\x7fB', '\xff'), foldedValue)
  .map(([name, value]) => ({ text: name + ':' + value, malformed: true, name }));
const leadingContinuation: fc.Arbitrary<GeneratedField> = fc
  .tuple(wsp, valueChunk)
  .map(([w, v]) => ({ text: w + v, malformed: true, name: '' }));

const generatedMessage = fc
  .record({
    mbox: fc.option(eol, { nil: null }),
    leading: fc.option(leadingContinuation, { nil: null }),
    fields: fc.array(fc.oneof({ weight: 6, arbitrary: goodField }, noColonField, badNameField), {
      maxLength: 8,
    }),
    terminators: fc.array(eol, { minLength: 10, maxLength: 10 }),
    ending: fc.constantFrom('separator', 'terminated', 'cut'),
    separator: eol,
    body: fc.uint8Array({ maxLength: 100 }),
  })
  .filter((g) => g.leading !== null || g.fields.length > 0 || g.ending === 'separator');

describe('parseMessage on generated header sections (model check)', () => {
  test('fields, raw bytes, offsets, boundary and line endings are exactly what was written', () => {
    fc.assert(
      fc.property(generatedMessage, (g) => {
        const fields = g.leading ? [g.leading, ...g.fields] : g.fields;
        const mboxLine = 'From sender@example.org Mon Jan  1 00:00:00 2001';
        let text = g.mbox === null ? '' : mboxLine + g.mbox;
        const prefix = text.length;
        const offsets: number[] = [];
        const endings: string[] = [];
        for (const [i, f] of fields.entries()) {
          offsets.push(text.length - prefix);
          text += f.text;
          const last = i === fields.length - 1;
          if (!(last && g.ending === 'cut')) {
            const t = g.terminators[i] ?? '\r\n';
            text += t;
            endings.push(t);
          }
          for (const m of f.text.matchAll(/\r?\n/g)) endings.push(m[0]);
        }
        const headerEnd = text.length - prefix;
        if (g.ending === 'separator') {
          text += g.separator;
          endings.push(g.separator);
        }
        const bodyOffset = text.length - prefix;
        const input = new Uint8Array([
          ...Buffer.from(text, 'latin1'),
          ...(g.ending === 'separator' ? g.body : []),
        ]);

        const r = parseMessage(input);
        if (!r.ok) assert.fail(`${r.error.code}: ${r.error.message}`);
        const m = r.value;
        assertInvariants(input, m);
        assert.equal(m.mboxFromLine, g.mbox === null ? null : mboxLine);
        assert.equal(m.mboxFromLength, prefix);
        assert.equal(m.fields.length, fields.length);
        for (const [i, f] of fields.entries()) {
          const got = m.fields[i];
          assert.ok(got);
          assert.equal(latin1(got.raw), f.text);
          assert.equal(got.offset, offsets[i]);
          assert.equal(got.malformed, f.malformed, JSON.stringify(f.text));
          assert.equal(got.name, f.name);
          assert.equal(got.key, f.malformed ? '' : f.name.toLowerCase());
        }
        assert.equal(m.hasSeparator, g.ending === 'separator');
        assert.equal(m.headerEnd, headerEnd);
        assert.equal(m.bodyOffset, bodyOffset);
        assert.deepEqual(m.body, g.ending === 'separator' ? g.body : new Uint8Array(0));
        const crlf = endings.includes('\r\n');
        const lf = endings.includes('\n');
        assert.equal(m.headerLineEndings, crlf && lf ? 'mixed' : crlf ? 'crlf' : lf ? 'lf' : 'none');
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseMessage at scale', () => {
  test('a 50 MB body behind a small header parses, body untouched', () => {
    const header = Buffer.from('From: a@example.com\r\nSubject: big\r\n\r\n', 'latin1');
    const input = new Uint8Array(header.length + 50 * 1024 * 1024);
    input.set(header);
    input.fill(0x61, header.length);
    for (let i = header.length + 76; i < input.length; i += 78) {
      input[i] = CR;
      input[i + 1] = LF;
    }
    const r = parseMessage(input);
    assert.ok(r.ok);
    assert.equal(r.value.fields.length, 2);
    assert.equal(r.value.bodyOffset, header.length);
    assert.equal(r.value.body.length, 50 * 1024 * 1024);
  });

  test('a 5 MB single header line with the default limit is header-section-too-large', () => {
    const line = 'X-Huge: ' + 'a'.repeat(5 * 1024 * 1024);
    for (const text of [line, line + '\r\n', line + '\r\n\r\nbody', 'Subject: x\r\n' + line + '\n\nbody']) {
      const r = parseMessage(new Uint8Array(Buffer.from(text, 'latin1')));
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.error.code, 'header-section-too-large');
    }
  });

  test('a 5 MB fold of continuation lines is header-section-too-large too', () => {
    const text = 'X-Folded: a' + '\r\n b'.repeat(2 * 1024 * 1024) + '\r\n\r\nbody';
    const r = parseMessage(new Uint8Array(Buffer.from(text, 'latin1')));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'header-section-too-large');
  });
});
