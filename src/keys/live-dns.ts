/**
 * Live DNS lookups of key records: only with --live-dns, and only when a caller imports this
 * module and calls lookupLive. Nothing happens at import time.
 */
import { Resolver } from 'node:dns/promises';
import { inputError } from '../shared/errors.ts';
import type { Result } from '../shared/result.ts';
import { fail, ok } from '../shared/result.ts';
import { splitKeyName } from './names.ts';
import type { KeyRecord } from './types.ts';

/** Printed before the first lookup. */
export const LIVE_DNS_WARNING =
  "DNS lookups reveal to the domain's operators and resolvers which selectors you are examining, " +
  'and when. They return the key published today, which may not be the key in force when a message ' +
  'was signed. Use them only if that disclosure is acceptable; offline key sources are the default.';

/** What every live record's provenance says about it. */
export const LIVE_DNS_NOTE =
  "today's record from live DNS, not necessarily the one in force when a message was signed";

export interface LiveDnsOptions {
  /** Per-try timeout in ms (default 5000). */
  readonly timeoutMs?: number | undefined;
  /** Tries per server (default 2). */
  readonly tries?: number | undefined;
  /** Resolver addresses ("1.1.1.1", "[::1]:53"); default: the system's. */
  readonly servers?: readonly string[] | undefined;
  /** The clock, for tests. */
  readonly now?: (() => Date) | undefined;
}

/** Upper bound on records returned for one name; real names have one or two. */
export const MAX_LIVE_RECORDS = 64;

/**
 * Look up `selector._domainkey.domain` TXT now. Each TXT record's strings are joined without a
 * separator (RFC 6376 3.6.2.2). No answer and resolver failures are coded results, never throws.
 */
export async function lookupLive(
  selector: string,
  domain: string,
  options: LiveDnsOptions = {},
): Promise<Result<KeyRecord[]>> {
  const name = `${selector}._domainkey.${domain}`;
  const split = splitKeyName(name);
  if (!split.ok) return split;
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 5000, tries: options.tries ?? 2 });
  if (options.servers) {
    try {
      resolver.setServers([...options.servers]);
    } catch {
      return fail(
        inputError('dns-lookup-failed', `invalid DNS server address in ${options.servers.join(', ')}`),
      );
    }
  }
  const lookupName = `${split.value.selector}._domainkey.${split.value.domain}`;
  let answers: string[][];
  try {
    answers = await resolver.resolveTxt(lookupName);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOTFOUND' || code === 'ENODATA') {
      return fail(inputError('dns-no-record', `no TXT record at ${lookupName} (${code})`));
    }
    return fail(inputError('dns-lookup-failed', `DNS lookup of ${lookupName} failed (${code})`));
  }
  const retrievedAt = (options.now?.() ?? new Date()).toISOString();
  const records = answers.slice(0, MAX_LIVE_RECORDS).map(
    (strings): KeyRecord => ({
      selector: split.value.selector,
      domain: split.value.domain,
      value: strings.join(''),
      provenance: {
        kind: 'live-dns',
        origin: `DNS TXT ${lookupName}`,
        retrievedAt,
        firstSeenAt: retrievedAt,
        lastSeenAt: retrievedAt,
        note: LIVE_DNS_NOTE,
      },
    }),
  );
  return ok(records);
}
