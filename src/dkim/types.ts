import type { KeyProvenance } from '../keys/types.ts';
import type { InputError } from '../shared/errors.ts';

/** Per-signature result (DESIGN.md, "Email verdicts"). */
export type SignatureResult =
  | 'pass' // body hash and header signature both verify
  | 'body-altered' // header signature verifies, body hash does not: signed headers proven, body changed
  | 'headers-altered' // header signature does not verify
  | 'key-mismatch' // RSA: the record found is not the key that made this signature (re-keyed selector)
  | 'key-missing' // no record for selector+domain in any key source
  | 'key-revoked' // empty p=
  | 'key-invalid' // record malformed, or its tags forbid this use
  | 'expired' // verifies, but x= had passed at the chosen as-of time
  | 'malformed' // the signature cannot be parsed or breaks a MUST of RFC 6376
  | 'unsupported'; // an algorithm, canonicalization or query method we do not implement

/** Per-message verdict, the badge a reader sees. */
export type MessageVerdict =
  | 'authentic'
  | 'authentic-with-caveats'
  | 'authentic-after-repair'
  | 'altered'
  | 'unverifiable'
  | 'unsigned';

/** Why a pass proves less than it seems to. Each carries a sentence in `Caveat.text`. */
export type CaveatCode =
  | 'third-party-signer' // d= does not align with the From domain
  | 'weak-key' // RSA under 1024 bits: forgeable today
  | 'weak-hash' // rsa-sha1
  | 'published-key' // the key is on the list of published or compromised keys
  | 'testing-key' // t=y: the domain said it was testing DKIM
  | 'partial-body' // l= leaves unsigned content after the signed part
  | 'headers-not-covered' // a displayed header (From, To, Subject, ...) is not signed
  | 'unsigned-header-instance' // an extra instance of a signed header name is not covered (prepended From)
  | 'no-from' // the message has no single From to align with
  | 'other-signature-failed'; // another signature on the message does not verify

export interface Caveat {
  readonly code: CaveatCode;
  readonly text: string;
  /** Index of the signature it concerns, when it concerns one. */
  readonly signature?: number | undefined;
}

export type AsOf =
  | { readonly kind: 'signed' } // the signature's own time: t=, else the Date header
  | { readonly kind: 'now' }
  | { readonly kind: 'fixed'; readonly time: Date };

export interface KeyEvidence {
  readonly selector: string;
  readonly domain: string;
  readonly record: string;
  readonly provenance: KeyProvenance;
  readonly keyType: string;
  readonly bits: number | null;
  /** t=y: the domain said it was only testing DKIM. */
  readonly testing: boolean;
  /** Known published or compromised, with the reason. */
  readonly compromised: string | null;
}

export interface SignedHeaderEvidence {
  /** The name as listed in h=. */
  readonly name: string;
  /** Index into the message's header fields of the instance used, or null (over-signed: none left). */
  readonly fieldIndex: number | null;
}

export interface SignatureTimeEvidence {
  readonly signedAt: string | null; // t=
  readonly expiresAt: string | null; // x=
  /** The instant t=/x= were judged against, and how it was chosen. */
  readonly asOf: string | null;
  readonly asOfSource: 'signature-t' | 'date-header' | 'now' | 'fixed' | 'unknown';
  readonly expiredAsOf: boolean;
  /** Information only: x= has passed today (does not affect the result when judged as of signing). */
  readonly expiredNow: boolean;
  /** t= is later than the as-of time (a signer's clock ahead, or a date rewritten). */
  readonly signedInFuture: boolean;
}

export interface SignatureEvidence {
  /** Index among the message's DKIM-Signature fields, top to bottom. */
  readonly index: number;
  /** Index of the DKIM-Signature header field among all header fields. */
  readonly fieldIndex: number;
  readonly result: SignatureResult;
  /** One line a reader understands. */
  readonly reason: string;
  /** Every tag as written (b= included). */
  readonly tags: Readonly<Record<string, string>>;
  readonly d: string | null;
  readonly s: string | null;
  readonly a: string | null;
  readonly c: string | null;
  readonly i: string | null;
  readonly signedHeaders: readonly SignedHeaderEvidence[];
  /** Header fields whose name is in h= but that no h= entry selected (above the signed ones). */
  readonly unsignedInstances: readonly { readonly name: string; readonly fieldIndex: number }[];
  readonly bodyHash: {
    readonly computed: string;
    readonly expected: string;
    readonly matches: boolean;
  } | null;
  readonly body: {
    readonly canonicalLength: number;
    /** l=, when present. */
    readonly lengthLimit: number | null;
    /** Canonical bytes after the first l=, not covered by the signature. */
    readonly bytesBeyondLimit: number;
  } | null;
  /** The header signature check, run even when the body hash fails. */
  readonly headerSignature: 'verified' | 'failed' | 'not-checked';
  readonly key: KeyEvidence | null;
  /** Every record that was tried for this selector, and what each gave. */
  readonly keysTried: readonly { readonly provenance: KeyProvenance; readonly outcome: string }[];
  readonly time: SignatureTimeEvidence;
  /** Weak by today's standards: RSA under 1024 bits, or rsa-sha1. */
  readonly weak: readonly ('key-under-1024-bits' | 'rsa-sha1')[];
}

export interface MessageResult {
  readonly verdict: MessageVerdict;
  readonly caveats: readonly Caveat[];
  readonly signatures: readonly SignatureEvidence[];
  readonly messageId: string | null;
  readonly from: string | null;
  readonly fromDomain: string | null;
  readonly date: string | null;
  readonly subject: string | null;
  /** One line: why this verdict. */
  readonly reason: string;
  /** Set when the message could not be parsed at all (a limit hit, empty input); verdict is unverifiable. */
  readonly inputError: InputError | null;
}
