import { createHash } from 'node:crypto';
import type { KeyLookup } from '../keys/types.ts';
import type { ParseLimits, RawMessage } from '../mail/message.ts';
import { DEFAULT_PARSE_LIMITS, fieldsNamed, fieldValue, parseMessage } from '../mail/message.ts';
import type { InputError } from '../shared/errors.ts';
import type { Canonicalization } from './canonicalize.ts';
import { canonicalizeBody } from './canonicalize.ts';
import { checkHeaderSignature } from './crypto.ts';
import { selectSignedHeaders } from './header-hash.ts';
import { resolveKey } from './key-check.ts';
import type { ParsedSignature } from './signature.ts';
import { parseSignature, tagsRecord } from './signature.ts';
import { judgeTime } from './time.ts';
import type { AsOf, MessageResult, SignatureEvidence, SignatureTimeEvidence } from './types.ts';
import { judgeMessage } from './verdict.ts';

export interface VerifyOptions {
  readonly keys: KeyLookup;
  /** The instant t=/x= are judged against. Default: the signature's own time. */
  readonly asOf?: AsOf | undefined;
  /** "Today", for reporting expiry as information; injectable for reproducible results. */
  readonly now?: Date | undefined;
  readonly limits?: ParseLimits | undefined;
}

export type VerifyOutcome =
  | { readonly ok: true; readonly message: RawMessage; readonly result: MessageResult }
  | { readonly ok: false; readonly error: InputError };

/** Parse and verify one message. Input problems come back as a coded error, never a throw. */
export function verifyBytes(bytes: Uint8Array, options: VerifyOptions): VerifyOutcome {
  const parsed = parseMessage(bytes, options.limits ?? DEFAULT_PARSE_LIMITS);
  if (!parsed.ok) return parsed;
  return { ok: true, message: parsed.value, result: verifyParsed(parsed.value, options) };
}

/** Verify every DKIM-Signature of a parsed message and judge the message. */
export function verifyParsed(message: RawMessage, options: VerifyOptions): MessageResult {
  const now = options.now ?? new Date();
  const asOf = options.asOf ?? { kind: 'signed' };
  const dateField = fieldsNamed(message, 'date').at(-1);
  const date = dateField ? fieldValue(dateField) : null;
  const bodies = new BodyHashes(message.body);
  const signatures = fieldsNamed(message, 'dkim-signature').map((field, index) => {
    const parsed = parseSignature(field);
    if (!parsed.ok) {
      return unparsedEvidence(
        index,
        field.index,
        parsed.error.result,
        parsed.error.reason,
        tagsRecord(parsed.error.tags),
      );
    }
    return verifySignature(
      message,
      parsed.value,
      index,
      options.keys,
      bodies,
      judgeTime(parsed.value, asOf, date, now),
    );
  });
  return judgeMessage(message, signatures);
}

