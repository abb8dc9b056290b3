import { inputError } from '../../shared/errors.ts';
import type { Result } from '../../shared/result.ts';
import { fail, ok } from '../../shared/result.ts';
import { preview } from '../names.ts';
import type { KeyRecord } from '../types.ts';
import type { ImportOptions, ImportResult } from './common.ts';
import { makeRecord, ProblemList, tooLarge } from './common.ts';

/**
 * JSON exports of public DKIM key archives: an array of
 * `{domain, selector, value, firstSeenAt, lastSeenAt, source}`. domain, selector and value are
 * required (value may also be an array of TXT strings, joined); the rest is optional. Timestamps may
 * be ISO 8601 strings or unix seconds and are kept as ISO strings; a time without a zone is read as
 * UTC. A bad item is reported with its index and the others are still imported.
 *
 * `text` is the file decoded as UTF-8 (JSON's encoding). Names and values are turned back into one
 * char per byte, the convention of the message model, so a UTF-8 d= matches its record.
 */
export function parseJsonArchive(text: string, options: ImportOptions = {}): Result<ImportResult> {
  const origin = options.origin ?? 'JSON key archive';
  const big = tooLarge(text, origin);
  if (big) return big;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // JSON.parse throws SyntaxError (or RangeError on absurd nesting): an answer about the input.
    const why = e instanceof Error ? e.message : String(e);
    return fail(inputError('key-file-malformed', `${origin} is not valid JSON: ${why.slice(0, 200)}`));
  }
  if (!Array.isArray(data)) {
    return fail(inputError('key-file-malformed', `${origin} is JSON but not an array of key records`));
  }
  const records: KeyRecord[] = [];
  const problems = new ProblemList();
  data.forEach((item: unknown, index) => {
    const record = readItem(item, index, origin, problems);
    if (record) records.push(record);
  });
  return ok({ records, problems: problems.done() });
}

function readItem(item: unknown, index: number, origin: string, problems: ProblemList): KeyRecord | null {
  const at = `[${index}]`;
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    problems.add('key-file-malformed', `item ${index} is not an object`, at);
    return null;
  }
  const o = item as Record<string, unknown>;
  const { domain, selector } = o;
  if (typeof domain !== 'string' || typeof selector !== 'string' || domain === '' || selector === '') {
    problems.add('key-file-malformed', `item ${index} lacks a string "domain" or "selector"`, at);
    return null;
  }
  const value = txtValue(o['value']);
  if (value === null) {
    problems.add('key-file-malformed', `item ${index} lacks a string "value"`, at);
    return null;
  }
  const firstSeenAt = timestamp(o['firstSeenAt'], 'firstSeenAt', index, problems);
  const lastSeenAt = timestamp(o['lastSeenAt'], 'lastSeenAt', index, problems);
  const source = o['source'];
  let note: string | undefined;
  if (typeof source === 'string') note = source;
  else if (source !== undefined && source !== null) {
    problems.add('key-file-malformed', `item ${index}: "source" is not a string; ignored`, at);
  }
  const name = bytes(selector) + '._domainkey.' + bytes(domain);
  const provenance = { kind: 'json-archive' as const, origin, index, firstSeenAt, lastSeenAt, note };
  return makeRecord(name, bytes(value), provenance, problems, at);
}

function txtValue(v: unknown): string | null {
  if (typeof v === 'string') return v;
  // Some exports keep the TXT strings apart; DNS joins them without a separator (RFC 6376 3.6.2.2).
  if (Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string')) return v.join('');
  return null;
}

/** A JS (UTF-16) string as one char per UTF-8 byte. */
function bytes(s: string): string {
  return /^[\x00-\x7f]*$/.test(s) ? s : Buffer.from(s, 'utf8').toString('latin1');
}

const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;
// Unix seconds up to 2286; a larger number is most likely milliseconds, which we refuse to guess.
const MAX_UNIX_SECONDS = 1e10;

function timestamp(v: unknown, field: string, index: number, problems: ProblemList): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  let ms = Number.NaN;
  if (typeof v === 'number') {
    if (Number.isFinite(v) && v >= 0 && v < MAX_UNIX_SECONDS) ms = v * 1000;
  } else if (typeof v === 'string') {
    const m = ISO.exec(v.trim());
    if (m) {
      const zone = (m[3] ?? 'Z').replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
      const time = m[2] ? 'T' + m[2] + zone : '';
      ms = Date.parse(m[1] + time);
    } else if (/^\d{1,10}$/.test(v.trim())) {
      ms = Number(v.trim()) * 1000;
    }
  }
  if (Number.isNaN(ms)) {
    problems.add(
      'key-file-malformed',
      `item ${index}: ${field} ${preview(String(v))} is not a time; ignored`,
      `[${index}]`,
    );
    return undefined;
  }
  return new Date(ms).toISOString();
}
