import type { HeaderField, RawMessage } from '../mail/message.ts';
import { fieldsNamed } from '../mail/message.ts';
import { latin1ToBytes } from '../shared/bytes.ts';
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

/**
 * Select header instances for h= bottom-up (RFC 6376 5.4.2): each occurrence of a name takes the
 * next instance from the bottom; an occurrence with no instance left contributes nothing
 * (over-signing, which makes an added instance break the signature).
 */
export function selectSignedHeaders(message: RawMessage, signature: ParsedSignature): HeaderSelection {
  const instancesOf = (key: string): readonly HeaderField[] => {
    const all = fieldsNamed(message, key);
    // The signature being verified is never one of its own signed headers.
    return key === 'dkim-signature' ? all.filter((f) => f.index !== signature.field.index) : all;
  };
  const used = new Map<string, number>(); // how many instances of a name were taken from the bottom
  const signed: SignedHeaderEvidence[] = [];
  let text = '';
  for (const name of signature.signedHeaderNames) {
    const key = name.toLowerCase();
    const instances = instancesOf(key);
    const taken = used.get(key) ?? 0;
    const pick = instances.length - 1 - taken;
    if (pick >= 0) {
      const field = instances[pick]!;
      used.set(key, taken + 1);
      signed.push({ name, fieldIndex: field.index });
      text += canonicalizeHeader(field, signature.headerCanon);
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

  const blanked = signature.text.slice(0, signature.bValueStart) + signature.text.slice(signature.bValueEnd);
  text += canonicalizeHeaderText(blanked, signature.field.colon, signature.headerCanon);
  return { signed, unsigned, signingInput: latin1ToBytes(text) };
}
