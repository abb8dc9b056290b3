import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { AsOf, MessageResult, MessageVerdict } from '../dkim/types.ts';
import { verifyMessage } from '../dkim/verify.ts';
import { VerifyPool } from '../dkim/verify-pool.ts';
import { importKeysFromFile } from '../keys/import/index.ts';
import { KeyStore } from '../keys/store.ts';
import { DEFAULT_PARSE_LIMITS } from '../mail/message.ts';
import { EXIT, type ExitCode, UsageError } from './exit.ts';
import type { MessageSource } from './inputs.ts';
import { enumerateMessages } from './inputs.ts';
import { addMissingKeysFromLiveDns } from './live-keys.ts';
import { formatRow, formatSummary, TABLE_HEADER } from './table.ts';

export const VERIFY_HELP = `Usage: leakproof verify <file|dir|mbox>... [options]

Verify the DKIM signatures of every message, offline, as of the time each was signed.

Options:
  --keys FILE          key records to use (repeatable): selector._domainkey.domain TXT lines,
                       a JSON key-archive export, a zone file, or a saved dig transcript
  --as-of WHEN         judge t=/x= as of: signed (default: the signature's t=, else Date),
                       now, or an ISO 8601 date
  --json               one JSON object per message (JSON Lines) instead of the table
  --fail-on VERDICTS   exit 1 if any message gets one of these verdicts (comma-separated:
                       altered,unverifiable,unsigned,authentic-with-caveats)
  --live-dns           look up selectors missing from the key files in today's DNS (reveals
                       what you are examining; today's key may not be the one in force then)
  --max-header-bytes N largest header section read (default ${DEFAULT_PARSE_LIMITS.maxHeaderBytes})
  -j, --jobs N         verification threads (default: the cores available, at most 8);
                       output stays in input order
  -h, --help           this text

Exit codes: 0 every message was read and judged (whatever the verdicts); 1 a --fail-on verdict
was found; 2 usage error; 3 some input could not be read (listed in the output).`;

