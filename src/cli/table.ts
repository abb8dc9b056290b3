/** The human-readable table of `leakproof verify`. Plain text: it must survive pipes and logs. */

const WIDTHS = { source: 34, from: 30, date: 25, verdict: 24 } as const;

export const TABLE_HEADER =
  pad('MESSAGE', WIDTHS.source) +
  pad('FROM', WIDTHS.from) +
  pad('DATE', WIDTHS.date) +
  pad('VERDICT', WIDTHS.verdict) +
  'REASON';

export function formatRow(
  source: string,
  from: string | null,
  date: string | null,
  verdict: string,
  reason: string,
): string {
  return (
    padKeepingEnd(source, WIDTHS.source) +
    pad(from ?? '-', WIDTHS.from) +
    pad(date ?? '-', WIDTHS.date) +
    pad(verdict, WIDTHS.verdict) +
    clean(reason)
  );
}

/** Keys of `counts` that are not verdicts: files skipped or unreadable, listed after the messages. */
const NOT_MESSAGES = new Set(['not a message', 'unreadable']);

export function formatSummary(counts: ReadonlyMap<string, number>): string {
  const entries = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const verdicts = entries.filter(([k]) => !NOT_MESSAGES.has(k));
  const others = entries.filter(([k]) => NOT_MESSAGES.has(k));
  const total = verdicts.reduce((a, [, n]) => a + n, 0);
  let line = `\n${total} message${total === 1 ? '' : 's'}: ${verdicts.map(([v, n]) => `${n} ${v}`).join(', ') || 'none'}`;
  if (others.length > 0) line += `\nnot verified: ${others.map(([v, n]) => `${n} ${v}`).join(', ')}`;
  return line;
}

/** Leaked headers may hold control characters meant for a terminal: show them escaped. */
function clean(s: string): string {
  return s.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A path is told apart by its end (the file name, the mbox index), so cut it from the left. */
function padKeepingEnd(s: string, width: number): string {
  const c = clean(s);
  const cut = c.length > width - 2 ? '…' + c.slice(c.length - (width - 3)) : c;
  return cut.padEnd(width);
}

function pad(s: string, width: number): string {
  const c = clean(s);
  const cut = c.length > width - 2 ? c.slice(0, width - 3) + '…' : c;
  return cut.padEnd(width);
}
