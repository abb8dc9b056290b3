import { getDomain } from 'tldts';
import { displayText } from '../mail/display.ts';
import type { RawMessage } from '../mail/message.ts';
import { fieldsNamed, fieldValue } from '../mail/message.ts';
import type { Caveat, MessageResult, MessageVerdict, SignatureEvidence } from './types.ts';

/** Headers a reader sees. A pass that leaves one of them unsigned proves less than it seems to. */
export const DISPLAYED_HEADERS = ['from', 'to', 'cc', 'subject', 'date', 'reply-to', 'message-id'] as const;
/** Names whose extra unsigned instance can change what a reader sees or how the body renders. */
const SENSITIVE_HEADERS = new Set<string>([
  ...DISPLAYED_HEADERS,
  'sender',
  'content-type',
  'content-transfer-encoding',
]);

/** The message verdict (DESIGN.md, "Email verdicts") from its signatures' results. */
export function judgeMessage(message: RawMessage, signatures: readonly SignatureEvidence[]): MessageResult {
  const header = (name: string): string | null => {
    const f = fieldsNamed(message, name)[0];
    return f ? displayText(fieldValue(f)) : null;
  };
  const fromFields = fieldsNamed(message, 'from');
  const from = header('from');
  const fromDomains = fromFields.length === 1 ? addressDomains(fieldValue(fromFields[0]!)) : [];
  const base = {
    signatures,
    messageId: header('message-id'),
    from,
    fromDomain: fromDomains.length === 1 ? fromDomains[0]! : null,
    date: header('date'),
    subject: header('subject'),
    inputError: null,
  };
  const done = (verdict: MessageVerdict, reason: string, caveats: Caveat[] = []): MessageResult => ({
    ...base,
    verdict,
    reason,
    caveats,
  });

  if (signatures.length === 0) return done('unsigned', 'the message carries no DKIM-Signature');

  const passing = signatures.filter((s) => s.result === 'pass');
  if (passing.length > 0) {
    const candidates = passing.map((sig) => ({
      sig,
      caveats: caveatsFor(sig, message, fromDomains, signatures),
    }));
    candidates.sort((x, y) => x.caveats.length - y.caveats.length || x.sig.index - y.sig.index);
    const best = candidates[0]!;
    if (best.caveats.length === 0) return done('authentic', best.sig.reason);
    return done(
      'authentic-with-caveats',
      `${best.sig.reason}; ${best.caveats.map((c) => c.text).join('; ')}`,
      best.caveats,
    );
  }
  const altered = signatures.find((s) => s.result === 'body-altered' || s.result === 'headers-altered');
  if (altered) return done('altered', altered.reason);
  const first = signatures[0]!;
  return done(
    'unverifiable',
    signatures.length === 1 ? first.reason : signatures.map((s) => s.reason).join('; '),
  );
}

function caveatsFor(
  sig: SignatureEvidence,
  message: RawMessage,
  fromDomains: readonly string[],
  all: readonly SignatureEvidence[],
): Caveat[] {
  const caveats: Caveat[] = [];
  const add = (code: Caveat['code'], text: string): void => {
    caveats.push({ code, text, signature: sig.index });
  };
  const d = sig.d ?? '';
  if (fromDomains.length === 0) {
    add('no-from', 'the message does not have exactly one From address to align the signer with');
  } else if (!fromDomains.every((f) => aligned(d, f))) {
    add('third-party-signer', `signed by ${d}, not by the From domain ${fromDomains.join(', ')}`);
  }
  if (sig.weak.includes('key-under-1024-bits')) {
    add('weak-key', `the ${sig.key?.bits}-bit RSA key can be factored today: the signature could be forged`);
  }
  if (sig.weak.includes('rsa-sha1')) add('weak-hash', 'rsa-sha1 is weak: SHA-1 collisions are practical');
  if (sig.key?.compromised)
    add('published-key', `the key is published or compromised: ${sig.key.compromised}`);
  if (sig.key?.testing)
    add('testing-key', 'the key record has t=y: the domain said it was only testing DKIM');
  if (sig.body && sig.body.bytesBeyondLimit > 0) {
    add(
      'partial-body',
      `${sig.body.bytesBeyondLimit} bytes of the body after l=${sig.body.lengthLimit} are not signed`,
    );
  }
  const signedNames = new Set(
    sig.signedHeaders.filter((h) => h.fieldIndex !== null).map((h) => h.name.toLowerCase()),
  );
  const missing = DISPLAYED_HEADERS.filter((n) => fieldsNamed(message, n).length > 0 && !signedNames.has(n));
  if (missing.length > 0) add('headers-not-covered', `not signed: ${missing.join(', ')}`);
  const extra = sig.unsignedInstances.filter((u) => SENSITIVE_HEADERS.has(u.name.toLowerCase()));
  if (extra.length > 0) {
    add(
      'unsigned-header-instance',
      `an extra unsigned ${[...new Set(extra.map((u) => u.name))].join(', ')} stands beside the signed one`,
    );
  }
  const failed = all.filter(
    (o) => o !== sig && (o.result === 'body-altered' || o.result === 'headers-altered'),
  );
  for (const o of failed)
    add('other-signature-failed', `signature ${o.index + 1} (d=${o.d}) fails: ${o.result}`);
  return caveats;
}

/** Relaxed alignment: same organizational domain (Public Suffix List). */
export function aligned(signingDomain: string, fromDomain: string): boolean {
  const a = signingDomain.toLowerCase();
  const b = fromDomain.toLowerCase();
  if (a === b) return true;
  const orgA = getDomain(a) ?? a;
  const orgB = getDomain(b) ?? b;
  return orgA === orgB;
}

/** Domains of the addresses in a From value; comments, display names and groups are skipped. */
export function addressDomains(value: string): string[] {
  const withoutComments = value.replace(/\((?:[^()\\]|\\.)*\)/g, ' ');
  const withoutQuoted = withoutComments.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const angle = [...withoutQuoted.matchAll(/<([^<>]*)>/g)].map((m) => m[1]!);
  const addresses = angle.length > 0 ? angle : withoutQuoted.split(',');
  const domains: string[] = [];
  for (const address of addresses) {
    const at = address.lastIndexOf('@');
    if (at < 0) continue;
    const domain = address
      .slice(at + 1)
      .trim()
      .replace(/[>;.\s]+$/, '')
      .toLowerCase();
    if (domain) domains.push(domain);
  }
  return domains;
}
