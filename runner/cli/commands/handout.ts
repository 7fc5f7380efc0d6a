import { labPathOf } from '../../lab/load.ts';
import { LabError } from '../../config/diagnostics.ts';
import { displayPath } from '../../config/load.ts';
import { checkOutDir, DEFAULT_OUT, indexHtml, labFiles, labsDir, makeHandout, writeHandoutFiles } from '../../handout/index.ts';
import type { HandoutDoc } from '../../handout/build.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, type Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { failure, say, showDiagnostics } from '../output.ts';

/**
 * lab handout [LAB] [--out DIR] | --all [--out DIR]: workshop handouts, <DIR>/<lab>.html (self-contained) and
 * <DIR>/<lab>.md. No root, nothing on the machine is touched; the output directory is checked first (exit 4).
 */
export async function handoutCmd(a: Args): Promise<number> {
  const all = a.flags.has('all');
  if (all && a.positionals.length) throw new UsageError('lab handout --all takes no lab: it makes the handout of every labs/*/lab.yaml');
  if (a.positionals.length > 1) throw new UsageError('lab handout takes one lab (or --all for every lab in labs/)');
  const out = a.options.get('out') ?? DEFAULT_OUT;
  checkOutDir(out);

  if (!all) {
    const h = await makeHandout(labPathOf(a.positionals[0]));
    showDiagnostics(h.warnings, h.sources);
    const files = writeHandoutFiles(h, out);
    say(`handout of ${h.lab.name}: ${displayPath(files.html)}, ${displayPath(files.md)}`);
    return EXIT.ok;
  }

  const dir = labsDir();
  const labs = labFiles(dir);
  if (!labs.length) throw new LabError([{ severity: 'error', code: 'handout.no-labs', message: `no labs in ${displayPath(dir)}: --all looks for labs/*/lab.yaml`, hint: 'run it from the nslab repository, or name one lab: lab handout path/to/lab.yaml' }], EXIT.invalidLab);
  let worst: number = EXIT.ok;
  const docs: HandoutDoc[] = [];
  const failed: { file: string; why: string }[] = [];
  for (const file of labs) {
    try {
      const h = await makeHandout(file);
      showDiagnostics(h.warnings, h.sources);
      writeHandoutFiles(h, out);
      docs.push(h.doc);
    } catch (e) {
      const code = failure(e);
      worst = Math.max(worst, code);
      failed.push({ file: displayPath(file), why: e instanceof LabError ? e.diagnostics.map((d) => d.message).join('; ') : (e as Error).message });
    }
  }
  const index = join(out, 'index.html');
  writeFileSync(index, indexHtml(docs, failed));
  say(`${docs.length} handout(s) in ${displayPath(out)}${failed.length ? ` (${failed.length} lab(s) failed, see above)` : ''}: ${displayPath(index)}`);
  return worst;
}
