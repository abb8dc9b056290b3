import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseZoneFile } from '../../src/keys/import/zone-file.ts';
import { parseKeyRecord } from '../../src/keys/record.ts';

const ZONE = `$ORIGIN example.com.
$TTL 3600
@   IN  SOA ns1.example.com. hostmaster.example.com. (
            2017050501 ; serial
            7200       ; refresh
            3600 1209600 300 )
    IN  NS  ns1.example.com.
www IN  A   192.0.2.1
@   IN  TXT "v=spf1 -all"
jan2017._domainkey  IN  TXT "v=DKIM1; k=rsa; " "p=MIGfMA0GCSqGSIb3DQEB"
mar2017._domainkey 300 IN TXT ( "v=DKIM1; k=rsa; t=y; "   ; first part
                               "p=AAAA"                  ; second part
                               "BBBB" )
brisbane._domainkey.football.example.net. IN 600 TXT "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
esc._domainkey TXT "v=DKIM1; n=say \\"hi\\"\\059 ok\\032there; p="
bare._domainkey TXT v=DKIM1;ignored-after-semicolon
$ORIGIN _domainkey.example.org.
sel TXT "p=ORG"
    TXT "p=SECOND"
`;

function ok(text: string, zoneOrigin?: string) {
  const r = parseZoneFile(text, { origin: 'db.example', zoneOrigin });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

describe('parseZoneFile', () => {
  const { records, problems } = ok(ZONE);

  it('imports only _domainkey TXT records, silently ignoring the rest', () => {
    assert.deepEqual(problems, []);
    assert.deepEqual(
      records.map((r) => `${r.selector}._domainkey.${r.domain}`),
      [
        'jan2017._domainkey.example.com',
        'mar2017._domainkey.example.com',
        'brisbane._domainkey.football.example.net',
        'esc._domainkey.example.com',
        'bare._domainkey.example.com',
        'sel._domainkey.example.org',
        'sel._domainkey.example.org',
      ],
    );
  });

  it('joins quoted strings without a separator, also across lines in parentheses', () => {
    assert.equal(records[0]!.value, 'v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEB');
    assert.equal(records[1]!.value, 'v=DKIM1; k=rsa; t=y; p=AAAABBBB');
    const parsed = parseKeyRecord(records[1]!.value);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.flags, ['y']);
    assert.equal(parsed.value.publicKey, 'AAAABBBB');
  });

  it('records line, TTL and kind in the provenance', () => {
    assert.deepEqual(records[1]!.provenance, {
      kind: 'zone-file',
      origin: 'db.example',
      line: 11,
      note: 'TTL 300',
    });
    assert.equal(records[2]!.provenance.note, 'TTL 600');
    assert.equal(records[0]!.provenance.note, undefined);
  });

  it('decodes \\" and \\DDD escapes', () => {
    assert.equal(records[3]!.value, 'v=DKIM1; n=say "hi"; ok there; p=');
  });

  it('treats ; as a comment outside quotes', () => {
    assert.equal(records[4]!.value, 'v=DKIM1');
  });

  it('gives indented records the previous owner, under a new $ORIGIN', () => {
    assert.equal(records[5]!.value, 'p=ORG');
    assert.equal(records[6]!.value, 'p=SECOND');
  });

  it('uses the zone origin option when the file has no $ORIGIN', () => {
    const text = 'sel._domainkey IN TXT "p="\n@ IN TXT "v=spf1"\n';
    const without = ok(text);
    assert.equal(without.records.length, 0);
    assert.equal(without.problems[0]!.code, 'key-name-missing');
    assert.equal(without.problems[0]!.at, 1);
    const withOrigin = ok(text, 'Example.NET.');
    assert.equal(withOrigin.records[0]!.domain, 'example.net');
    assert.deepEqual(withOrigin.problems, []);
  });

  it('reads a full relative key name as absolute when there is no $ORIGIN, and says so', () => {
    const { records } = ok('sel._domainkey.example.com IN TXT "p="\n');
    assert.equal(records[0]!.domain, 'example.com');
    assert.match(records[0]!.provenance.note ?? '', /relative name read as absolute/);
  });

  it('reports syntax errors by line and goes on', () => {
    const text = [
      '$ORIGIN example.com.',
      'a._domainkey TXT "unterminated',
      'b._domainkey TXT "p=\\999"',
      'c._domainkey TXT "p=C"',
      '$INCLUDE /etc/passwd',
      'd._domainkey TXT',
      ')',
      'e._domainkey TXT ( "p=E"',
    ].join('\n');
    const { records, problems } = ok(text);
    assert.deepEqual(
      records.map((r) => r.value),
      ['p=C'],
    );
    assert.deepEqual(
      problems.map((p) => p.at),
      [2, 3, 5, 6, 7, 8],
    );
    assert.match(problems[2]!.message, /not followed/);
  });

  it('refuses input over the size limit', () => {
    const r = parseZoneFile(' '.repeat(64 * 1024 * 1024 + 1));
    assert.equal(r.ok ? null : r.error.code, 'key-file-too-large');
  });
});
