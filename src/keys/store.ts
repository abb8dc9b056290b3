import type { InputError } from '../shared/errors.ts';
import type { Result } from '../shared/result.ts';
import { ok } from '../shared/result.ts';
import type { ImportFileOptions, KeySourceFormat } from './import/index.ts';
import { importKeysFromFile } from './import/index.ts';
import { normalizeName } from './names.ts';
import type { KeyLookup, KeyProvenance, KeyRecord } from './types.ts';

interface Entry {
  readonly selector: string;
  readonly domain: string;
  readonly value: string;
  readonly seenIn: KeyProvenance[];
  /** Keys of seenIn, so merging stays linear however often a record recurs. */
  readonly seenKeys: Set<string>;
  /** Earliest firstSeenAt of any source, in ms; Infinity when no source says. */
  firstSeen: number;
  /** Order of first insertion, to keep sorting stable. */
  readonly order: number;
  /** The record handed out; null when a merge made it stale (rebuilt lazily, on the next read). */
  record: KeyRecord | null;
}

interface NameList {
  entries: Entry[];
  sorted: boolean;
}

/**
 * An offline key store with provenance. Several historical records may exist for one selector;
 * a record found again (same name, same value up to whitespace) in another source is merged, keeping
 * every provenance. Lookups return the records for a name oldest first, undated ones last.
 */
export class KeyStore implements KeyLookup {
  readonly #byName = new Map<string, NameList>();
  readonly #byIdentity = new Map<string, Entry>();
  #count = 0;

  /** Add a record; true if it was new, false if it was merged into an identical one. */
  add(record: KeyRecord): boolean {
    const selector = normalizeName(record.selector);
    const domain = normalizeName(record.domain);
    const name = `${selector}._domainkey.${domain}`;
    // Whitespace in a TXT value never changes its meaning for DKIM (folding around tags, inside p=).
    const identity = `${name}\n${record.value.replace(/[ \t\r\n]+/g, '')}`;
    const provenances = record.seenIn && record.seenIn.length > 0 ? record.seenIn : [record.provenance];
    const existing = this.#byIdentity.get(identity);
    const entry: Entry = existing ?? {
      selector,
      domain,
      value: record.value,
      seenIn: [],
      seenKeys: new Set(),
      firstSeen: Number.POSITIVE_INFINITY,
      order: this.#count++,
      record: null,
    };
    for (const p of provenances) {
      const key = provenanceKey(p);
      if (entry.seenKeys.has(key)) continue;
      entry.seenKeys.add(key);
      entry.seenIn.push(p);
      entry.firstSeen = Math.min(entry.firstSeen, time(p.firstSeenAt));
    }
    entry.record = null;
    // Sorting waits for the next lookup, so adding n records for one name is not quadratic.
    const list = this.#byName.get(name);
    if (existing) {
      list!.sorted = false;
      return false;
    }
    this.#byIdentity.set(identity, entry);
    if (list) {
      list.entries.push(entry);
      list.sorted = false;
    } else {
      this.#byName.set(name, { entries: [entry], sorted: true });
    }
    return true;
  }

  addAll(records: Iterable<KeyRecord>): void {
    for (const record of records) this.add(record);
  }

  lookup(selector: string, domain: string): readonly KeyRecord[] {
    const list = this.#byName.get(`${normalizeName(selector)}._domainkey.${normalizeName(domain)}`);
    return list ? records(list) : [];
  }

  /** Distinct records held. */
  get size(): number {
    return this.#byIdentity.size;
  }

  *[Symbol.iterator](): IterableIterator<KeyRecord> {
    for (const list of this.#byName.values()) yield* records(list);
  }

  /** Every selector known, with how many distinct records it has, sorted by domain then selector. */
  selectors(): { selector: string; domain: string; records: number }[] {
    const out = [...this.#byName.values()].map(({ entries }) => ({
      selector: entries[0]!.selector,
      domain: entries[0]!.domain,
      records: entries.length,
    }));
    return out.sort((a, b) => cmp(a.domain, b.domain) || cmp(a.selector, b.selector));
  }

  /** Import a key source file (format sniffed) into the store. Problems are returned, not thrown. */
  async importFile(
    path: string,
    options?: ImportFileOptions,
  ): Promise<Result<{ added: number; problems: InputError[]; format: KeySourceFormat }>> {
    const result = await importKeysFromFile(path, options);
    if (!result.ok) return result;
    const before = this.size;
    this.addAll(result.value.records);
    return ok({ added: this.size - before, problems: result.value.problems, format: result.value.format });
  }
}

function records(list: NameList): KeyRecord[] {
  if (!list.sorted) {
    list.entries.sort(byFirstSeen);
    list.sorted = true;
  }
  return list.entries.map((entry) => {
    entry.record ??= build(entry);
    return entry.record;
  });
}

function build(entry: Entry): KeyRecord {
  // The primary provenance is the source that saw the record earliest (else the first one added).
  let primary = entry.seenIn[0]!;
  for (const p of entry.seenIn) if (time(p.firstSeenAt) < time(primary.firstSeenAt)) primary = p;
  return {
    selector: entry.selector,
    domain: entry.domain,
    value: entry.value,
    provenance: primary,
    seenIn: [...entry.seenIn],
  };
}

/** The period a (possibly merged) record was seen over all its sources. */
export function recordPeriod(record: KeyRecord): { firstSeenAt: string | null; lastSeenAt: string | null } {
  let first: string | null = null;
  let last: string | null = null;
  for (const p of record.seenIn ?? [record.provenance]) {
    if (p.firstSeenAt && (first === null || time(p.firstSeenAt) < time(first))) first = p.firstSeenAt;
    const end = p.lastSeenAt ?? p.firstSeenAt;
    if (end && (last === null || time(end) > time(last))) last = end;
  }
  return { firstSeenAt: first, lastSeenAt: last };
}

function time(iso: string | undefined): number {
  const ms = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

function byFirstSeen(a: Entry, b: Entry): number {
  if (a.firstSeen !== b.firstSeen) return a.firstSeen < b.firstSeen ? -1 : 1;
  return a.order - b.order;
}

/** Two provenances are the same when every field is: the same file line imported twice. */
function provenanceKey(p: KeyProvenance): string {
  return JSON.stringify([
    p.kind,
    p.origin,
    p.line,
    p.index,
    p.firstSeenAt,
    p.lastSeenAt,
    p.retrievedAt,
    p.note,
  ]);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
