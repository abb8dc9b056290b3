import type { KeyObject } from 'node:crypto';
import { knownCompromised } from '../keys/compromised.ts';
import type { ParsedKeyRecord } from '../keys/record.ts';
import { decodePublicKey, parseKeyRecord } from '../keys/record.ts';
import type { KeyRecord } from '../keys/types.ts';
import type { HeaderCheck } from './crypto.ts';
import type { ParsedSignature } from './signature.ts';
import type { KeyEvidence, SignatureEvidence, SignatureResult } from './types.ts';

export interface ResolvedKey {
  /** The header check with the chosen key, or null when no usable key was found. */
  readonly check: HeaderCheck | null;
  /** When check is null: key-missing, key-revoked or key-invalid, and why. */
  readonly result: SignatureResult;
  readonly reason: string;
  readonly evidence: KeyEvidence | null;
  readonly bits: number | null;
  readonly tried: SignatureEvidence['keysTried'];
}

/** How convincing a failed check is, to pick which key to report when none verifies. */
const FAILURE_RANK: Record<HeaderCheck, number> = {
  verified: 3,
  'digest-mismatch': 2,
  failed: 1,
  'wrong-key': 0,
};

/**
 * Try every record known for the selector (several historical ones may exist) and report which
 * verified. A record is used only if its tags allow this signature (RFC 6376 3.6.1, RFC 4871 g=).
 */
export function resolveKey(
  sig: ParsedSignature,
  records: readonly KeyRecord[],
  check: (key: KeyObject) => HeaderCheck,
): ResolvedKey {
  const name = `${sig.selector}._domainkey.${sig.domain}`;
  if (records.length === 0) {
    return none('key-missing', `no key record for ${name} in any key source`, []);
  }
  const tried: { provenance: KeyRecord['provenance']; outcome: string }[] = [];
  let revoked = false;
  let firstInvalid: string | null = null;
  let best: { check: HeaderCheck; evidence: KeyEvidence; bits: number | null } | null = null;
  for (const record of records) {
    const parsed = cachedParse(record.value);
    if (parsed.kind === 'invalid') {
      firstInvalid ??= parsed.reason;
      tried.push({ provenance: record.provenance, outcome: `key-invalid: ${parsed.reason}` });
      continue;
    }
    if (parsed.kind === 'revoked') {
      revoked = true;
      tried.push({ provenance: record.provenance, outcome: 'key-revoked: empty p=' });
      continue;
    }
    const refusal = refuses(parsed.record, sig);
    if (refusal) {
      firstInvalid ??= refusal;
      tried.push({ provenance: record.provenance, outcome: `key-invalid: ${refusal}` });
      continue;
    }
    const outcome = check(parsed.key);
    tried.push({ provenance: record.provenance, outcome });
    const evidence: KeyEvidence = {
      selector: record.selector,
      domain: record.domain,
      record: record.value,
      provenance: record.provenance,
      keyType: parsed.keyType,
      bits: parsed.bits,
      testing: parsed.record.flags.includes('y'),
      compromised: knownCompromised(parsed.fingerprint)?.reason ?? null,
    };
    if (!best || FAILURE_RANK[outcome] > FAILURE_RANK[best.check])
      best = { check: outcome, evidence, bits: parsed.bits };
    if (outcome === 'verified') break;
  }
  if (best) {
    return { check: best.check, result: 'pass', reason: '', evidence: best.evidence, bits: best.bits, tried };
  }
  if (revoked) return none('key-revoked', `the key at ${name} is revoked (empty p=)`, tried);
  return none('key-invalid', `the key record at ${name} cannot be used: ${firstInvalid ?? 'revoked'}`, tried);
}

function none(result: SignatureResult, reason: string, tried: ResolvedKey['tried']): ResolvedKey {
  return { check: null, result, reason, evidence: null, bits: null, tried };
}

/** A reason the record's tags forbid this signature, or null. */
function refuses(record: ParsedKeyRecord, sig: ParsedSignature): string | null {
  const k = record.keyType.toLowerCase();
  if (k !== sig.keyType) return `k=${record.keyType} does not match a=${sig.algorithm}`;
  if (record.hashAlgorithms && !record.hashAlgorithms.some((h) => h.toLowerCase() === sig.hash)) {
    return `h=${record.hashAlgorithms.join(':')} does not allow ${sig.hash}`;
  }
  if (!record.serviceTypes.some((s) => s === '*' || s.toLowerCase() === 'email')) {
    return `s=${record.serviceTypes.join(':')} does not include email`;
  }
  if (record.flags.includes('s') && sig.identityDomain !== sig.domain) {
    return `t=s forbids i= in a subdomain (${sig.identityDomain}) of d=${sig.domain}`;
  }
  if (record.granularity !== null && !granularityMatches(record.granularity, sig.identityLocalPart)) {
    return `g=${record.granularity} does not match the local part of i=${sig.identity}`;
  }
  return null;
}

/** RFC 4871 3.6.1 g=: a local-part pattern with at most one "*"; empty matches nothing. */
function granularityMatches(pattern: string, localPart: string): boolean {
  if (pattern === '*') return true;
  const star = pattern.indexOf('*');
  if (star < 0) return pattern === localPart;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return (
    localPart.length >= head.length + tail.length && localPart.startsWith(head) && localPart.endsWith(tail)
  );
}

type Usable =
  | {
      kind: 'usable';
      record: ParsedKeyRecord;
      key: KeyObject;
      keyType: string;
      bits: number | null;
      fingerprint: string;
    }
  | { kind: 'revoked' }
  | { kind: 'invalid'; reason: string };

// Few distinct records serve many messages: parse and decode each once. Bounded so a hostile key
// source cannot grow it without limit.
const cache = new Map<string, Usable>();
const CACHE_LIMIT = 10_000;

function cachedParse(value: string): Usable {
  let found = cache.get(value);
  if (!found) {
    found = parseUsable(value);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(value, found);
  }
  return found;
}

function parseUsable(value: string): Usable {
  const parsed = parseKeyRecord(value);
  if (!parsed.ok) return { kind: 'invalid', reason: parsed.error.message };
  if (parsed.value.revoked) return { kind: 'revoked' };
  const decoded = decodePublicKey(parsed.value);
  if (!decoded.ok) return { kind: 'invalid', reason: decoded.error.message };
  return {
    kind: 'usable',
    record: parsed.value,
    key: decoded.value.key,
    keyType: decoded.value.keyType,
    bits: decoded.value.bits,
    fingerprint: decoded.value.fingerprint,
  };
}
