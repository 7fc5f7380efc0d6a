/** The model's prediction of a packet walk (issue 12): routes, BGP, bridges, NAT, kube-proxy, policies — nothing sent. Pure. */
import type { ResolvedLab } from '../model/types.ts';
import type { TraceFlow, Walk } from '../model/trace.ts';

export interface PredictOptions {
  /** The endpoint (pod address) kube-proxy chose in the kernel's walk, so the prediction follows the same one. */
  readonly endpoint?: string;
  /** Links the running lab has taken down (`node:iface` of either end), so routes over them are not used. */
  readonly downLinks?: readonly string[];
}

export function predictWalk(lab: ResolvedLab, flow: TraceFlow, opts: PredictOptions = {}): Walk {
  void lab; void opts;
  return { source: 'model', flow, forward: { hops: [], verdict: { kind: 'dropped', at: flow.from, by: 'unknown', reason: 'prediction not implemented yet' } }, notes: [] };
}
