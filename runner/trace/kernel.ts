/** The kernel's walk of one flow (issue 12): one real probe, traced in every namespace of the running lab. */
import type { ResolvedLab } from '../model/types.ts';
import type { TraceFlow, Walk } from '../model/trace.ts';

export interface KernelTraceOptions {
  readonly signal?: AbortSignal;
  /** How long to wait for the probe's answer (default 1500 ms). */
  readonly timeoutMs?: number;
}

/** Thrown when the lab is not up or the kernel cannot trace: `message` says what is missing, `hint` what to do. */
export class TraceUnavailable extends Error {
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

export async function traceKernel(lab: ResolvedLab, flow: TraceFlow, opts: KernelTraceOptions = {}): Promise<Walk> {
  void lab; void flow; void opts;
  throw new TraceUnavailable('the kernel tracer is not implemented yet');
}
