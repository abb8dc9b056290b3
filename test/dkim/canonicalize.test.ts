import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Canonicalization } from '../../src/dkim/canonicalize.ts';
import { canonicalizeBody, canonicalizeHeader, canonicalizeHeaderText } from '../../src/dkim/canonicalize.ts';
import type { HeaderField } from '../../src/mail/message.ts';
import { parseMessage } from '../../src/mail/message.ts';

/**
 * Inputs are Buffers, as `fs.readFile` gives them. Plain Uint8Arrays (from zip and tar decoders) are
 * tested on their own below: see "input type".
 */
function bytes(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

function plain(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

function body(text: string, mode: Canonicalization): string {
  return latin1(canonicalizeBody(bytes(text), mode));
}

function fields(header: string): HeaderField[] {
  const r = parseMessage(bytes(header + '\r\n'));
  if (!r.ok) assert.fail(r.error.message);
  return [...r.value.fields];
}

function headers(header: string, mode: Canonicalization): string[] {
  return fields(header).map((f) => canonicalizeHeader(f, mode));
}

/** RFC 6376 3.4.5: the example message, header and body. */
const RFC_HEADER = 'A: X\r\nB : Y\t\r\n\tZ  \r\n';
const RFC_BODY = ' C \r\nD \t E\r\n\r\n\r\n';

describe('RFC 6376 3.4.5 example', () => {
  test('relaxed header', () => {
    assert.deepEqual(headers(RFC_HEADER, 'relaxed'), ['a:X\r\n', 'b:Y Z\r\n']);
  });

  test('relaxed body', () => {
    assert.equal(body(RFC_BODY, 'relaxed'), ' C\r\nD E\r\n');
  });

  test('simple header', () => {
    assert.deepEqual(headers(RFC_HEADER, 'simple'), ['A: X\r\n', 'B : Y\t\r\n\tZ  \r\n']);
  });

  test('simple body', () => {
    assert.equal(body(RFC_BODY, 'simple'), ' C \r\nD \t E\r\n');
  });

  test('the whole example message parsed from bytes', () => {
    const r = parseMessage(bytes(RFC_HEADER + '\r\n' + RFC_BODY));
    assert.ok(r.ok);
    assert.equal(latin1(canonicalizeBody(r.value.body, 'relaxed')), ' C\r\nD E\r\n');
    assert.equal(latin1(canonicalizeBody(r.value.body, 'simple')), ' C \r\nD \t E\r\n');
  });
});

describe('body canonicalization', () => {
  test('empty body: simple is one CRLF, relaxed is empty (RFC 6376 3.4.3, 3.4.4 and errata 1376)', () => {
    assert.equal(body('', 'simple'), '\r\n');
    assert.equal(body('', 'relaxed'), '');
    const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('base64');
    assert.equal(
      sha256(canonicalizeBody(new Uint8Array(0), 'simple')),
      'frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=',
    );
    assert.equal(
      sha256(canonicalizeBody(new Uint8Array(0), 'relaxed')),
      '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
    );
  });

  test('a body of only empty lines is empty', () => {
    assert.equal(body('\r\n\r\n\r\n', 'simple'), '\r\n');
    assert.equal(body('\r\n\r\n\r\n', 'relaxed'), '');
    assert.equal(body('\n\n', 'simple'), '\r\n');
  });

  test('trailing empty lines are removed, inner ones kept', () => {
    assert.equal(body('a\r\n\r\nb\r\n\r\n\r\n\r\n', 'simple'), 'a\r\n\r\nb\r\n');
    assert.equal(body('a\r\n\r\nb\r\n\r\n\r\n\r\n', 'relaxed'), 'a\r\n\r\nb\r\n');
  });

  test('a body without a final CRLF gets one', () => {
    assert.equal(body('a\r\nlast', 'simple'), 'a\r\nlast\r\n');
    assert.equal(body('a\r\nlast', 'relaxed'), 'a\r\nlast\r\n');
    assert.equal(body('last  ', 'simple'), 'last  \r\n');
    assert.equal(body('last  ', 'relaxed'), 'last\r\n');
  });

  test('an LF-only body has the canonical form of its CRLF twin', () => {
    const crlf = 'Hello \t world\r\n\r\n  indented\r\ntrailing  \r\n\r\n\r\n';
    const lf = crlf.replace(/\r\n/g, '\n');
    for (const mode of ['simple', 'relaxed'] as const) {
      assert.equal(body(lf, mode), body(crlf, mode), mode);
    }
    assert.equal(body(lf, 'simple'), 'Hello \t world\r\n\r\n  indented\r\ntrailing  \r\n');
    assert.equal(body(lf, 'relaxed'), 'Hello world\r\n\r\n indented\r\ntrailing\r\n');
  });

  test('a lone CR is content in both modes', () => {
    assert.equal(body('a\rb\r\n', 'simple'), 'a\rb\r\n');
    assert.equal(body('a\rb\r\n', 'relaxed'), 'a\rb\r\n');
    assert.equal(body('a\r', 'simple'), 'a\r\r\n');
    assert.equal(body('a\r', 'relaxed'), 'a\r\r\n');
    // A CR before a CRLF is content too: the line is "a\r", not empty.
    assert.equal(body('a\r\r\n\r\n', 'simple'), 'a\r\r\n');
    // A line holding only a CR is not an empty line.
    assert.equal(body('a\r\n\r', 'simple'), 'a\r\n\r\r\n');
    assert.equal(body('a\r\n\r', 'relaxed'), 'a\r\n\r\r\n');
    // A CR is not whitespace: the space before it is inside the line, and stays (reduced).
    assert.equal(body('a  \rb\r\n', 'relaxed'), 'a \rb\r\n');
  });

  test('relaxed: whitespace-only lines at the end are empty lines and go', () => {
    assert.equal(body('text\r\n  \r\n\t\r\n \t \r\n', 'relaxed'), 'text\r\n');
    assert.equal(body('text\r\n  \r\n\t', 'relaxed'), 'text\r\n');
    assert.equal(body(' \t ', 'relaxed'), '');
    // Not at the end: the line is kept, emptied.
    assert.equal(body('a\r\n  \r\nb\r\n', 'relaxed'), 'a\r\n\r\nb\r\n');
  });

  test('simple: whitespace-only lines are not empty lines', () => {
    assert.equal(body('text\r\n  \r\n\t\r\n\r\n', 'simple'), 'text\r\n  \r\n\t\r\n');
    assert.equal(body(' \t ', 'simple'), ' \t \r\n');
  });

  test('relaxed: runs of spaces and tabs become one space; trailing ones go; leading one stays', () => {
    assert.equal(body('a  b\t\tc \t d\r\n', 'relaxed'), 'a b c d\r\n');
    assert.equal(body('\t\t lead\r\n', 'relaxed'), ' lead\r\n');
    assert.equal(body('trail \t \r\nnext\t\r\n', 'relaxed'), 'trail\r\nnext\r\n');
    // simple leaves them alone
    assert.equal(body('a  b\t\tc \t d\r\n', 'simple'), 'a  b\t\tc \t d\r\n');
  });

  test('8-bit bytes pass through unchanged', () => {
    const text = '\xff\xc3\xa9 \x00\x80  \xa0\r\n';
    assert.equal(body(text, 'simple'), text);
    assert.equal(body(text, 'relaxed'), '\xff\xc3\xa9 \x00\x80 \xa0\r\n');
  });

  test('the input is not modified', () => {
    const input = bytes('a \t b\r\n\r\n');
    const copy = input.slice();
    canonicalizeBody(input, 'relaxed');
    canonicalizeBody(input, 'simple');
    assert.deepEqual(input, copy);
  });
});

describe('header canonicalization', () => {
  test('relaxed: name lowercased, WSP around the colon removed', () => {
    assert.deepEqual(headers('SUBJECT: Hi\r\nX-Mixed-Case   :   v\r\nDate\t:\tMon\r\n', 'relaxed'), [
      'subject:Hi\r\n',
      'x-mixed-case:v\r\n',
      'date:Mon\r\n',
    ]);
  });

  test('relaxed: unfolding, WSP runs reduced, trailing WSP removed', () => {
    assert.deepEqual(headers('Subject: a  long\r\n \t subject \t\r\n\tend \t \r\n', 'relaxed'), [
      'subject:a long subject end\r\n',
    ]);
    // A fold with nothing before it: the value starts on the next line.
    assert.deepEqual(headers('To:\r\n   x@example.com\r\n', 'relaxed'), ['to:x@example.com\r\n']);
    // An empty value.
    assert.deepEqual(headers('X-Empty:   \r\n', 'relaxed'), ['x-empty:\r\n']);
  });

  test('relaxed: an LF-folded field canonicalizes like its CRLF twin', () => {
    const [lf] = headers('Subject: a\n\tb  c\n', 'relaxed');
    const [crlf] = headers('Subject: a\r\n\tb  c\r\n', 'relaxed');
    assert.equal(lf, crlf);
    assert.equal(lf, 'subject:a b c\r\n');
  });

  test('relaxed: 8-bit bytes in the value are kept', () => {
    assert.deepEqual(headers('Subject:  caf\xc3\xa9  \xa0 \r\n', 'relaxed'), [
      'subject:caf\xc3\xa9 \xa0\r\n',
    ]);
  });

  test('simple: unchanged, except that an LF fold is written as CRLF', () => {
    assert.deepEqual(headers('SUBJECT :  a \r\n\tb \r\n', 'simple'), ['SUBJECT :  a \r\n\tb \r\n']);
    assert.deepEqual(headers('Subject: a\n\tb\n', 'simple'), ['Subject: a\r\n\tb\r\n']);
  });

  test('canonicalizeHeaderText is the same function on text (no terminator added)', () => {
    const raw = 'DKIM-Signature : v=1;\r\n\tb=  ';
    const colon = raw.indexOf(':');
    assert.equal(canonicalizeHeaderText(raw, colon, 'relaxed'), 'dkim-signature:v=1; b=');
    assert.equal(canonicalizeHeaderText(raw, colon, 'simple'), raw);
    assert.equal(canonicalizeHeaderText(raw.replace(/\r\n/g, '\n'), colon, 'simple'), raw);
  });
});

// Properties.

/**
 * Body lines: any bytes but LF, never ending in CR (a CR right before the terminator would be read
 * as part of a CRLF, so "the LF-only version" of such a body is not a different spelling of it).
 */
const bodyLine = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(' ', '\t', '  ', ' \t', 'a', 'b', 'x y', '\r') },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)) },
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join('').replace(/\n/g, '').replace(/\r+$/, ''));
const bodyLines = fc.record({
  lines: fc.array(bodyLine, { maxLength: 10 }),
  finalTerminator: fc.boolean(),
});

