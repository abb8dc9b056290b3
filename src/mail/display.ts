/**
 * Header values for people to read. The raw model keeps bytes; this turns a value into text:
 * 8-bit bytes as UTF-8 (else windows-1252, what mail clients assume), RFC 2047 encoded words
 * decoded. For display only: evidence always refers to the raw bytes.
 */

const ENCODED_WORD = /=\?([^?\s]{1,40})\?([bBqQ])\?([^?\s]{0,1000})\?=/g;
const BETWEEN_WORDS = /(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?)/g;

export function displayText(latin1Value: string): string {
  const bytes = Buffer.from(latin1Value, 'latin1');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder('windows-1252').decode(bytes);
  }
  if (!text.includes('=?')) return text;
  // Whitespace between two adjacent encoded words is not part of the text (RFC 2047 6.2).
  return text
    .replace(BETWEEN_WORDS, '$1')
    .replace(ENCODED_WORD, (word, charset: string, encoding: string, data: string) => {
      const decoded = decodeWord(charset, encoding, data);
      return decoded ?? word;
    });
}

function decodeWord(charset: string, encoding: string, data: string): string | null {
  let bytes: Buffer;
  if (encoding === 'b' || encoding === 'B') {
    bytes = Buffer.from(data, 'base64');
  } else {
    const q = data
      .replace(/_/g, ' ')
      .replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    bytes = Buffer.from(q, 'latin1');
  }
  const label = charset.split('*')[0]!; // RFC 2231 language suffix
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return null; // unknown charset: show the encoded word as it stands
  }
}
