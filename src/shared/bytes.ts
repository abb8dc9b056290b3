/** Byte helpers shared by the parsers. Messages are bytes, not strings: 8-bit content must survive. */

export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HTAB = 0x09;
export const COLON = 0x3a;

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** One char per byte: lossless and reversible, for matching ASCII syntax in 8-bit data. */
export function bytesToLatin1(bytes: Uint8Array): string {
  // Not TextDecoder('latin1'): per the Encoding spec that is windows-1252, which is not 1:1.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

export function latin1ToBytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** For display only: invalid UTF-8 becomes U+FFFD. */
export function bytesToDisplayText(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
