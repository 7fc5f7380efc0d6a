/**
 * What bench/run.ts and bench/containers.ts share: where the repository and the built CLI are, running a
 * process as an argv array and timing it, reading /proc and /run/netns, waiting for the kernel to finish a
 * namespace teardown, the machine description's common fields, and the statistics and number formats of
 * the reports. No shell strings: every process is an argv array.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// ───────────────────────────── setup

/** The nearest folder above bench/ that holds package.json. */
function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d);
    if (up === d) throw new Error('cannot find the repository root (package.json)');
    d = up;
  }
  return d;
}

/** The repository root. */
export const ROOT = repoRoot();
/** The built CLI the benches time as a whole process (`npm run build` makes it). */
export const CLI = join(ROOT, 'dist/runner/cli/main.js');
/** The node binary running this bench, to run CLI with. */
export const NODE = process.execPath;
/** How long settle() waits after the kernel's netns worker went idle, by default. */
export const SETTLE_EXTRA_MS = 500;

// ───────────────────────────── command line

/**
 * Walk the command-line arguments: `on(arg, val)` takes one (val() reads the next argument as its value) and
 * returns false for one it does not know, an error; --help or -h prints `usage` and exits.
 */
export function eachArg(argv: readonly string[], usage: string, on: (a: string, val: () => string) => boolean): void {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (on(a, val)) continue;
    if (a === '--help' || a === '-h') {
      process.stdout.write(usage);
      process.exit(0);
    }
    throw new Error(`unknown argument ${a}`);
  }
}

// ───────────────────────────── processes