const VERDICTS: readonly MessageVerdict[] = [
  'authentic',
  'authentic-with-caveats',
  'authentic-after-repair',
  'altered',
  'unverifiable',
  'unsigned',
];

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export async function runVerify(argv: readonly string[], io: Output): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      keys: { type: 'string', multiple: true },
      'as-of': { type: 'string' },
      json: { type: 'boolean' },
      'fail-on': { type: 'string' },
      'live-dns': { type: 'boolean' },
      'max-header-bytes': { type: 'string' },
      jobs: { type: 'string', short: 'j' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(VERIFY_HELP);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError('verify needs at least one file, directory or mbox');
  const asOf = parseAsOf(values['as-of'] ?? 'signed');
  const failOn = parseFailOn(values['fail-on']);
  const maxHeaderBytes = parsePositiveInt(
    values['max-header-bytes'],
    DEFAULT_PARSE_LIMITS.maxHeaderBytes,
    '--max-header-bytes',
  );
  const limits = { ...DEFAULT_PARSE_LIMITS, maxHeaderBytes };
  const jobs = parsePositiveInt(values.jobs, Math.min(availableParallelism(), 8), '--jobs');

  const keys = new KeyStore();
  let unreadable = false;
  for (const file of values.keys ?? []) {
    const imported = await importKeysFromFile(file);
    if (!imported.ok) throw new UsageError(`cannot use key file ${file}: ${imported.error.message}`);
    for (const record of imported.value.records) keys.add(record);
    for (const p of imported.value.problems)
      io.err(`leakproof: ${file}${p.at ? `:${p.at}` : ''}: ${p.message} (skipped)`);
  }

  if (values['live-dns']) await addMissingKeysFromLiveDns(positionals, keys, io);

  const counts = new Map<string, number>();
  let failed = false;
  const report = (source: MessageSource, result: MessageResult): void => {
    if (result.inputError) unreadable = true;
    counts.set(result.verdict, (counts.get(result.verdict) ?? 0) + 1);
    if (failOn.has(result.verdict)) failed = true;
    if (values.json) io.out(JSON.stringify(jsonLine(source, result)));
    else io.out(formatRow(sourceLabel(source), result.from, result.date, result.verdict, result.reason));
  };
  // With several threads, results are printed in input order: each message's output waits in a
  // bounded queue for its turn, which also bounds the bytes in flight.
  const pool =
    jobs > 1 ? new VerifyPool({ threads: jobs, keys: [...keys], asOf, limits, now: new Date() }) : null;
  const queue: Promise<() => void>[] = [];
  const inFlight = pool ? jobs * 16 : 1;
  if (!values.json) io.out(TABLE_HEADER);
  try {
    for (const item of enumerateMessages(positionals)) {
      const source = item.source;
      if (item.kind === 'not-a-message') {
        queue.push(
          Promise.resolve(() => {
            counts.set('not a message', (counts.get('not a message') ?? 0) + 1);
            const reason = 'skipped: does not start with a header field';
            if (values.json) io.out(JSON.stringify({ source, verdict: null, skipped: reason }));
            else io.out(formatRow(sourceLabel(source), null, null, 'not a message', reason));
          }),
        );
      } else if (item.kind === 'error') {
        const error = item.error;
        queue.push(
          Promise.resolve(() => {
            unreadable = true;
            counts.set('unreadable', (counts.get('unreadable') ?? 0) + 1);
            if (values.json) io.out(JSON.stringify({ source, verdict: null, error }));
            else io.out(formatRow(sourceLabel(source), null, null, 'unreadable', error.message));
          }),
        );
      } else if (pool) {
        queue.push(pool.verify(item.bytes).then((result) => () => report(source, result)));
      } else {
        const result = verifyMessage(item.bytes, { keys, asOf, limits });
        queue.push(Promise.resolve(() => report(source, result)));
      }
      while (queue.length >= inFlight) (await queue.shift()!)();
    }
    while (queue.length > 0) (await queue.shift()!)();
  } finally {
    await pool?.close();
  }
  if (!values.json) io.out(formatSummary(counts));
  if (unreadable) return EXIT.unreadable;
  return failed ? EXIT.failOn : EXIT.ok;
}

/** The JSON Lines record: the fields scripts rely on first, then the full evidence. */
export function jsonLine(source: MessageSource, r: MessageResult): object {
  return {
    source,
    messageId: r.messageId,
    from: r.from,
    date: r.date,
    subject: r.subject,
    verdict: r.verdict,
    reason: r.reason,
    caveats: r.caveats,
    error: r.inputError,
    signatures: r.signatures.map((s) => ({
      d: s.d,
      s: s.s,
      a: s.a,
      c: s.c,
      result: s.result,
      reason: s.reason,
      keyBits: s.key?.bits ?? null,
      evidence: s,
    })),
  };
}

function sourceLabel(s: MessageSource): string {
  return s.index === undefined ? s.path : `${s.path}#${s.index}`;
}

export function parseAsOf(value: string): AsOf {
  if (value === 'signed') return { kind: 'signed' };
  if (value === 'now') return { kind: 'now' };
  const time = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time.getTime())) {
    throw new UsageError(`--as-of takes signed, now or an ISO 8601 date, not ${JSON.stringify(value)}`);
  }
  return { kind: 'fixed', time };
}

function parseFailOn(value: string | undefined): Set<MessageVerdict> {
  const set = new Set<MessageVerdict>();
  for (const v of (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!VERDICTS.includes(v as MessageVerdict)) {
      throw new UsageError(`--fail-on: unknown verdict ${JSON.stringify(v)} (one of ${VERDICTS.join(', ')})`);
    }
    set.add(v as MessageVerdict);
  }
  return set;
}

function parsePositiveInt(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${flag} takes a positive whole number`);
  return n;
}
