/** The human-readable table of `leakproof verify`. Plain text: it must survive pipes and logs. */

const WIDTHS = { source: 34, from: 30, date: 25, verdict: 22 } as const;

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
    pad(source, WIDTHS.source) +
    pad(from ?? '-', WIDTHS.from) +
    pad(date ?? '-', WIDTHS.date) +
    pad(verdict, WIDTHS.verdict) +
    clean(reason)
  );
}

export function formatSummary(counts: ReadonlyMap<string, number>): string {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const parts = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([v, n]) => `${n} ${v}`);
  return `\n${total} message${total === 1 ? '' : 's'}: ${parts.join(', ') || 'none'}`;
}

/** Leaked headers may hold control characters meant for a terminal: show them escaped. */
function clean(s: string): string {
  return s.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function pad(s: string, width: number): string {
  const c = clean(s);
  const cut = c.length > width - 2 ? c.slice(0, width - 3) + '…' : c;
  return cut.padEnd(width);
}