function join(
  { lines, finalTerminator }: { lines: string[]; finalTerminator: boolean },
  eol: string,
): string {
  return lines.join(eol) + (finalTerminator && lines.length > 0 ? eol : '');
}

const anyBody = fc.oneof(
  bodyLines.map((b) => bytes(join(b, '\r\n'))),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc
    .array(fc.constantFrom('\r\n', '\n', '\r', ' ', '\t', 'a', '\xff'), { maxLength: 40 })
    .map((p) => bytes(p.join(''))),
);

describe('body canonicalization properties', () => {
  for (const mode of ['simple', 'relaxed'] as const) {
    test(`${mode} is idempotent`, () => {
      fc.assert(
        fc.property(anyBody, (b) => {
          const once = canonicalizeBody(b, mode);
          assert.deepEqual(latin1(canonicalizeBody(once, mode)), latin1(once));
        }),
        { numRuns: 2000 },
      );
    });

    test(`${mode}: an LF-only body canonicalizes like its CRLF version`, () => {
      fc.assert(
        fc.property(bodyLines, (b) => {
          assert.equal(body(join(b, '\n'), mode), body(join(b, '\r\n'), mode));
        }),
        { numRuns: 2000 },
      );
    });

    test(`${mode}: output is empty or ends with exactly one line terminator and no empty line`, () => {
      fc.assert(
        fc.property(anyBody, (b) => {
          const out = latin1(canonicalizeBody(b, mode));
          if (out === '' || out === '\r\n') {
            if (mode === 'simple') assert.equal(out, '\r\n');
            else assert.equal(out, '');
            return;
          }
          assert.ok(out.endsWith('\r\n'));
          assert.ok(!out.endsWith('\r\n\r\n'));
          // Every LF is part of a CRLF.
          assert.doesNotMatch(out, /(^|[^\r])\n/);
        }),
        { numRuns: 2000 },
      );
    });
  }

  test('relaxed output has no WSP before a CRLF and no two consecutive WSP', () => {
    fc.assert(
      fc.property(anyBody, (b) => {
        const out = latin1(canonicalizeBody(b, 'relaxed'));
        assert.doesNotMatch(out, /[ \t]\r\n/);
        assert.doesNotMatch(out, /[ \t]{2}/);
        assert.doesNotMatch(out, /\t/);
      }),
      { numRuns: 3000 },
    );
  });

  test('relaxed differs from simple only in whitespace and trailing empty lines', () => {
    fc.assert(
      fc.property(anyBody, (b) => {
        const squash = (s: string) => s.replace(/[ \t]+/g, '').replace(/(\r\n)+$/, '');
        assert.equal(
          squash(latin1(canonicalizeBody(b, 'relaxed'))),
          squash(latin1(canonicalizeBody(b, 'simple'))),
        );
      }),
      { numRuns: 2000 },
    );
  });
});

