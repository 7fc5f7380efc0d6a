import { loadLab, labPathOf, planContextFor, planOf } from '../../lab/load.ts';
import { teardownCommands } from '../../exec/teardown.ts';
import { printPlan } from '../../plan/print.ts';
import { printDiff } from '../../plan/diff-print.ts';
import type { Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { showDiagnostics } from '../output.ts';
import { predictedPathWalks } from '../../lab/trace-lab.ts';
import { renderTraceText } from '../../trace/render-text.ts';
import { partOf, partText, selectRequest } from '../../lab/partial.ts';

/** The model's walks of the `path` tests, as shell comments after the plan (nothing when there are none). */
export function pathWalksText(walks: Awaited<ReturnType<typeof predictedPathWalks>>): string {
  if (!walks.length) return '';
  const out = ['', "# ── the model's walks of the path tests (as `lab trace --predict` prints them)"];
  for (const w of walks) {
    out.push(`# test: ${w.test}`);
    const body = w.report ? renderTraceText(w.report, { timing: false }).trimEnd().split('\n') : [`cannot predict: ${w.error}`];
    out.push(...body.map((l) => (l ? `#   ${l}` : '#')));
  }
  return `${out.join('\n')}\n`;
}

/** lab plan [LAB] [--json] [--teardown] [--nodes N,… | --exclude N,…]: print what `lab up` would run. Starts no process. */
export async function planCmd(a: Args): Promise<number> {
  const { lab, warnings, sources, part } = partOf(loadLab(labPathOf(a.positionals[0])), selectRequest(a.options.get('nodes'), a.options.get('exclude')));
  showDiagnostics(warnings, sources);
  // nothing is probed: the features the lab depends on are assumed present, and the plan says so
  if (a.flags.has('diff')) {
    // the change to the running lab: compiled as `lab up` compiles it, compared with the plan the lab is up from
    const { diffFor } = await import('../../lab/apply.ts');
    const { diff, state } = await diffFor(lab);
    process.stdout.write(printDiff(diff, state));
    return EXIT.ok;
  }
  const plan0 = planOf(lab, planContextFor(lab));
  // part of the lab (issue 15.4): the plan says which part, and what was left out
  const plan = part ? { ...plan0, notes: [partText(part.selection), ...part.notes, ...(plan0.notes ?? [])] } : plan0;
  if (a.flags.has('json')) process.stdout.write(`${JSON.stringify(part ? { ...plan, selection: { nodes: part.selection.nodes, of: part.selection.of } } : plan, null, 2)}\n`);
  else {
    process.stdout.write(printPlan(plan, { teardown: a.flags.has('teardown') ? teardownCommands(plan.namespaces) : undefined }));
    process.stdout.write(pathWalksText(await predictedPathWalks(lab)));
  }
  return EXIT.ok;
}
