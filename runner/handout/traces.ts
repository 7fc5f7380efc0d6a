/**
 * The handout's packet walks (`handout.traces`, issue 12): per trace, its title and text, the command that shows the
 * walk on the running lab, and the walk itself as a Mermaid sequence diagram and a table.
 *
 * The walk shown is the model's prediction (runner/trace/predict.ts): it needs no root, no running lab and no
 * saved state, so a handout made anywhere shows the same walk. The kernel's walk is what the learner sees with the
 * command (`lab trace`, on the running lab, as root); test/integration/trace-agreement.test.ts brings every lab with
 * traces up and checks that the two do not differ, so the handout's walk is the kernel's too.
 */
import type { Walk } from '../model/trace.ts';
import type { ResolvedLab } from '../model/types.ts';
import { shellQuote } from '../model/words.ts';
import { flowRequest, type HandoutTrace } from '../resolve/handout-spec.ts';
import { resolveFlow } from '../trace/flow.ts';
import { predictWalk } from '../trace/predict.ts';
import { walkToMermaid } from './trace-mermaid.ts';
import { walkTable, type WalkRow } from './trace-table.ts';

export interface TraceDoc {
  readonly n: number;
  readonly trace: HandoutTrace;
  readonly title: string;
  /** `lab trace LAB FROM TO [--port N] [--proto P]`: what the learner types, as root, with the lab up. */
  readonly command: string;
  /** The predicted walk; absent when the flow could not be resolved or predicted (then `missing` says why). */
  readonly walk?: Walk;
  readonly missing?: string;
  readonly mermaid?: string;
  readonly rows: readonly WalkRow[];
}

/** The command a learner types to see the kernel's walk of this trace. */
export function traceCommand(lab: string, t: HandoutTrace): string {
  const words = ['lab', 'trace', lab, t.from, t.to, ...(t.port !== undefined ? ['--port', String(t.port)] : []), ...(t.proto ? ['--proto', t.proto] : [])];
  return words.map(shellQuote).join(' ');
}

function predicted(lab: ResolvedLab, t: HandoutTrace): { walk?: Walk; missing?: string } {
  const r = resolveFlow(lab, flowRequest(t));
  if (!r.ok) return { missing: `${r.message}${r.hint ? ` (${r.hint})` : ''}` };
  try {
    return { walk: predictWalk(lab, r.flow) };
  } catch (e) {
    return { missing: `the model could not predict it: ${(e as Error).message}` };
  }
}

export function tracesOf(lab: ResolvedLab, traces: readonly HandoutTrace[]): TraceDoc[] {
  return traces.map((t, i) => {
    const { walk, missing } = predicted(lab, t);
    const to = `${t.to}${t.port !== undefined && !/:\d+$/.test(t.to) ? ` port ${t.port}` : ''}`;
    return {
      n: i + 1,
      trace: t,
      title: t.title ?? `${t.from} → ${to}`,
      command: traceCommand(lab.name, t),
      walk,
      missing,
      mermaid: walk ? walkToMermaid(walk) : undefined,
      rows: walk ? walkTable(walk) : [],
    };
  });
}

/** The sentence under a walk's command: how the walk ends (test/handout-commands reads it as the expectation). */
export function walkExpect(t: TraceDoc): string {
  const v = t.walk?.forward.verdict;
  const exit = t.trace.verdict === 'dropped' ? ', and `lab trace` exits 1 (the packet did not arrive)' : '';
  return `the walk ends **${t.trace.verdict}**${v && v.kind === t.trace.verdict ? ` at ${v.at}` : ''}${exit}; the trace prints the kernel's walk, the model's beside it, and where they differ.`;
}
