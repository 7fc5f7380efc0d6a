/**
 * `lab trace [LAB] FROM TO` as one library call (issue 12): which lab (a file, a directory, the name of a lab that
 * is up; none: ./lab.yaml, else the one lab that is up), loaded; for a kernel trace, that it is up and we are root;
 * then traceFlow. Every refusal is a LabError with its exit code: a FROM/TO/port/protocol the lab has no such thing
 * for is a bad command line (64); a lab that is not up, no root, a kernel that cannot trace is the machine (4).
 */
import { existsSync } from 'node:fs';
import { ASSERTIONS } from '../../assertions/registry.ts';
import { LabError, type Diagnostic } from '../config/diagnostics.ts';
import { displayPath } from '../config/load.ts';
import { EXIT } from '../config/exit-codes.ts';
import { allLabsOnHost } from '../exec/host.ts';
import { structureHash } from '../model/structure-hash.ts';
import { readState } from '../exec/state.ts';
import type { FlowRequest, TraceReport, Walk } from '../model/trace.ts';
import type { ResolvedLab } from '../model/types.ts';
import { labNameOf, labPathOf, loadLab } from './load.ts';
import { missingNodes } from './test.ts';
import { traceFlow, TraceInputError, TraceUnavailable } from './trace.ts';

export interface TraceLabOptions {
  /** Only the model's prediction: nothing is sent, the lab may be down, no root needed. */
  readonly predictOnly?: boolean;
  /** With a kernel trace, also predict and compare (default true). */
  readonly predict?: boolean;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

export interface TraceLabResult {
  readonly lab: ResolvedLab;
  readonly report: TraceReport;
  readonly warnings: readonly Diagnostic[];
  readonly sources: ReadonlyMap<string, string>;
}

const refuse = (code: string, message: string, hint: string | undefined, exit: number): LabError => new LabError([{ severity: 'error', code, message, ...(hint ? { hint } : {}) }], exit);

/** The lab file `lab trace` means: LAB as given, else ./lab.yaml, else the one lab that is up. */
export function traceLabFile(arg: string | undefined): string {
  if (arg !== undefined) {
    const { name, file } = labNameOf(arg);
    if (!file) throw refuse('trace.lab', `lab ${name} is not up, and no lab file was given`, `name the lab file: lab trace labs/${name} FROM TO`, EXIT.environment);
    return file;
  }
  if (existsSync('lab.yaml')) return labPathOf(undefined);
  const up = allLabsOnHost();
  const file = up.length === 1 ? readState(up[0])?.file : undefined;
  if (file) return file;
  throw refuse(
    'trace.lab',
    up.length ? `${up.length} labs are up (${up.join(', ')}), and there is no lab.yaml here` : 'there is no lab.yaml here, and no lab is up',
    up.length ? `name one: lab trace ${up[0]} FROM TO` : 'name the lab: lab trace labs/routed a1 b1 (or --predict with a lab file)',
    EXIT.usage,
  );
}

/** The root check of a kernel trace, with the way out that needs none. */
function requireRootToTrace(): void {
  if (process.getuid?.() !== 0) throw refuse('env.root', '`lab trace` sends a probe and reads netfilter traces inside the lab, and needs root', 'run it as root (sudo lab trace …), or add --predict for the model\'s prediction alone (no root, nothing sent)', EXIT.environment);
}

export async function traceLab(arg: string | undefined, req: FlowRequest, opts: TraceLabOptions = {}): Promise<TraceLabResult> {
  const { lab, warnings, sources } = loadLab(traceLabFile(arg));
  const extra: Diagnostic[] = [];
  if (!opts.predictOnly) {
    const missing = missingNodes(lab);
    if (missing.length) {
      const what = missing.length === lab.nodes.length ? 'no node is' : `nodes ${missing.join(', ')} are missing`;
      throw refuse('trace.not-up', `lab ${lab.name} is not up (${what}): there is nothing to send a probe through`, `run \`lab up ${lab.file}\` first, or add --predict for the model's prediction of the walk`, EXIT.environment);
    }
    requireRootToTrace();
    const state = readState(lab.name);
    if (state && state.hash !== lab.hash && state.structure !== structureHash(lab)) {
      extra.push({ severity: 'warning', code: 'trace.changed', message: `${lab.file} has changed since lab ${lab.name} was brought up: the model predicts from the file, the kernel runs the old version`, hint: '`lab up --recreate` to run the file as it is now' });
    }
  }
  try {
    const report = await traceFlow(lab, req, { predictOnly: opts.predictOnly, predict: opts.predict, signal: opts.signal, timeoutMs: opts.timeoutMs });
    return { lab, report, warnings: [...warnings, ...extra], sources };
  } catch (e) {
    if (e instanceof TraceInputError) throw refuse('trace.input', e.message, e.hint, EXIT.usage);
    if (e instanceof TraceUnavailable) throw refuse('trace.unavailable', e.message, e.hint ?? 'run `lab doctor` to see what this machine lacks, or add --predict for the model\'s prediction alone', EXIT.environment);
    throw e;
  }
}

/**
 * The exit status of a trace: 0 when the packet was delivered (and its reply, if any, came back) and the kernel and
 * the model agree; 1 when it was dropped (either way) or they differ. With --predict, the prediction's verdict.
 */
export function traceExitCode(r: TraceReport): number {
  const w = r.kernel ?? r.predicted;
  if (!w) return EXIT.testsFailed;
  const arrived = w.forward.verdict.kind === 'delivered' && (!w.reply || w.reply.verdict.kind === 'returned');
  return arrived && !r.differences.length ? EXIT.ok : EXIT.testsFailed;
}

/** Whether a kernel trace can run here now: we are root and every node of the lab is up. */
export function canTraceKernel(lab: ResolvedLab): boolean {
  return process.getuid?.() === 0 && missingNodes(lab).length === 0;
}

/**
 * The walk `lab graph --trace` draws: the kernel's when the lab is up and we are root (and the kernel can trace),
 * else the model's prediction; `note` says which, and why not the kernel's.
 */
export async function walkToDraw(arg: string | undefined, req: FlowRequest, opts: { signal?: AbortSignal } = {}): Promise<TraceLabResult & { walk: Walk; note: string }> {
  const { lab } = loadLab(traceLabFile(arg));
  const why = process.getuid?.() !== 0 ? 'not root' : missingNodes(lab).length ? `lab ${lab.name} is not up` : undefined;
  if (!why) {
    try {
      const r = await traceLab(arg, req, { signal: opts.signal, predict: false });
      if (r.report.kernel) return { ...r, walk: r.report.kernel, note: `the kernel's walk of ${r.report.flow.from} → ${r.report.flow.toText}` };
    } catch (e) {
      if (!(e instanceof LabError) || !e.diagnostics.some((d) => d.code === 'trace.unavailable')) throw e;
      const r = await traceLab(arg, req, { predictOnly: true });
      return { ...r, walk: r.report.predicted!, note: `the model's prediction (the kernel cannot trace: ${e.diagnostics[0].message})` };
    }
  }
  const r = await traceLab(arg, req, { predictOnly: true });
  return { ...r, walk: r.report.predicted!, note: `the model's prediction${why ? ` (${why}: nothing was sent)` : ''}` };
}

/** A path test's flow from its parameters (from, to, port, proto) when its definition lists none. */
function paramsFlow(p: Readonly<Record<string, unknown>>): FlowRequest[] {
  if (typeof p.from !== 'string' || typeof p.to !== 'string') return [];
  const proto = p.proto === 'tcp' || p.proto === 'udp' || p.proto === 'icmp' ? p.proto : undefined;
  return [{ from: p.from, to: p.to, ...(proto ? { proto } : {}), ...(typeof p.port === 'number' ? { port: p.port } : {}) }];
}

/**
 * The model's walks of the lab's `path` tests (`lab plan` prints them as comments): one per flow the test sends,
 * or why it cannot be predicted. Pure: nothing is sent.
 */
export async function predictedPathWalks(lab: ResolvedLab): Promise<{ test: string; report?: TraceReport; error?: string }[]> {
  const out: { test: string; report?: TraceReport; error?: string }[] = [];
  for (const t of lab.tests.filter((x) => x.type === 'path')) {
    for (const req of ASSERTIONS.get(t.type)?.flows?.(t.params) ?? paramsFlow(t.params)) {
      try {
        out.push({ test: t.name, report: await traceFlow(lab, req, { predictOnly: true }) });
      } catch (e) {
        out.push({ test: t.name, error: (e as Error).message });
      }
    }
  }
  return out;
}
