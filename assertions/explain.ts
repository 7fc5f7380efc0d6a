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

/** How long a failure's trace may take (it adds at most this to a failed test). */
export const EXPLAIN_TIMEOUT_MS = 3000;

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

/** Trace `flow` once, within `timeoutMs`; a trace that throws or takes longer gives a note. Never throws. */
export async function traceToExplain(
  flow: FlowRequest,
  trace: NonNullable<RunContext['trace']>,
  opts: { readonly timeoutMs?: number; readonly signal?: AbortSignal } = {},
): Promise<Explanation> {
  const timeoutMs = opts.timeoutMs ?? EXPLAIN_TIMEOUT_MS;
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
  });
  let running: Promise<TraceReport>;
  try {
    running = trace(flow, { predict: true, signal });
  } catch (e) {
    running = Promise.reject(e);
  }
  running.catch(() => undefined); // a trace that ends after the bound must not be an unhandled rejection
  try {
    const r = await Promise.race([running, late]);
    if (r === 'late') {
      stop.abort();
      return { flow, differences: [], note: `not traced: the trace of ${flowText(flow)} took longer than ${formatMs(timeoutMs)}` };
    }
    return explanationOf(r, flow);
  } catch (e) {
    const hint = e instanceof Error && 'hint' in e && typeof e.hint === 'string' && e.hint ? ` (${e.hint})` : '';
    return { flow, differences: [], note: `not traced: ${e instanceof Error ? e.message : String(e)}${hint}` };
  } finally {
    clearTimeout(timer);
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
