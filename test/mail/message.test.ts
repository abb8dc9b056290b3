import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HeaderField, RawMessage } from '../../src/mail/message.ts';
import { DEFAULT_PARSE_LIMITS, fieldsNamed, fieldValue, parseMessage } from '../../src/mail/message.ts';

/** One byte per char: lets tests write 8-bit bytes as \xNN escapes. */
function bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

function parsed(input: Uint8Array, limits = DEFAULT_PARSE_LIMITS): RawMessage {
  const r = parseMessage(input, limits);
  if (!r.ok) assert.fail(`expected a message, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

function errorCode(input: Uint8Array, limits = DEFAULT_PARSE_LIMITS): string {
  const r = parseMessage(input, limits);
  if (r.ok) assert.fail('expected an error, got a message');
  assert.equal(typeof r.error.message, 'string');
  assert.ok(r.error.message.length > 0);
  return r.error.code;
}

function raws(m: RawMessage): string[] {
  return m.fields.map((f) => latin1(f.raw));
}

function field(m: RawMessage, i: number): HeaderField {
  const f = m.fields[i];
  assert.ok(f, `no field ${i}`);
  return f;
}

/** Every field's raw bytes plus the line terminators between them reproduce the header section. */
function assertHeaderSectionLossless(m: RawMessage): void {
  let pos = 0;
  for (const f of m.fields) {
    assert.equal(f.offset, pos, `field ${f.index} starts where the previous line ended`);
    assert.deepEqual(f.raw, m.bytes.subarray(f.offset, f.offset + f.raw.length));
    pos += f.raw.length;
    if (m.bytes[pos] === 0x0d && m.bytes[pos + 1] === 0x0a) pos += 2;
    else if (m.bytes[pos] === 0x0a) pos += 1;
    else assert.equal(pos, m.bytes.length, 'only the last line of a truncated message has no terminator');
  }
  assert.equal(pos, m.headerEnd);
  const sep = latin1(m.bytes.subarray(m.headerEnd, m.bodyOffset));
  if (m.hasSeparator) assert.ok(sep === '\r\n' || sep === '\n', `separator ${JSON.stringify(sep)}`);
  else assert.equal(sep, '');
  assert.deepEqual(m.body, m.bytes.subarray(m.bodyOffset));
}

describe('parseMessage: line endings', () => {
  test('CRLF message', () => {
    const input = 'From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nbody line\r\n';
    const m = parsed(bytes(input));
    assert.deepEqual(raws(m), ['From: a@example.com', 'To: b@example.com', 'Subject: hi']);
    assert.deepEqual(
      m.fields.map((f) => f.key),
      ['from', 'to', 'subject'],
    );
    assert.equal(m.headerLineEndings, 'crlf');
    assert.equal(m.hasSeparator, true);
    assert.equal(m.headerEnd, input.indexOf('\r\n\r\n') + 2);
    assert.equal(m.bodyOffset, input.indexOf('\r\n\r\n') + 4);
    assert.equal(latin1(m.body), 'body line\r\n');
    assert.equal(m.mboxFromLine, null);
    assert.equal(m.mboxFromLength, 0);
    assertHeaderSectionLossless(m);
  });

  test('LF-only message', () => {
    const input = 'From: a@example.com\nSubject: hi\n\nbody\n';
    const m = parsed(bytes(input));
    assert.deepEqual(raws(m), ['From: a@example.com', 'Subject: hi']);
    assert.equal(m.headerLineEndings, 'lf');
    assert.equal(m.headerEnd, input.indexOf('\n\n') + 1);
    assert.equal(m.bodyOffset, input.indexOf('\n\n') + 2);
    assert.equal(latin1(m.body), 'body\n');
    assertHeaderSectionLossless(m);
  });

  test('mixed endings: each line keeps its own terminator, none leaks into raw', () => {
    const input = 'A: 1\r\nB: 2\nC: 3\r\n\nbody\r\nmore\n';
    const m = parsed(bytes(input));
    assert.deepEqual(raws(m), ['A: 1', 'B: 2', 'C: 3']);
    assert.equal(m.headerLineEndings, 'mixed');
    assert.equal(m.hasSeparator, true);
    assert.equal(latin1(m.body), 'body\r\nmore\n');
    assertHeaderSectionLossless(m);
  });

  test('a CRLF header with a bare-LF blank line counts as mixed', () => {
    const m = parsed(bytes('A: 1\r\n\nbody'));
    assert.equal(m.headerLineEndings, 'mixed');
    assert.equal(latin1(m.body), 'body');
  });

  test('a single line with no terminator has no line endings', () => {
    const m = parsed(bytes('Subject: x'));
    assert.equal(m.headerLineEndings, 'none');
    assert.deepEqual(raws(m), ['Subject: x']);
  });

  test('a lone CR is content, not a line ending', () => {
    const m = parsed(bytes('A: x\ry\r\nB: z\r\r\n\r\nbody'));
    assert.deepEqual(raws(m), ['A: x\ry', 'B: z\r']);
    assert.equal(m.headerLineEndings, 'crlf');
    assertHeaderSectionLossless(m);
  });
});

describe('parseMessage: folding and raw bytes', () => {
  test('folded fields keep their exact raw bytes, folds and all', () => {
    const input =
      'Subject: a long\r\n subject\r\n\tfolded twice\r\n' +
      'DKIM-Signature: v=1; a=rsa-sha256;\n  b=abc\n   def\r\n' +
      'To: x@example.com\r\n\r\nbody';
    const input8 = bytes(input);
    const m = parsed(input8);
    assert.equal(m.fields.length, 3);
    const expected = [
      'Subject: a long\r\n subject\r\n\tfolded twice',
      'DKIM-Signature: v=1; a=rsa-sha256;\n  b=abc\n   def',
      'To: x@example.com',
    ];
    for (const [i, text] of expected.entries()) {
      const f = field(m, i);
      assert.equal(f.index, i);
      assert.equal(f.offset, input.indexOf(text));
      assert.deepEqual(f.raw, input8.subarray(f.offset, f.offset + text.length));
      assert.equal(latin1(f.raw), text);
    }
    assert.equal(field(m, 0).colon, 'Subject'.length);
    assert.equal(fieldValue(field(m, 0)), 'a long subject\tfolded twice');
    assert.equal(fieldValue(field(m, 1)), 'v=1; a=rsa-sha256;  b=abc   def');
    assertHeaderSectionLossless(m);
  });

  test('a whitespace-only continuation line belongs to the field above', () => {
    const m = parsed(bytes('Subject: x\r\n \r\nTo: y\r\n\r\n'));
    assert.deepEqual(raws(m), ['Subject: x\r\n ', 'To: y']);
  });

  test('8-bit bytes in header and body survive byte-exact', () => {
    const header = 'Subject: caf\xc3\xa9 \xff\xfe\x80\r\nX-Latin1: na\xefve\r\n';
    const body = '\x00\x01\xff\xc3\xa9\r\n\x80\x81\r\n';
    const input = bytes(header + '\r\n' + body);
    const m = parsed(input);
    assert.equal(latin1(field(m, 0).raw), 'Subject: caf\xc3\xa9 \xff\xfe\x80');
    assert.equal(latin1(field(m, 1).raw), 'X-Latin1: na\xefve');
    assert.deepEqual(m.body, bytes(body));
    assert.equal(field(m, 0).malformed, false);
    assertHeaderSectionLossless(m);
  });

  test('fieldValue decodes Latin-1 losslessly, including a trailing 8-bit byte', () => {
    const m = parsed(bytes('Subject: caf\xc3\xa9\r\n\r\n'));
    assert.equal(fieldValue(field(m, 0)), 'caf\xc3\xa9');
  });

  test('fieldValue keeps a trailing 0xA0 byte (UTF-8 "à" is C3 A0)', () => {
    const m = parsed(bytes('Subject: voil\xc3\xa0\r\n\r\n'));
    assert.equal(fieldValue(field(m, 0)), 'voil\xc3\xa0');
  });
});

describe('parseMessage: obsolete syntax', () => {
  test('whitespace before the colon: `Date   :`', () => {
    const m = parsed(bytes('Date   : Mon, 1 Jan 2001 00:00:00 +0000\r\nSubject\t: x\r\n\r\n'));
    const date = field(m, 0);
    assert.equal(date.name, 'Date');
    assert.equal(date.key, 'date');
    assert.equal(date.colon, 'Date   '.length);
    assert.equal(date.malformed, false);
    assert.equal(latin1(date.raw), 'Date   : Mon, 1 Jan 2001 00:00:00 +0000');
    assert.equal(fieldValue(date), 'Mon, 1 Jan 2001 00:00:00 +0000');
    assert.equal(field(m, 1).name, 'Subject');
    assert.equal(fieldsNamed(m, 'DATE').length, 1);
  });

  test('`From : x` at the very start is a header field, not an mbox separator', () => {
    for (const input of ['From : x@example.com\r\nTo: y\r\n\r\n', 'From \t : x@example.com\nTo: y\n\n']) {
      const m = parsed(bytes(input));
      assert.equal(m.mboxFromLine, null, input);
      assert.equal(m.mboxFromLength, 0);
      assert.equal(m.fields.length, 2);
      assert.equal(field(m, 0).key, 'from');
      assert.equal(fieldValue(field(m, 0)), 'x@example.com');
      assert.equal(fieldsNamed(m, 'from').length, 1);
    }
  });
});

describe('parseMessage: mbox From line', () => {
  const mboxLine = 'From sender@x Mon Jan  1 00:00:00 2001';

  for (const eol of ['\r\n', '\n']) {
    test(`a leading mbox line (${JSON.stringify(eol)}) is recorded and excluded, offsets map back`, () => {
      const message = `From: sender@x${eol}Subject: s${eol}${eol}body${eol}`;
      const input = bytes(mboxLine + eol + message);
      const m = parsed(input);
      assert.equal(m.mboxFromLine, mboxLine);
      assert.equal(m.mboxFromLength, mboxLine.length + eol.length);
      assert.deepEqual(m.bytes, bytes(message));
      assert.deepEqual(input.subarray(m.mboxFromLength), m.bytes);
      assert.deepEqual(raws(m), ['From: sender@x', 'Subject: s']);
      for (const f of m.fields) {
        const at = m.mboxFromLength + f.offset;
        assert.deepEqual(input.subarray(at, at + f.raw.length), f.raw);
      }
      assert.equal(field(m, 0).offset, 0);
      assert.equal(latin1(m.body), `body${eol}`);
      assert.equal(m.headerLineEndings, eol === '\n' ? 'lf' : 'crlf');
      assertHeaderSectionLossless(m);
    });
  }

  test('a `From:` header at the start is not an mbox line', () => {
    const m = parsed(bytes('From: a@x\r\n\r\n'));
    assert.equal(m.mboxFromLine, null);
    assert.equal(field(m, 0).key, 'from');
  });

  test('a message that is only an mbox From line is empty', () => {
    assert.equal(errorCode(bytes(mboxLine + '\n')), 'message-empty');
  });
});

describe('parseMessage: truncated and empty', () => {
  test('no blank line: hasSeparator false, no body', () => {
    const input = 'From: a@x\r\nSubject: cut he';
    const m = parsed(bytes(input));
    assert.equal(m.hasSeparator, false);
    assert.equal(m.headerEnd, input.length);
    assert.equal(m.bodyOffset, input.length);
    assert.equal(m.body.length, 0);
    assert.deepEqual(raws(m), ['From: a@x', 'Subject: cut he']);
    assertHeaderSectionLossless(m);
  });

  test('a final terminator but no blank line is still truncated', () => {
    const m = parsed(bytes('From: a@x\r\n'));
    assert.equal(m.hasSeparator, false);
    assert.equal(m.headerEnd, 11);
    assert.equal(m.bodyOffset, 11);
    assertHeaderSectionLossless(m);
  });

  test('a blank line and nothing after it: separator, empty body', () => {
    const m = parsed(bytes('From: a@x\r\n\r\n'));
    assert.equal(m.hasSeparator, true);
    assert.equal(m.bodyOffset, 13);
    assert.equal(m.body.length, 0);
  });

  test('a message that starts with the blank line has no fields and all body', () => {
    const m = parsed(bytes('\r\nFrom: a@x\r\n'));
    assert.equal(m.fields.length, 0);
    assert.equal(m.headerEnd, 0);
    assert.equal(m.bodyOffset, 2);
    assert.equal(latin1(m.body), 'From: a@x\r\n');
  });

  test('empty input is message-empty', () => {
    assert.equal(errorCode(new Uint8Array(0)), 'message-empty');
  });
});

describe('parseMessage: malformed lines are recorded, not dropped', () => {
  test('a line with no colon', () => {
    const m = parsed(bytes('From: a@x\r\nthis line has no colon\r\nTo: b@x\r\n\r\n'));
    assert.equal(m.fields.length, 3);
    const bad = field(m, 1);
    assert.equal(bad.malformed, true);
    assert.equal(bad.colon, -1);
    assert.equal(bad.key, '');
    assert.equal(bad.name, '');
    assert.equal(latin1(bad.raw), 'this line has no colon');
    assert.equal(field(m, 2).key, 'to');
    assertHeaderSectionLossless(m);
  });

  test('a leading continuation line', () => {
    const m = parsed(bytes(' leading: continuation\r\n\tand more\r\nFrom: a@x\r\n\r\n'));
    assert.equal(m.fields.length, 2);
    const bad = field(m, 0);
    assert.equal(bad.malformed, true);
    assert.equal(bad.key, '');
    assert.equal(latin1(bad.raw), ' leading: continuation\r\n\tand more');
    assert.equal(field(m, 1).key, 'from');
    assert.equal(field(m, 1).malformed, false);
    assertHeaderSectionLossless(m);
  });

  test('invalid name characters make a malformed field that fieldsNamed never returns', () => {
    const m = parsed(bytes('Bad Name: x\r\nSubj\xe9ct: y\r\nSubject: z\r\n\r\n'));
    assert.deepEqual(
      m.fields.map((f) => f.malformed),
      [true, true, false],
    );
    assert.equal(field(m, 0).key, '');
    assert.deepEqual(
      fieldsNamed(m, 'subject').map((f) => f.index),
      [2],
    );
  });

  test('fieldsNamed returns every instance, top to bottom, case-insensitively', () => {
    const m = parsed(bytes('Received: 1\r\nreceived: 2\r\nTo: x\r\nRECEIVED: 3\r\n\r\n'));
    assert.deepEqual(
      fieldsNamed(m, 'Received').map((f) => fieldValue(f)),
      ['1', '2', '3'],
    );
    assert.deepEqual(fieldsNamed(m, 'cc'), []);
  });
});

describe('parseMessage: limits', () => {
  test('header section over the default limit is header-section-too-large', () => {
    const line = 'X-Filler: ' + 'a'.repeat(990) + '\r\n'; // 1,002 bytes
    const n = Math.ceil(DEFAULT_PARSE_LIMITS.maxHeaderBytes / line.length) + 1;
    assert.ok(n < DEFAULT_PARSE_LIMITS.maxHeaderFields);
    assert.equal(errorCode(bytes(line.repeat(n) + '\r\nbody')), 'header-section-too-large');
    assert.equal(errorCode(bytes(line.repeat(n))), 'header-section-too-large');
  });

  test('a small custom header limit: at the limit is accepted, one byte over is not', () => {
    const header = 'A: 1234\r\nB: 5678\r\n'; // 18 bytes before the blank line
    const input = bytes(header + '\r\nbody');
    const limits = (maxHeaderBytes: number) => ({ ...DEFAULT_PARSE_LIMITS, maxHeaderBytes });
    assert.equal(parsed(input, limits(header.length)).headerEnd, header.length);
    assert.equal(errorCode(input, limits(header.length - 1)), 'header-section-too-large');
    // The body does not count towards the header limit.
    assert.ok(parsed(bytes(header + '\r\n' + 'x'.repeat(1000)), limits(header.length)).hasSeparator);
    // A truncated message: the whole input is header section.
    assert.equal(errorCode(bytes(header), limits(header.length - 1)), 'header-section-too-large');
    assert.equal(parsed(bytes(header), limits(header.length)).fields.length, 2);
  });

  test('the header limit counts from after the mbox line', () => {
    const header = 'A: 1234\r\n';
    const m = parsed(bytes('From x@y Mon Jan  1 00:00:00 2001\r\n' + header + '\r\n'), {
      ...DEFAULT_PARSE_LIMITS,
      maxHeaderBytes: header.length,
    });
    assert.equal(m.fields.length, 1);
  });

  test('too many fields is header-field-too-many; exactly the limit is accepted', () => {
    const limits = { ...DEFAULT_PARSE_LIMITS, maxHeaderFields: 3 };
    assert.equal(parsed(bytes('A: 1\r\nB: 2\r\nC: 3\r\n\r\n'), limits).fields.length, 3);
    assert.equal(errorCode(bytes('A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n'), limits), 'header-field-too-many');
    // Malformed lines are fields too: they count.
    assert.equal(errorCode(bytes('A: 1\r\nno colon\r\nC: 3\r\nD: 4\r\n'), limits), 'header-field-too-many');
  });

  test('the default field limit', () => {
    const input = bytes('X: y\n'.repeat(DEFAULT_PARSE_LIMITS.maxHeaderFields + 1) + '\nbody');
    assert.equal(errorCode(input), 'header-field-too-many');
    const atLimit = bytes('X: y\n'.repeat(DEFAULT_PARSE_LIMITS.maxHeaderFields) + '\nbody');
    assert.equal(parsed(atLimit).fields.length, DEFAULT_PARSE_LIMITS.maxHeaderFields);
  });

  test('an invalid limit is a caller bug: RangeError', () => {
    const input = bytes('A: 1\r\n\r\n');
    for (const bad of [0, -1, Number.NaN, -Infinity]) {
      assert.throws(() => parseMessage(input, { ...DEFAULT_PARSE_LIMITS, maxHeaderBytes: bad }), RangeError);
      assert.throws(() => parseMessage(input, { ...DEFAULT_PARSE_LIMITS, maxHeaderFields: bad }), RangeError);
    }
    // Even before looking at the input: empty input does not hide the caller bug.
    assert.throws(
      () => parseMessage(new Uint8Array(0), { maxHeaderBytes: 0, maxHeaderFields: 1 }),
      RangeError,
    );
  });
});
