/** Exit codes, documented in `leakproof --help` and the README. */
export const EXIT = {
  ok: 0,
  failOn: 1,
  usage: 2,
  unreadable: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A mistake in the command line: printed with the usage hint, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
