import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MAX_TAG_LIST_LENGTH, parseTagList } from '../../src/shared/tag-list.ts';

const CODES = new Set(['tag-list-malformed', 'tag-list-too-long', 'tag-duplicate']);
const TAG_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

function latin1Char(): fc.Arbitrary<string> {
  return fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c));
}

/** Whatever the text: a result or a coded error, and a result is internally consistent. */
function checkAnyText(text: string): void {
  const r = parseTagList(text);
  if (!r.ok) {
    assert.ok(CODES.has(r.error.code), r.error.code);
    assert.ok(r.error.message.length > 0);
    return;
  }
  const { tags, byName } = r.value;
  assert.equal(byName.size, tags.length, 'names are unique');
  let previousEnd = -1;
  for (const tag of tags) {
    assert.match(tag.name, TAG_NAME);
    assert.equal(byName.get(tag.name), tag);
    assert.ok(tag.valueStart <= tag.valueEnd);
    assert.ok(tag.valueStart > previousEnd, 'tags in input order');
    previousEnd = tag.valueEnd;
    assert.equal(text.slice(tag.valueStart, tag.valueEnd), tag.value);
    assert.ok(!tag.value.includes(';'));
    assert.doesNotMatch(tag.value, /^[ \t\r\n]|[ \t\r\n]$/, 'value trimmed of folding whitespace');
    assert.doesNotMatch(tag.value, /[\x00-\x08\x0b\x0c\x0e-\x1f]/, 'no control characters');
  }
}

describe('parseTagList never throws', () => {
  test('arbitrary Latin-1 strings', () => {
    fc.assert(fc.property(fc.string({ unit: latin1Char(), maxLength: 200 }), checkAnyText), {
      numRuns: 3000,
    });
  });

  test('strings heavy in ";", "=", whitespace and name characters', () => {
    const unit = fc.constantFrom(
      ';',
      '=',
      '=',
      ';',
      ' ',
      '\t',
      '\r\n',
      '\r',
      '\n',
      'a',
      'b',
      'Z',
      '1',
      '_',
      '\xff',
      '\x00',
    );
    fc.assert(fc.property(fc.string({ unit, maxLength: 120 }), checkAnyText), { numRuns: 3000 });
  });

  test('arbitrary full-Unicode strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 100 }), checkAnyText), { numRuns: 1000 });
  });

  test('texts around the length limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: -3, max: 3 }), fc.constantFrom(';', 'a=b;', ' '), (delta, unit) => {
        const length = MAX_TAG_LIST_LENGTH + delta;
        const text = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
        const r = parseTagList(text);
        if (length > MAX_TAG_LIST_LENGTH) assert.equal(!r.ok && r.error.code, 'tag-list-too-long');
        else assert.notEqual(!r.ok && r.error.code, 'tag-list-too-long');
      }),
      { numRuns: 50 },
    );
  });
});

// Valid tag lists, serialized with random folding whitespace, parse back to the same tags.

const fws = fc.constantFrom('', '', ' ', '\t', '  ', '\r\n ', '\r\n\t', ' \r\n  ');
const tagName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,7}$/);
/** RFC 6376 VALCHAR: %x21-3A / %x3C-7E. */
const valChar = fc.integer({ min: 0x21, max: 0x7d }).map((c) => String.fromCharCode(c >= 0x3b ? c + 1 : c));
const valueWord = fc.string({ unit: valChar, minLength: 1, maxLength: 12 });
/** A tag-value: words separated by FWS, never starting or ending with whitespace; or empty. */
const tagValue = fc.oneof(
  { weight: 1, arbitrary: fc.constant('') },
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        valueWord,
        fc.array(fc.tuple(fc.constantFrom(' ', '\t', '\r\n ', '\r\n\t', '  '), valueWord), { maxLength: 3 }),
      )
      .map(([first, rest]) => first + rest.map(([w, v]) => w + v).join('')),
  },
);
const tags = fc.uniqueArray(fc.tuple(tagName, tagValue), { selector: ([name]) => name, maxLength: 10 });

describe('parseTagList round-trips generated tag lists', () => {
  test('parse(serialize(tags)) gives the same names and values, in order', () => {
    fc.assert(
      fc.property(
        tags,
        fc.array(fc.tuple(fws, fws, fws, fws), { minLength: 10, maxLength: 10 }),
        fc.boolean(),
        (list, spacing, trailingSemicolon) => {
          const specs = list.map(([name, value], i) => {
            const [a, b, c, d] = spacing[i] ?? ['', '', '', ''];
            return a + name + b + '=' + c + value + d;
          });
          const text = specs.join(';') + (trailingSemicolon ? ';' : '');
          const r = parseTagList(text);
          if (!r.ok) assert.fail(`${r.error.code}: ${r.error.message} in ${JSON.stringify(text)}`);
          assert.deepEqual(
            r.value.tags.map((t) => [t.name, t.value]),
            list,
          );
          for (const t of r.value.tags) assert.equal(text.slice(t.valueStart, t.valueEnd), t.value);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('repeating any one tag makes the list tag-duplicate', () => {
    fc.assert(
      fc.property(
        tags.filter((l) => l.length > 0),
        fc.nat(),
        tagValue,
        (list, pick, value) => {
          const [name] = list[pick % list.length] ?? ['', ''];
          const text = list.map(([n, v]) => `${n}=${v}`).join('; ') + `; ${name}=${value}`;
          const r = parseTagList(text);
          assert.equal(!r.ok && r.error.code, 'tag-duplicate');
        },
      ),
      { numRuns: 500 },
    );
  });
});
