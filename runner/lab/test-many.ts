/**
 * lab test over many labs: `lab test labs/`, `lab test 'labs/*-overlay'`, `lab test a b c`.
 *
 * Each lab is brought up, tested and taken down, one after another (or `parallel` at once: labs are isolated by
 * their names). A lab that is up already is tested as it is and left up. One lab's failure does not stop the
 * others. The result is a LabRun per lab, for the summary table and the combined report. Exit codes: 0 all
 * passed · 1 a test failed · 2 no labs matched, or two files name the same lab · 3 a lab could not be brought
 * up (or taken down) · 4 root missing.
 */
import { type DownOutcome, type LabRun, type UpOutcome, writeReport } from '../../assertions/reporters/index.ts';
import { EXIT } from '../config/exit-codes.ts';
import { displayPath } from '../config/load.ts';
import { downLab, downMessage } from './down.ts';
import { describeError, loadEntries, resolveLabArgs, type Entry } from './lab-files.ts';
import { checkExisting } from './load.ts';
import { requireRoot } from './root.ts';
import { runLabTests } from './test.ts';
import { imageProgress, type LabUi } from './ui.ts';
import { up } from './up.ts';

export interface TestManyOptions {
  /** How many labs at once (default 1). */
  readonly parallel?: number;
  /** Leave the labs this run brought up running. */
  readonly keep?: boolean;
  readonly quiet?: boolean;
  /** Aborted: no further labs are started; the running ones stop and are taken down. */
  readonly signal?: AbortSignal;
}

export interface TestManyReport {
  readonly runs: LabRun[];
  readonly started: Date;
  readonly durationMs: number;
}

/**
 * The exit code of a run: 3 when a lab could not be brought up (or down), else 1 when a test failed, else 5 when
 * tests were skipped (a lab up as a part, issue 15.4), else 0.
 */
export function exitCodeOf(runs: readonly LabRun[]): number {
  if (runs.some((r) => r.up === 'failed' || r.down === 'failed')) return EXIT.execFailed;
  if (runs.some((r) => r.results.some((t) => !t.ok && t.skipped === undefined))) return EXIT.testsFailed;
  if (runs.some((r) => r.results.some((t) => t.skipped !== undefined))) return EXIT.testsSkipped;
  return EXIT.ok;
}

interface RunOptions {
  readonly keep: boolean;
  readonly quiet: boolean;
  readonly parallel: number;
  readonly signal: AbortSignal;
  readonly ui: LabUi;
}

function failedRun(e: Entry, started: Date, upError: string, upMs = 0): LabRun {
  return { lab: e.name, file: e.file, up: 'failed', upError, upMs, down: 'none', downMs: 0, results: [], started, testMs: 0, durationMs: Date.now() - started.getTime() };
}

