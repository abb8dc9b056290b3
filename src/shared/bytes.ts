/** Byte helpers shared by the parsers. Messages are bytes, not strings: 8-bit content must survive. */

export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HTAB = 0x09;
export const COLON = 0x3a;

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** One char per byte: lossless and reversible, for matching ASCII syntax in 8-bit data. */
export function bytesToLatin1(bytes: Uint8Array): string {
  // Not TextDecoder('latin1'): per the Encoding spec that is windows-1252, which is not 1:1. Called
  // for every header field, so no Buffer view is made: latin1Slice reads any Uint8Array.
  return latin1Slice.call(bytes, 0, bytes.length);
}

const latin1Slice = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;

export function latin1ToBytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** For display only: invalid UTF-8 becomes U+FFFD. */
export function bytesToDisplayText(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