/** One finished process: wall time, exit code (128 when killed by a signal) and its output. */
export interface Proc {
  readonly ms: number;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run argv as one process; wall time from just before spawn to its exit. */
export function timed(argv: readonly string[], input?: string): Promise<Proc> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const child = spawn(argv[0], argv.slice(1), { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let t1 = 0;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    child.on('exit', () => {
      t1 = performance.now();
    });
    child.on('error', rej);
    child.on('close', (code, sig) => {
      res({ ms: (t1 || performance.now()) - t0, code: code ?? (sig ? 128 : 1), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** timed(), but an exit code other than 0 is an error (with the process's stderr, or stdout, in its message). */
export async function must(argv: readonly string[], input?: string): Promise<Proc> {
  const r = await timed(argv, input);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
  return r;
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ───────────────────────────── machine state

/** The named network namespaces (/run/netns); none when the folder does not exist. */
export function netnsList(): string[] {
  try {
    return readdirSync('/run/netns');
  } catch {
    return [];
  }
}

/** The PIDs listed in /proc. */
export function procEntries(): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number);
}

/** /proc/PID/FILE as text; '' when the process is gone or the file cannot be read. */
export function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

/** A kernel worker running the netns workqueue (cleanup_net) names itself kworker/…-netns; R-netns is the idle rescuer. */
export function netnsWorkerBusy(): boolean {
  for (const p of procEntries()) {
    const c = readProc(p, 'comm').trim();
    if (c.startsWith('kworker/') && c.endsWith('-netns') && !c.includes('/R-')) return true;
  }
  return false;
}

/**
 * After a teardown: wait until no namespace matching `gone` is listed and the kernel's netns worker has
 * been idle for 3 polls in a row, then `extraMs` more. Returns the ms until idle.
 */
export async function settle(gone: (ns: string) => boolean, extraMs = SETTLE_EXTRA_MS): Promise<number> {
  const t0 = performance.now();
  const deadline = t0 + 60_000;
  while (netnsList().some(gone) && performance.now() < deadline) await sleep(20);
  let idle = 0;
  while (idle < 3 && performance.now() < deadline) {
    idle = netnsWorkerBusy() ? 0 : idle + 1;
    await sleep(20);
  }
  const ms = performance.now() - t0;
  await sleep(extraMs);
  return ms;
}

/** Matches the namespaces of lab `lab`: nsl.LAB (its fabric) and nsl.LAB.* (its nodes). */
export const labNs = (lab: string) => (ns: string): boolean => ns === `nsl.${lab}` || ns.startsWith(`nsl.${lab}.`);

// ───────────────────────────── machine description

/** A command's trimmed stdout (its stderr when stdout is empty), or 'n/a' when it cannot be spawned. */
export async function cmdOut(argv: string[]): Promise<string> {
  try {
    const r = await timed(argv);
    return (r.stdout || r.stderr).trim();
  } catch {
    return 'n/a';
  }
}

/** The first fields of both benches' machine description, in this order. */
export function machineBasics(): { date: string; nproc: number; cpu: string; memTotalMiB: number; kernel: string; node: string } {
  return {
    date: new Date().toISOString(),
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'n/a',
    memTotalMiB: Math.round(totalmem() / 2 ** 20),
    kernel: release(),
    node: process.version,
  };
}

/** The 1, 5 and 15 minute load averages, two decimals each, space-separated. */
export const loadavgText = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

// ───────────────────────────── statistics and formats

/** Median, min, max and count of the finite values of a sample. */
export interface Stat {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Stat of the finite numbers in xs (undefined, NaN and ±Infinity left out); undefined when none is left. */
export function stat(xs: readonly (number | undefined)[]): Stat | undefined {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return undefined;
  const mid = Math.floor(v.length / 2);
  return { median: v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2, min: v[0], max: v[v.length - 1], n: v.length };
}

/** The median of the finite values in xs; NaN when there is none. */
export const med = (xs: readonly (number | undefined)[]): number => stat(xs)?.median ?? NaN;

/** A number with `digits` decimals; '–' for undefined, NaN and ±Infinity. */
export const ms = (x: number | undefined, digits = 0): string => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));

/** "median (min–max)", each times `scale` with `digits` decimals; '–' for no Stat. */
export const s3 = (st: Stat | undefined, digits = 0, scale = 1): string =>
  st ? `${(st.median * scale).toFixed(digits)} (${(st.min * scale).toFixed(digits)}–${(st.max * scale).toFixed(digits)})` : '–';

// ───────────────────────────── results and report

/** Refuse to start a run unless it is root (the bench creates `what`) and the CLI is built. */
export function mustBeReady(what: string): void {
  if (process.getuid?.() !== 0) throw new Error(`run as root: the bench creates ${what}`);
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
}

/** A report writer: the results of a run and the results file's path (bench/results/…) → Markdown. */
export type ReportFn<R> = (r: R, jsonRel: string) => string;

/** A progress logger for stderr: each line with the seconds since `tStart` (a performance.now() time). */
export const progressLog = (tStart: number) => (s: string): void =>
  void process.stderr.write(`[${((performance.now() - tStart) / 1000).toFixed(1).padStart(6)} s] ${s}\n`);

/** `--from FILE`: write the report `reportRel` (a path from the repository root) again from an earlier results file. */
export function reportFrom<R>(from: string, reportRel: string, report: ReportFn<R>): void {
  const res = JSON.parse(readFileSync(resolve(from), 'utf8')) as R;
  const rel = `bench/results/${from.split('/').pop()}`;
  writeFileSync(join(ROOT, reportRel), report(res, rel));
  process.stderr.write(`${reportRel} rewritten from ${rel}\n`);
}

/**
 * Write `result` to bench/results/PREFIX<timestamp>.json and, when `withReport`, its report to `reportRel`
 * (a path from the repository root) and to stdout.
 */
export function writeResults<R>(result: R, prefix: string, log: (s: string) => void, withReport: boolean, reportRel: string, report: ReportFn<R>): void {
  const resDir = join(ROOT, 'bench/results');
  mkdirSync(resDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const jsonPath = join(resDir, `${prefix}${stamp}.json`);
  writeFileSync(jsonPath, JSON.stringify(result, null, 2) + '\n');
  log(`results: ${jsonPath}`);
  if (withReport) {
    const md = report(result, `bench/results/${prefix}${stamp}.json`);
    writeFileSync(join(ROOT, reportRel), md);
    log(`report: ${reportRel}`);
    process.stdout.write(md);
  }
}
