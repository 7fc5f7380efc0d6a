/**
 * lab test over many labs: `lab test labs/`, `lab test 'labs/*-overlay'`, `lab test a b c`.
 *
 * Each lab is brought up, tested and taken down, one after another (or --parallel N at once: labs are
 * isolated by their names). A lab that is up already is tested as it is and left up. At the end: a summary
 * table and one combined report (--reporter junit|json|tap, --output FILE). One lab's failure does not stop
 * the others. Exit codes: 0 all passed · 1 a test failed · 2 no labs matched, or two files name the same lab
 * · 3 a lab could not be brought up (or taken down) · 4 root missing, or --output cannot be written.
 */
import { existsSync, globSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { checkExisting, loadLab, type Loaded } from '../../api.ts';
import { formatDiagnostics, LabError, type Diagnostic } from '../../config/diagnostics.ts';
import { displayPath, readLabFile } from '../../config/load.ts';
import { ExecError } from '../../exec/executor.ts';
import { readState } from '../../exec/state.ts';
import { summaryTable, writeCombinedReport, writeReport, type CombinedKind, type DownOutcome, type LabRun, type UpOutcome } from '../../../assertions/reporters/index.ts';
import { UsageError, type Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { color, requireRoot, say } from '../output.ts';
import { checkWritable, outputOf, reporterOf, runLabTests, writeReportFile } from './test.ts';

const LAB_FILES = ['lab.yaml', 'lab.yml'];
const NAME = /^[a-z0-9][a-z0-9-]{0,23}$/;

export const hasGlobMagic = (s: string): boolean => /[*?[\]{}]/.test(s);

/** The lab file a directory holds itself, if any. */
function ownLabFile(dir: string): string | undefined {
  for (const f of LAB_FILES) if (existsSync(join(dir, f)) && statSync(join(dir, f)).isFile()) return join(dir, f);
  return undefined;
}

/** The lab files one level below a directory: DIR/*\/lab.yaml (or lab.yml), sorted by directory name. */
function subLabFiles(dir: string): string[] {
  const out: string[] = [];
  for (const f of LAB_FILES) for (const m of globSync(`*/${f}`, { cwd: dir })) out.push(join(dir, m));
  const byDir = new Map<string, string>();
  for (const f of out.sort()) if (!byDir.has(dirname(f))) byDir.set(dirname(f), f); // lab.yaml before lab.yml
  return [...byDir.values()].filter((f) => statSync(f).isFile());
}

/** A directory's labs: its own lab.yaml first, then every DIR/*\/lab.yaml. */
export function labsInDir(dir: string): string[] {
  const own = ownLabFile(dir);
  return [...(own ? [own] : []), ...subLabFiles(dir)];
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Does this argument stand for a set of labs rather than one? A directory that holds labs one level below it,
 * or a glob (nslab expands it itself) that is not the name of an existing path.
 */
export function isCollectionArg(p: string): boolean {
  if (existsSync(p)) return isDir(p) && !(ownLabFile(p) && !subLabFiles(p).length);
  return hasGlobMagic(p);
}

/** Whether `lab test` runs over many labs (bringing each up and down) rather than testing one running lab. */
export function isManyRequest(a: Args): boolean {
  return a.positionals.length > 1 || a.flags.has('keep') || a.options.has('parallel') || (a.positionals.length === 1 && isCollectionArg(a.positionals[0]));
}

export interface ResolveOptions {
  /** Where relative paths and globs start (default: the working directory). */
  readonly cwd?: string;
  /** The lab file of a lab that is up, by name (default: from its state); undefined when it is not up. */
  readonly runningLabFile?: (name: string) => string | undefined;
}

/**
 * The lab files the arguments of `lab test` stand for, in argument order, each once (absolute paths):
 * a lab file; a directory (its lab.yaml and every DIR/*\/lab.yaml); a glob (lab files and directories that hold
 * a lab.yaml among its matches); the name of a lab that is up. Anything that stands for no lab is an error
 * (exit 2) that names what was searched; all of them are reported together.
 */
export function resolveLabArgs(args: readonly string[], opts: ResolveOptions = {}): string[] {
  const cwd = opts.cwd ?? process.cwd();
  const running = opts.runningLabFile ?? ((name: string) => readState(name)?.file);
  const files: string[] = [];
  const seen = new Set<string>();
  const diags: Diagnostic[] = [];
  const add = (f: string): void => {
    let key = resolve(cwd, f);
    try {
      key = realpathSync(key);
    } catch {
      /* a file that vanished: keep the path as given */
    }
    if (!seen.has(key)) {
      seen.add(key);
      files.push(resolve(cwd, f));
    }
  };
  const fail = (code: string, message: string, hint: string): void => {
    diags.push({ severity: 'error', code, message, hint });
  };
  for (const arg of args) {
    const p = resolve(cwd, arg);
    if (existsSync(p)) {
      if (isDir(p)) {
        const found = labsInDir(p);
        if (!found.length) fail('test.no-labs', `no labs in the directory ${arg}: searched ${join(arg, 'lab.yaml')} and ${join(arg, '*', 'lab.yaml')}`, 'give a directory whose subdirectories each hold a lab.yaml, a glob, or lab files');
        found.forEach(add);
      } else add(p);
      continue;
    }
    if (hasGlobMagic(arg)) {
      const matches = globSync(arg, { cwd }).sort();
      const found: string[] = [];
      for (const m of matches) {
        const mp = resolve(cwd, m);
        if (isDir(mp)) {
          const own = ownLabFile(mp);
          if (own) found.push(own);
        } else if (/\.ya?ml$/.test(mp)) found.push(mp);
      }
      if (!found.length) {
        const what = matches.length ? `${matches.length} path(s) match it, but none is a lab file or a directory with a lab.yaml` : 'nothing matches it';
        fail('test.no-labs', `the glob ${JSON.stringify(arg)} matches no lab (searched from ${cwd}: ${what})`, 'check the pattern; lab files are DIR/lab.yaml, and the glob may name the directories (labs/*-overlay) or the files (labs/*/lab.yaml)');
      }
      found.forEach(add);
      continue;
    }
    const file = NAME.test(arg) ? running(arg) : undefined;
    if (file) {
      add(file);
      continue;
    }
    fail('test.no-labs', `${JSON.stringify(arg)} is no lab file, directory or glob${NAME.test(arg) ? ', and no lab of that name is up' : ''} (searched from ${cwd})`, 'give lab files, directories of labs (labs/), globs in quotes (\'labs/*-overlay\') or names of labs that are up');
  }
  if (diags.length) throw new LabError(diags, EXIT.invalidLab);
  return files;
}

/** A lab of the run: loaded, or the reason it could not be (shown as a lab that failed to come up). */
export interface Entry {
  readonly file: string;
  readonly name: string;
  readonly loaded?: Loaded;
  readonly error?: string;
}

/** The lab's name from the file, as far as it can be read; else its directory's (or the file's) name. */
function nameFallback(file: string): string {
  try {
    const n = (readLabFile(file).data as { name?: unknown } | null)?.name;
    if (typeof n === 'string' && n) return n;
  } catch {
    /* unreadable: named by its place */
  }
  return LAB_FILES.includes(basename(file)) ? basename(dirname(file)) : basename(file, extname(file));
}

/** How `lab up` would have shown the failure, without colour: for the reports. */
export function describeError(e: unknown, colour = false): string {
  if (e instanceof LabError) return formatDiagnostics(e.diagnostics, { sources: e.sources, color: colour });
  if (e instanceof ExecError) return e.describe();
  return (e as Error)?.message ?? String(e);
}

export function loadEntries(files: readonly string[]): Entry[] {
  const entries = files.map((file): Entry => {
    try {
      const loaded = loadLab(file);
      return { file, name: loaded.lab.name, loaded };
    } catch (e) {
      return { file, name: nameFallback(file), error: describeError(e) };
    }
  });
  // two files of one name would clash (in parallel) and make two suites of one name: refuse before anything runs
  const byName = new Map<string, string[]>();
  for (const e of entries) byName.set(e.name, [...(byName.get(e.name) ?? []), e.file]);
  const dups = [...byName].filter(([, fs]) => fs.length > 1);
  if (dups.length) {
    throw new LabError(
      dups.map(([name, fs]) => ({ severity: 'error' as const, code: 'test.same-name', message: `${fs.length} lab files name the lab ${JSON.stringify(name)}: ${fs.map(displayPath).join(', ')}`, hint: 'lab names must be unique in one run: rename one, or test them separately' })),
      EXIT.invalidLab,
    );
  }
  return entries;
}

export function reportKindOf(a: Args, out: string | undefined): CombinedKind | undefined {
  const r = reporterOf(a);
  if (r) return r as CombinedKind;
  if (!out) return undefined;
  const byExt: Record<string, CombinedKind> = { '.xml': 'junit', '.json': 'json', '.tap': 'tap' };
  const k = byExt[extname(out).toLowerCase()];
  if (!k) throw new UsageError(`--output ${out}: say which report with --reporter junit|json|tap (or name the file .xml, .json or .tap)`);
  return k;
}

export function parallelOf(a: Args): number {
  const v = a.options.get('parallel');
  if (v === undefined) return 1;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--parallel takes a number of labs ≥ 1, not ${JSON.stringify(v)}`);
  return Number(v);
}

/** The exit code of a run: 3 when a lab could not be brought up (or down), else 1 when a test failed, else 0. */
export function exitCodeOf(runs: readonly LabRun[]): number {
  if (runs.some((r) => r.up === 'failed' || r.down === 'failed')) return EXIT.execFailed;
  if (runs.some((r) => r.results.some((t) => !t.ok))) return EXIT.testsFailed;
  return EXIT.ok;
}

interface RunOptions {
  readonly keep: boolean;
  readonly quiet: boolean;
  readonly parallel: number;
  readonly signal: AbortSignal;
  /** Where the per-lab reports and the summary go: standard output, or standard error when the combined report is there. */
  readonly human: NodeJS.WritableStream;
  readonly color: boolean;
}

function failedRun(e: Entry, started: Date, upError: string, upMs = 0): LabRun {
  return { lab: e.name, file: e.file, up: 'failed', upError, upMs, down: 'none', downMs: 0, results: [], started, testMs: 0, durationMs: Date.now() - started.getTime() };
}

/** Bring one lab up (unless it is up), test it, take it down (unless kept or found up). Never throws. */
async function runOne(e: Entry, o: RunOptions): Promise<LabRun> {
  const started = new Date();
  const t0 = performance.now();
  const label = `── ${e.name} (${displayPath(e.file)}) ──`;
  if (o.signal.aborted) return failedRun(e, started, 'not run: the run was interrupted before this lab');
  if (o.parallel === 1) o.human.write(`${label}\n`);
  if (!e.loaded) {
    say(`lab ${e.name}: cannot be brought up:\n${e.error}`);
    return failedRun(e, started, e.error ?? 'the lab file cannot be loaded');
  }
  const { lab } = e.loaded;
  let up: UpOutcome;
  try {
    const existing = checkExisting(lab, false);
    if (existing.action === 'already-up') {
      up = 'already-up';
      say(`lab ${lab.name} is already up: testing it as it is, and leaving it up`);
    } else {
      const { upCmd } = await import('./up.ts');
      await upCmd({ command: 'up', positionals: [lab.file], flags: new Set(o.quiet || o.parallel > 1 ? ['quiet'] : []), options: new Map(), rest: [] });
      up = 'up';
    }
  } catch (err) {
    say(`lab ${lab.name}: could not be brought up:\n${describeError(err, color())}`);
    return failedRun(e, started, describeError(err), performance.now() - t0);
  }
  const upMs = performance.now() - t0;
  let results: LabRun['results'] = [];
  let testMs = 0;
  let testError: string | undefined;
  try {
    const t = await runLabTests(lab, { signal: o.signal, live: o.parallel === 1 ? undefined : false });
    results = t.results;
    testMs = t.durationMs;
  } catch (err) {
    testError = describeError(err); // the runner does not throw for failing tests; this is something else
  }
  const human = writeReport('human', results, { lab: lab.name, file: lab.file, started, durationMs: testMs, color: o.color });
  o.human.write(`${o.parallel > 1 ? `${label}\n` : ''}${lab.tests.length ? human : `lab ${lab.name} has no tests\n`}`);
  let down: DownOutcome = up === 'already-up' ? 'left-up' : o.keep ? 'kept' : 'down';
  let downError: string | undefined;
  const d0 = performance.now();
  if (down === 'down') {
    try {
      const { teardown } = await import('../../exec/teardown.ts');
      const r = await teardown(lab.name);
      if (r.leftovers.length) {
        down = 'failed';
        downError = `could not remove ${r.leftovers.join(', ')}`;
      } else say(`lab ${lab.name} is down: ${r.namespaces.length} namespace(s)${r.containers.length ? `, ${r.containers.length} container(s)` : ''} removed in ${Math.round(performance.now() - d0)} ms`);
    } catch (err) {
      down = 'failed';
      downError = describeError(err);
    }
    if (downError) say(`lab ${lab.name}: taking it down failed: ${downError}`);
  } else if (down === 'kept') say(`lab ${lab.name} is left up (--keep); \`lab down ${lab.name}\` removes it`);
  const downMs = down === 'down' || down === 'failed' ? performance.now() - d0 : 0;
  if (testError) {
    // a run that broke (not a failing test) is reported as a failure of bringing the lab up for testing
    return { ...failedRun(e, started, `the tests could not run: ${testError}`, upMs), down, downError, downMs };
  }
  return { lab: lab.name, file: lab.file, up, upMs, down, downError, downMs, results, started, testMs, durationMs: performance.now() - t0 };
}

/** With --parallel, labs that need the same image must not build it side by side: build every image first. */
async function imagesFirst(entries: readonly Entry[], quiet: boolean): Promise<void> {
  const { compileContextFor, planOf } = await import('../../api.ts');
  const images = new Set<string>();
  for (const e of entries) {
    if (!e.loaded) continue;
    try {
      const plan = planOf(e.loaded.lab, await compileContextFor(e.loaded.lab));
      for (const st of plan.steps) if (st.op.type === 'container') images.add(st.op.spec.image);
    } catch {
      /* the lab's own `lab up` says what is wrong */
    }
  }
  if (!images.size) return;
  say(`images for the labs of this run: ${[...images].join(', ')}`);
  try {
    const { ensureImages } = await import('../../images/build.ts');
    const { cliProgress } = await import('../progress.ts');
    await ensureImages([...images], { quiet, progress: cliProgress(quiet) });
  } catch (err) {
    say(`images could not be made ready (${(err as Error).message}); the labs that need them will say so`);
  }
}

/** lab test DIR | 'GLOB' | LAB… [--parallel N] [--keep] [--quiet] [--reporter junit|json|tap] [--output FILE] */
export async function testManyCmd(a: Args): Promise<number> {
  const out = outputOf(a);
  const kind = reportKindOf(a, out);
  const parallel = parallelOf(a);
  const keep = a.flags.has('keep');
  const quiet = a.flags.has('quiet');
  const files = resolveLabArgs(a.positionals.length ? a.positionals : ['.']);
  if (out) checkWritable(out, `${kind} report`); // before any lab is brought up
  requireRoot('test');
  const entries = loadEntries(files);
  const t0 = new Date();
  say(`${entries.length} lab(s): ${entries.map((e) => e.name).join(', ')}${parallel > 1 ? ` (${Math.min(parallel, entries.length)} at once)` : ''}`);
  // the combined report on standard output: everything for people goes to standard error
  const human = kind && !out ? process.stderr : process.stdout;
  const paint = color() && !!(human as NodeJS.WriteStream).isTTY;

  const abort = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      say(`lab test: ${sig} again: stopping now; labs this run brought up may be left (\`lab status\` lists them)`);
      process.exit(130);
    }
    say(`lab test: ${sig}: no further labs are started; the running ones stop and are taken down`);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const runs: LabRun[] = new Array<LabRun>(entries.length);
  try {
    if (parallel > 1) await imagesFirst(entries, quiet);
    const opts: RunOptions = { keep, quiet, parallel, signal: abort.signal, human, color: paint };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < entries.length) {
        const i = next++;
        try {
          runs[i] = await runOne(entries[i], opts);
        } catch (err) {
          runs[i] = failedRun(entries[i], new Date(), describeError(err)); // runOne does not throw; a bug if it does
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, entries.length) }, worker));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const meta = { name: 'nslab', started: t0, durationMs: Date.now() - t0.getTime() };
  human.write(`\n${summaryTable(runs, { ...meta, color: paint })}`);
  if (kind) {
    const text = writeCombinedReport(kind, runs, meta);
    if (out) {
      writeReportFile(out, text, `${kind} report`);
      say(`${kind} report for ${runs.length} lab(s) written to ${out}`);
    } else process.stdout.write(text);
  }
  return exitCodeOf(runs);
}
