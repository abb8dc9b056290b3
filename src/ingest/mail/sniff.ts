import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { looksLikeMbox } from '../../mail/mbox.ts';
import { looksLikeMessage } from '../../mail/message.ts';
import { looksLikeEmlx } from './emlx.ts';
import { isMaildir } from './maildir.ts';
import { OLE2_MAGIC } from './msg.ts';
import { PST_MAGIC } from './pst.ts';

export type MailFormat = 'mbox' | 'emlx' | 'message' | 'msg' | 'pst' | 'maildir' | 'unknown';

/** Bytes read to decide; enough for a `From ` line and a first header field. */
const HEAD_BYTES = 4096;

/** Which mail reader fits, by content (never by name). Throws only if the path cannot be read. */
export function sniffMail(path: string): MailFormat {
  if (statSync(path).isDirectory()) return isMaildir(path) ? 'maildir' : 'unknown';
  const head = Buffer.alloc(HEAD_BYTES);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, HEAD_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  return sniffBytes(head.subarray(0, n));
}

export function sniffBytes(head: Uint8Array): MailFormat {
  const b = Buffer.from(head.buffer, head.byteOffset, head.length);
  if (b.length >= 8 && b.subarray(0, 8).equals(OLE2_MAGIC)) return 'msg';
  if (b.length >= 4 && b.subarray(0, 4).equals(PST_MAGIC)) return 'pst';
  if (looksLikeMbox(b)) return 'mbox';
  if (looksLikeEmlx(b)) return 'emlx';
  if (b.length > 0 && looksLikeMessage(b)) return 'message';
  return 'unknown';
}
