/** `lab trace FROM TO`: FROM and TO resolved against the lab into one flow, or a message saying what is wrong. Pure. */
import type { ResolvedLab } from '../model/types.ts';
import type { FlowRequest, TraceFlow } from '../model/trace.ts';

export type FlowResult = { readonly ok: true; readonly flow: TraceFlow } | { readonly ok: false; readonly message: string; readonly hint?: string };

export function resolveFlow(lab: ResolvedLab, req: FlowRequest): FlowResult {
  void lab; void req;
  return { ok: false, message: 'not implemented yet' };
}
