import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIVE_DNS_NOTE, LIVE_DNS_WARNING, lookupLive } from '../../src/keys/live-dns.ts';

// No test here reaches the network: the sandbox has none, and a test must not announce selectors.
describe('lookupLive', () => {
  it('warns what a lookup reveals, and that the record is today’s', () => {
    assert.match(
      LIVE_DNS_WARNING,
      /^DNS lookups reveal to the domain's operators and resolvers which selectors/,
    );
    assert.match(LIVE_DNS_NOTE, /today's record/);
  });

  it('returns a coded result, not a throw, when resolution fails', { timeout: 10_000 }, async () => {
    const started = performance.now();
    const r = await lookupLive('nope', 'leakproof.invalid', {
      timeoutMs: 200,
      tries: 1,
      servers: ['127.0.0.1:9'],
    });
    assert.equal(r.ok, false);
    assert.ok(
      r.ok === false && (r.error.code === 'dns-lookup-failed' || r.error.code === 'dns-no-record'),
      JSON.stringify(r),
    );
    assert.ok(performance.now() - started < 5000);
  });

  it('refuses a name that is not a key name without looking it up', async () => {
    const r = await lookupLive('bad selector', 'example.com');
    assert.equal(r.ok ? null : r.error.code, 'key-name-invalid');
  });

  it('reports an invalid server address as a coded result', async () => {
    const r = await lookupLive('s', 'example.invalid', { servers: ['not an address'] });
    assert.equal(r.ok ? null : r.error.code, 'dns-lookup-failed');
  });
});