function verifySignature(
  message: RawMessage,
  sig: ParsedSignature,
  index: number,
  keys: KeyLookup,
  bodies: BodyHashes,
  time: SignatureTimeEvidence,
): SignatureEvidence {
  const body = bodies.get(sig.bodyCanon, sig.hash, sig.bodyLength);
  const bodyMatches = body.hash === sig.bodyHash;
  const selection = selectSignedHeaders(message, sig);
  const weak: SignatureEvidence['weak'][number][] = [];
  if (sig.algorithm === 'rsa-sha1') weak.push('rsa-sha1');

  const key = resolveKey(sig, keys.lookup(sig.selector, sig.domain), (candidate) =>
    checkHeaderSignature(sig.keyType, sig.hash, candidate, selection.signingInput, sig.signature),
  );
  if (key.bits !== null && key.bits < 1024 && sig.keyType === 'rsa') weak.push('key-under-1024-bits');

  let result: SignatureEvidence['result'];
  let reason: string;
  let headerSignature: SignatureEvidence['headerSignature'] = 'not-checked';
  if (key.check === null) {
    result = key.result;
    reason = key.reason;
  } else if (key.check === 'verified') {
    headerSignature = 'verified';
    if (!bodyMatches) {
      result = 'body-altered';
      reason = body.shorterThanLimit
        ? `the signed headers verify, but the body is shorter than l=${sig.bodyLength}: content was removed`
        : 'the signed headers verify, but the body hash does not match: the body was changed after signing';
    } else if (time.expiredAsOf) {
      result = 'expired';
      reason = `verifies, but x= (${time.expiresAt}) had passed at the as-of time ${time.asOf}`;
    } else {
      result = 'pass';
      reason = `signature by ${sig.domain} verifies (${sig.algorithm}, ${sig.headerCanon}/${sig.bodyCanon})`;
    }
  } else if (key.check === 'wrong-key') {
    headerSignature = 'failed';
    result = 'key-mismatch';
    reason = `the ${sig.selector}._domainkey.${sig.domain} record on file is not the key that made this signature (re-keyed selector?); nothing is proven either way`;
  } else {
    headerSignature = 'failed';
    result = 'headers-altered';
    reason =
      key.check === 'digest-mismatch'
        ? 'the key made this signature, but over other header bytes: a signed header was changed' +
          (bodyMatches ? ' (the body is intact)' : ' (the body hash does not match either)')
        : 'the header signature does not verify (ed25519 cannot tell a changed header from a different key)';
  }

  return {
    index,
    fieldIndex: sig.field.index,
    result,
    reason,
    tags: tagsRecord(sig.tags),
    d: sig.domain,
    s: sig.selector,
    a: sig.algorithm,
    c: `${sig.headerCanon}/${sig.bodyCanon}`,
    i: sig.identity,
    signedHeaders: selection.signed,
    unsignedInstances: selection.unsigned,
    bodyHash: { computed: body.hash, expected: sig.bodyHash, matches: bodyMatches },
    body: {
      canonicalLength: body.canonicalLength,
      lengthLimit: sig.bodyLength,
      bytesBeyondLimit: body.bytesBeyondLimit,
    },
    headerSignature,
    key: key.evidence,
    keysTried: key.tried,
    time,
    weak,
  };
}

function unparsedEvidence(
  index: number,
  fieldIndex: number,
  result: 'malformed' | 'unsupported',
  reason: string,
  tags: Record<string, string>,
): SignatureEvidence {
  return {
    index,
    fieldIndex,
    result,
    reason,
    tags,
    d: tags['d'] ?? null,
    s: tags['s'] ?? null,
    a: tags['a'] ?? null,
    c: tags['c'] ?? null,
    i: tags['i'] ?? null,
    signedHeaders: [],
    unsignedInstances: [],
    bodyHash: null,
    body: null,
    headerSignature: 'not-checked',
    key: null,
    keysTried: [],
    time: {
      signedAt: null,
      expiresAt: null,
      asOf: null,
      asOfSource: 'unknown',
      expiredAsOf: false,
      expiredNow: false,
      signedInFuture: false,
    },
    weak: [],
  };
}

interface BodyHash {
  readonly hash: string;
  readonly canonicalLength: number;
  readonly bytesBeyondLimit: number;
  readonly shorterThanLimit: boolean;
}

/** Canonical bodies and their hashes, computed once per message for all signatures that share them. */
class BodyHashes {
  readonly #body: Uint8Array;
  readonly #canonical = new Map<Canonicalization, Uint8Array>();
  readonly #hashes = new Map<string, BodyHash>();

  constructor(body: Uint8Array) {
    this.#body = body;
  }

  get(mode: Canonicalization, hash: 'sha256' | 'sha1', limit: number | null): BodyHash {
    const id = `${mode}/${hash}/${limit}`;
    let found = this.#hashes.get(id);
    if (!found) {
      let canonical = this.#canonical.get(mode);
      if (!canonical) {
        canonical = canonicalizeBody(this.#body, mode);
        this.#canonical.set(mode, canonical);
      }
      const covered = limit === null || limit >= canonical.length ? canonical : canonical.subarray(0, limit);
      found = {
        hash: createHash(hash).update(covered).digest('base64'),
        canonicalLength: canonical.length,
        bytesBeyondLimit: canonical.length - covered.length,
        shorterThanLimit: limit !== null && limit > canonical.length,
      };
      this.#hashes.set(id, found);
    }
    return found;
  }
}

/** Verify one message given as bytes; a message that cannot be parsed is `unverifiable`, with the error. */
export function verifyMessage(bytes: Uint8Array, options: VerifyOptions): MessageResult {
  const outcome = verifyBytes(bytes, options);
  if (outcome.ok) return outcome.result;
  return {
    verdict: 'unverifiable',
    caveats: [],
    signatures: [],
    messageId: null,
    from: null,
    fromDomain: null,
    date: null,
    subject: null,
    reason: `the message could not be read: ${outcome.error.message}`,
    inputError: outcome.error,
  };
}
