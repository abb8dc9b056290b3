/** Where a key record came from. Provenance is evidence: it is shown beside every result it supports. */
export type KeySourceKind =
  | 'key-file' // `selector._domainkey.domain TXT-value` lines (../shared/vectors format)
  | 'json-archive' // [{domain, selector, value, firstSeenAt, lastSeenAt, source}] from a public key archive
  | 'zone-file' // TXT records in a DNS zone file
  | 'dig' // a saved `dig` transcript
  | 'live-dns' // looked up now, with --live-dns
  | 'recovered'; // recovered from signatures in the corpus (issue 4)

export interface KeyProvenance {
  readonly kind: KeySourceKind;
  /** The file it was read from, or a description of the lookup. */
  readonly origin: string;
  /** 1-based line in `origin`, where there is one. */
  readonly line?: number | undefined;
  /** 0-based position in a JSON array, for archive exports (which have no useful line numbers). */
  readonly index?: number | undefined;
  /** The period the record was seen, as ISO 8601 strings, when the source says. */
  readonly firstSeenAt?: string | undefined;
  readonly lastSeenAt?: string | undefined;
  /** When leakproof itself retrieved it (live DNS). */
  readonly retrievedAt?: string | undefined;
  /** What the source itself says about the record (an archive's `source` field, a dig server line). */
  readonly note?: string | undefined;
}

/** A TXT record for `selector._domainkey.domain`, as found, with where it came from. */
export interface KeyRecord {
  /** Lower-case. */
  readonly selector: string;
  /** Lower-case, no trailing dot. */
  readonly domain: string;
  /** The TXT value, its DNS strings already joined. */
  readonly value: string;
  readonly provenance: KeyProvenance;
  /**
   * Every source that had this exact record, `provenance` included, when a KeyStore merged several
   * (a record seen in two independent sources is stronger evidence). Absent on freshly imported records.
   */
  readonly seenIn?: readonly KeyProvenance[] | undefined;
}

/** What the verifier needs: every known record for a selector, oldest first. Offline and synchronous. */
export interface KeyLookup {
  lookup(selector: string, domain: string): readonly KeyRecord[];
}
