/**
 * `lab handout`: a lab's workshop handout as <out>/<lab>.html (one self-contained file) and <out>/<lab>.md; with
 * --all, every labs/*\/lab.yaml and an index.html linking them.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLab } from '../resolve/load.ts';
import { LabError, type Diagnostic } from '../config/diagnostics.ts';
import { displayPath, readLabFile } from '../config/load.ts';
import { mermaid } from '../graph/mermaid.ts';
import { svg } from '../graph/svg.ts';
import type { ResolvedLab } from '../model/types.ts';
import { buildHandout, type HandoutDoc } from './build.ts';
import { handoutHtml, when } from './html.ts';
import { escapeHtml as esc, inline } from './markdown.ts';
import { handoutMarkdown } from './md.ts';
import { readResults, type ReadResults } from './results.ts';
import { readHandout } from '../resolve/handout-spec.ts';

export { resultsPath, saveResults, readResults } from './results.ts';

export const DEFAULT_OUT = 'handouts';
const ENVIRONMENT = 4;

export interface Handout {
  readonly lab: ResolvedLab;
  readonly doc: HandoutDoc;
  readonly html: string;
  readonly md: string;
  readonly warnings: readonly Diagnostic[];
  readonly sources: ReadonlyMap<string, string>;
}

export interface HandoutOptions {
  /** Lay out the diagram with Graphviz (default true); false leaves only the Mermaid text (tests). */
  readonly svg?: boolean;
  /** The saved results to show; default: what `lab test` saved on this machine. */
  readonly results?: ReadResults;
}

/** Build the handout of one lab file. Throws the lab's LabError (exit 2) when the file is invalid. */
export async function makeHandout(path: string, opts: HandoutOptions = {}): Promise<Handout> {
  const { lab, warnings, sources } = loadLab(path);
  const spec = readHandout(readLabFile(path));
  let picture: string | undefined;
  let missing: string | undefined;
  if (opts.svg === false) missing = 'the diagram was not laid out';
  else {
    try {
      picture = await svg(lab);
    } catch (e) {
      const d = e instanceof LabError ? e.diagnostics[0] : undefined;
      missing = d ? `${d.message}${d.hint ? ` (${d.hint})` : ''}` : `Graphviz failed: ${(e as Error).message}`;
    }
  }
  const doc = buildHandout({ lab: { ...lab, file: displayPath(lab.file) }, spec, mermaid: mermaid(lab), svg: picture ? inlineSvg(picture) : undefined, svgMissing: missing, results: opts.results ?? readResults(lab.name) });
  const diagramWarning: Diagnostic[] = missing && opts.svg !== false ? [{ severity: 'warning', code: 'handout.diagram', message: `handout of ${lab.name}: no diagram: ${missing}`, hint: 'the HTML shows the Mermaid text instead' }] : [];
  return { lab, doc, html: handoutHtml(doc), md: handoutMarkdown(doc), warnings: [...warnings, ...diagramWarning], sources };
}

/** Graphviz's SVG document as an element inside HTML: no XML declaration, nothing before <svg>. */
export function inlineSvg(text: string): string {
  const start = text.indexOf('<svg');
  return start >= 0 ? text.slice(start).trim() : text.trim();
}

/** Write <out>/<lab>.html and <out>/<lab>.md. */
export function writeHandoutFiles(h: Handout, out: string): { html: string; md: string } {
  const html = join(out, `${h.lab.name}.html`);
  const md = join(out, `${h.lab.name}.md`);
  writeFileSync(html, h.html);
  writeFileSync(md, h.md);
  return { html, md };
}

/**
 * The output directory must be writable before anything else happens: made if missing, then a file written and
 * removed. Throws a LabError with exit code 4 (the machine lacks something) that says what is wrong.
 */
