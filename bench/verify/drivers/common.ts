/** What the TypeScript drivers share: arguments, the file list, and the one JSON line each prints. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KEYS, LIST_ALL, type ManifestMessage, readKeyFile, readList, readManifest } from '../lib/corpus.ts';

/**
 * Per message, across all its signatures: `pass` every signature verified; `partial` some did;
 * `fail` none did; `none` the tool found no signature; `error` the tool threw.
 */
export type Outcome = 'pass' | 'partial' | 'fail' | 'none' | 'error';

export interface DriverArgs {
  readonly corpus: string;
  readonly list: string;
  readonly files: readonly string[];
  readonly keys: Map<string, string[]>;
  readonly byFile: Map<string, ManifestMessage>;
  readonly bytes: number;
  readonly mbox: boolean;
  readonly workers: number;
}

export function driverArgs(): DriverArgs {
  const { values } = parseArgs({
    options: {
      corpus: { type: 'string' },
      list: { type: 'string', default: LIST_ALL },
      mbox: { type: 'boolean', default: false },
      workers: { type: 'string', default: '2' },
    },
  });
  if (!values.corpus) throw new Error('--corpus DIR is required');
  const corpus = resolve(values.corpus);
  const manifest = readManifest(corpus);
  const byFile = new Map(manifest.messages.map((m) => [m.file, m]));
  const files = readList(corpus, values.list);
  let bytes = 0;
  for (const f of files) bytes += byFile.get(f)?.bytes ?? 0;
  return {
    corpus,
    list: values.list,
    files,
    keys: readKeyFile(resolve(corpus, KEYS)),
    byFile,
    bytes,
    mbox: values.mbox,
    workers: Number(values.workers),
  };
}

/** The version in a package.json under node_modules; '..' for leakproof's own. */
export function packageVersion(pkg: string): string {
  const path = resolve(import.meta.dirname, '..', '..', '..', 'node_modules', pkg, 'package.json');
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

export function outcomeOf(results: readonly boolean[]): Outcome {
  if (results.length === 0) return 'none';
  const passed = results.filter(Boolean).length;
  return passed === results.length ? 'pass' : passed > 0 ? 'partial' : 'fail';
}

export interface Report {
  readonly tool: string;
  readonly version: string;
  /** What the driver does, in a few words (which signatures, which input). */
  readonly mode: string;
  readonly list: string;
  readonly messages: number;
  readonly bytes: number;
  /** Wall time of the verification loop, reading the files included. */
  readonly seconds: number;
  /** Worker threads: time to start them and load code and keys, before `seconds` starts. */
  readonly startSeconds?: number | undefined;
  /** Of which reading the files (summed over threads for the worker driver), when measured. */
  readonly readSeconds?: number | undefined;
  readonly results: Record<string, number>;
  /** Per-signature results in the tool's own vocabulary, when it reports them. */
  readonly signatures?: Record<string, number> | undefined;
  /** Per-message verdicts, for leakproof (DESIGN.md's vocabulary). */
  readonly verdicts?: Record<string, number> | undefined;
  readonly agreement: {
    readonly matches: number;
    readonly differs: Record<string, number>;
    readonly examples: string[];
  };
  readonly maxRssMB?: number | undefined;
}

/** Counts outcomes and compares them with what the manifest expects (all pass, or tampered: none does). */
export function summarise(
  files: readonly string[],
  outcomes: readonly Outcome[],
  byFile: Map<string, ManifestMessage>,
): Pick<Report, 'results' | 'agreement'> {
  const results: Record<string, number> = {};
  const differs: Record<string, number> = {};
  const examples: string[] = [];
  let matches = 0;
  files.forEach((file, i) => {
    const got = outcomes[i] ?? 'error';
    results[got] = (results[got] ?? 0) + 1;
    const m = byFile.get(file);
    const expected = m?.expected ?? 'pass';
    if (got === expected) matches++;
    else {
      const key =
        `${expected}->${got} ${m?.signatures.map((s) => `${s.keyKind}/${s.c}`).join('+')} ${m?.tamper ?? ''}`.trim();
      differs[key] = (differs[key] ?? 0) + 1;
      if (examples.length < 5) examples.push(`${file}: expected ${expected}, got ${got}`);
    }
  });
  return { results, agreement: { matches, differs, examples } };
}

export function emit(report: Report): void {
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/**
 * Peak resident memory of this process, in MB: VmHWM from /proc/self/status. Not getrusage's maxRSS,
 * which Linux carries over from the parent through fork and exec, so a child of a big parent would
 * report the parent's peak.
 */
export function maxRssMB(): number {
  try {
    const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Math.round(Number(kb) / 1024);
  } catch {
    // not Linux: fall back below
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