/** Bring one lab up (unless it is up), test it, take it down (unless kept or found up). Never throws. */
async function runOne(e: Entry, o: RunOptions): Promise<LabRun> {
  const { ui } = o;
  const started = new Date();
  const t0 = performance.now();
  const label = `── ${e.name} (${displayPath(e.file)}) ──`;
  if (o.signal.aborted) return failedRun(e, started, 'not run: the run was interrupted before this lab');
  if (o.parallel === 1) ui.report(`${label}\n`);
  if (!e.loaded) {
    ui.info(`lab ${e.name}: cannot be brought up:\n${e.error}`);
    return failedRun(e, started, e.error ?? 'the lab file cannot be loaded');
  }
  const { lab } = e.loaded;
  let upOutcome: UpOutcome;
  try {
    const existing = checkExisting(lab, false);
    if (existing.action === 'already-up') {
      upOutcome = 'already-up';
      ui.info(`lab ${lab.name} is already up: testing it as it is, and leaving it up`);
    } else {
      await up(lab.file, { quiet: o.quiet || o.parallel > 1, signal: o.signal }, ui);
      upOutcome = 'up';
    }
  } catch (err) {
    ui.info(`lab ${lab.name}: could not be brought up:\n${describeError(err, ui.color)}`);
    return failedRun(e, started, describeError(err), performance.now() - t0);
  }
  const upMs = performance.now() - t0;
  let results: LabRun['results'] = [];
  let testMs = 0;
  let testError: string | undefined;
  try {
    const t = await runLabTests(lab, ui, { signal: o.signal, live: o.parallel === 1 ? undefined : false });
    results = t.results;
    testMs = t.durationMs;
  } catch (err) {
    testError = describeError(err); // the runner does not throw for failing tests; this is something else
  }
  const human = writeReport('human', results, { lab: lab.name, file: lab.file, started, durationMs: testMs, color: ui.color });
  ui.report(`${o.parallel > 1 ? `${label}\n` : ''}${lab.tests.length ? human : `lab ${lab.name} has no tests\n`}`);
  let down: DownOutcome = upOutcome === 'already-up' ? 'left-up' : o.keep ? 'kept' : 'down';
  let downError: string | undefined;
  const d0 = performance.now();
  if (down === 'down') {
    try {
      const r = await downLab(lab.name);
      if (r.leftovers.length) {
        down = 'failed';
        downError = `could not remove ${r.leftovers.join(', ')}`;
      } else ui.info(downMessage(r, true));
    } catch (err) {
      down = 'failed';
      downError = describeError(err);
    }
    if (downError) ui.info(`lab ${lab.name}: taking it down failed: ${downError}`);
  } else if (down === 'kept') ui.info(`lab ${lab.name} is left up (--keep); \`lab down ${lab.name}\` removes it`);
  const downMs = down === 'down' || down === 'failed' ? performance.now() - d0 : 0;
  if (testError) {
    // a run that broke (not a failing test) is reported as a failure of bringing the lab up for testing
    return { ...failedRun(e, started, `the tests could not run: ${testError}`, upMs), down, downError, downMs };
  }
  return { lab: lab.name, file: lab.file, up: upOutcome, upMs, down, downError, downMs, results, started, testMs, durationMs: performance.now() - t0 };
}

/** With parallel runs, labs that need the same image must not build it side by side: build every image first. */
async function imagesFirst(entries: readonly Entry[], quiet: boolean, ui: LabUi): Promise<void> {
  const { compileContextFor, planOf } = await import('./load.ts');
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
  ui.info(`images for the labs of this run: ${[...images].join(', ')}`);
  try {
    const { ensureImages } = await import('../images/build.ts');
    await ensureImages([...images], { quiet, progress: imageProgress(ui, quiet) });
  } catch (err) {
    ui.warn(`images could not be made ready (${(err as Error).message}); the labs that need them will say so`);
  }
}

/** lab test DIR | 'GLOB' | LAB…: every lab the arguments stand for, brought up, tested and taken down. */
export async function testMany(args: readonly string[], opts: TestManyOptions, ui: LabUi): Promise<TestManyReport> {
  const parallel = opts.parallel ?? 1;
  const quiet = !!opts.quiet;
  const files = resolveLabArgs(args.length ? args : ['.']);
  requireRoot('test');
  const entries = loadEntries(files);
  const t0 = new Date();
  ui.info(`${entries.length} lab(s): ${entries.map((e) => e.name).join(', ')}${parallel > 1 ? ` (${Math.min(parallel, entries.length)} at once)` : ''}`);
  const signal = opts.signal ?? new AbortController().signal;
  const runs: LabRun[] = new Array<LabRun>(entries.length);
  if (parallel > 1) await imagesFirst(entries, quiet, ui);
  const o: RunOptions = { keep: !!opts.keep, quiet, parallel, signal, ui };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < entries.length) {
      const i = next++;
      try {
        runs[i] = await runOne(entries[i], o);
      } catch (err) {
        runs[i] = failedRun(entries[i], new Date(), describeError(err)); // runOne does not throw; a bug if it does
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, entries.length) }, worker));
  return { runs, started: t0, durationMs: Date.now() - t0.getTime() };
}