export function checkOutDir(out: string): void {
  const dir = resolve(out);
  const fail = (why: string): never => {
    throw new LabError([{ severity: 'error', code: 'handout.out', message: `cannot write handouts to ${out}: ${why}`, hint: 'choose a directory you can write with --out DIR' }], ENVIRONMENT);
  };
  if (existsSync(dir) && !statSync(dir).isDirectory()) fail(`${dir} is not a directory`);
  try {
    mkdirs(dir);
  } catch (e) {
    fail(`the directory cannot be made (${errText(e)})`);
  }
  const probe = join(dir, `.nslab-handout-${process.pid}.tmp`);
  try {
    writeFileSync(probe, '');
  } catch (e) {
    fail(`the directory is not writable (${errText(e)})`);
  } finally {
    rmSync(probe, { force: true });
  }
}

/**
 * mkdir -p, one level at a time. (Node's `mkdirSync(…, { recursive: true })` never returns for some paths on
 * special file systems, e.g. /proc/x, where mkdir says ENOENT although the parent exists.)
 */
function mkdirs(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}: ${err.message.replace(/^\w+: /, '')}` : String(err.message ?? e);
}

/** The labs directory for --all: ./labs when there is one, else the labs shipped with nslab. */
export function labsDir(cwd = process.cwd()): string {
  const here = join(cwd, 'labs');
  if (existsSync(here) && statSync(here).isDirectory()) return here;
  for (const rel of ['../../labs', '../../../labs']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return here;
}

/** Every <dir>/*\/lab.yaml, sorted by directory name. */
export function labFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((d) => join(dir, d, 'lab.yaml'))
    .filter((f) => existsSync(f));
}

export interface IndexEntry {
  readonly doc: HandoutDoc;
}

/** index.html: one card per handout, linking its HTML and Markdown. */
export function indexHtml(entries: readonly HandoutDoc[], failed: readonly { file: string; why: string }[] = []): string {
  const cards = entries.map((d) => {
    const r = d.results.state === 'ok' ? d.results.results : undefined;
    const result = r
      ? `<span class="badge ${r.counts.failed ? 'fail' : 'ok'}">${r.counts.failed ? '✘' : '✔'} ${r.counts.passed}/${r.counts.total}</span> <span class="meta">tested ${esc(when(r.started))}</span>`
      : '<span class="meta">not tested yet</span>';
    const first = d.description.split(/(?<=\.)\s/)[0] ?? '';
    return `<li><a class="t" href="${esc(encodeURIComponent(d.lab.name))}.html">${esc(d.title)}</a> <span class="meta">(<a href="${esc(encodeURIComponent(d.lab.name))}.md">Markdown</a>)</span><br><span>${inline(first)}</span><br><span class="meta">${d.lab.nodes.length} nodes · ${d.lab.tests.length} exercises · ${d.spec.goals.length} goals ·</span> ${result}</li>`;
  });
  const broken = failed.length ? `<h2>Not made</h2><ul>${failed.map((f) => `<li><code>${esc(f.file)}</code>: ${esc(f.why)}</li>`).join('')}</ul>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nslab handouts</title>
<style>
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Arial, sans-serif; color: #1d2430; }
main { max-width: 900px; margin: 0 auto; padding: 28px; }
h1 { border-bottom: 3px solid #1f5fae; padding-bottom: 10px; }
ul { list-style: none; padding: 0; }
li { border: 1px solid #d9dee7; border-radius: 8px; padding: 10px 14px; margin: 10px 0; }
a { color: #1f5fae; }
a.t { font-size: 18px; font-weight: 600; text-decoration: none; }
.meta { color: #5b6576; font-size: 13px; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; background: #f5f7fa; padding: 1px 4px; border-radius: 3px; }
.badge { display: inline-block; font-size: 12px; font-weight: 700; border-radius: 10px; padding: 1px 8px; color: #fff; }
.badge.ok { background: #1d7a3a; } .badge.fail { background: #b42318; }
</style>
</head>
<body><main>
<h1>nslab handouts</h1>
<p>${entries.length} lab(s). Each handout is one self-contained HTML file (and the same in Markdown): the network, its nodes, the commands that build it by hand, and exercises.</p>
<ul>
${cards.join('\n')}
</ul>
${broken}
</main></body>
</html>
`;
}