describe('body canonicalization: input type', () => {
  test('a plain Uint8Array with no runs of spaces gives the same result as a Buffer', () => {
    for (const text of ['a b\r\n', 'a\tb \r\n\r\n', ' C \r\nD \t E\r\n\r\n', '']) {
      for (const mode of ['simple', 'relaxed'] as const) {
        assert.equal(latin1(canonicalizeBody(plain(bytes(text)), mode)), body(text, mode));
      }
    }
  });

  test('relaxed reduces a run of spaces in a plain Uint8Array body', () => {
    assert.equal(latin1(canonicalizeBody(plain(bytes('a  b\r\n')), 'relaxed')), 'a b\r\n');
    assert.equal(latin1(canonicalizeBody(plain(bytes('  x y')), 'relaxed')), ' x y\r\n');
  });

  test('property: a plain Uint8Array and a Buffer of the same bytes canonicalize alike', () => {
    fc.assert(
      fc.property(
        anyBody,
        fc.constantFrom('simple', 'relaxed') as fc.Arbitrary<Canonicalization>,
        (b, mode) => {
          assert.equal(
            latin1(canonicalizeBody(plain(b), mode)),
            latin1(canonicalizeBody(Buffer.from(b), mode)),
          );
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('header canonicalization properties', () => {
  const headerValue = fc
    .array(fc.constantFrom(' ', '\t', 'a', 'B', ':', ';', '\xe9', '\r\n ', '\r\n\t', '\n ', '  '), {
      maxLength: 20,
    })
    .map((p) => p.join(''));
  const headerName = fc.stringMatching(/^[\x21-\x39\x3b-\x7e]{1,10}$/);

  test('relaxed: lower-case name, one colon-free name, no WSP runs, no WSP at the value ends, no line breaks', () => {
    fc.assert(
      fc.property(headerName, fc.constantFrom('', ' ', ' \t '), headerValue, (name, beforeColon, value) => {
        const raw = name + beforeColon + ':' + value;
        const out = canonicalizeHeaderText(raw, raw.indexOf(':'), 'relaxed');
        assert.ok(out.startsWith(name.toLowerCase() + ':'));
        const v = out.slice(name.length + 1);
        assert.doesNotMatch(v, /[\r\n\t]| {2}|^ | $/);
        assert.equal(
          v,
          value
            .replace(/\r?\n/g, '')
            .replace(/[ \t]+/g, ' ')
            .trim(),
        );
        // The LF spelling gives the same result.
        const lf = raw.replace(/\r\n/g, '\n');
        assert.equal(canonicalizeHeaderText(lf, raw.indexOf(':'), 'relaxed'), out);
        assert.equal(canonicalizeHeaderText(lf, raw.indexOf(':'), 'simple'), raw.replace(/\r?\n/g, '\r\n'));
      }),
      { numRuns: 2000 },
    );
  });
});
