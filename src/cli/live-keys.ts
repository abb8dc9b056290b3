import { parseSignature } from '../dkim/signature.ts';
import { LIVE_DNS_WARNING, lookupLive } from '../keys/live-dns.ts';
import type { KeyStore } from '../keys/store.ts';
import { fieldsNamed, parseMessage } from '../mail/message.ts';
import { enumerateMessages } from './inputs.ts';

/**
 * With --live-dns only: look up, in today's DNS, the selectors that no key file covers. The
 * verifier itself stays offline and synchronous; it sees these records as one more key source,
 * labelled live-dns with the retrieval time.
 */
export async function addMissingKeysFromLiveDns(
  paths: readonly string[],
  keys: KeyStore,
  io: { err(line: string): void },
): Promise<void> {
  io.err(`leakproof: warning: ${LIVE_DNS_WARNING}`);
  const wanted = new Map<string, { selector: string; domain: string }>();
  for (const item of enumerateMessages(paths)) {
    if (item.kind !== 'message') continue;
    const parsed = parseMessage(item.bytes);
    if (!parsed.ok) continue;
    for (const field of fieldsNamed(parsed.value, 'dkim-signature')) {
      const sig = parseSignature(field);
      if (!sig.ok) continue;
      const { selector, domain } = sig.value;
      if (keys.lookup(selector, domain).length === 0)
        wanted.set(`${selector}._domainkey.${domain}`, { selector, domain });
    }
  }
  for (const [name, { selector, domain }] of wanted) {
    const found = await lookupLive(selector, domain);
    if (!found.ok) {
      io.err(`leakproof: live DNS: ${name}: ${found.error.message}`);
      continue;
    }
    for (const record of found.value) keys.add(record);
    io.err(`leakproof: live DNS: ${name}: ${found.value.length} record(s)`);
  }
}
