import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDig, parseDigWhen } from '../../src/keys/import/dig.ts';

const FULL = `
; <<>> DiG 9.18.24-1-Debian <<>> TXT s2017._domainkey.example.com
;; global options: +cmd
;; Got answer:
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 40718
;; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1

;; OPT PSEUDOSECTION:
; EDNS: version: 0, flags:; udp: 1232
;; QUESTION SECTION:
;s2017._domainkey.example.com.	IN	TXT

;; ANSWER SECTION:
s2017._domainkey.example.com. 3600 IN	TXT	"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAx" "yz0123=="

;; AUTHORITY SECTION:
example.com.		3600	IN	SOA	ns.example.com. host.example.com. 1 2 3 4 5

;; Query time: 24 msec
;; SERVER: 192.0.2.53#53(192.0.2.53) (UDP)
;; WHEN: Fri May 05 18:23:11 CEST 2017
;; MSG SIZE  rcvd: 512
`;

const CNAME = `; <<>> DiG 9.16.1-Ubuntu <<>> selector1._domainkey.contoso.com TXT
;; ANSWER SECTION:
selector1._domainkey.contoso.com. 3600 IN CNAME selector1-contoso-com._domainkey.contoso.onmicrosoft.com.
selector1-contoso-com._domainkey.contoso.onmicrosoft.com. 3600 IN CNAME x.provider.net.
x.provider.net. 3600 IN TXT "v=DKIM1; k=rsa; p=QUJD"

;; SERVER: 1.1.1.1#53(1.1.1.1)
;; WHEN: Tue Mar 05 14:23:11 UTC 2024
`;

function ok(text: string, name?: string) {
  const r = parseDig(text, { origin: 'dig.txt', name });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

describe('parseDig', () => {
  it('reads the answer section, joining the strings, with WHEN and SERVER in the provenance', () => {
    const { records, problems } = ok(FULL);
    assert.deepEqual(problems, []);
    assert.equal(records.length, 1);
    const r = records[0]!;
    assert.equal(r.selector, 's2017');
    assert.equal(r.domain, 'example.com');
    assert.equal(r.value, 'v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxyz0123==');
    assert.equal(r.provenance.kind, 'dig');
    assert.equal(r.provenance.line, 14);
    assert.equal(r.provenance.firstSeenAt, '2017-05-05T16:23:11.000Z');
    assert.equal(r.provenance.retrievedAt, '2017-05-05T16:23:11.000Z');
    assert.equal(r.provenance.lastSeenAt, '2017-05-05T16:23:11.000Z');
    const note = r.provenance.note ?? '';
    assert.match(note, /^dig transcript/);
    assert.match(note, /server: 192\.0\.2\.53#53\(192\.0\.2\.53\) \(UDP\)/);
    assert.match(note, /query: TXT s2017\._domainkey\.example\.com/);
  });

  it('files a TXT reached through CNAMEs under every key name of the chain', () => {
    const { records, problems } = ok(CNAME);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      records.map((r) => `${r.selector}._domainkey.${r.domain}`),
      ['selector1-contoso-com._domainkey.contoso.onmicrosoft.com', 'selector1._domainkey.contoso.com'],
    );
    const queried = records[1]!;
    assert.match(queried.provenance.note ?? '', /via CNAME to x\.provider\.net/);
    assert.equal(queried.provenance.firstSeenAt, '2024-03-05T14:23:11.000Z');
  });

  it('reads several transcripts in one file, each with its own date', () => {
    const { records } = ok(FULL + '\n' + CNAME);
    assert.deepEqual(
      records.map((r) => [r.selector, r.provenance.firstSeenAt]),
      [
        ['s2017', '2017-05-05T16:23:11.000Z'],
        ['selector1-contoso-com', '2024-03-05T14:23:11.000Z'],
        ['selector1', '2024-03-05T14:23:11.000Z'],
      ],
    );
  });

  it('reads +noall +answer output (no section headers)', () => {
    const { records } = ok('a._domainkey.example.com. 300 IN TXT "p=" "AB"\n');
    assert.equal(records[0]!.value, 'p=AB');
    assert.equal(records[0]!.provenance.firstSeenAt, undefined);
  });

  it('needs the name for +short output, and says so when it is missing', () => {
    const text = '"v=DKIM1; k=ed25519; " "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="\n';
    const missing = ok(text);
    assert.equal(missing.records.length, 0);
    assert.equal(missing.problems.length, 1);
    assert.equal(missing.problems[0]!.code, 'key-name-missing');

    const named = ok(text, 'Brisbane._domainkey.football.example.com');
    assert.deepEqual(named.problems, []);
    assert.equal(named.records[0]!.selector, 'brisbane');
    assert.equal(
      named.records[0]!.value,
      'v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=',
    );
    assert.match(named.records[0]!.provenance.note ?? '', /^dig \+short transcript/);
  });

  it('tolerates +short CNAME target lines', () => {
    const { records, problems } = ok('x.provider.net.\n"p=QUJD"\n', 'sel._domainkey.example.com');
    assert.deepEqual(problems, []);
    assert.equal(records[0]!.value, 'p=QUJD');
  });

  it('reports an answer for a name that is not a key name', () => {
    const { records, problems } = ok(';; ANSWER SECTION:\nexample.com. 300 IN TXT "v=spf1 -all"\n');
    assert.equal(records.length, 0);
    assert.deepEqual(
      problems.map((p) => [p.code, p.at]),
      [['key-name-invalid', 2]],
    );
  });

  it('stays linear on a flood of CNAMEs and answers', () => {
    const lines = [';; ANSWER SECTION:'];
    for (let i = 0; i < 20_000; i++) lines.push(`s${i}._domainkey.a.com. 1 IN CNAME t${i % 7}.b.net.`);
    for (let i = 0; i < 20_000; i++) lines.push(`t${i % 9}.b.net. 1 IN TXT "p=${i}"`);
    const started = performance.now();
    const { records, problems } = ok(lines.join('\n'));
    assert.ok(performance.now() - started < 3000);
    assert.ok(records.length > 0);
    assert.ok(problems.length > 0, 't7 and t8 have no key-name alias');
  });

  it('decodes dig escapes in TXT strings', () => {
    const { records } = ok('a._domainkey.example.com. 300 IN TXT "n=\\"q\\"\\059 p=AB"\n');
    assert.equal(records[0]!.value, 'n="q"; p=AB');
  });
});

describe('parseDigWhen', () => {
  it('reads the formats dig prints', () => {
    assert.deepEqual(parseDigWhen('Tue Mar 05 14:23:11 UTC 2024'), {
      iso: '2024-03-05T14:23:11.000Z',
      caveat: null,
    });
    assert.equal(parseDigWhen('Fri May  5 18:23:11 EDT 2017')?.iso, '2017-05-05T22:23:11.000Z');
    assert.equal(parseDigWhen('Fri, 05 May 2017 18:23:11 +0200')?.iso, '2017-05-05T16:23:11.000Z');
  });

  it('reads an unknown zone as UTC and says so', () => {
    const r = parseDigWhen('Fri May 05 18:23:11 IST 2017');
    assert.equal(r?.iso, '2017-05-05T18:23:11.000Z');
    assert.match(r?.caveat ?? '', /IST/);
  });

  it('returns null for anything else', () => {
    assert.equal(parseDigWhen('yesterday'), null);
    assert.equal(parseDigWhen('Fri Foo 05 18:23:11 UTC 2017'), null);
    assert.equal(parseDigWhen('Fri May 05 28:23:11 UTC 2017'), null);
  });
});
