import { accessSync, constants, existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { labNameOf, loadLab, type Loaded } from '../../api.ts';
import { runTests, type TestResult } from '../../../assertions/runner.ts';
import { writeReport, type ReportKind } from '../../../assertions/reporters/index.ts';
import { LabError } from '../../config/diagnostics.ts';
import type { ResolvedLab } from '../../model/types.ts';
import { createRunContext } from '../../exec/node-exec.ts';
import { labNetns } from '../../exec/host.ts';
import { readState, writeState } from '../../exec/state.ts';
import { saveResults } from '../../handout/results.ts';
import { UsageError, type Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { color, isTTY, requireRoot, say } from '../output.ts';

export const KINDS: readonly ReportKind[] = ['junit', 'tap', 'json'];

/**
 * lab test [LAB…] [--reporter junit|tap|json] [--output FILE]: run the lab's assertions against the running lab.
 * A directory of labs, a glob, several labs, --keep or --parallel: every lab is brought up, tested and taken
 * down (test-many.ts).
 */
export async function testCmd(a: Args): Promise<number> {
  const many = await import('./test-many.ts');
  if (many.isManyRequest(a)) return many.testManyCmd(a);
  requireRoot('test');
  const { name, file } = labNameOf(a.positionals[0]);
  if (!file) throw new LabError([{ severity: 'error', code: 'test.not-up', message: `lab ${name} is not up, and no lab file was given`, hint: `run \`lab up <lab.yaml>\` first, or \`lab test <lab.yaml>\`` }], EXIT.environment);
  return testLoaded(loadLab(file), a);
}

/** --reporter (or -r), checked: undefined when no machine-readable report is wanted. */
export function reporterOf(a: Args): ReportKind | undefined {
  const reporter = a.options.get('reporter') ?? a.options.get('r');
  if (reporter && !KINDS.includes(reporter as ReportKind)) throw new UsageError(`--reporter must be one of ${KINDS.join(', ')}`);
  return reporter as ReportKind | undefined;
}

export function outputOf(a: Args): string | undefined {
  return a.options.get('output') ?? a.options.get('o');
}

/**
 * Can a report be written to `out`? Checked before anything runs, so a typo in --output does not cost a whole
 * run: its directory must exist and be writable, and the file, if it exists, must be a writable file.
 * Throws a LabError (exit 4) naming what is wrong.
 */
export function checkWritable(out: string, what = 'report'): void {
  const file = resolve(out);
  const dir = dirname(file);
  const fail = (why: string): never => {
    throw new LabError([{ severity: 'error', code: 'report.write', message: `cannot write the ${what} to ${out}: ${why}`, hint: 'choose a directory that exists and is writable' }], EXIT.environment);
  };
  if (!existsSync(dir)) fail(`the directory ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) fail(`${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    fail(`the directory ${dir} is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (existsSync(file)) {
    if (statSync(file).isDirectory()) fail('it is a directory');
    try {
      accessSync(file, constants.W_OK);
    } catch (e) {
      fail(`the file is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
}

/** Write a report file; a LabError (exit 4) when that fails after all. */
export function writeReportFile(out: string, text: string, what = 'report'): void {
  try {
    writeFileSync(out, text);
  } catch (e) {
    throw new LabError([{ severity: 'error', code: 'report.write', message: `cannot write the ${what} to ${out}: ${(e as Error).message}`, hint: 'choose a directory that exists and is writable' }], EXIT.environment);
  }
}

/** The nodes of the lab whose namespaces are missing: all of them when the lab is not up. */
export function missingNodes(lab: ResolvedLab): string[] {
  const present = labNetns(lab.name);
  return lab.nodes.filter((n) => !present.includes(n.netns)).map((n) => n.name);
}

export interface LabTestRun {
  readonly results: TestResult[];
  readonly started: Date;
  readonly durationMs: number;
}

/** Run a lab's tests against the running lab and record the summary in its state (for `lab status`). */
export async function runLabTests(lab: ResolvedLab, opts: { signal?: AbortSignal; live?: boolean } = {}): Promise<LabTestRun> {
  const nsOf = (node: string): string => lab.nodes.find((n) => n.name === node)?.netns ?? `nsl.${lab.name}.${node}`;
  const started = new Date();
  const live = opts.live ?? isTTY();
  const results: TestResult[] = await runTests(lab.tests, {
    context: (_t, measurements) => createRunContext({ nsOf, measurements: new Map(measurements) }),
    signal: opts.signal,
    onProgress: (e) => {
      // on a terminal, say which test is being retried (within:), the slow part of a run
      if (e.kind === 'retry' && live) say(`… ${lab.name}: ${e.test.name}: try ${e.attempt + 1}`);
    },
  });
  const durationMs = Date.now() - started.getTime();
  const failed = results.filter((r) => !r.ok).length;
  const state = readState(lab.name);
  if (state) {
    state.lastTest = { at: new Date().toISOString(), passed: results.length - failed, failed };
    writeState(state);
  }
  // the latest results, for the lab's handout (`lab handout` shows them, with a chart of the measurements)
  try {
    saveResults(lab.name, writeReport('json', results, { lab: lab.name, file: lab.file, started, durationMs }));
  } catch (e) {
    say(`note: the results were not kept for the handout: ${(e as Error).message}`);
  }
  return { results, started, durationMs };
}

export async function testLoaded(loaded: Loaded, a: Args): Promise<number> {
  const { lab } = loaded;
  const reporter = reporterOf(a);
  const out = outputOf(a);
  if (reporter && out) checkWritable(out, `${reporter} report`);
  const missing = missingNodes(lab);
  if (missing.length) {
    throw new LabError([{ severity: 'error', code: 'test.not-up', message: `lab ${lab.name} is not up (${missing.length === lab.nodes.length ? 'no node is' : `nodes ${missing.join(', ')} are missing`})`, hint: `run \`lab up ${lab.file}\` first (or \`lab up --test\`)`, pos: lab.namePos }], EXIT.environment);
  }
  if (!lab.tests.length) {
    say(`lab ${lab.name} has no tests`);
    if (!reporter) return EXIT.ok; // with --reporter, an empty report all the same: CI looks for the file
  }
  const { results, started, durationMs } = await runLabTests(lab);
  const meta = { lab: lab.name, file: lab.file, started, durationMs };
  const human = writeReport('human', results, { ...meta, color: color() });
  if (reporter) {
    const text = writeReport(reporter, results, meta);
    if (out) {
      writeReportFile(out, text, `${reporter} report`);
      process.stdout.write(human);
    } else {
      process.stderr.write(human);
      process.stdout.write(text);
    }
  } else process.stdout.write(human);
  const failed = results.filter((r) => !r.ok).length;
  return failed ? EXIT.testsFailed : EXIT.ok;
}
