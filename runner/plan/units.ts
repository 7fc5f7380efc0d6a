/**
 * From steps to processes. One function decides which process runs which steps with what argv and input;
 * the printer (`lab plan`) and the executor (`lab up`) both use it, so the printout is exactly what runs.
 */
import { join } from 'node:path';
import { formatPos } from '../config/diagnostics.ts';
import { netnsExecArgv, nodeExecArgv, nsenterArgv } from './netns-argv.ts';
import type { ContainerSpec } from '../model/types.ts';
import { dockerRunArgv } from './docker-argv.ts';
import { PHASES, type CniOp, type Phase, type Plan, type Step } from './ops.ts';
import { cniArgv } from './cni-argv.ts';

/** A file a unit reads, written right before the unit runs. */
export interface UnitFile {
  readonly path: string;
  readonly content: string;
  /** The step behind each line of `content` (undefined for comment lines). */
  readonly lineSteps: readonly (Step | undefined)[];
}

export interface Unit {
  readonly phase: Phase;
  /** The namespace the unit works in (undefined: the host's, for `netns add` and `link add … netns …`). */
  readonly ns?: string;
  readonly argv: readonly string[];
  readonly input?: string;
  /** The step behind each line of `input`, for batches. */
  readonly lineSteps?: readonly (Step | undefined)[];
  readonly files?: readonly UnitFile[];
  readonly steps: readonly Step[];
  /** Run again until the output no longer contains `absent` (or `timeoutMs` has passed). */
  readonly settle?: { readonly absent: string; readonly timeoutMs: number };
  /** A file to write (no process). */
  readonly write?: { readonly path: string; readonly content: string };
  /** A container to create and start through the Engine API (argv is the equivalent `docker run`). */
  readonly container?: { readonly spec: ContainerSpec; readonly expose?: string };
  /** Daemons are started and left running; their output goes to `log`. */
  readonly daemon?: { readonly node: string; readonly name: string; readonly log: string; readonly fd3?: boolean };
  /** A pod's CNI calls (argv is the first plugin's): run one by one, each result chained into the next. */
  readonly cni?: CniOp;
}

export interface PhaseRun {
  readonly phase: Phase;
  /** Lanes run in parallel; the units of one lane run one after another. */
  readonly lanes: readonly (readonly Unit[])[];
}

/** Per-namespace batches run through one xargs with this many at a time: forking from a small process is cheap. */
export const FANOUT_PARALLEL = 4;

