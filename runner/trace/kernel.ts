/** The kernel's walk of one flow (issue 12): one real probe, traced in every namespace of the running lab. */
import type { ResolvedLab } from '../model/types.ts';
import type { TraceFlow, Walk } from '../model/trace.ts';
import { traceUnavailable, TRACE_FEATURES } from '../model/features.ts';
import { labNetns } from '../exec/host.ts';
import { detectFeatures } from '../exec/probes.ts';
import { readState } from '../exec/state.ts';
import { processCommand, runQueries } from '../exec/trace-queries.ts';
import { runTraceSession, TraceSessionError, type TraceSessionResult } from '../exec/trace-session.ts';
import { finishWalk, prepareWalk, type KernelRecord } from './kernel-build.ts';

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

const DEFAULT_TIMEOUT_MS = 1500;
/** VXLAN's IANA port and Linux's (and flannel's) default. */
const VXLAN_PORTS = [4789, 8472];

function tunnelPorts(lab: ResolvedLab): number[] {
  const ports = new Set(VXLAN_PORTS);
  for (const n of lab.nodes) for (const i of n.interfaces) if (i.virtual?.type === 'vxlan' && typeof (i.virtual as { port?: unknown }).port === 'number') ports.add((i.virtual as { port: number }).port);
  return [...ports].sort((a, b) => a - b);
}

/** The namespaces to trace in (those of the lab that exist), and FROM's. */
function namespaces(lab: ResolvedLab, flow: TraceFlow): { all: string[]; source: string } {
  const state = readState(lab.name);
  const present = labNetns(lab.name);
  if (!state || state.status !== 'up' || !present.length) throw new TraceUnavailable(`lab ${lab.name} is not up`, `run \`lab up ${lab.file}\` first, or use --predict for the model's walk`);
  const from = lab.nodes.find((n) => n.name === flow.from);
  if (!from) throw new TraceUnavailable(`lab ${lab.name} has no node ${flow.from}`);
  if (flow.proto !== 'icmp' && flow.port === undefined) throw new TraceUnavailable(`a ${flow.proto} trace needs a port`, 'add --port N');
  if (!present.includes(from.netns)) throw new TraceUnavailable(`${flow.from}'s namespace ${from.netns} is gone`, `run \`lab down ${lab.name}\` and \`lab up ${lab.file}\` again`);
  return { all: present, source: from.netns };
}

async function session(lab: ResolvedLab, flow: TraceFlow, ns: { all: string[]; source: string }, opts: KernelTraceOptions): Promise<TraceSessionResult> {
  // the bridge table only where the lab has a bridge (a bridge of the fabric, a node's own, a cluster's cni0)
  const bridged = new Set([...lab.bridges.map((b) => b.netns), ...lab.nodes.filter((n) => n.interfaces.some((i) => i.master)).map((n) => n.netns)]);
  if (lab.fabricNs) bridged.add(lab.fabricNs);
  try {
    return await runTraceSession({
      lab: lab.name,
      namespaces: ns.all.map((n) => ({ ns: n, bridge: bridged.has(n) })),
      sourceNs: ns.source,
      probe: { proto: flow.proto, dst: flow.dst, family: flow.family, ...(flow.port !== undefined ? { port: flow.port } : {}) },
      tunnelPorts: tunnelPorts(lab),
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (e) {
    if (!(e instanceof TraceSessionError)) throw e;
    if (/load the trace table|did not start/.test(e.message)) {
      const missing = traceUnavailable(await detectFeatures([...TRACE_FEATURES]));
      if (missing) throw new TraceUnavailable(missing.message, missing.hint);
    }
    if (/cancelled/.test(e.message)) throw new TraceUnavailable(e.message);
    throw new TraceUnavailable(e.message, /another trace/.test(e.message) ? 'wait for it to end, then trace again' : 'run `lab doctor` to see what this machine lacks');
  }
}

/** The probe never ran (its program is missing): say which. */
function probeMissing(r: TraceSessionResult['probe']): TraceUnavailable | undefined {
  if (r.exitCode !== -1 && !/exec.*(No such file|not found)|nsenter: failed to execute/.test(r.stderr)) return undefined;
  const prog = r.command.split(' ').find((w) => w === 'ping' || w === 'socat') ?? 'the probe';
  return new TraceUnavailable(`cannot send the probe: ${prog} is not installed`, `apt-get install ${prog === 'ping' ? 'iputils-ping' : prog} (or lab doctor --fix)`);
}

/** The kernel's walk, and what the trace recorded (to build it again without the kernel: unit tests' fixtures). */
export async function traceKernelRecorded(lab: ResolvedLab, flow: TraceFlow, opts: KernelTraceOptions = {}): Promise<{ walk: Walk; record: KernelRecord; phases: Record<string, number> }> {
  const ns = namespaces(lab, flow);
  const raw = await session(lab, flow, ns, opts);
  const missing = probeMissing(raw.probe);
  if (missing) {
    await raw.cleaned;
    throw missing;
  }
  const rec: KernelRecord = { flow, sourceNs: ns.source, mark: raw.mark, tunnelPorts: tunnelPorts(lab), monitors: Object.fromEntries(raw.monitors) };
  const prepared = prepareWalk(lab, rec);
  const started = performance.now();
  const [results] = await Promise.all([runQueries(prepared.queries, opts.signal), raw.cleaned]);
  const phases = { ...raw.phases, questions: Math.round(performance.now() - started) };
  const walk = finishWalk(lab, prepared, results, processCommand);
  return { walk, record: { ...rec, queries: prepared.queries, results: results.map((r) => ({ stdout: r.stdout, stderr: r.stderr })) }, phases };
}

export async function traceKernel(lab: ResolvedLab, flow: TraceFlow, opts: KernelTraceOptions = {}): Promise<Walk> {
  return (await traceKernelRecorded(lab, flow, opts)).walk;
}
