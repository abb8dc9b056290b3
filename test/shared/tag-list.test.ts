import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TagList } from '../../src/shared/tag-list.ts';
import { MAX_TAG_LIST_LENGTH, parseTagList, withoutWhitespace } from '../../src/shared/tag-list.ts';

function parsed(text: string): TagList {
  const r = parseTagList(text);
  if (!r.ok) assert.fail(`expected a tag-list, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

function errorOf(text: string): { code: string; at?: number | string | undefined } {
  const r = parseTagList(text);
  if (r.ok) assert.fail(`expected an error for ${JSON.stringify(text)}`);
  assert.ok(r.error.message.length > 0);
  return r.error;
}

function pairs(list: TagList): [string, string][] {
  return list.tags.map((t) => [t.name, t.value]);
}

/** The example signature of RFC 6376 appendix A.2, as it stands after `DKIM-Signature:` (folded, CRLF). */
const RFC_SIGNATURE =
  ' v=1; a=rsa-sha256; s=brisbane; d=example.com;\r\n' +
  '      c=simple/simple; q=dns/txt; i=joe@football.example.com;\r\n' +
  '      h=Received : From : To : Subject : Date : Message-ID;\r\n' +
  '      bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n' +
  '      b=AuUoFEfDxTDkHlLXSZEpZj79LICEps6eda7W3deTVFOk4yAUoqOB\r\n' +
  '        4nujc7YopdG5dWLSdNg6xNAZpOPr+kHxt1IrE+NahM6L/LbvaHut\r\n' +
  '        KVdkLLkpVaVVQPzeRDI009SO2Il5Lu7rDNH6mZckBdrIx0orEtZV\r\n' +
  '        4bmp/YzhwvcubU4=;';

describe('parseTagList: RFC 6376 examples', () => {
  test('the appendix A.2 DKIM-Signature with folding whitespace', () => {
    const list = parsed(RFC_SIGNATURE);
    assert.deepEqual(
      list.tags.map((t) => t.name),
      ['v', 'a', 's', 'd', 'c', 'q', 'i', 'h', 'bh', 'b'],
    );
    assert.equal(list.byName.get('v')?.value, '1');
    assert.equal(list.byName.get('d')?.value, 'example.com');
    assert.equal(list.byName.get('c')?.value, 'simple/simple');
    assert.equal(list.byName.get('i')?.value, 'joe@football.example.com');
    assert.equal(list.byName.get('h')?.value, 'Received : From : To : Subject : Date : Message-ID');
    assert.equal(list.byName.get('bh')?.value, '2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=');
    const b = list.byName.get('b');
    assert.ok(b);
    // Inner folding whitespace kept as written; withoutWhitespace gives the base64.
    assert.ok(b.value.startsWith('AuUoFEfDxTDkHlLXSZEpZj79LICEps6eda7W3deTVFOk4yAUoqOB\r\n        4nujc7'));
    assert.ok(b.value.endsWith('4bmp/YzhwvcubU4='));
    assert.equal(
      withoutWhitespace(b.value),
      'AuUoFEfDxTDkHlLXSZEpZj79LICEps6eda7W3deTVFOk4yAUoqOB4nujc7YopdG5dWLSdNg6xNAZpOPr+kHxt1IrE+NahM6L/' +
        'LbvaHutKVdkLLkpVaVVQPzeRDI009SO2Il5Lu7rDNH6mZckBdrIx0orEtZV4bmp/YzhwvcubU4=',
    );
    assert.equal(list.byName.size, list.tags.length);
  });

  test('a key record (RFC 6376 3.6.1) with a folded p= and no trailing semicolon', () => {
    const list = parsed(
      'v=DKIM1; k=rsa; t=y:s;\r\n\tp=MIGfMA0GCSqGSIb3 DQEBAQUAA4GNADCBiQKBgQ\tDwIRP/UC3SBsEmGqZ9ZJW3',
    );
    assert.deepEqual(pairs(list), [
      ['v', 'DKIM1'],
      ['k', 'rsa'],
      ['t', 'y:s'],
      ['p', 'MIGfMA0GCSqGSIb3 DQEBAQUAA4GNADCBiQKBgQ\tDwIRP/UC3SBsEmGqZ9ZJW3'],
    ]);
    assert.equal(
      withoutWhitespace(list.byName.get('p')?.value ?? ''),
      'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDwIRP/UC3SBsEmGqZ9ZJW3',
    );
  });

  test('whitespace around names, "=" and values is not part of them', () => {
    assert.deepEqual(pairs(parsed('  a = 1 ;\tb\t=\t2\t;\r\n c\r\n =\r\n 3\r\n ')), [
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ]);
  });

  test('empty tag-specs are tolerated: trailing ";", ";;", whitespace-only specs, empty text', () => {
    assert.deepEqual(pairs(parsed('a=1;')), [['a', '1']]);
    assert.deepEqual(pairs(parsed('a=1;;  ; \r\n ;b=2; ')), [
      ['a', '1'],
      ['b', '2'],
    ]);
    assert.deepEqual(pairs(parsed('')), []);
    assert.deepEqual(pairs(parsed(' ; ')), []);
  });

  test('empty values and values containing "=" (base64 padding)', () => {
    const list = parsed('b=; bh=abc==; p= ;x=a=b');
    assert.deepEqual(pairs(list), [
      ['b', ''],
      ['bh', 'abc=='],
      ['p', ''],
      ['x', 'a=b'],
    ]);
  });

  test('tag names are case-sensitive', () => {
    assert.deepEqual(pairs(parsed('a=1; A=2')), [
      ['a', '1'],
      ['A', '2'],
    ]);
  });

  test('8-bit bytes in a value survive, one char per byte', () => {
    assert.equal(parsed('n=caf\xc3\xa9 \xff;').byName.get('n')?.value, 'caf\xc3\xa9 \xff');
  });
});

describe('parseTagList: value offsets', () => {
  test('valueStart/valueEnd slice exactly the value from the input', () => {
    for (const text of [RFC_SIGNATURE, ' a = 1 ; b=;c=\r\n x \r\n y \t;', 'x=\xff\xfe']) {
      for (const tag of parsed(text).tags) {
        assert.equal(
          text.slice(tag.valueStart, tag.valueEnd),
          tag.value,
          `${tag.name} in ${JSON.stringify(text)}`,
        );
      }
    }
  });

  test('an empty value sits just before its terminator', () => {
    const text = 'a=1; b= ;c=2';
    const b = parsed(text).byName.get('b');
    assert.ok(b);
    assert.equal(b.valueStart, b.valueEnd);
    assert.equal(text.slice(b.valueStart, b.valueEnd), '');
    assert.ok(b.valueStart > text.indexOf('b=') && b.valueStart <= text.indexOf(';c'));
  });

  test('blanking b= through its offsets gives the form that is hashed', () => {
    const b = parsed(RFC_SIGNATURE).byName.get('b');
    assert.ok(b);
    const blanked = RFC_SIGNATURE.slice(0, b.valueStart) + RFC_SIGNATURE.slice(b.valueEnd);
    assert.ok(blanked.endsWith('\r\n      b=;'));
    assert.ok(blanked.includes('bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;'));
  });
});

describe('parseTagList: errors', () => {
  test('a duplicate tag makes the whole list invalid', () => {
    const e = errorOf('v=1; a=rsa-sha256; d=example.com; a=rsa-sha1');
    assert.equal(e.code, 'tag-duplicate');
    assert.equal(e.at, 'a');
    assert.equal(errorOf('b=; b=').code, 'tag-duplicate');
    assert.equal(errorOf(' x = 1 ;x=1').code, 'tag-duplicate');
  });

  test('a tag without "=" is malformed, and `at` points at it', () => {
    const text = 'v=1; foo; a=b';
    const e = errorOf(text);
    assert.equal(e.code, 'tag-list-malformed');
    assert.equal(typeof e.at, 'number');
    assert.ok(
      text
        .slice(e.at as number)
        .trimStart()
        .startsWith('foo'),
    );
    assert.equal(errorOf('v').code, 'tag-list-malformed');
    assert.equal(errorOf('a=1; b').code, 'tag-list-malformed');
    // "=" in a later tag-spec does not rescue an earlier one.
    assert.equal(errorOf('a; b=c').code, 'tag-list-malformed');
  });

  test('invalid tag names', () => {
    for (const text of [
      '=1',
      ' =1',
      '1a=x',
      '_a=x',
      'a-b=x',
      'a b=x',
      'a.b=x',
      '\xe9=x',
      'a\xe9=x',
      'v=1; 9=x',
      'a\r\nb=x',
    ]) {
      assert.equal(errorOf(text).code, 'tag-list-malformed', JSON.stringify(text));
    }
    // ALPHA *(ALPHA / DIGIT / "_") is fine.
    assert.deepEqual(pairs(parsed('a_1=x; Zz9_=y')), [
      ['a_1', 'x'],
      ['Zz9_', 'y'],
    ]);
  });

  test('control characters in a value are malformed; folding whitespace is not', () => {
    for (const c of ['\x00', '\x01', '\x08', '\x0b', '\x0c', '\x1b', '\x1f']) {
      const e = errorOf(`a=1; b=x${c}y; c=2`);
      assert.equal(e.code, 'tag-list-malformed', JSON.stringify(c));
      assert.equal(e.at, 'a=1; b=x'.length);
    }
    assert.equal(parsed('b=x\r\n\ty\tz').byName.get('b')?.value, 'x\r\n\ty\tz');
  });

  test('DEL (0x7f) in a value is a control character', () => {
    assert.equal(errorOf('a=x\x7fy').code, 'tag-list-malformed');
  });

  test('only SP, HTAB, CR and LF may surround a tag name', () => {
    for (const text of ['\xa0d=example.com', 'd\xa0=example.com', '\x0bd=x', 'd\x0c=x']) {
      assert.equal(errorOf(text).code, 'tag-list-malformed', JSON.stringify(text));
    }
  });

  test('a tag-list longer than MAX_TAG_LIST_LENGTH is tag-list-too-long; exactly the limit is not', () => {
    const atLimit = 'a=' + 'x'.repeat(MAX_TAG_LIST_LENGTH - 2);
    assert.equal(parsed(atLimit).byName.get('a')?.value.length, MAX_TAG_LIST_LENGTH - 2);
    assert.equal(errorOf(atLimit + 'x').code, 'tag-list-too-long');
    assert.equal(errorOf(';'.repeat(MAX_TAG_LIST_LENGTH + 1)).code, 'tag-list-too-long');
  });
});

describe('withoutWhitespace', () => {
  test('removes SP, HTAB, CR and LF anywhere, nothing else', () => {
    assert.equal(withoutWhitespace(' ab\r\n\tc d \t'), 'abcd');
    assert.equal(withoutWhitespace('a\xa0b\x0bc'), 'a\xa0b\x0bc');
    assert.equal(withoutWhitespace(''), '');
  });
});
