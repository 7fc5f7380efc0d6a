import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { loadLab, labPathOf } from '../../lab/load.ts';
import { dot } from '../../graph/dot.ts';
import { mermaid } from '../../graph/mermaid.ts';
import { svg } from '../../graph/svg.ts';
import { UsageError, type Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { say, showDiagnostics } from '../output.ts';

const FORMATS = ['mermaid', 'svg', 'dot'] as const;
type Format = (typeof FORMATS)[number];

/** The format an output file's name implies: .svg, .dot/.gv; anything else is Mermaid (.md: in a ```mermaid block). */
export function formatOf(format: string | undefined, out: string | undefined): Format {
  if (format !== undefined) {
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not ${JSON.stringify(format)}`);
    return format as Format;
  }
  const ext = out ? extname(out).toLowerCase() : '';
  return ext === '.svg' ? 'svg' : ext === '.dot' || ext === '.gv' ? 'dot' : 'mermaid';
}

/** lab graph [LAB] [--format mermaid|svg|dot] [--out FILE]: draw the lab. Pure, no root; svg runs Graphviz's dot. */
export async function graphCmd(a: Args): Promise<number> {
  if (a.positionals.length > 1) throw new UsageError('lab graph draws one lab at a time');
  const out = a.options.get('out') ?? a.options.get('o');
  const format = formatOf(a.options.get('format'), out);
  const { lab, warnings, sources } = loadLab(labPathOf(a.positionals[0]));
  showDiagnostics(warnings, sources);
  let text = format === 'svg' ? await svg(lab) : format === 'dot' ? dot(lab) : mermaid(lab);
  if (format === 'mermaid' && out && extname(out).toLowerCase() === '.md') text = `\`\`\`mermaid\n${text}\`\`\`\n`;
  if (out) {
    writeFileSync(out, text);
    say(`wrote ${out}: lab ${lab.name} as ${format} (${lab.nodes.length} node(s), ${lab.bridges.length} bridge(s), ${lab.links.length} link(s))`);
  } else process.stdout.write(text);
  return EXIT.ok;
}
