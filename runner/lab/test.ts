/** `lab test`: run a lab's tests against the running lab; record the summary and the latest results. */
import { structureHash } from '../model/structure-hash.ts';
import { runTests, type TestResult } from '../../assertions/runner.ts';
import type { LabControl, RunContext } from '../../assertions/types.ts';
import type { Plan } from '../plan/ops.ts';
import { writeReport } from '../../assertions/reporters/index.ts';
import { LabError } from '../config/diagnostics.ts';
import { EXIT } from '../config/exit-codes.ts';
import type { ResolvedLab } from '../model/types.ts';
import { createRunContext } from '../exec/node-exec.ts';
import { labNetns } from '../exec/host.ts';
import { labDir, readState, writeState } from '../exec/state.ts';
import { labDamage } from '../exec/lab-damage.ts';
import { saveResults } from '../handout/results.ts';
import { labNameOf, loadLab, type Loaded } from './load.ts';
import { requireRoot } from './root.ts';
import { traceForTests } from './trace.ts';
import type { LabUi } from './ui.ts';
import { partText, runningPart } from './partial.ts';
import { skippedTests } from '../resolve/test-needs.ts';

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

/** What `lab test` did: the lab, and its results (none, and ran false, when it has no tests and none were run). */
export interface TestReport extends LabTestRun {
  readonly lab: ResolvedLab;
  readonly ran: boolean;
}

export interface TestOptions {
  /** Run (and report) even a lab without tests: a machine-readable report is wanted all the same. */
  readonly runEmpty?: boolean;
  readonly signal?: AbortSignal;
}

/** Run a lab's tests against the running lab and record the summary in its state (for `lab status`). */
export async function runLabTests(lab: ResolvedLab, ui: LabUi, opts: { signal?: AbortSignal; live?: boolean; skip?: ReadonlyMap<ResolvedLab['tests'][number], string> } = {}): Promise<LabTestRun> {
  const nsOf = (node: string): string => lab.nodes.find((n) => n.name === node)?.netns ?? `nsl.${lab.name}.${node}`;
  const started = new Date();
  const live = opts.live ?? ui.live;
  // a failed test that sends traffic is traced once to say where its packet died (issue 12); so is a path test
  const trace = oneAtATime(traceForTests(lab));
  const control = labControl(lab);
  const results: TestResult[] = await runTests(lab.tests, {
    context: (_t, measurements) => ({ ...createRunContext({ nsOf, measurements: new Map(measurements), labDir: labDir(lab.name) }), trace, lab: control }),
    signal: opts.signal,
    ...(opts.skip?.size ? { skip: opts.skip } : {}),
    onProgress: (e) => {
      // on a terminal, say which test is being retried (within:), the slow part of a run
      if (e.kind === 'retry' && live) ui.info(`… ${lab.name}: ${e.test.name}: try ${e.attempt + 1}`);
    },
  });
  const durationMs = Date.now() - started.getTime();
  const skipped = results.filter((r) => r.skipped !== undefined).length;
  const failed = results.filter((r) => !r.ok && r.skipped === undefined).length;
  const state = readState(lab.name);
  if (state) {
    state.lastTest = { at: new Date().toISOString(), passed: results.length - failed - skipped, failed, ...(skipped ? { skipped } : {}) };
    writeState(state);
  }
  // the latest results, for the lab's handout (`lab handout` shows them, with a chart of the measurements)
  try {
    saveResults(lab.name, writeReport('json', results, { lab: lab.name, file: lab.file, started, durationMs }));
  } catch (e) {
    ui.warn(`note: the results were not kept for the handout: ${(e as Error).message}`);
  }
  return { results, started, durationMs };
}

/** The failure actions' hold on the running lab (issue 15): `lab restart`'s code, the plan compiled once. */
export function labControl(lab: ResolvedLab): LabControl {
  let plan: Promise<Plan> | undefined;
  return {
    async node(node, op) {
      const { nodeOpOn } = await import('./node-ops.ts');
      const { compileContextFor, planOf } = await import('./load.ts');
      plan ??= compileContextFor(lab).then((ctx) => planOf(lab, ctx));
      const r = await nodeOpOn(lab, node, op, await plan);
      const { nodeOpText } = await import('./node-ops.ts');
      return { text: nodeOpText(r), pids: Object.fromEntries((r.start?.daemons ?? []).map((d) => [d.name, d.pid])), ms: r.ms };
    },
    async impair(node, dev, change) {
      const { liveImpairCommands } = await import('../plan/impair.ts');
      const { runLiveCommands } = await import('../exec/node-control.ts');
      const cmds = liveImpairCommands(lab, node, dev, change);
      const r = await runLiveCommands(cmds);
      return { ok: r.ok, text: r.ok ? cmds.map((c) => c.what).join('; ') : (r.error ?? 'failed'), command: r.commands.join('\n') };
    },
    async linkUp(node, dev) {
      const { linkUpCommands, restoredText } = await import('../plan/link-up.ts');
      const { runLiveCommands } = await import('../exec/node-control.ts');
      const { compileContextFor, planOf } = await import('./load.ts');
      plan ??= compileContextFor(lab).then((ctx) => planOf(lab, ctx));
      const n = lab.nodes.find((x) => x.name === node);
      if (!n) return { ok: false, text: `lab ${lab.name} has no node ${node}`, command: '' };
      const ns = lab.nodes.find((x) => x.name === n.sharesNetnsOf)?.netns ?? n.netns;
      // a lab file changed since the lab came up would put back what the running lab never had: up alone, and say so
      const { structureHash } = await import('../model/structure-hash.ts');
      const up = readState(lab.name)?.structure;
      const changed = up !== undefined && up !== structureHash(lab);
      const cmds = changed ? [] : linkUpCommands(await plan, ns, dev);
      const r = await runLiveCommands([{ ns, argv: ['ip', 'link', 'set', 'dev', dev, 'up'] }, ...cmds]);
      const what = changed ? `nothing restored: ${lab.file} changed since the lab came up (lab up --recreate)` : restoredText(cmds);
      return { ok: r.ok, text: r.ok ? `${dev} up; ${what}` : (r.error ?? 'failed'), command: r.commands.join('\n') };
    },
    async kill(node, daemon, signal) {
      const { killOn } = await import('./node-ops.ts');
      const r = await killOn(lab, node, daemon, signal);
      return { pids: r.pids };
    },
  };
}

