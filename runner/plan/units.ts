/**
 * From steps to processes. One function decides which process runs which steps and with what argv;
 * the printer (`lab plan`) and the executor (`lab up`) both use it, so the printout is what runs.
 */
import { PHASES, type Phase, type Plan, type Step } from './ops.ts';

export interface Unit {
  readonly phase: Phase;
  /** The namespace the unit works in (undefined: the host's, for `netns add` and `link add … netns …`). */
  readonly ns?: string;
  readonly argv: readonly string[];
  readonly input?: string;
  readonly steps: readonly Step[];
  /** Daemons are started and left running; their output goes to `log`. */
  readonly daemon?: { readonly node: string; readonly name: string; readonly log: string };
}

export interface PhaseRun {
  readonly phase: Phase;
  /** Lanes run in parallel; the units of one lane run one after another. */
  readonly lanes: readonly (readonly Unit[])[];
}

/** Quote one word for iproute2's batch reader. */
function batchWord(w: string): string {
  return /[\s"'\\#]/.test(w) ? `"${w.replace(/(["\\])/g, '\\$1')}"` : w;
}

export function batchLine(args: readonly string[]): string {
  return args.map(batchWord).join(' ');
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
        const k = op.ns ?? '';
        if (!batches.has(k)) {
          batches.set(k, []);
          lane(op.ns).push({ phase, ns: op.ns, argv: [], steps: batches.get(k)! }); // filled below
        }
        batches.get(k)!.push(s);
      } else if (op.type === 'load') {
        lane(op.ns).push({ phase, ns: op.ns, argv: loadArgv(op.ns, op.tool), input: op.input, steps: [s] });
      } else if (op.type === 'exec') {
        lane(op.ns).push({ phase, ns: op.ns, argv: ['ip', 'netns', 'exec', op.ns, ...op.argv], steps: [s] });
      } else {
        lane(op.ns).push({ phase, ns: op.ns, argv: ['ip', 'netns', 'exec', op.ns, ...op.argv], steps: [s], daemon: { node: op.node, name: op.name, log: op.log } });
      }
    }
    const finished = [...lanes.values()].map((units) =>
      units.map((u) => {
        if (u.argv.length) return u;
        const lines = u.steps.map((s) => batchLine((s.op as { args: readonly string[] }).args));
        return { ...u, argv: u.ns ? ['ip', '-n', u.ns, '-batch', '-'] : ['ip', '-batch', '-'], input: `${lines.join('\n')}\n` };
      }),
    );
    out.push({ phase, lanes: finished });
  }
  return out;
}

function loadArgv(ns: string, tool: 'iptables-restore' | 'ip6tables-restore' | 'nft'): string[] {
  if (tool === 'nft') return ['ip', 'netns', 'exec', ns, 'nft', '-f', '-'];
  return ['ip', 'netns', 'exec', ns, tool, '--noflush'];
}
