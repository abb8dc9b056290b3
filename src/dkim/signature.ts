import type { HeaderField } from '../mail/message.ts';
import { bytesToLatin1 } from '../shared/bytes.ts';
import type { Tag, TagList } from '../shared/tag-list.ts';
import { parseTagList, withoutWhitespace } from '../shared/tag-list.ts';
import type { Canonicalization } from './canonicalize.ts';

export type SigningAlgorithm = 'rsa-sha256' | 'rsa-sha1' | 'ed25519-sha256';
export type KeyType = 'rsa' | 'ed25519';
export type HashAlgorithm = 'sha256' | 'sha1';

/** A DKIM-Signature that parsed and satisfies every MUST of RFC 6376 3.5 and 6.1.1. */
export interface ParsedSignature {
  readonly field: HeaderField;
  /** The field as Latin-1 text and the span of its b= value, for blanking b= when hashing. */
  readonly text: string;
  readonly bValueStart: number;
  readonly bValueEnd: number;
  readonly tags: TagList;
  readonly algorithm: SigningAlgorithm;
  readonly keyType: KeyType;
  readonly hash: HashAlgorithm;
  readonly headerCanon: Canonicalization;
  readonly bodyCanon: Canonicalization;
  readonly domain: string;
  readonly selector: string;
  /** i=, or "@" + d= when absent. */
  readonly identity: string;
  readonly identityDomain: string;
  readonly identityLocalPart: string;
  /** h= names as written (case kept), in order. */
  readonly signedHeaderNames: readonly string[];
  readonly signature: Buffer;
  readonly bodyHash: string;
  readonly bodyLength: number | null;
  readonly timestamp: number | null;
  readonly expiration: number | null;
}

/** Why a DKIM-Signature could not be taken further, in the result vocabulary. */
export interface SignatureProblem {
  readonly result: 'malformed' | 'unsupported';
  readonly reason: string;
  readonly tags: TagList | null;
}

const ALGORITHMS: Record<string, { keyType: KeyType; hash: HashAlgorithm }> = {
  'rsa-sha256': { keyType: 'rsa', hash: 'sha256' },
  'rsa-sha1': { keyType: 'rsa', hash: 'sha1' },
  'ed25519-sha256': { keyType: 'ed25519', hash: 'sha256' },
};

