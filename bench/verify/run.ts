/**
 * The DKIM verification benchmark: generates the corpus if needed, runs every available driver N times
 * (round-robin, so the machine's noise falls on all of them alike), and writes
 * bench/results/verify-<date>.json and .md with medians, ratios, agreement and the DESIGN.md targets.
 *
 *   npm run bench:verify -- [--messages 20000] [--seed 1] [--runs 3] [--tools a,b] [--subset a,b]
 *
 * --tools   only these (leakproof, leakproof-workers, leakproof-mbox, leakproof-workers-mbox, mailauth,
 *           dkimpy, maildkim, opendkim); default: every one that is installed
 * --subset  run these on the fixed random subset of 2,000 messages instead of the whole corpus
 * --out     results directory (default bench/results)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Report } from './drivers/common.ts';
import { generate } from './generate.ts';
import {
  BENCH_DIR,
  LIST_ALL,
  LIST_SUBSET,
  type Manifest,
  MBOX,
  REPO_DIR,
  readList,
  readManifest,
} from './lib/corpus.ts';

const DRIVERS = join(BENCH_DIR, 'verify', 'drivers');

interface Tool {
  readonly id: string;
  readonly label: string;
  readonly command: readonly string[];
  /** Reads the .eml files of a list (else the whole mbox). */
  readonly usesList: boolean;
  readonly available: () => string | null;
}

function which(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

/** The Python that has dkimpy: Debian's python3-dkim lives in the system Python, not a pyenv one. */
function pythonWithDkim(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) if (which(py, ['-c', 'import dkim'])) return py;
  return null;
}
const python = pythonWithDkim();

const node = process.execPath;
const TOOLS: readonly Tool[] = [
  {
    id: 'leakproof',
    label: 'leakproof',
    command: [node, join(DRIVERS, 'leakproof.ts')],
    usesList: true,
    available: () => null,
  },
  {
    id: 'leakproof-workers',
    label: 'leakproof-workers',
    command: [node, join(DRIVERS, 'leakproof-workers.ts'), '--workers', '2'],
    usesList: true,
    available: () => null,
  },
  {
    id: 'leakproof-mbox',
    label: 'leakproof (mbox)',
    command: [node, join(DRIVERS, 'leakproof.ts'), '--mbox'],
    usesList: false,
    available: () => null,
  },
  {
    id: 'leakproof-workers-mbox',
    label: 'leakproof-workers (mbox)',
    command: [node, join(DRIVERS, 'leakproof-workers.ts'), '--workers', '2', '--mbox'],
    usesList: false,
    available: () => null,
  },
  {
    id: 'mailauth',
    label: 'mailauth',
    command: [node, join(DRIVERS, 'mailauth.ts')],
    usesList: true,
    available: () => null,
  },
  {
    id: 'dkimpy',
    label: 'dkimpy',
    command: [python ?? 'python3', join(DRIVERS, 'dkimpy.py')],
    usesList: true,
    available: () => (python ? null : 'python3-dkim is not installed (apt-get install python3-dkim)'),
  },
  {
    id: 'maildkim',
    label: 'Mail::DKIM',
    command: ['perl', join(DRIVERS, 'maildkim.pl')],
    usesList: true,
    available: () =>
      which('perl', ['-MMail::DKIM::Verifier', '-MNet::DNS', '-e1'])
        ? null
        : 'Mail::DKIM is not installed (apt-get install libmail-dkim-perl)',
  },
  {
    id: 'opendkim',
    label: 'OpenDKIM',
    command: [node, join(DRIVERS, 'opendkim.ts')],
    usesList: true,
    available: () =>
      which('opendkim', ['-V']) ? null : 'OpenDKIM is not installed (apt-get install opendkim)',
  },
];

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return 'unknown';
  }
}

