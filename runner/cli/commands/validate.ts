import { loadLab, labPathOf, checkExisting, verifyLab } from '../../lab/load.ts';
import { displayPath } from '../../config/load.ts';
import { LabError, type Diagnostic } from '../../config/diagnostics.ts';
import type { ResolvedLab } from '../../model/types.ts';
import type { Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { say, showDiagnostics } from '../output.ts';

/**
 * A running lab of the same name from another file: the file is valid all the same (a copy of a running lab being
 * edited), and `lab up` is what refuses it — so a warning here, not an error (issue 18). Read-only.
 */
function nameClash(lab: ResolvedLab): Diagnostic[] {
  if (process.getuid?.() !== 0) return [];
  try {
    checkExisting(lab, true);
    return [];
  } catch (e) {
    if (!(e instanceof LabError)) throw e;
    return e.diagnostics.filter((d) => d.code === 'lab.name-clash').map((d) => ({ ...d, severity: 'warning' as const, message: `${d.message}: \`lab up\` of this file is refused while it runs` }));
  }
}

/** lab validate [LAB…]: check lab files; nothing on the machine is touched. */
export async function validateCmd(a: Args): Promise<number> {
  const files = a.positionals.length ? a.positionals : [undefined];
  let worst: number = EXIT.ok;
  for (const f of files) {
    const path = labPathOf(f);
    const loaded = loadLab(path);
    const { lab, warnings, sources } = loaded;
    showDiagnostics([...warnings, ...(await verifyLab(loaded)), ...nameClash(lab)], sources);
    const links = lab.links.length;
    say(`${displayPath(path)}: lab ${lab.name} is valid — ${lab.nodes.length} node(s), ${lab.bridges.length} bridge(s), ${links} link(s), ${lab.tests.length} test(s)`);
    worst = Math.max(worst, EXIT.ok);
  }
  return worst;
}
