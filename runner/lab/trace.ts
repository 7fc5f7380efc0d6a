/**
 * `lab trace` (issue 12) as a library call: FROM and TO resolved against the lab, one real probe traced through the
 * running lab's kernel, the model's prediction beside it (following the endpoint the kernel chose), and where the
 * two part. Also the `trace` a test's run context offers (the `path` assertion, failure explanations).
 */
import type { FlowRequest, TraceReport } from '../model/trace.ts';
import type { ResolvedLab } from '../model/types.ts';
import { resolveFlow } from '../trace/flow.ts';
import { traceKernel, TraceUnavailable } from '../trace/kernel.ts';
import { predictWalk } from '../trace/predict.ts';
import { compareWalks } from '../trace/compare.ts';
import { downInterfaces } from '../exec/link-state.ts';

export { TraceUnavailable };

export interface TraceOptions {
  /** Only the model's prediction: nothing is sent (works on a lab that is down). */
  readonly predictOnly?: boolean;
  /** Also predict (default true). */
  readonly predict?: boolean;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** Thrown for a FROM/TO/port/protocol the lab has nothing for (a user's mistake: `lab trace` exits 64, a bad command line). */
export class TraceInputError extends Error {
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

/** The first address kube-proxy translated the flow to in the kernel's walk (the endpoint it chose), if any. */
function chosenEndpoint(report: Pick<TraceReport, 'kernel'>): string | undefined {
  for (const hop of report.kernel?.forward.hops ?? []) for (const n of hop.nat) if (n.type === 'dnat') return n.after.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return undefined;
}

export async function traceFlow(lab: ResolvedLab, req: FlowRequest, opts: TraceOptions = {}): Promise<TraceReport> {
  const started = Date.now();
  const r = resolveFlow(lab, req);
  if (!r.ok) throw new TraceInputError(r.message, r.hint);
  const { flow } = r;
  if (opts.predictOnly) {
    return { flow, predicted: predictWalk(lab, flow), differences: [], durationMs: Date.now() - started };
  }
  // the links a `link` action took down, read while the probe runs, so the prediction routes around them
  const [kernel, downLinks] = await Promise.all([traceKernel(lab, flow, { signal: opts.signal, timeoutMs: opts.timeoutMs }), opts.predict === false ? [] : downInterfaces(lab.nodes)]);
  if (opts.predict === false) return { flow, kernel, differences: [], durationMs: Date.now() - started };
  const predicted = predictWalk(lab, flow, { endpoint: chosenEndpoint({ kernel }), downLinks });
  return { flow, kernel, predicted, differences: compareWalks(kernel, predicted), durationMs: Date.now() - started };
}

/** The `trace` of a test's run context, for a lab that is up. */
export function traceForTests(lab: ResolvedLab): (req: FlowRequest, opts?: { readonly predict?: boolean; readonly signal?: AbortSignal }) => Promise<TraceReport> {
  return (req, opts = {}) => traceFlow(lab, req, { predict: opts.predict ?? true, signal: opts.signal });
}
