import type { Result } from '../../shared/result.ts';
import { ok } from '../../shared/result.ts';
import { MAX_KEY_RECORD_LENGTH } from '../record.ts';
import type { KeyRecord } from '../types.ts';
import type { ImportOptions, ImportResult } from './common.ts';
import { makeRecord, ProblemList, tooLarge, trimAscii } from './common.ts';

/**
 * Longest line read: a name plus the longest record. Longer lines are reported and skipped, not
 * truncated (a truncated p= would be a different, wrong key).
 */
export const MAX_KEY_FILE_LINE_LENGTH = MAX_KEY_RECORD_LENGTH + 1024;

/**
 * Key files as ../shared/vectors, Mail::DKIM's and OpenDKIM's test resolvers read them: one
 * `selector._domainkey.domain TXT-value` per line (the value is the rest of the line, as written),
 * `#` comments, blank lines. Names are case-insensitive.
 */
export function parseKeyFile(text: string, options: ImportOptions = {}): Result<ImportResult> {
  const origin = options.origin ?? 'key file';
  const big = tooLarge(text, origin);
  if (big) return big;
  const records: KeyRecord[] = [];
  const problems = new ProblemList();
  let start = 0;
  for (let line = 1; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const raw = text.slice(start, end);
    start = end + 1;
    if (raw.length > MAX_KEY_FILE_LINE_LENGTH) {
      problems.add('key-file-malformed', `line longer than ${MAX_KEY_FILE_LINE_LENGTH} characters`, line);
      continue;
    }
    const content = trimAscii(raw);
    if (content === '' || content.startsWith('#')) continue;
    const gap = content.search(/[ \t]/);
    if (gap === -1) {
      problems.add('key-file-malformed', 'a name with no TXT value after it', line);
      continue;
    }
    const value = trimAscii(content.slice(gap));
    const record = makeRecord(content.slice(0, gap), value, { kind: 'key-file', origin, line }, problems);
    if (record) records.push(record);
  }
  return ok({ records, problems: problems.done() });
}
