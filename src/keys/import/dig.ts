import type { Result } from '../../shared/result.ts';
import { ok } from '../../shared/result.ts';
import { isKeyName, normalizeName, preview } from '../names.ts';
import type { KeyProvenance, KeyRecord } from '../types.ts';
import type { ImportOptions, ImportResult } from './common.ts';
import { makeRecord, ProblemList, tooLarge, trimAscii } from './common.ts';
import { splitRecord, tokenizeDnsText } from './dns-text.ts';

export interface DigOptions extends ImportOptions {
  /** The queried `selector._domainkey.domain`, for `dig +short` output, which does not say it. */
  readonly name?: string | undefined;
}

/** CNAME hops followed inside one answer section (real chains are one or two long). */
export const MAX_CNAME_HOPS = 8;

interface Block {
  command: string | null;
  server: string | null;
  when: string | null;
  answers: { line: number; name: string; value: string }[];
  cnames: Map<string, string>;
  /** `dig +short` lines: the value without a name. */
  shorts: { line: number; value: string }[];
}

function newBlock(): Block {
  return { command: null, server: null, when: null, answers: [], cnames: new Map(), shorts: [] };
}

/**
 * Saved `dig` output, one or several transcripts (each starts at its `; <<>> DiG` line). TXT
 * records of the ANSWER SECTION become records, with the `;; WHEN:` date as the time they were seen
 * and the `;; SERVER:` line in the provenance note. A TXT reached through a CNAME from a key name is
 * filed under the key name. `+short` output has no names: pass `name`, or it is reported.
 */
export function parseDig(text: string, options: DigOptions = {}): Result<ImportResult> {
  const origin = options.origin ?? 'dig transcript';
  const big = tooLarge(text, origin);
  if (big) return big;
  const records: KeyRecord[] = [];
  const problems = new ProblemList();
  let block = newBlock();
  let section: string | null = null;
  let sawSections = false;

  for (const entry of tokenizeDnsText(text)) {
    if (entry.kind === 'error') {
      problems.add('key-file-malformed', entry.message, entry.line);
    } else if (entry.kind === 'comment') {
      const t = entry.text;
      const heading = /^;\s*([A-Z ]*?)\s*(?:PSEUDO)?SECTION:\s*$/.exec(t);
      if (/<<>>\s*DiG/i.test(t)) {
        finish(block, origin, options, records, problems);
        block = newBlock();
        block.command = trimAscii(t.slice(t.lastIndexOf('<<>>') + 4)) || null;
        section = null;
      } else if (heading) {
        section = heading[1] ?? '';
        sawSections = true;
      } else if (/^;\s*SERVER:/i.test(t)) {
        block.server = trimAscii(t.replace(/^;\s*SERVER:/i, ''));
      } else if (/^;\s*WHEN:/i.test(t)) {
        block.when = trimAscii(t.replace(/^;\s*WHEN:/i, ''));
      } else if (t.startsWith(';')) {
        section = null; // any other ";;" line ends a section
      }
    } else {
      if (sawSections && section !== 'ANSWER') continue;
      const [first, ...rest] = entry.tokens;
      if (first!.quoted) {
        block.shorts.push({ line: entry.line, value: entry.tokens.map((t) => t.text).join('') });
        continue;
      }
      const parts = splitRecord(rest);
      if (!parts) {
        // +short prints a CNAME target alone on its line; it tells nothing we need.
        if (rest.length > 0)
          problems.add('key-file-malformed', 'an answer line with no record type', entry.line);
        continue;
      }
      const name = normalizeName(first!.text);
      if (parts.type === 'TXT') {
        block.answers.push({ line: entry.line, name, value: parts.rdata.map((t) => t.text).join('') });
      } else if (parts.type === 'CNAME' && parts.rdata[0]) {
        block.cnames.set(name, normalizeName(parts.rdata[0].text));
      }
    }
  }
  finish(block, origin, options, records, problems);
  return ok({ records, problems: problems.done() });
}

