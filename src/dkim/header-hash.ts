import type { HeaderField, RawMessage } from '../mail/message.ts';
import { fieldsNamed } from '../mail/message.ts';
import { latin1ToBytes } from '../shared/bytes.ts';
import type { Canonicalization } from './canonicalize.ts';
import { canonicalizeHeader, canonicalizeHeaderText } from './canonicalize.ts';
import type { ParsedSignature } from './signature.ts';
import type { SignedHeaderEvidence } from './types.ts';

export interface HeaderSelection {
  readonly signed: readonly SignedHeaderEvidence[];
  /** Instances of a signed name that no h= entry selected: content a reader may see but nobody signed. */
  readonly unsigned: readonly { readonly name: string; readonly fieldIndex: number }[];
  /** The exact bytes the signature covers (RFC 6376 3.7), the signature field last, without its CRLF. */
  readonly signingInput: Buffer;
}

/** Which instance each h= name takes, and the canonical text of those instances in h= order. */
export interface InstanceSelection {
  readonly signed: readonly SignedHeaderEvidence[];
  readonly unsigned: readonly { readonly name: string; readonly fieldIndex: number }[];
  readonly canonicalText: string;
}

/**
 * Select header instances for h= bottom-up (RFC 6376 5.4.2): each occurrence of a name takes the
 * next instance from the bottom; an occurrence with no instance left contributes nothing
 * (over-signing, which makes an added instance break the signature). The signer and the verifier
 * both use this, so they cannot disagree on which instance a name covers.
 */
export function selectInstances(
  message: RawMessage,
  names: readonly string[],
  canonicalization: Canonicalization,
  excludeFieldIndex: number | null,
): InstanceSelection {
  const instancesOf = (key: string): readonly HeaderField[] => {
    const all = fieldsNamed(message, key);
    // A signature being verified is never one of its own signed headers.
    return key === 'dkim-signature' && excludeFieldIndex !== null
      ? all.filter((f) => f.index !== excludeFieldIndex)
      : all;
  };
  const used = new Map<string, number>(); // how many instances of a name were taken from the bottom
  const signed: SignedHeaderEvidence[] = [];
  let canonicalText = '';
  for (const name of names) {
    const key = name.toLowerCase();
    const instances = instancesOf(key);
    const taken = used.get(key) ?? 0;
    const pick = instances.length - 1 - taken;
    if (pick >= 0) {
      const field = instances[pick]!;
      used.set(key, taken + 1);
      signed.push({ name, fieldIndex: field.index });
      canonicalText += canonicalizeHeader(field, canonicalization);
    } else {
      signed.push({ name, fieldIndex: null });
    }
  }
  const unsigned: { name: string; fieldIndex: number }[] = [];
  for (const [key, taken] of used) {
    const instances = instancesOf(key);
    for (let i = 0; i < instances.length - taken; i++) {
      unsigned.push({ name: instances[i]!.name, fieldIndex: instances[i]!.index });
    }
  }
  unsigned.sort((x, y) => x.fieldIndex - y.fieldIndex);
  return { signed, unsigned, canonicalText };
}

/** The instances a DKIM-Signature covers and the exact bytes its header signature is over. */
export function selectSignedHeaders(message: RawMessage, signature: ParsedSignature): HeaderSelection {
  const { signed, unsigned, canonicalText } = selectInstances(
    message,
    signature.signedHeaderNames,
    signature.headerCanon,
    signature.field.index,
  );
  const blanked = signature.text.slice(0, signature.bValueStart) + signature.text.slice(signature.bValueEnd);
  const text = canonicalText + canonicalizeHeaderText(blanked, signature.field.colon, signature.headerCanon);
  return { signed, unsigned, signingInput: latin1ToBytes(text) };
}
