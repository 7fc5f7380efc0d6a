/** Run a lab's tests: independent ones side by side (bounded), exclusive ones alone, dependencies first, retried while `within` allows. */
import type { ResolvedTest } from '../runner/model/types.ts';
import { fail, sleep } from './common.ts';
import { EXPLAIN_TIMEOUT_MS, explainFailure, type Explanation } from './explain.ts';
import { ASSERTIONS } from './registry.ts';
import type { AssertionDef, ExecResult, Outcome, RunContext } from './types.ts';

export interface TestResult {
  readonly test: ResolvedTest;
  readonly ok: boolean;
  readonly outcome: Outcome;
  readonly attempts: number;
  readonly durationMs: number;
  readonly startedAt: Date;
  /** A failed test that sends traffic: where one of its flows ended, traced after its last try (issue 12). */
  readonly explanation?: Explanation;
  /**
   * Not run, and why (issue 15.4: part of a lab is up and the test needs a node that is not). A skipped test is
   * neither passed nor failed: `ok` is false, and every count and reporter looks at `skipped` first.
   */
  readonly skipped?: string;
}

/** The results that passed, failed and were skipped: skipped counts as neither. */
export function tally(results: readonly TestResult[]): { passed: number; failed: number; skipped: number } {
  const skipped = results.filter((r) => r.skipped !== undefined).length;
  const passed = results.filter((r) => r.ok && r.skipped === undefined).length;
  return { passed, failed: results.length - passed - skipped, skipped };
}

export type { Explanation };

export type ProgressEvent =
  | { readonly kind: 'start'; readonly test: ResolvedTest }
  | { readonly kind: 'retry'; readonly test: ResolvedTest; readonly attempt: number; readonly outcome: Outcome }
  | { readonly kind: 'finish'; readonly result: TestResult };

export interface RunTestsOptions {
  /** The context one test runs with. `measurements` holds the results of the named measurements finished so far. */
  context(test: ResolvedTest, measurements: ReadonlyMap<string, number>): RunContext;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each def has its own params type
  readonly defs?: ReadonlyMap<string, AssertionDef<any>>;
  /** Most tests running at once (default 4). */
  readonly concurrency?: number;
  /** Pause between two tries of a failing test (default 500 ms). */
  readonly pauseMs?: number;
  readonly signal?: AbortSignal;
  /** Tests not to run, each with the reason (part of a lab, issue 15.4): reported SKIPPED. */
  readonly skip?: ReadonlyMap<ResolvedTest, string>;
  /** How long the trace that explains a failure may take (default 3 s). */
  readonly explainTimeoutMs?: number;
  onProgress?(e: ProgressEvent): void;
}

/** Results in the order of `tests`. Never throws for a failing or throwing assertion. */
export async function runTests(tests: readonly ResolvedTest[], opts: RunTestsOptions): Promise<TestResult[]> {
  const defs = opts.defs ?? ASSERTIONS;
  const limit = Math.max(1, opts.concurrency ?? 4);
  const pauseMs = opts.pauseMs ?? 500;
  const measurements = new Map<string, number>();
  const results = new Map<ResolvedTest, TestResult>();
  const emit = (e: ProgressEvent): void => {
    try {
      opts.onProgress?.(e);
    } catch {
      /* a progress display must not break the run */
    }
  };

  const needs = new Map<ResolvedTest, ResolvedTest[]>();
  let lastBarrier: ResolvedTest | undefined;
  tests.forEach((t, i) => {
    const def = defs.get(t.type);
    const names = new Set(def?.dependsOn?.(t.params) ?? []);
    const deps = tests.filter((o) => o !== t && names.has(o.name));
    // actions split the run: an action waits for everything before it, and what follows waits for the action
    if (def?.barrier) deps.push(...tests.slice(0, i));
    else if (lastBarrier) deps.push(lastBarrier);
    if (def?.barrier) lastBarrier = t;
    needs.set(t, [...new Set(deps)]);
  });
  const ready = (t: ResolvedTest): boolean => needs.get(t)!.every((d) => results.has(d));
  const isExclusive = (t: ResolvedTest): boolean => defs.get(t.type)?.exclusive === true;

  const finish = (r: TestResult): void => {
    results.set(r.test, r);
    if (r.outcome.measurement !== undefined) measurements.set(r.test.name, r.outcome.measurement);
    emit({ kind: 'finish', result: r });
  };
  const notRun = (t: ResolvedTest, why: string): void =>
    finish({ test: t, ok: false, outcome: fail('the test to run', `not run: ${why}`, ''), attempts: 0, durationMs: 0, startedAt: new Date() });

  for (const [t, why] of opts.skip ?? []) {
    if (tests.includes(t)) finish({ test: t, ok: false, outcome: { ok: false, expected: t.name, seen: `skipped: ${why}`, command: '' }, attempts: 0, durationMs: 0, startedAt: new Date(), skipped: why });
  }
  const pending = tests.filter((t) => !results.has(t));
  const running = new Set<Promise<void>>();

  const start = (t: ResolvedTest): void => {
    emit({ kind: 'start', test: t });
    let ctx: RunContext;
    const finals: string[] = [];
    try {
      ctx = withTest(opts.context(t, measurements), t, opts.signal, (why) => finals.push(why));
    } catch (e) {
      notRun(t, `no context to run it in: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const p: Promise<void> = runOne(t, defs.get(t.type), ctx, { pauseMs, explainMs: opts.explainTimeoutMs ?? EXPLAIN_TIMEOUT_MS }, opts.signal, emit, finals).then((r) => {
      running.delete(p);
      finish(r);
    });
    running.add(p);
  };

  for (;;) {
    if (opts.signal?.aborted) {
      for (const t of pending.splice(0)) notRun(t, 'the run was stopped');
    }
    for (let i = 0; i < pending.length; ) {
      const t = pending[i];
      if (!ready(t)) {
        i++;
        continue;
      }
      if (isExclusive(t)) {
        // an exclusive test waits for the others to end, and nothing later starts before it; once it runs,
        // this loop wakes again only when it ends, so nothing starts beside it either
        if (running.size === 0) {
          pending.splice(i, 1);
          start(t);
        }
        break;
      }
      if (running.size >= limit) break;
      pending.splice(i, 1);
      start(t);
    }
    if (running.size === 0) {
      if (pending.length === 0) break;
      // nothing runs and nothing can start: the rest wait for each other
      const stuck = pending.splice(0).map((t) => ({ t, waits: needs.get(t)!.filter((d) => !results.has(d)).map((d) => d.name) }));
      for (const { t, waits } of stuck) notRun(t, `it waits for ${waits.join(', ')}, which wait${waits.length === 1 ? 's' : ''} for it in turn`);
      break;
    }
    await Promise.race(running);
  }
  return tests.map((t) => results.get(t)!);
}

/**
 * Why trying again cannot help, from one command's result: the program does not exist where it ran, or the node
 * (its namespace or container) is gone. Undefined for anything a later try might change.
 */
export function finalReason(r: ExecResult): string | undefined {
  const text = `${r.stderr}\n${r.stdout}`;
  const prog = /exec of "([^"]+)" failed: No such file or directory/.exec(text) ?? /nsenter: failed to execute ([^:]+): No such file or directory/.exec(text);
  if (prog) return `${prog[1]} does not exist where the test runs (install it, or run it in a container that has it)`;
  if (/executable file not found in \$PATH/.test(text)) return `${/exec: "([^"]+)"/.exec(text)?.[1] ?? 'the program'} does not exist in the container`;
  if (r.exitCode === 127 && /(^|\n)\S*: (\d+: )?\S+: (command )?not found|: not found$/m.test(text)) return `a program it runs does not exist: ${text.trim().split('\n')[0]}`;
  const ns = /Cannot open network namespace "([^"]+)"/.exec(text);
  if (ns) return `the node is gone: its namespace ${ns[1]} does not exist (is the lab up? \`lab status\`)`;
  if (/No such container: (\S+)/.test(text)) return `the node is gone: ${/No such container: (\S+)/.exec(text)![0]}`;
  return undefined;
}

