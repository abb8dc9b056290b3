import { createHash, createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { parseMessage } from '../mail/message.ts';
import { latin1ToBytes } from '../shared/bytes.ts';
import { type Canonicalization, canonicalizeBody, canonicalizeHeaderText } from './canonicalize.ts';
import { selectInstances } from './header-hash.ts';

/*
 * A DKIM signer (RFC 6376, RFC 8463) for leakproof's examples, tests, demo corpus and benchmarks.
 * Not a hostile-input path: a message that does not parse or a bad option is a caller bug and throws.
 */

export type SigningAlgorithm = 'rsa-sha256' | 'rsa-sha1' | 'ed25519-sha256';
export type SigningCanonicalization =
  | 'simple/simple'
  | 'relaxed/relaxed'
  | 'relaxed/simple'
  | 'simple/relaxed';

export interface SignOptions {
  readonly domain: string;
  readonly selector: string;
  /** A KeyObject, or a PEM (PKCS#8 or PKCS#1) private key. */
  readonly privateKey: KeyObject | string;
  readonly algorithm: SigningAlgorithm;
  readonly canonicalization: SigningCanonicalization;
  /** Header names to sign; every present instance of each is signed. Default: DEFAULT_SIGNED_HEADERS. */
  readonly headers?: readonly string[] | undefined;
  /** Names listed in h= once more than they occur, so an instance added later breaks the signature. */
  readonly oversign?: readonly string[] | undefined;
  /** Sets l=: that many canonical body bytes (capped at the body's length), or 'all' for the whole body. */
  readonly bodyLength?: number | 'all' | undefined;
  /** i=, the agent or user identifier: an address whose domain is d= or a subdomain of it. */
  readonly identity?: string | undefined;
  /** t= */
  readonly timestamp?: Date | undefined;
  /** x= */
  readonly expiration?: Date | undefined;
}

/** The fields a signer usually covers (RFC 6376 5.4.1); only those present are signed. */
export const DEFAULT_SIGNED_HEADERS: readonly string[] = [
  'from',
  'sender',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'to',
  'cc',
  'in-reply-to',
  'references',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
  'list-id',
  'list-unsubscribe',
  'list-unsubscribe-post',
];

const FOLD_WIDTH = 78;
const TAG_VALUE_OK = /^[\x21-\x3a\x3c-\x7e]+$/; // printable ASCII without ";" (RFC 6376 3.2)

/** Sign a message; returns it with the DKIM-Signature field prepended. Throws on a caller error. */
export function signMessage(bytes: Uint8Array, options: SignOptions): Uint8Array {
  const parsed = parseMessage(bytes);
  if (!parsed.ok) throw new Error(`cannot sign: ${parsed.error.message}`);
  const message = parsed.value;
  const [headerCanon, bodyCanon] = options.canonicalization.split('/') as [
    Canonicalization,
    Canonicalization,
  ];
  const key =
    typeof options.privateKey === 'string' ? createPrivateKey(options.privateKey) : options.privateKey;
  const keyType = options.algorithm.startsWith('ed25519') ? 'ed25519' : 'rsa';
  if (key.asymmetricKeyType !== keyType) {
    throw new RangeError(`${options.algorithm} needs an ${keyType} key, not ${key.asymmetricKeyType}`);
  }
  for (const [tag, value] of [
    ['d', options.domain],
    ['s', options.selector],
    ['i', options.identity],
  ] as const) {
    if (value !== undefined && !TAG_VALUE_OK.test(value))
      throw new RangeError(`invalid ${tag}= value ${JSON.stringify(value)}`);
  }
  if (options.timestamp && options.expiration && options.expiration <= options.timestamp) {
    throw new RangeError('x= must be later than t= (RFC 6376 3.5)');
  }

  // Body hash, over at most l= canonical bytes.
  const hash = options.algorithm === 'rsa-sha1' ? 'sha1' : 'sha256';
  const body = canonicalizeBody(message.body, bodyCanon);
  let length: number | null = null;
  if (options.bodyLength === 'all') length = body.length;
  else if (options.bodyLength !== undefined) {
    if (!Number.isInteger(options.bodyLength) || options.bodyLength < 0)
      throw new RangeError('bodyLength must be a non-negative integer');
    length = Math.min(options.bodyLength, body.length);
  }
  const bh = createHash(hash)
    .update(length === null ? body : body.subarray(0, length))
    .digest('base64');

  // h=: every present instance of each listed name, then the over-signed names once more.
  const names = (options.headers ?? DEFAULT_SIGNED_HEADERS).map((n) => n.toLowerCase());
  const h: string[] = [];
  for (const name of new Set(names)) {
    for (const field of message.fields) if (field.key === name) h.push(name);
  }
  for (const name of options.oversign ?? []) h.push(name.toLowerCase());
  if (!h.includes('from')) throw new RangeError('the From field must be signed (RFC 6376 5.4)');

  // Instances are taken bottom-up, by the verifier's own selection (RFC 6376 5.4.2).
  const signedHeaders = selectInstances(message, h, headerCanon, null).canonicalText;

  const tags: string[][] = [
    ['v=1;'],
    [`a=${options.algorithm};`],
    [`c=${options.canonicalization};`],
    [`d=${options.domain};`],
    [`s=${options.selector};`],
  ];
  if (options.timestamp) tags.push([`t=${seconds(options.timestamp)};`]);
  if (options.expiration) tags.push([`x=${seconds(options.expiration)};`]);
  if (options.identity !== undefined) tags.push([`i=${options.identity};`]);
  if (length !== null) tags.push([`l=${length};`]);
  tags.push(h.map((n, i) => (i === 0 ? 'h=' : '') + n + (i === h.length - 1 ? ';' : ':')));
  tags.push([`bh=${bh};`], ['b=']);
  const eol = message.headerLineEndings === 'lf' ? '\n' : '\r\n';
  const unsigned = fold('DKIM-Signature:', tags, eol);

  // The signature field itself, b= empty, without its terminator, is hashed last (RFC 6376 3.7).
  const data = latin1ToBytes(
    signedHeaders + canonicalizeHeaderText(unsigned, unsigned.indexOf(':'), headerCanon),
  );
  const b =
    keyType === 'ed25519'
      ? sign(null, createHash('sha256').update(data).digest(), key) // RFC 8463 3: Ed25519 over the SHA-256 hash
      : sign(hash, data, key);
  const field = unsigned + foldBase64(b.toString('base64'), lastLineLength(unsigned), eol);
  return Buffer.concat([latin1ToBytes(field + eol), message.bytes]);
}

function seconds(date: Date): number {
  const t = Math.floor(date.getTime() / 1000);
  if (!Number.isSafeInteger(t) || t < 0) throw new RangeError('t= and x= must be times after 1970');
  return t;
}

/** Lay tags out as `name: tag tag...`, folding before any piece that would pass FOLD_WIDTH. */
function fold(name: string, tags: readonly (readonly string[])[], eol: string): string {
  let out = name;
  let column = name.length;
  for (const pieces of tags) {
    pieces.forEach((piece, i) => {
      // A tag starts after a space; the pieces of h= join directly (FWS is allowed around ":").
      const sep = i === 0 ? ' ' : '';
      if (column + sep.length + piece.length > FOLD_WIDTH && column > 1) {
        out += `${eol} ${piece}`;
        column = 1 + piece.length;
      } else {
        out += sep + piece;
        column += sep.length + piece.length;
      }
    });
  }
  return out;
}

/** Fill the rest of the current line with base64, then continue on folded lines. */
function foldBase64(value: string, column: number, eol: string): string {
  const first = Math.max(8, FOLD_WIDTH - column); // keep some of b= on its own line: the signed form ends at "b="
  let out = value.slice(0, first);
  for (let i = first; i < value.length; i += FOLD_WIDTH - 1)
    out += `${eol} ${value.slice(i, i + FOLD_WIDTH - 1)}`;
  return out;
}

function lastLineLength(text: string): number {
  return text.length - (text.lastIndexOf('\n') + 1);
}
