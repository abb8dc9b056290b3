import type { Result } from '../../shared/result.ts';
import { ok } from '../../shared/result.ts';
import { isKeyName, normalizeName, preview } from '../names.ts';
import { MAX_KEY_RECORD_LENGTH } from '../record.ts';
import type { KeyRecord } from '../types.ts';
import type { ImportOptions, ImportResult } from './common.ts';
import { makeRecord, ProblemList, tooLarge } from './common.ts';
import { type DnsToken, splitRecord, tokenizeDnsText } from './dns-text.ts';

export interface ZoneFileOptions extends ImportOptions {
  /**
   * The zone's origin when the file has no `$ORIGIN` (as named.conf would give it), e.g.
   * "example.com". Relative names under `_domainkey` need one.
   */
  readonly zoneOrigin?: string | undefined;
}

/**
 * TXT records from a DNS zone file (RFC 1035 5.1 master file format): `$ORIGIN`, relative and
 * absolute names, `@`, owners inherited by indented lines, optional TTL and class, values split in
 * several "..." strings (joined without separator, RFC 6376 3.6.2.2) or over lines in parentheses,
 * `\"` and `\DDD` escapes. Only names containing `._domainkey.` are keys; other records are ignored
 * silently. `$INCLUDE` is reported, never followed: a key source must not make us read other files.
 */
export function parseZoneFile(text: string, options: ZoneFileOptions = {}): Result<ImportResult> {
  const origin = options.origin ?? 'zone file';
  const big = tooLarge(text, origin);
  if (big) return big;
  const records: KeyRecord[] = [];
  const problems = new ProblemList();
  let zoneOrigin = options.zoneOrigin ? normalizeName(options.zoneOrigin) : null;
  let owner: string | null = null;
  let ownerRelative = false;

  for (const entry of tokenizeDnsText(text)) {
    if (entry.kind === 'comment') continue;
    if (entry.kind === 'error') {
      problems.add('key-file-malformed', entry.message, entry.line);
      continue;
    }
    const { line, tokens } = entry;
    const first = tokens[0]!;
    if (!entry.indented && !first.quoted && first.text.startsWith('$')) {
      const directive = first.text.toUpperCase();
      const arg = tokens[1];
      if (directive === '$ORIGIN') {
        if (!arg) problems.add('key-file-malformed', '$ORIGIN without a name', line);
        else zoneOrigin = resolve(arg.text, zoneOrigin).name;
      } else if (directive === '$INCLUDE') {
        problems.add('key-file-malformed', `$INCLUDE ${preview(arg?.text ?? '')} not followed`, line);
      } else if (directive !== '$TTL') {
        problems.add(
          'key-file-malformed',
          `unsupported directive ${preview(first.text)}; line ignored`,
          line,
        );
      }
      continue;
    }
    let rest: readonly DnsToken[] = tokens;
    if (!entry.indented) {
      const resolved = resolve(first.text, zoneOrigin);
      owner = resolved.name;
      ownerRelative = resolved.relativeWithoutOrigin;
      rest = tokens.slice(1);
    } else if (owner === null) {
      problems.add('key-file-malformed', 'a record with no owner name (indented first record)', line);
      continue;
    }
    const parts = splitRecord(rest);
    if (!parts) {
      // Only worth a word when it concerns a key name; other malformed lines are not our business.
      if (owner.includes('_domainkey'))
        problems.add('key-file-malformed', `record for ${owner} has no type`, line);
      continue;
    }
    if (parts.type !== 'TXT' || !owner.includes('_domainkey')) continue;
    if (!isKeyName(owner)) {
      if (ownerRelative) {
        const why = `relative name ${preview(owner)} and no $ORIGIN: pass the zone's origin to import it`;
        problems.add('key-name-missing', why, line);
      }
      continue;
    }
    if (parts.rdata.length === 0) {
      problems.add('key-file-malformed', `TXT record for ${owner} has no value`, line);
      continue;
    }
    const value = parts.rdata.map((t) => t.text).join('');
    if (value.length > MAX_KEY_RECORD_LENGTH) {
      problems.add('key-file-malformed', `TXT value for ${owner} longer than ${MAX_KEY_RECORD_LENGTH}`, line);
      continue;
    }
    const notes: string[] = [];
    if (parts.ttl !== null) notes.push(`TTL ${parts.ttl}`);
    // A full key name written without its final dot, in a file with no $ORIGIN: read as absolute.
    if (ownerRelative) notes.push('relative name read as absolute (no $ORIGIN)');
    const note = notes.length > 0 ? notes.join('; ') : undefined;
    const record = makeRecord(owner, value, { kind: 'zone-file', origin, line, note }, problems);
    if (record) records.push(record);
  }
  return ok({ records, problems: problems.done() });
}

/** An owner name made absolute (without the final dot, ASCII lower-case). */
function resolve(name: string, zoneOrigin: string | null): { name: string; relativeWithoutOrigin: boolean } {
  if (name === '@') return { name: zoneOrigin ?? '', relativeWithoutOrigin: zoneOrigin === null };
  if (name.endsWith('.')) return { name: normalizeName(name), relativeWithoutOrigin: false };
  if (zoneOrigin === null) return { name: normalizeName(name), relativeWithoutOrigin: true };
  const base = normalizeName(name);
  return { name: zoneOrigin === '' ? base : `${base}.${zoneOrigin}`, relativeWithoutOrigin: false };
}
