/**
 * Failures that explain themselves (issue 12): when a test that sends traffic has finally failed, one of its flows
 * is traced through the running lab and the walk's end ("dropped in node-1, filter FORWARD, chain KUBE-NWPLCY-…:
 * NetworkPolicy shop/web-only-client") is attached to the failure. Bounded: a trace that takes too long or throws
 * leaves a note instead.
 */
import type { FlowRequest, TraceReport } from '../runner/model/trace.ts';
import { formatMs } from '../runner/util/units.ts';
import type { AssertionDef, Outcome, RunContext } from './types.ts';
import { compactWalk, differenceLines, flowText, walkSentence } from './walk-text.ts';

/** What the trace of a failed test's flow said. */
export interface Explanation {
  /** The flow traced. */
  readonly flow: FlowRequest;
  /** Where the packet ended, in one sentence, with the lab object behind a drop and its place in the lab file. */
  readonly verdict?: string;
  /** The walk in one line: `client → node-1 (dnat …) → node-2: dropped (rule)`. */
  readonly walk?: string;
  /** Where the kernel's walk and the model's prediction part, one line each. */
  readonly differences: readonly string[];
  /** Why there is no verdict: the trace failed or took too long. */
  readonly note?: string;
  /** The whole trace, for machine-readable reports. */
  readonly trace?: TraceReport;
}

/** How long a failure's trace may take from its start (a drop waits out the probe's time-out: 2–3 s in a cluster). */
export const EXPLAIN_TIMEOUT_MS = 5000;

function isFlowRequest(x: unknown): x is FlowRequest {
  if (!x || typeof x !== 'object') return false;
  const f = x as Record<string, unknown>;
  return typeof f.from === 'string' && typeof f.to === 'string';
}

function isTraceReport(x: unknown): x is TraceReport {
  return !!x && typeof x === 'object' && isFlowRequest({ from: (x as TraceReport).flow?.from, to: (x as TraceReport).flow?.toText }) && Array.isArray((x as TraceReport).differences);
}

/** An explanation from a finished trace. */
export function explanationOf(report: TraceReport, flow: FlowRequest): Explanation {
  const w = report.kernel ?? report.predicted;
  const differences = differenceLines(report);
  if (!w) return { flow, differences, note: 'the trace has no walk', trace: report };
  const predicted = !report.kernel ? ' (the model’s prediction: the kernel was not traced)' : '';
  return { flow, verdict: `${walkSentence(w)}${predicted}`, walk: compactWalk(w), differences, trace: report };
}

/** The flow to trace for a failed outcome: the one its details name (the failing cell), else the test's first. */
export function flowToExplain(flows: readonly FlowRequest[], outcome: Outcome): FlowRequest | undefined {
  const named = outcome.details?.flow;
  return isFlowRequest(named) ? named : flows[0];
}

/** How long a failure's trace may wait for the lab's other traces (they run one at a time) before it starts. */
export const EXPLAIN_WAIT_MS = 20_000;

/**
 * Trace `flow` once: the trace may take `timeoutMs` from its start (after waiting, at most `waitMs`, for the lab's
 * other traces); a trace that throws or takes longer gives a note. Never throws.
 */
export async function traceToExplain(
  flow: FlowRequest,
  trace: NonNullable<RunContext['trace']>,
  opts: { readonly timeoutMs?: number; readonly waitMs?: number; readonly signal?: AbortSignal } = {},
): Promise<Explanation> {
  const timeoutMs = opts.timeoutMs ?? EXPLAIN_TIMEOUT_MS;
  const waitMs = Math.max(opts.waitMs ?? EXPLAIN_WAIT_MS, timeoutMs);
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  const timers: ReturnType<typeof setTimeout>[] = [];
  let late!: (why: string) => void;
  const lateP = new Promise<{ late: string }>((resolve) => {
    late = (why) => resolve({ late: why });
  });
  const took = `the trace of ${flowText(flow)} took longer than ${formatMs(timeoutMs)}`;
  let bound = setTimeout(() => late(took), timeoutMs);
  timers.push(setTimeout(() => late(`the trace of ${flowText(flow)} waited longer than ${formatMs(waitMs)} for the lab's other traces`), waitMs));
  // the bound counts from the trace's own start: a trace that waits for its turn gets its full time after it
  const onWait = (): void => clearTimeout(bound);
  const onStart = (): void => {
    clearTimeout(bound);
    bound = setTimeout(() => late(took), timeoutMs);
  };
  let running: Promise<TraceReport>;
  try {
    running = trace(flow, { predict: true, signal, onWait, onStart });
  } catch (e) {
    running = Promise.reject(e);
  }
  running.catch(() => undefined); // a trace that ends after the bound must not be an unhandled rejection
  try {
    const r = await Promise.race([running, lateP]);
    if ('late' in r && typeof r.late === 'string') {
      stop.abort();
      return { flow, differences: [], note: `not traced: ${r.late}` };
    }
    return explanationOf(r as TraceReport, flow);
  } catch (e) {
    const hint = e instanceof Error && 'hint' in e && typeof e.hint === 'string' && e.hint ? ` (${e.hint})` : '';
    return { flow, differences: [], note: `not traced: ${e instanceof Error ? e.message : String(e)}${hint}` };
  } finally {
    clearTimeout(bound);
    for (const t of timers) clearTimeout(t);
  }
}

/**
 * The explanation of a failed test, or undefined when it sends no traffic of its own or nothing can trace. A test
 * whose outcome carries its own trace (the path assertion) is explained by that trace, not traced again.
 */
export async function explainFailure(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each def has its own params type
  def: AssertionDef<any>,
  params: unknown,
  outcome: Outcome,
  ctx: Pick<RunContext, 'trace' | 'signal'>,
  timeoutMs = EXPLAIN_TIMEOUT_MS,
): Promise<Explanation | undefined> {
  const own = outcome.details?.trace;
  if (isTraceReport(own)) {
    // the outcome's details hold the trace already: not repeated
    const { trace: _same, ...e } = explanationOf(own, { from: own.flow.from, to: own.flow.toText, proto: own.flow.proto, ...(own.flow.port !== undefined ? { port: own.flow.port } : {}) });
    return e;
  }
  if (!def.flows || !ctx.trace) return undefined;
  let flows: readonly FlowRequest[];
  try {
    flows = def.flows(params);
  } catch {
    return undefined;
  }
  const flow = flowToExplain(flows, outcome);
  if (!flow) return undefined;
  return traceToExplain(flow, ctx.trace, { timeoutMs, signal: ctx.signal });
}

/** The explanation as labelled lines, for the reports: why (or note), walk, model. */
export function explanationFields(e: Explanation): { readonly label: string; readonly text: string }[] {
  if (!e.verdict) return [{ label: 'why', text: e.note ?? 'not traced' }];
  const out = [
    { label: 'why', text: e.verdict },
    { label: 'walk', text: e.walk ?? '' },
  ];
  if (e.differences.length) out.push({ label: 'model', text: `differs from the kernel: ${e.differences.join('; ')}` });
  return out.filter((f) => f.text);
}

/** The explanation as text: `why: …`, `walk: …`, `model: …`, one per line. */
export function explanationText(e: Explanation): string {
  return explanationFields(e)
    .map((f) => `${f.label}: ${f.text}`)
    .join('\n');
}
