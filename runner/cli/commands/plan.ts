import { loadLab, labPathOf, planContextFor, planOf } from '../../lab/load.ts';
import { teardownCommands } from '../../exec/teardown.ts';
import { printPlan } from '../../plan/print.ts';
import type { Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { showDiagnostics } from '../output.ts';

/** lab plan [LAB] [--json] [--teardown]: print what `lab up` would run. Starts no process. */
export async function planCmd(a: Args): Promise<number> {
  const { lab, warnings, sources } = loadLab(labPathOf(a.positionals[0]));
  showDiagnostics(warnings, sources);
  // nothing is probed: the features the lab depends on are assumed present, and the plan says so
  const plan = planOf(lab, planContextFor(lab));
  if (a.flags.has('json')) process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
  else process.stdout.write(printPlan(plan, { teardown: a.flags.has('teardown') ? teardownCommands(plan.namespaces) : undefined }));
  return EXIT.ok;
}