type TraceFn = NonNullable<RunContext['trace']>;

/**
 * Traces of one lab, one at a time: two traces at once would load their tables and monitors into the same
 * namespaces and see each other's probes. A trace whose caller gave up (its signal aborted) frees the turn.
 */
export function oneAtATime(trace: TraceFn): TraceFn {
  let last: Promise<unknown> = Promise.resolve();
  let busy = 0;
  return (req, opts) => {
    if (busy++ > 0) opts?.onWait?.();
    const turn = last.then(() => {
      if (opts?.signal?.aborted) throw new Error('the trace was given up before its turn');
      opts?.onStart?.();
      return trace(req, opts);
    });
    const freed = new Promise<void>((resolve) => {
      turn.then(() => resolve(), () => resolve());
      opts?.signal?.addEventListener('abort', () => resolve(), { once: true });
    }).then(() => void busy--);
    last = last.then(() => freed);
    return turn;
  };
}

/** Test a loaded lab that is up: a LabError (exit 4) when it is not. */
export async function testLoaded(whole: Loaded, opts: TestOptions, ui: LabUi): Promise<TestReport> {
  // part of the lab is up (lab up --nodes, issue 15.4): test that part; the tests that need other nodes are skipped
  const loaded = runningPart(whole);
  const { lab } = loaded;
  const missing = missingNodes(lab);
  const stopped = (readState(lab.name)?.stopped ?? []).filter((n) => missing.includes(n));
  if (missing.length && stopped.length === missing.length) {
    throw new LabError([{ severity: 'error', code: 'test.stopped', message: `lab ${lab.name} has ${stopped.length === 1 ? 'a node' : 'nodes'} stopped on purpose (lab stop): ${stopped.join(', ')}`, hint: `start ${stopped.length === 1 ? 'it' : 'them'} first: ${stopped.map((n) => `lab start ${lab.name} ${n}`).join('; ')}`, pos: lab.namePos }], EXIT.environment);
  }
  if (missing.length) {
    throw new LabError([{ severity: 'error', code: 'test.not-up', message: `lab ${lab.name} is not up (${missing.length === lab.nodes.length ? 'no node is' : `nodes ${missing.join(', ')} are missing`})`, hint: `run \`lab up ${lab.file}\` first (or \`lab up --test\`)`, pos: lab.namePos }], EXIT.environment);
  }
  // parts removed behind nslab's back: say which, rather than let the tests fail with a symptom (issue 17)
  const state = readState(lab.name);
  const damage = state ? await labDamage(state) : [];
  if (damage.length) {
    throw new LabError([{ severity: 'error', code: 'test.damaged', message: `lab ${lab.name} is damaged: ${damage.map((d) => d.text).join('; ')}`, hint: `run \`lab up ${lab.file}\` to rebuild it`, pos: lab.namePos }], EXIT.environment);
  }
  // the file changed since the lab came up (issue 15.1): its tests would judge the running lab by the new file's model
  if (state?.structure !== undefined && state.structure !== structureHash(lab)) {
    throw new LabError([{ severity: 'error', code: 'test.changed', message: `lab ${lab.name} is up from an earlier version of ${lab.file}: what the file builds has changed since`, hint: `run \`lab up ${lab.file}\` to change the running lab to it (\`lab plan --diff ${lab.file}\` prints what that runs), then test`, pos: lab.namePos }], EXIT.environment);
  }
  if (!lab.tests.length) {
    ui.info(`lab ${lab.name} has no tests`);
    if (!opts.runEmpty) return { lab, ran: false, results: [], started: new Date(), durationMs: 0 };
  }
  const skip = loaded.part ? skippedTests(whole.lab, new Set(loaded.part.selection.nodes)) : undefined;
  if (loaded.part) ui.info(`lab ${lab.name}: ${partText(loaded.part.selection)}: ${skip?.size ?? 0} of ${lab.tests.length} test(s) skipped (they need nodes that are not up)`);
  return { lab, ran: true, ...(await runLabTests(lab, ui, { signal: opts.signal, skip })) };
}

/** lab test [LAB]: the lab (a file, a directory with a lab.yaml, or the name of a lab that is up) is tested as it runs. */
export async function test(arg: string | undefined, opts: TestOptions, ui: LabUi): Promise<TestReport> {
  requireRoot('test');
  const { name, file } = labNameOf(arg);
  if (!file) throw new LabError([{ severity: 'error', code: 'test.not-up', message: `lab ${name} is not up, and no lab file was given`, hint: `run \`lab up <lab.yaml>\` first, or \`lab test <lab.yaml>\`` }], EXIT.environment);
  return testLoaded(loadLab(file), opts, ui);
}
