#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { EXIT, type ExitCode, UsageError } from './exit.ts';
import { runVerify } from './verify-command.ts';

const HELP = `leakproof: what is real in a leaked archive of email and documents.

Usage:
  leakproof verify <file|dir|mbox>... [--keys FILE]... [--as-of signed|now|DATE] [--json]
  leakproof --version

Run "leakproof <command> --help" for a command's options.`;

const io = {
  out: (line: string) => process.stdout.write(line + '\n'),
  err: (line: string) => process.stderr.write(line + '\n'),
};

async function main(argv: string[]): Promise<ExitCode> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'verify':
      return runVerify(rest, io);
    case '--version':
    case '-v':
      io.out(version());
      return EXIT.ok;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      io.out(HELP);
      return EXIT.ok;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

/** The package's version, found from here whether run from src/ (Node 24) or from dist/src/. */
function version(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'leakproof' && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
}

// `leakproof verify ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT.ok);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (
      error instanceof UsageError ||
      (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      io.err(`leakproof: ${error.message}\nRun "leakproof --help" for usage.`);
      process.exitCode = EXIT.usage;
      return;
    }
    throw error;
  },
);