function finish(
  block: Block,
  origin: string,
  options: DigOptions,
  out: KeyRecord[],
  problems: ProblemList,
): void {
  const when = block.when === null ? null : parseDigWhen(block.when);
  const notes = [
    block.shorts.length > 0 && block.answers.length === 0 ? 'dig +short transcript' : 'dig transcript',
  ];
  if (block.command) notes.push(`query: ${block.command}`);
  if (block.server) notes.push(`server: ${block.server}`);
  if (block.when) notes.push(`when: ${block.when}${when?.caveat ? ` (${when.caveat})` : ''}`);
  const at = when?.iso;
  const base: KeyProvenance = {
    kind: 'dig',
    origin,
    note: notes.join('; '),
    firstSeenAt: at,
    lastSeenAt: at,
    retrievedAt: at,
  };
  const aliasOf = aliasFinder(block.cnames);
  for (const answer of block.answers) {
    const names = isKeyName(answer.name) ? [answer.name] : [];
    const aliases = aliasOf(answer.name);
    if (names.length === 0 && aliases.length === 0) {
      const why = `dig answer for ${preview(answer.name)} is not a _domainkey name; ignored`;
      problems.add('key-name-invalid', why, answer.line);
      continue;
    }
    for (const name of [...names, ...aliases]) {
      const note = name === answer.name ? base.note : `${base.note}; via CNAME to ${answer.name}`;
      const record = makeRecord(name, answer.value, { ...base, line: answer.line, note }, problems);
      if (record) out.push(record);
    }
  }
  if (block.shorts.length === 0) return;
  if (!options.name) {
    const n = block.shorts.length;
    const why = `dig +short output (${n} value${n === 1 ? '' : 's'}) does not name the record: pass the queried name`;
    problems.add('key-name-missing', why, block.shorts[0]!.line);
    return;
  }
  for (const short of block.shorts) {
    const record = makeRecord(options.name, short.value, { ...base, line: short.line }, problems);
    if (record) out.push(record);
  }
}

/** Key names whose CNAME chain leads to one target, at most this many (real chains have one). */
export const MAX_CNAME_ALIASES = 16;

/**
 * For each name, the key names whose CNAME chain (within this answer) leads to it: the TXT found at
 * the end of a chain is the record of every name along it. Walks backwards from the target,
 * memoized and bounded, so a flood of CNAMEs costs linear time.
 */
function aliasFinder(cnames: ReadonlyMap<string, string>): (target: string) => readonly string[] {
  const reverse = new Map<string, string[]>();
  for (const [alias, target] of cnames) {
    const list = reverse.get(target);
    if (list) list.push(alias);
    else reverse.set(target, [alias]);
  }
  const memo = new Map<string, string[]>();
  return (target) => {
    const known = memo.get(target);
    if (known) return known;
    const found: string[] = [];
    let frontier = [target];
    const seen = new Set(frontier);
    for (let hop = 0; hop < MAX_CNAME_HOPS && frontier.length > 0; hop++) {
      const next: string[] = [];
      for (const alias of frontier.flatMap((name) => reverse.get(name) ?? [])) {
        if (seen.has(alias) || seen.size > MAX_CNAME_ALIASES * MAX_CNAME_HOPS) continue;
        seen.add(alias);
        next.push(alias);
        if (isKeyName(alias) && found.length < MAX_CNAME_ALIASES) found.push(alias);
      }
      frontier = next;
    }
    memo.set(target, found);
    return found;
  };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// Zone abbreviations dig prints (from the system's locale). Ambiguous ones (IST, CST in Asia) are
// left out on purpose: a wrong offset would be worse than a stated caveat.
const ZONES: Record<string, number> = {
  UTC: 0,
  GMT: 0,
  UT: 0,
  Z: 0,
  WET: 0,
  WEST: 60,
  BST: 60,
  CET: 60,
  CEST: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  AKST: -540,
  AKDT: -480,
  HST: -600,
  JST: 540,
  KST: 540,
  HKT: 480,
  SGT: 480,
  AWST: 480,
  AEST: 600,
  AEDT: 660,
  NZST: 720,
  NZDT: 780,
};

/**
 * The `;; WHEN:` date, e.g. "Tue Mar 05 14:23:11 CET 2024" or "Tue, 05 Mar 2024 14:23:11 +0100",
 * as ISO 8601. An unknown zone name is read as UTC and said so in `caveat`.
 */
export function parseDigWhen(text: string): { iso: string; caveat: string | null } | null {
  const t = trimAscii(text);
  const a = /^[A-Za-z]{3},?\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\S+)\s+(\d{4})$/.exec(t);
  const b =
    /^(?:[A-Za-z]{3},?\s+)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s+(\S+)$/.exec(t);
  let parts: [string, string, string, string, string, string, string] | null = null;
  if (a) parts = [a[7]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!];
  else if (b) parts = [b[3]!, b[2]!, b[1]!, b[4]!, b[5]!, b[6]!, b[7]!];
  if (!parts) return null;
  const [year, mon, day, hh, mm, ss, zone] = parts;
  const month = MONTHS.indexOf(mon.toLowerCase());
  if (month < 0) return null;
  let offset: number | undefined = ZONES[zone.toUpperCase()];
  const numeric = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (numeric) offset = (numeric[1] === '-' ? -1 : 1) * (Number(numeric[2]) * 60 + Number(numeric[3]));
  const ms = Date.UTC(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss));
  if (Number.isNaN(ms) || Number(day) > 31 || Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 60)
    return null;
  const caveat = offset === undefined ? `time zone ${zone} not known, read as UTC` : null;
  return { iso: new Date(ms - (offset ?? 0) * 60_000).toISOString(), caveat };
}
