/**
 * `lab graph --format svg`: the DOT picture laid out by Graphviz (`dot -Tsvg`, Debian package graphviz), no browser.
 * The SVG stands alone: no DOCTYPE pointing at the web, no links, no external fonts (only font-family names).
 */
import { LabError } from '../config/diagnostics.ts';
import { runDot } from '../exec/graphviz.ts';
import type { ResolvedLab } from '../model/types.ts';
import { dot } from './dot.ts';

export const GRAPHVIZ_HINT = 'install it with `apt-get install graphviz` (Debian/Ubuntu), or run `lab doctor --fix`; `lab graph` without --format svg needs no Graphviz';

/** Exit 4 (the machine lacks something): `dot` is not on PATH. */
export function graphvizMissing(): LabError {
  return new LabError([{ severity: 'error', code: 'env.graphviz', message: "`lab graph --format svg` needs Graphviz's `dot`, which is not installed on this machine", hint: GRAPHVIZ_HINT }], 4);
}

/** Make Graphviz's SVG self-contained: drop the DOCTYPE (a web address), comments, and any link to the web. */
export function standaloneSvg(text: string): string {
  let s = text
    .replace(/<!DOCTYPE[^>]*>\s*/g, '')
    .replace(/<!--[\s\S]*?-->\s*/g, '')
    .replace(/\s(?:xlink:)?href="(?:[a-z][a-z0-9+.-]*:|\/\/)[^"]*"/gi, '')
    // Graphviz writes every '-' as &#45;: plain hyphens keep names (gw-a, br-a) searchable in the file
    .replace(/&#45;/g, '-');
  // the xlink namespace declaration is itself a web address; keep it only while something still uses it
  if (!/\sxlink:[a-z]+=/i.test(s.replace(/\sxmlns:xlink="[^"]*"/g, ''))) s = s.replace(/\sxmlns:xlink="[^"]*"/g, '');
  return s;
}

/** Lay out DOT text with `dot -Tsvg` (run by runner/exec/graphviz.ts). */
export async function dotToSvg(dotText: string, program = 'dot'): Promise<string> {
  const r = await runDot(dotText, program);
  if (!r.ok) throw r.missing ? graphvizMissing() : new Error(r.message);
  return standaloneSvg(r.svg);
}

/** The lab as a standalone SVG document. */
export async function svg(lab: ResolvedLab): Promise<string> {
  return dotToSvg(dot(lab));
}
