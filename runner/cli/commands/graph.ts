import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { loadLab, labPathOf } from '../../lab/load.ts';
import { dotOf } from '../../graph/dot.ts';
import { walkHighlight, type Highlight } from '../../graph/highlight.ts';
import { mermaidOf } from '../../graph/mermaid.ts';
import { buildGraph } from '../../graph/model.ts';
import { dotToSvg } from '../../graph/svg.ts';
import { walkToDraw } from '../../lab/trace-lab.ts';
import type { ResolvedLab } from '../../model/types.ts';
import { flowArgs } from './trace.ts';
import { interruptible } from '../lab-ui.ts';
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

/** The lab, and with --trace the path to highlight (the kernel's walk, or the model's), said on stderr. */
async function labAndPath(a: Args): Promise<{ lab: ResolvedLab; hl?: Highlight }> {
  if (!a.flags.has('trace')) {
    if (a.options.has('port') || a.options.has('proto')) throw new UsageError('--port and --proto go with --trace FROM TO', 'graph');
    if (a.positionals.length > 1) throw new UsageError('lab graph draws one lab at a time (to highlight a path: lab graph [LAB] --trace FROM TO)', 'graph');
    const { lab, warnings, sources } = loadLab(labPathOf(a.positionals[0]));
    showDiagnostics(warnings, sources);
    return { lab };
  }
  const { lab: arg, req } = flowArgs(a, 'graph');
  const { signal, stop } = interruptible({ once: true });
  try {
    const { lab, walk, note, warnings, sources } = await walkToDraw(arg, req, { signal });
    showDiagnostics(warnings, sources);
    say(`highlighted: ${note}`);
    return { lab, hl: walkHighlight(buildGraph(lab), walk) };
  } finally {
    stop();
  }
}

/** lab graph [LAB] [--trace FROM TO] [--format mermaid|svg|dot] [--out FILE]: draw the lab. No root; svg runs Graphviz's dot. */
export async function graphCmd(a: Args): Promise<number> {
  const out = a.options.get('out') ?? a.options.get('o');
  const format = formatOf(a.options.get('format'), out);
  const { lab, hl } = await labAndPath(a);
  const g = buildGraph(lab);
  let text = format === 'svg' ? await dotToSvg(dotOf(g, hl)) : format === 'dot' ? dotOf(g, hl) : mermaidOf(g, hl);
  if (format === 'mermaid' && out && extname(out).toLowerCase() === '.md') text = `\`\`\`mermaid\n${text}\`\`\`\n`;
  if (out) {
    writeFileSync(out, text);
    say(`wrote ${out}: lab ${lab.name} as ${format} (${lab.nodes.length} node(s), ${lab.bridges.length} bridge(s), ${lab.links.length} link(s))`);
  } else process.stdout.write(text);
  return EXIT.ok;
}