function machine(): Record<string, string> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const osRelease = readFileSync('/etc/os-release', 'utf8');
  const os = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(osRelease)?.[1] ?? 'unknown';
  return {
    cpu: model,
    cores: String(availableParallelism()),
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os}, Linux ${release()}`,
    node: process.version,
    python: python ? sh(python, ['-c', 'import sys; print(sys.version.split()[0])']) : 'not found',
    perl: sh('perl', ['-e', 'print $^V']),
  };
}

/**
 * Reads files once so the tool about to run starts from a warm page cache. Done before every run, not
 * once: this VM reclaims cold page cache on its own (DAMON), so a corpus read minutes ago may be gone.
 * Through one small buffer: this process's memory must stay small, since its children are measured.
 */
function warm(paths: readonly string[]): void {
  const buf = Buffer.allocUnsafe(1 << 20);
  for (const p of paths) {
    const fd = openSync(p, 'r');
    try {
      while (readSync(fd, buf, 0, buf.length, null) > 0) {
        // reading is the point
      }
    } finally {
      closeSync(fd);
    }
  }
}

interface ToolResult {
  readonly id: string;
  readonly label: string;
  readonly input: string;
  readonly runs: Report[];
  readonly skipped?: string;
}

interface Summary {
  readonly id: string;
  readonly label: string;
  readonly version: string;
  readonly mode: string;
  readonly input: string;
  readonly messages: number;
  readonly bytes: number;
  readonly seconds: number[];
  readonly medianSeconds: number;
  readonly messagesPerSecond: number;
  readonly mbPerSecond: number;
  /** MB/s counting only verification, for single-thread drivers that time their reads. */
  readonly verifyOnlyMbPerSecond: number | null;
  readonly maxRssMB: number | null;
  readonly results: Record<string, number>;
  readonly signatures: Record<string, number> | undefined;
  readonly verdicts: Record<string, number> | undefined;
  readonly agreement: Report['agreement'];
}

function summarise(t: ToolResult): Summary | null {
  const first = t.runs[0];
  if (!first) return null;
  const seconds = t.runs.map((r) => r.seconds);
  const med = median(seconds);
  const verifyOnly =
    t.runs.every((r) => typeof r.readSeconds === 'number') && !t.id.includes('workers')
      ? median(t.runs.map((r) => first.bytes / 1e6 / (r.seconds - (r.readSeconds ?? 0))))
      : null;
  const rss = t.runs.map((r) => r.maxRssMB).filter((x): x is number => typeof x === 'number');
  return {
    id: t.id,
    label: t.label,
    version: first.version,
    mode: first.mode,
    input: t.input,
    messages: first.messages,
    bytes: first.bytes,
    seconds,
    medianSeconds: med,
    messagesPerSecond: median(t.runs.map((r) => r.messages / r.seconds)),
    mbPerSecond: median(t.runs.map((r) => r.bytes / 1e6 / r.seconds)),
    verifyOnlyMbPerSecond: verifyOnly,
    maxRssMB: rss.length ? Math.max(...rss) : null,
    results: first.results,
    signatures: first.signatures,
    verdicts: first.verdicts,
    agreement: first.agreement,
  };
}

const fmt = (n: number, digits = 1) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '20000' },
      seed: { type: 'string', default: '1' },
      runs: { type: 'string', default: '3' },
      tools: { type: 'string' },
      subset: { type: 'string', default: '' },
      corpus: { type: 'string' },
      out: { type: 'string', default: join(BENCH_DIR, 'results') },
    },
  });
  const messages = Number(values.messages);
  const runs = Number(values.runs);
  if (!Number.isInteger(messages) || messages < 1) throw new Error(`--messages: ${values.messages}`);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: ${values.runs}`);
  const wanted = values.tools ? values.tools.split(',') : TOOLS.map((t) => t.id);
  for (const w of wanted) if (!TOOLS.some((t) => t.id === w)) throw new Error(`unknown tool ${w}`);
  const subsetFor = new Set(values.subset ? values.subset.split(',') : []);
  const argv = process.argv.slice(2);
  const command =
    process.env['npm_lifecycle_event'] === 'bench:verify'
      ? `npm run bench:verify${argv.length ? ` -- ${argv.join(' ')}` : ''}`
      : `node bench/verify/run.ts${argv.length ? ` ${argv.join(' ')}` : ''}`;

  const corpus = await generate({
    messages,
    seed: values.seed,
    ...(values.corpus ? { out: values.corpus } : {}),
  });
  const manifest: Manifest = readManifest(corpus);

  const tools = TOOLS.filter((t) => wanted.includes(t.id));
  const results: ToolResult[] = tools.map((t) => {
    const skipped = t.available();
    const input = !t.usesList ? MBOX : subsetFor.has(t.id) ? LIST_SUBSET : LIST_ALL;
    return { id: t.id, label: t.label, input, runs: [], ...(skipped ? { skipped } : {}) };
  });
  const load: number[][] = [loadavg()];
  const started = new Date();
  for (let r = 1; r <= runs; r++) {
    for (const [k, t] of tools.entries()) {
      const res = results[k];
      if (!res || res.skipped) continue;
      const args = [...t.command, '--corpus', corpus, ...(t.usesList ? ['--list', res.input] : [])];
      warm(t.usesList ? readList(corpus, res.input).map((f) => join(corpus, f)) : [join(corpus, MBOX)]);
      const [cmd, ...rest] = args;
      const p = spawnSync(cmd as string, rest, {
        cwd: REPO_DIR,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: 30 * 60 * 1000,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const line = p.stdout?.trim().split('\n').at(-1) ?? '';
      if (p.status !== 0 || !line.startsWith('{')) {
        console.error(
          `run ${r} of ${t.label} failed (status ${p.status}${p.error ? `, ${p.error.message}` : ''})`,
        );
        continue;
      }
      const report = JSON.parse(line) as Report;
      res.runs.push(report);
      console.error(
        `run ${r}/${runs} ${t.label.padEnd(26)} ${fmt(report.seconds, 2).padStart(8)} s ` +
          `${fmt(report.bytes / 1e6 / report.seconds).padStart(8)} MB/s ${fmt(report.messages / report.seconds, 0).padStart(7)} msg/s`,
      );
    }
    load.push(loadavg());
  }

  const summaries = results.map(summarise).filter((s): s is Summary => s !== null);
  const get = (id: string) => summaries.find((s) => s.id === id);
  const lp = get('leakproof');
  const ratios = summaries
    .filter((s) => lp && !s.id.startsWith('leakproof'))
    .map((s) => ({
      peer: s.label,
      input: s.input,
      mbPerSecondRatio: lp ? lp.mbPerSecond / s.mbPerSecond : 0,
      messagesPerSecondRatio: lp ? lp.messagesPerSecond / s.messagesPerSecond : 0,
    }));
  const ratio = (id: string) => {
    const s = get(id);
    return lp && s ? lp.mbPerSecond / s.mbPerSecond : null;
  };
  const lpRss = summaries.filter((s) => s.id.startsWith('leakproof')).map((s) => s.maxRssMB ?? 0);
  const targets = [
    {
      target: 'DKIM verification, one core: 5x mailauth or better',
      value: ratio('mailauth'),
      goal: 5,
      unit: 'x',
    },
    { target: 'DKIM verification, one core: 10x dkimpy', value: ratio('dkimpy'), goal: 10, unit: 'x' },
    {
      target: 'verify-only pass over mbox, two cores: 450 MB/s or more',
      value: get('leakproof-workers-mbox')?.mbPerSecond ?? null,
      goal: 450,
      unit: ' MB/s',
    },
    {
      target: 'peak memory under 1 GB (leakproof runs)',
      value: lpRss.length ? Math.max(...lpRss) : null,
      goal: 1024,
      unit: ' MB',
      below: true,
    },
  ].map((t) => ({
    ...t,
    met: t.value === null ? null : 'below' in t ? t.value < t.goal : t.value >= t.goal,
  }));

  // agreement: every driver against the manifest, and pass counts against leakproof's
  const findings: string[] = [];
  for (const s of summaries) {
    const differs = Object.entries(s.agreement.differs);
    if (differs.length) {
      const total = differs.reduce((n, [, v]) => n + v, 0);
      findings.push(
        `${s.label} (${s.input}): ${total} of ${s.messages} messages differ from the expected result: ` +
          differs.map(([k, v]) => `${v} × ${k}`).join('; '),
      );
    }
  }
  for (const f of findings) console.error(`disagreement: ${f}`);

  const date = started.toISOString().slice(0, 10);
  const suffix = messages === 20000 && values.seed === '1' ? '' : `-n${messages}-seed${values.seed}`;
  mkdirSync(values.out, { recursive: true });
  const base = resolve(values.out, `verify-${date}${suffix}`);
  const commit = sh('git', ['-C', REPO_DIR, 'rev-parse', 'HEAD']);
  const dirty = sh('git', ['-C', REPO_DIR, 'status', '--porcelain', '--', 'src', 'bench/verify']) !== '';
  const json = {
    date: started.toISOString(),
    command,
    commit: `${commit}${dirty ? ' (with uncommitted changes in src/ or bench/verify/)' : ''}`,
    machine: machine(),
    loadAverage: load.map((l) => l.map((x) => Number(x.toFixed(2)))),
    corpus: {
      dir: relative(REPO_DIR, corpus),
      params: manifest.params,
      totalBytes: manifest.totalBytes,
      mboxBytes: manifest.mboxBytes,
      summary: manifest.summary,
    },
    runs,
    tools: summaries,
    skipped: results.filter((r) => r.skipped).map((r) => ({ tool: r.label, why: r.skipped })),
    ratios,
    targets,
    disagreements: findings,
    raw: results.map((r) => ({ tool: r.label, runs: r.runs })),
  };
  writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(`${base}.md`, markdown(json, summaries));
  console.error(`wrote ${relative(REPO_DIR, base)}.json and .md`);
  for (const t of targets) {
    console.error(
      `${t.met === null ? 'n/a ' : t.met ? 'MET ' : 'NOT MET'} ${t.target}: ${t.value === null ? '-' : fmt(t.value)}${t.unit}`,
    );
  }
}

/** What a reader needs to know to read a peer's figures, from what the run itself showed. */
function peerNotes(t: Summary): string[] {
  const notes: string[] = [];
  const sigs = Object.keys(t.signatures ?? {});
  if (t.id === 'maildkim' && sigs.some((k) => /unsupported algorithm ed25519/.test(k)))
    notes.push(
      'this version has no ed25519-sha256 (RFC 8463) verifier (its Signature.pm knows rsa-sha1 and rsa-sha256 only), so every ed25519 signature is ' +
        '`invalid (unsupported algorithm)`: ed25519-only messages count as `fail`, dual-signed ones as `partial`. ' +
        'It does not verify those signatures, so it does a little less work than the others on those messages.',
    );
  if (t.id === 'dkimpy' && sigs.includes('fail:body-hash'))
    notes.push(
      'dkimpy raises a ValidationError on a body hash mismatch instead of returning False; counted as a failed signature.',
    );
  if (t.id === 'opendkim')
    notes.push(
      'OpenDKIM reads the files itself, so its time includes reading and cannot be split; per-signature results ' +
        'come from the Authentication-Results header it prints with -vv.',
    );
  if (t.input !== LIST_ALL && t.input !== MBOX)
    notes.push(
      `ran on the fixed random subset (${t.input}); its rates are per message and per MB of that subset.`,
    );
  return notes;
}

function markdown(
  j: {
    date: string;
    command: string;
    commit: string;
    machine: Record<string, string>;
    loadAverage: number[][];
    corpus: {
      dir: string;
      params: Manifest['params'];
      totalBytes: number;
      mboxBytes: number;
      summary: Manifest['summary'];
    };
    runs: number;
    skipped: { tool: string; why: string | undefined }[];
    ratios: { peer: string; input: string; mbPerSecondRatio: number; messagesPerSecondRatio: number }[];
    targets: { target: string; value: number | null; goal: number; unit: string; met: boolean | null }[];
    disagreements: string[];
  },
  summaries: Summary[],
): string {
  const s = j.corpus.summary as {
    meanBytes: number;
    sizePercentiles: Record<string, number>;
    counts: Record<string, number>;
    expectedPass: number;
    subset: { messages: number; bytes: number };
  };
  const L: string[] = [];
  L.push(`# DKIM verification benchmark, ${j.date.slice(0, 10)}`, '');
  L.push('Produced by:', '', '```', j.command, '```', '');
  L.push(
    `leakproof commit ${j.commit}. Each tool verified the corpus ${j.runs} time${j.runs === 1 ? '' : 's'}, ` +
      'the tools taking turns (round-robin); figures are medians.',
    '',
  );
  L.push('## Machine', '', '| | |', '|---|---|');
  for (const [k, v] of Object.entries(j.machine)) L.push(`| ${k} | ${v} |`);
  for (const t of summaries.filter((x) => !x.id.startsWith('leakproof')))
    L.push(`| ${t.label} | ${t.version} |`);
  L.push(
    `| load average (1/5/15 min) before and after each round | ${j.loadAverage.map((l) => l.join('/')).join(' → ')} |`,
  );
  L.push(
    '',
    'The machine is shared: other work ran during the benchmark, and the load average above shows how much.',
    '',
  );
  L.push('## Corpus', '');
  L.push(
    `${j.corpus.params.messages.toLocaleString('en-US')} messages, seed ${j.corpus.params.seed}, generator v${j.corpus.params.generator} ` +
      `(\`${j.corpus.dir}\`): ${fmt(j.corpus.totalBytes / 1e6)} MB of .eml files (mean ${fmt(s.meanBytes / 1024)} KiB; ` +
      `min ${fmt((s.sizePercentiles['min'] ?? 0) / 1024)} KiB, median ${fmt((s.sizePercentiles['p50'] ?? 0) / 1024)} KiB, ` +
      `p90 ${fmt((s.sizePercentiles['p90'] ?? 0) / 1024)} KiB, p99 ${fmt((s.sizePercentiles['p99'] ?? 0) / 1024)} KiB, ` +
      `max ${fmt((s.sizePercentiles['max'] ?? 0) / 1024)} KiB), and the same messages in one ${fmt(j.corpus.mboxBytes / 1e6)} MB mbox. ` +
      `Signed by mailauth's dkimSign; ${(j.corpus.params.messages - s.expectedPass).toLocaleString('en-US')} messages were changed after signing.`,
    '',
  );
  L.push('| mix | messages or signatures |', '|---|---|');
  for (const [k, v] of Object.entries(s.counts)) L.push(`| ${k} | ${v.toLocaleString('en-US')} |`);
  L.push('');
  L.push('## Results', '');
  L.push(
    'MB is 10^6 bytes of message data. Times include reading the files (page cache warmed just before each run) and exclude process start-up and key loading.',
    '',
  );
  L.push(
    '| tool | version | input | messages | median s | msgs/s | MB/s | MB/s verify only | runs (s) | peak RSS MB | pass / fail / other |',
    '|---|---|---|---:|---:|---:|---:|---:|---|---:|---|',
  );
  for (const t of summaries) {
    const other = Object.entries(t.results)
      .filter(([k]) => k !== 'pass' && k !== 'fail')
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
    L.push(
      `| ${t.label} | ${t.version} | ${t.input} | ${t.messages.toLocaleString('en-US')} | ${fmt(t.medianSeconds, 2)} | ` +
        `${fmt(t.messagesPerSecond, 0)} | ${fmt(t.mbPerSecond)} | ${t.verifyOnlyMbPerSecond === null ? '-' : fmt(t.verifyOnlyMbPerSecond)} | ` +
        `${t.seconds.map((x) => fmt(x, 2)).join(', ')} | ${t.maxRssMB ?? '-'} | ` +
        `${t.results['pass'] ?? 0} / ${t.results['fail'] ?? 0}${other ? ` / ${other}` : ''} |`,
    );
  }
  L.push('');
  for (const t of summaries) L.push(`- **${t.label}**: ${t.mode}.`);
  for (const sk of j.skipped) L.push(`- **${sk.tool}**: not run: ${sk.why}.`);
  for (const t of summaries) for (const note of peerNotes(t)) L.push(`- **${t.label}**: ${note}`);
  L.push('');
  L.push(
    '## leakproof (one core) against each peer',
    '',
    '| peer | input | MB/s ratio | msgs/s ratio |',
    '|---|---|---:|---:|',
  );
  for (const r of j.ratios)
    L.push(
      `| ${r.peer} | ${r.input} | ${fmt(r.mbPerSecondRatio, 2)}x | ${fmt(r.messagesPerSecondRatio, 2)}x |`,
    );
  L.push('');
  L.push('## DESIGN.md targets', '', '| target | measured | met |', '|---|---:|---|');
  for (const t of j.targets)
    L.push(
      `| ${t.target} | ${t.value === null ? '-' : `${fmt(t.value, t.unit === 'x' ? 2 : 1)}${t.unit}`} | ${t.met === null ? 'not measured' : t.met ? 'met' : 'not met'} |`,
    );
  L.push('');
  const lp = summaries.find((x) => x.id === 'leakproof');
  const lpw = summaries.find((x) => x.id === 'leakproof-workers');
  const ma = summaries.find((x) => x.id === 'mailauth');
  if (ma)
    L.push(
      `DESIGN.md assumes mailauth does about 45 MB/s on this machine; this run measured ${fmt(ma.mbPerSecond)} MB/s on this corpus, ` +
        `so 5x mailauth means ${fmt(5 * ma.mbPerSecond)} MB/s here${lp ? ` (leakproof: ${fmt(lp.mbPerSecond)} MB/s)` : ''}.`,
      '',
    );
  if (lp && lpw)
    L.push(`Two worker threads against one core: ${fmt(lpw.mbPerSecond / lp.mbPerSecond, 2)}x.`, '');
  L.push('## Agreement', '');
  L.push(
    `Expected: every signature of the ${s.expectedPass.toLocaleString('en-US')} untouched messages passes, no signature of a changed one does. ` +
      'A message is `pass` when all its signatures verify, `partial` when some do, `fail` when none does.',
    '',
  );
  if (j.disagreements.length === 0) L.push('Every tool gave every message the expected result.');
  for (const d of j.disagreements) L.push(`- ${d}`);
  L.push('');
  L.push("Per-signature results in each tool's own words (first run):", '');
  for (const t of summaries) {
    if (t.signatures)
      L.push(
        `- ${t.label}: ${Object.entries(t.signatures)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
    if (t.verdicts)
      L.push(
        `  - verdicts: ${Object.entries(t.verdicts)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
  }
  L.push('');
  return `${L.join('\n')}\n`;
}

await main();
