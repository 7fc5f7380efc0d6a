import { loadLab, labPathOf, checkExisting, verifyLab } from '../../lab/load.ts';
import { displayPath } from '../../config/load.ts';
import type { Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { say, showDiagnostics } from '../output.ts';

/** lab validate [LAB…]: check lab files; nothing on the machine is touched. */
export async function validateCmd(a: Args): Promise<number> {
  const files = a.positionals.length ? a.positionals : [undefined];
  let worst: number = EXIT.ok;
  for (const f of files) {
    const path = labPathOf(f);
    const loaded = loadLab(path);
    const { lab, warnings, sources } = loaded;
    showDiagnostics([...warnings, ...(await verifyLab(loaded))], sources);
    if (process.getuid?.() === 0) checkExisting(lab, true); // name clash with a running lab (read-only)
    const links = lab.links.length;
    say(`${displayPath(path)}: lab ${lab.name} is valid — ${lab.nodes.length} node(s), ${lab.bridges.length} bridge(s), ${links} link(s), ${lab.tests.length} test(s)`);
    worst = Math.max(worst, EXIT.ok);
  }
  return worst;
}