/** The context as the assertion sees it: it knows which test runs, and the run's signal. */
function withTest(base: RunContext, t: ResolvedTest, signal: AbortSignal | undefined, onFinal: (why: string) => void = () => undefined): RunContext {
  return {
    exec: async (node, argv, o) => {
      const r = await base.exec(node, argv, o);
      const why = finalReason(r);
      if (why) onFinal(why);
      return r;
    },
    background: (node, argv) => base.background(node, argv),
    measurement: (name) => base.measurement(name),
    signal: base.signal ?? signal,
    test: base.test ?? { index: t.index, name: t.name },
    ...(base.labDir ? { labDir: base.labDir } : {}),
    ...(base.trace ? { trace: (req, o) => base.trace!(req, o) } : {}),
    ...(base.lab ? { lab: base.lab } : {}),
  };
}

async function runOne(
  t: ResolvedTest,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  def: AssertionDef<any> | undefined,
  ctx: RunContext,
  { pauseMs, explainMs }: { readonly pauseMs: number; readonly explainMs: number },
  signal: AbortSignal | undefined,
  emit: (e: ProgressEvent) => void,
  finals: string[] = [],
): Promise<TestResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  let attempts = 0;
  let outcome: Outcome;
  for (;;) {
    attempts++;
    finals.length = 0;
    outcome = def ? await tryRun(def, t, ctx) : fail(`a known assertion type`, `unknown assertion type ${JSON.stringify(t.type)}`, '');
    if (outcome.ok || !def || def.once || signal?.aborted) break;
    // a missing program or a node that is gone: no retry can change it, so `within` does not wait
    if (finals.length) {
      outcome = { ...outcome, seen: `${outcome.seen} — not retried: ${finals[0]}` };
      break;
    }
    const elapsed = performance.now() - t0;
    if (elapsed + pauseMs >= t.withinMs) break;
    emit({ kind: 'retry', test: t, attempt: attempts, outcome });
    await sleep(pauseMs, signal);
  }
  const durationMs = performance.now() - t0;
  // a failure with a known cause (a missing program, a node gone) needs no trace; a stopped run gets none
  const explain = !outcome.ok && def && !signal?.aborted && finals.length === 0;
  const explanation = explain ? await explainFailure(def, t.params, outcome, ctx, explainMs) : undefined;
  return { test: t, ok: outcome.ok, outcome, attempts, durationMs, startedAt, ...(explanation ? { explanation } : {}) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function tryRun(def: AssertionDef<any>, t: ResolvedTest, ctx: RunContext): Promise<Outcome> {
  try {
    return await def.run(t.params, ctx);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return fail(def.describe(t.params), `the assertion could not run: ${msg}`, '');
  }
}
