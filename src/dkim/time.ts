import type { ParsedSignature } from './signature.ts';
import type { AsOf, SignatureTimeEvidence } from './types.ts';

/**
 * Judge t= and x= as of a chosen instant. By default that is the signature's own time (t=, else the
 * message's Date): a key rotated or an x= passed since says nothing about a message sent in 2015.
 * Expiry relative to today is reported, as information only.
 */
export function judgeTime(
  signature: ParsedSignature,
  asOf: AsOf,
  dateHeader: string | null,
  now: Date,
): SignatureTimeEvidence {
  const signedAt = signature.timestamp;
  const expiresAt = signature.expiration;
  let at: number | null;
  let asOfSource: SignatureTimeEvidence['asOfSource'];
  if (asOf.kind === 'now') {
    at = now.getTime() / 1000;
    asOfSource = 'now';
  } else if (asOf.kind === 'fixed') {
    at = asOf.time.getTime() / 1000;
    asOfSource = 'fixed';
  } else if (signedAt !== null) {
    at = signedAt;
    asOfSource = 'signature-t';
  } else {
    const parsed = dateHeader === null ? Number.NaN : Date.parse(dateHeader);
    at = Number.isFinite(parsed) ? parsed / 1000 : null;
    asOfSource = at === null ? 'unknown' : 'date-header';
  }
  const nowSeconds = now.getTime() / 1000;
  return {
    signedAt: signedAt === null ? null : isoSeconds(signedAt),
    expiresAt: expiresAt === null ? null : isoSeconds(expiresAt),
    asOf: at === null ? null : isoSeconds(at),
    asOfSource,
    expiredAsOf: expiresAt !== null && at !== null && at > expiresAt,
    expiredNow: expiresAt !== null && nowSeconds > expiresAt,
    signedInFuture: signedAt !== null && at !== null && signedAt > at + CLOCK_SKEW_SECONDS,
  };
}

/** Signers' clocks drift; a t= this far ahead of the as-of time is not worth a remark. */
export const CLOCK_SKEW_SECONDS = 300;

function isoSeconds(seconds: number): string | null {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