// RFC 6376 3.5: d= and the domain of i= are domain names; ASCII LDH labels (IDNs appear as A-labels).
const DOMAIN =
  /^(?=.{1,253}$)([A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$/;
const SELECTOR = DOMAIN;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DIGITS = /^[0-9]{1,76}$/;
const REQUIRED = ['v', 'a', 'b', 'bh', 'd', 'h', 's'] as const;

export function parseSignature(
  field: HeaderField,
): { ok: true; value: ParsedSignature } | { ok: false; error: SignatureProblem } {
  const text = bytesToLatin1(field.raw);
  const valueOffset = field.colon + 1;
  const parsed = parseTagList(text.slice(valueOffset));
  if (!parsed.ok) return problem('malformed', `the tag list does not parse: ${parsed.error.message}`, null);
  const tags = parsed.value;
  const get = (name: string): Tag | undefined => tags.byName.get(name);

  for (const name of REQUIRED) {
    if (!get(name)) return problem('malformed', `required tag ${name}= is missing`, tags);
  }
  if (get('v')!.value !== '1') return problem('malformed', `v=${get('v')!.value} is not 1`, tags);

  const a = get('a')!.value.toLowerCase();
  const alg = ALGORITHMS[a];
  if (!alg) return problem('unsupported', `signing algorithm a=${a} is not one leakproof implements`, tags);

  const c = (get('c')?.value ?? 'simple/simple').toLowerCase();
  const [hc, bc = 'simple', extra] = c.split('/');
  if (extra !== undefined || !isCanon(hc) || !isCanon(bc)) {
    return problem('unsupported', `canonicalization c=${c} is not simple or relaxed`, tags);
  }

  const q = get('q')?.value;
  if (q !== undefined && !q.split(':').some((m) => m.trim().toLowerCase() === 'dns/txt')) {
    return problem('unsupported', `query method q=${q} is not dns/txt`, tags);
  }

  const domain = get('d')!.value;
  if (!DOMAIN.test(domain))
    return problem('malformed', `d=${printable(domain)} is not a valid domain name`, tags);
  const selector = get('s')!.value;
  if (!SELECTOR.test(selector))
    return problem('malformed', `s=${printable(selector)} is not a valid selector`, tags);

  const identity = get('i')?.value ?? '@' + domain;
  const at = identity.lastIndexOf('@');
  if (at < 0) return problem('malformed', `i=${printable(identity)} has no "@"`, tags);
  const identityDomain = identity.slice(at + 1);
  const d = domain.toLowerCase();
  const id = identityDomain.toLowerCase();
  if (id !== d && !id.endsWith('.' + d)) {
    return problem('malformed', `i=${printable(identity)} is not in d=${domain} or a subdomain of it`, tags);
  }

  const signedHeaderNames = get('h')!
    .value.split(':')
    .map((n) => n.trim());
  if (signedHeaderNames.some((n) => !/^[\x21-\x39\x3b-\x7e]+$/.test(n))) {
    return problem('malformed', 'h= holds an empty or invalid header name', tags);
  }
  if (!signedHeaderNames.some((n) => n.toLowerCase() === 'from')) {
    return problem('malformed', 'h= does not include From, which RFC 6376 requires to be signed', tags);
  }

  const b = withoutWhitespace(get('b')!.value);
  const bh = withoutWhitespace(get('bh')!.value);
  if (!b || !BASE64.test(b)) return problem('malformed', 'b= is empty or not base64', tags);
  if (!bh || !BASE64.test(bh)) return problem('malformed', 'bh= is empty or not base64', tags);

  const numeric = (name: string): number | null | 'bad' => {
    const t = get(name);
    if (!t) return null;
    if (!DIGITS.test(t.value)) return 'bad';
    return Number(t.value);
  };
  const bodyLength = numeric('l');
  const timestamp = numeric('t');
  const expiration = numeric('x');
  if (bodyLength === 'bad')
    return problem('malformed', `l=${printable(get('l')!.value)} is not a decimal count`, tags);
  if (timestamp === 'bad')
    return problem('malformed', `t=${printable(get('t')!.value)} is not a timestamp`, tags);
  if (expiration === 'bad')
    return problem('malformed', `x=${printable(get('x')!.value)} is not a timestamp`, tags);
  if (timestamp !== null && expiration !== null && expiration < timestamp) {
    return problem('malformed', `x= (${expiration}) is earlier than t= (${timestamp})`, tags);
  }

  const bTag = get('b')!;
  return {
    ok: true,
    value: {
      field,
      text,
      bValueStart: valueOffset + bTag.valueStart,
      bValueEnd: valueOffset + bTag.valueEnd,
      tags,
      algorithm: a as SigningAlgorithm,
      keyType: alg.keyType,
      hash: alg.hash,
      headerCanon: hc,
      bodyCanon: bc,
      domain: d,
      selector: selector.toLowerCase(),
      identity,
      identityDomain: id,
      identityLocalPart: identity.slice(0, at),
      signedHeaderNames,
      signature: Buffer.from(b, 'base64'),
      bodyHash: bh,
      bodyLength,
      timestamp,
      expiration,
    },
  };
}

function isCanon(v: string | undefined): v is Canonicalization {
  return v === 'simple' || v === 'relaxed';
}

function problem(
  result: SignatureProblem['result'],
  reason: string,
  tags: TagList | null,
): { ok: false; error: SignatureProblem } {
  return { ok: false, error: { result, reason, tags } };
}

/** Escape non-printable and 8-bit characters so a hostile value cannot mess with a terminal. */
function printable(s: string): string {
  const shown = s.length > 60 ? s.slice(0, 60) + '...' : s;
  return shown.replace(/[^\x20-\x7e]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The tags as a plain record, for evidence. */
export function tagsRecord(tags: TagList | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (tags) for (const t of tags.tags) out[t.name] = t.value;
  return out;
}