/** Quote one word for iproute2's batch reader. */
function batchWord(w: string): string {
  return /[\s"'\\#]/.test(w) ? `"${w.replace(/(["\\])/g, '\\$1')}"` : w;
}

export function batchLine(args: readonly string[]): string {
  return args.map(batchWord).join(' ');
}

/** An iproute2 batch with a comment line (the batch reader skips it) naming the lab-file place behind the lines under it. */
export function renderBatch(steps: readonly Step[]): { text: string; lineSteps: (Step | undefined)[] } {
  const lines: string[] = [];
  const lineSteps: (Step | undefined)[] = [];
  let last = '';
  for (const s of steps) {
    const src = s.source ? formatPos(s.source) : '';
    const comment = [src, s.note].filter(Boolean).join(' — ');
    if (comment && (src !== last || s.note)) {
      lines.push(`# ${comment}`);
      lineSteps.push(undefined);
    }
    last = src;
    lines.push(batchLine((s.op as { args: readonly string[] }).args));
    lineSteps.push(s);
  }
  return { text: `${lines.join('\n')}\n`, lineSteps };
}

export function schedule(plan: Plan): PhaseRun[] {
  const out: PhaseRun[] = [];
  for (const phase of PHASES) {
    const steps = plan.steps.filter((s) => s.phase === phase);
    if (!steps.length) continue;
    const lanes = new Map<string, Unit[]>();
    const lane = (ns: string | undefined): Unit[] => {
      const k = ns ?? '';
      if (!lanes.has(k)) lanes.set(k, []);
      return lanes.get(k)!;
    };
    const batches = new Map<string, Step[]>();
    for (const s of steps) {
      const op = s.op;
      if (op.type === 'ip') {
        const k = `${op.tool ?? 'ip'}:${op.ns ?? ''}`;
        if (!batches.has(k)) {
          batches.set(k, []);
          lane(op.ns).push({ phase, ns: op.ns, argv: [], steps: batches.get(k)! }); // argv and input filled below
        }
        batches.get(k)!.push(s);
      } else if (op.type === 'settle') {
        lane(op.ns).push({ phase, ns: op.ns, argv: [...enter(op.ns), 'bridge', 'link', 'show'], steps: [s], settle: { absent: 'state disabled', timeoutMs: op.timeoutMs } });
      } else if (op.type === 'sysctl') {
        lane(op.ns).push({ phase, ns: op.ns, argv: [...enter(op.ns), 'sysctl', '-qw', ...op.values.map(([k, v]) => `${k}=${v}`)], steps: [s] });
      } else if (op.type === 'load') {
        lane(op.ns).push({ phase, ns: op.ns, argv: loadArgv(op.ns, op.tool), input: op.input, steps: [s] });
      } else if (op.type === 'exec') {
        lane(op.ns).push({ phase, ns: op.ns, argv: nodeExecArgv(op, op.argv), steps: [s] });
      } else if (op.type === 'file') {
        lane(op.lane).push({ phase, ns: op.lane, argv: [], steps: [s], write: { path: op.path, content: op.content } });
      } else if (op.type === 'container') {
        lane(op.lane).push({ phase, ns: op.lane, argv: dockerRunArgv(op.spec), steps: [s], container: { spec: op.spec, expose: op.ns } });
      } else if (op.type === 'cni') {
        lane(op.ns).push({ phase, ns: op.ns, argv: cniArgv(op.ns, op.calls[0]), steps: [s], cni: op });
      } else {
        lane(op.ns).push({ phase, ns: op.ns, argv: nodeExecArgv(op, op.argv), steps: [s], daemon: { node: op.node, name: op.name, log: op.log, ...(op.fd3 ? { fd3: true } : {}) } });
      }
    }
    const done = [...lanes.values()].map((units) =>
      units.map((u): Unit => {
        if (u.argv.length || u.write) return u;
        const { text, lineSteps } = renderBatch(u.steps);
        const tool = (u.steps[0].op as { tool?: string }).tool ?? 'ip';
        return { ...u, argv: u.ns ? [...enter(u.ns), tool, '-batch', '-'] : [tool, '-batch', '-'], input: text, lineSteps };
      }),
    );
    out.push({ phase, lanes: fanOut(phase, done, plan.workDir) });
  }
  return out;
}

/** Enter a namespace's network only (see nsenterArgv). */
export const enter = nsenterArgv;

const isPerNs = (u: Unit): boolean => !!u.ns && u.argv[0] === 'nsenter' && (u.argv[2] === 'sysctl' || u.argv.includes('-batch'));

/** xargs reads words like a shell: quote the ones with blanks or quotes. */
function xargsWord(w: string): string {
  return /[\s"'\\]/.test(w) ? `"${w.replace(/(["\\])/g, '\\$1')}"` : w;
}

/** Lanes made only of per-namespace sysctls and batches become one `xargs -P … nsenter` over batch files. */
function fanOut(phase: Phase, lanes: Unit[][], workDir: string): Unit[][] {
  const fannable = lanes.filter((l) => l.every(isPerNs));
  if (fannable.length < 2) return lanes;
  const rest = lanes.filter((l) => !fannable.includes(l));
  const files: UnitFile[] = [];
  const lines: string[] = [];
  for (const u of fannable.flat()) {
    if (u.input === undefined) {
      lines.push(u.argv.slice(1).map(xargsWord).join(' '));
    } else {
      const f: UnitFile = { path: join(workDir, 'batch', `${u.ns}.${u.argv[2]}`), content: u.input, lineSteps: u.lineSteps! };
      files.push(f);
      lines.push([...u.argv.slice(1, -1), f.path].map(xargsWord).join(' '));
    }
  }
  const unit: Unit = { phase, argv: ['xargs', '-P', String(FANOUT_PARALLEL), '-L', '1', 'nsenter'], input: `${lines.join('\n')}\n`, files, steps: fannable.flat().flatMap((u) => u.steps) };
  return [[unit], ...rest];
}

function loadArgv(ns: string, tool: 'iptables-restore' | 'ip6tables-restore' | 'nft'): string[] {
  return netnsExecArgv(ns, tool === 'nft' ? ['nft', '-f', '-'] : [tool, '--noflush']);
}
