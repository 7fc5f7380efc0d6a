/**
 * The handout as one self-contained HTML file: inline CSS, the diagram and the chart as inline SVG, no script, no
 * font, no image and no link to anything outside the file. It renders the same with no network, and prints.
 */
import { formatMs } from '../util/units.ts';
import { resultWord } from './results.ts';
import { droppedText, type Block, type CodeLine, type ExerciseDoc, type HandoutDoc, type NumberedNote } from './build.ts';
import { throughputChart } from './chart.ts';
import { escapeHtml as esc, inline, markdown } from './markdown.ts';
import { walkSequence } from './trace-mermaid.ts';
import { sequenceSvg } from './trace-svg.ts';
import { WALK_COLUMNS } from './trace-table.ts';
import { walkExpect, type TraceDoc } from './traces.ts';

const CSS = `
:root { --ink: #1d2430; --muted: #5b6576; --line: #d9dee7; --soft: #f5f7fa; --accent: #1f5fae; --ok: #1d7a3a; --fail: #b42318; --note: #fff6d6; --note-line: #e5b400; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
main { max-width: 1060px; margin: 0 auto; padding: 28px 28px 60px; }
header { border-bottom: 3px solid var(--accent); padding-bottom: 14px; margin-bottom: 10px; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; color: var(--accent); font-weight: 600; margin: 0; }
h1 { font-size: 30px; margin: 4px 0 8px; line-height: 1.2; }
h2 { font-size: 22px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 17px; margin: 22px 0 8px; }
h4 { font-size: 15px; margin: 16px 0 6px; }
p { margin: 6px 0 10px; }
.desc { font-size: 16px; }
.meta { color: var(--muted); font-size: 13px; }
nav { font-size: 13px; color: var(--muted); margin: 8px 0 0; }
nav a { color: var(--accent); text-decoration: none; margin-right: 14px; }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: 13px; }
code { background: var(--soft); padding: 1px 4px; border-radius: 3px; }
pre { background: #0f1724; color: #e6edf6; padding: 10px 12px; border-radius: 6px; overflow-x: auto; margin: 6px 0 8px; line-height: 1.45; white-space: pre; }
pre code { background: none; padding: 0; color: inherit; }
pre.code { background: var(--soft); color: var(--ink); border: 1px solid var(--line); }
pre .l { display: inline-block; min-width: 100%; }
pre .c { color: #93a4bb; }
pre .noted { background: rgba(229, 180, 0, .22); box-shadow: inset 3px 0 0 var(--note-line); }
pre .noted::after { content: attr(data-note); color: #ffd75e; font-weight: 700; margin-left: 12px; }
.goals li { margin: 3px 0; }
.diagram { border: 1px solid var(--line); border-radius: 8px; padding: 10px; overflow-x: auto; text-align: center; background: #fff; }
.diagram svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; }
td.k { width: 150px; color: var(--muted); white-space: nowrap; }
td.pre { white-space: pre-line; word-break: break-word; }
.nodes { display: grid; grid-template-columns: repeat(auto-fill, minmax(470px, 1fr)); gap: 12px; margin: 12px 0; }
.node { border: 1px solid var(--line); border-radius: 8px; padding: 4px 14px 6px; break-inside: avoid; min-width: 0; }
.node table { font-size: 13px; }
.node td.k { width: 110px; }
.node h3 { margin-top: 10px; }
.kind { font-size: 12px; font-weight: 600; color: #fff; background: var(--accent); border-radius: 10px; padding: 1px 8px; margin-left: 6px; vertical-align: 2px; }
.phase { margin-top: 26px; }
.phase-n { color: var(--accent); }
figure.block { margin: 12px 0 16px; break-inside: avoid; }
figcaption { font-size: 13px; color: var(--muted); }
figcaption b { color: var(--ink); font-weight: 600; }
.src { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; color: var(--muted); }
.note { background: var(--note); border-left: 4px solid var(--note-line); border-radius: 4px; padding: 6px 10px; margin: 6px 0 10px; font-size: 14px; }
.note p { margin: 2px 0 4px; }
.note .tag { font-weight: 700; margin-right: 6px; }
.ex { border: 1px solid var(--line); border-radius: 8px; padding: 4px 14px 8px; margin: 14px 0; break-inside: avoid; }
.ex.action { border-color: var(--note-line); }
.ex h3 { margin-top: 10px; }
.label { font-weight: 700; }
.try .label { color: var(--accent); }
.expect .label { color: var(--ok); }
.hint, .within { color: var(--muted); font-size: 13px; }
.badge { display: inline-block; font-size: 12px; font-weight: 700; border-radius: 10px; padding: 1px 8px; color: #fff; }
.badge.ok { background: var(--ok); }
.badge.fail { background: var(--fail); }
.badge.skip { background: #777; }
.last { font-size: 13px; border-top: 1px dashed var(--line); padding-top: 6px; margin-top: 8px; }
.summary { font-size: 16px; }
.chart { max-width: 100%; height: auto; margin: 8px 0 12px; }
.chart text { font-family: system-ui, "DejaVu Sans", Arial, sans-serif; font-size: 12px; fill: var(--ink); }
.chart .chart-title { font-size: 14px; font-weight: 600; }
.chart .tick { fill: var(--muted); font-size: 11px; }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .bar-ok { fill: #3b82c4; }
.chart .bar-fail { fill: var(--fail); }
.chart .threshold { stroke: var(--ink); stroke-width: 2; stroke-dasharray: 3 2; }
.chart .value { font-weight: 600; }
.missing { color: var(--fail); }
.walk { max-width: 100%; height: auto; margin: 8px 0; }
.walk text { font-family: system-ui, "DejaVu Sans", Arial, sans-serif; font-size: 11px; fill: var(--ink); }
.walk text.who { font-size: 13px; font-weight: 600; }
.walk text.via { fill: var(--muted); font-size: 10px; }
.walk rect.who { fill: var(--soft); stroke: var(--accent); }
.walk .life { stroke: var(--line); stroke-dasharray: 4 3; }
.walk .msg { stroke: var(--ink); stroke-width: 1.3; }
.walk .msg.reply { stroke-dasharray: 5 3; }
.walk rect.note { fill: var(--note); stroke: var(--note-line); }
.walk rect.note.bad { fill: #fde8e6; stroke: var(--fail); }
.walkbox { border: 1px solid var(--line); border-radius: 8px; padding: 4px 14px 8px; margin: 14px 0; }
.walkbox table { font-size: 13px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
td.ok { color: var(--ok); font-weight: 700; white-space: nowrap; }
td.fail { color: var(--fail); font-weight: 700; white-space: nowrap; }
td.skip { color: #777; font-weight: 700; white-space: nowrap; }
@media print {
  main { max-width: none; padding: 0; }
  pre { white-space: pre-wrap; word-break: break-all; }
  nav { display: none; }
  h2 { break-after: avoid; }
}
`;

/** The header: lab, title, description, what the lab has and when it was last tested, and the table of contents. */
function headerHtml(d: HandoutDoc): string[] {
  const lab = d.lab;
  const tested = d.results.state === 'ok' ? d.results.results : undefined;
  const out: string[] = [];
  out.push('<header>');
  out.push(`<p class="kicker">nslab lab · ${esc(lab.name)}</p>`);
  out.push(`<h1>${esc(d.title)}</h1>`);
  if (d.description) out.push(`<p class="desc">${inline(d.description)}</p>`);
  out.push(
    `<p class="meta">Lab file <code>${esc(d.file)}</code> · ${lab.nodes.length} node(s), ${lab.bridges.length} bridge(s), ${lab.links.length} link(s), ${lab.tests.length} test(s)${tested ? ` · last tested ${esc(when(tested.started))}: ${tested.counts.passed} passed, ${tested.counts.failed} failed` : ''}</p>`,
  );
  const toc: [string, string][] = [
    ['goals', 'Goals'],
    ['diagram', 'Diagram'],
    ['nodes', 'Nodes'],
    ['build', 'Build it by hand'],
    ['exercises', 'Exercises'],
    ...(d.traces.length ? ([['walks', 'Packet walks']] as [string, string][]) : []),
    ['results', 'Results'],
  ];
  out.push(`<nav>${toc.map(([id, t]) => `<a href="#${id}">${t}</a>`).join('')}</nav>`);
  out.push('</header>');
  return out;
}

/** The learning goals, the introduction and the lab file's own sections. */
function goalsHtml(d: HandoutDoc): string[] {
  const out: string[] = [];
  out.push('<section id="goals"><h2>Learning goals</h2>');
  if (d.spec.goals.length) out.push(`<ol class="goals">${d.spec.goals.map((g) => `<li>${inline(g)}</li>`).join('')}</ol>`);
  else out.push('<p class="meta">This lab file has no <code>handout.goals</code> yet.</p>');
  out.push('</section>');
  if (d.spec.intro) out.push(`<section id="intro"><h2>Introduction</h2>${markdown(d.spec.intro)}</section>`);
  d.spec.sections.forEach((s, i) => out.push(`<section id="section-${i + 1}"><h2>${inline(s.title)}</h2>${markdown(s.text)}</section>`));
  return out;
}

/** The diagram as inline SVG, or its Mermaid text where no picture could be drawn. */
function diagramHtml(d: HandoutDoc): string[] {
  const out: string[] = [];
  out.push('<section id="diagram"><h2>The network</h2>');
  if (d.svg) out.push(`<figure class="diagram">${d.svg}</figure>`);
  else {
    out.push(`<p class="missing">No picture: ${esc(d.svgMissing ?? 'the diagram could not be drawn')}. Its Mermaid text follows.</p>`);
    out.push(`<pre class="code"><code>${esc(d.mermaid)}</code></pre>`);
  }
  out.push('</section>');
  return out;
}

/** A card per node (its settings, interfaces and notes), then the bridges. */
function nodesHtml(d: HandoutDoc): string[] {
  const out: string[] = [];
  out.push('<section id="nodes"><h2>Nodes</h2>');
  out.push('<div class="nodes">');
  for (const n of d.nodes) {
    out.push(`<div class="node" id="node-${esc(n.name)}"><h3>${esc(n.name)}<span class="kind">${esc(n.kind)}</span></h3>`);
    out.push(`<table>${n.rows.map(([k, v]) => `<tr><td class="k">${esc(k)}</td><td class="pre mono">${esc(v)}</td></tr>`).join('')}</table>`);
    if (n.interfaces.length) {
      out.push('<table><tr><th>interface</th><th>addresses</th><th>connects to</th><th>details</th></tr>');
      for (const i of n.interfaces) out.push(`<tr><td class="mono">${esc(i.name)}</td><td class="mono">${esc(i.addresses)}</td><td>${esc(i.to)}</td><td>${esc(i.details)}</td></tr>`);
      out.push('</table>');
    }
    out.push(notesHtml(n.notes));
    out.push('</div>');
  }
  out.push('</div>');
  if (d.bridges.length) {
    out.push('<h3>Bridges</h3><table><tr><th>bridge</th><th>lives in</th><th>addresses</th><th>ports</th></tr>');
    for (const b of d.bridges) out.push(`<tr><td class="mono">${esc(b.name)}</td><td>${esc(b.where)}</td><td class="mono">${esc(b.addresses)}</td><td class="mono">${esc(b.ports)}</td></tr>`);
    out.push('</table>');
  }
  out.push('</section>');
  return out;
}

/** The commands `lab up` runs, phase by phase, with their notes. */
function buildHtml(d: HandoutDoc): string[] {
  const out: string[] = [];
  out.push('<section id="build"><h2>Build it by hand</h2>');
  out.push(
    `<p>These are the commands <code>lab up</code> runs, phase by phase (<code>lab plan ${esc(d.file)}</code> prints them as one script). Run them as root, in order; the blocks of one phase do not depend on each other. Lines starting with <code>#</code> name the lab-file line behind the commands under them. <code>lab down ${esc(d.lab.name)}</code> removes everything again.</p>`,
  );
  d.phases.forEach((p, i) => {
    out.push(`<div class="phase" id="phase-${p.phase}"><h3><span class="phase-n">${i + 1}. ${esc(p.phase)}</span> — ${inline(p.title)}</h3>`);
    out.push(notesHtml(p.notes));
    for (const b of p.blocks) out.push(blockHtml(b));
    out.push('</div>');
  });
  if (d.strayNotes.length) {
    out.push('<h3>Notes on steps this plan does not have</h3><p class="meta">These steps appear only on some machines (for example, link loss is done by netem where the kernel has it).</p>');
    out.push(notesHtml(d.strayNotes));
  }
  out.push('</section>');
  return out;
}

/** The exercises (one per test of the lab) and the lab file's own ones. */
function exercisesHtml(d: HandoutDoc): string[] {
  const out: string[] = [];
  out.push('<section id="exercises"><h2>Exercises</h2>');
  out.push(`<p>Bring the lab up first (<code>lab up ${esc(d.file)}</code>, as root). Each exercise is one of the lab's tests: type the commands yourself and compare what you see with what the test expects. <code>lab test ${esc(d.lab.name)}</code> runs them all.</p>`);
  for (const e of d.exercises) out.push(exerciseHtml(e));
  if (d.spec.exercises) out.push(`<h3>More to try</h3>${markdown(d.spec.exercises)}`);
  out.push('</section>');
  return out;
}

/** One packet walk: its text, the command, the diagram (inline SVG, the Mermaid text folded under it) and the table. */
function walkHtml(t: TraceDoc): string {
  const out: string[] = [`<div class="walkbox" id="walk-${t.n}">`, `<h3>${t.n}. ${esc(t.title)}</h3>`];
  if (t.trace.text) out.push(markdown(t.trace.text));
  out.push('<p class="try"><span class="label">Trace it</span> (with the lab up, as root):</p>', `<pre><code>${esc(t.command)}</code></pre>`);
  out.push(`<p class="expect"><span class="label">Expect:</span> ${inline(walkExpect(t))}</p>`);
  if (!t.walk) {
    out.push(`<p class="missing">The model could not predict this walk: ${esc(t.missing ?? 'unknown reason')}.</p>`, '</div>');
    return out.join('\n');
  }
  out.push("<p class=\"meta\">The model's prediction:</p>", sequenceSvg(walkSequence(t.walk), t.title, String(t.n)));
  out.push(`<details><summary class="meta">Mermaid text</summary><pre class="code"><code>${esc(t.mermaid ?? '')}</code></pre></details>`);
  out.push(`<table><tr>${WALK_COLUMNS.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`);
  for (const r of t.rows) out.push(`<tr>${[r.n, r.hop, r.in, r.out, r.route, r.nat, r.rules].map((v, i) => `<td class="${i >= 4 ? 'pre mono' : 'mono'}">${esc(v)}</td>`).join('')}</tr>`);
  out.push('</table>');
  if (t.walk.notes.length) out.push(`<ul class="meta">${t.walk.notes.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>`);
  out.push('</div>');
  return out.join('\n');
}

function walksHtml(d: HandoutDoc): string[] {
  if (!d.traces.length) return [];
  return [
    '<section id="walks"><h2>Packet walks</h2>',
    '<p>Where a packet goes, hop by hop: the interfaces it enters and leaves, the route that sends it on, NAT, tunnels, and the rules that decide. Each walk is shown as the model predicts it; the command beside it walks a real probe through the running lab, and a test checks that the two agree.</p>',
    ...d.traces.map(walkHtml),
    '</section>',
  ];
}

export function handoutHtml(d: HandoutDoc): string {
  const body: string[] = [
    ...headerHtml(d),
    ...goalsHtml(d),
    ...diagramHtml(d),
    ...nodesHtml(d),
    ...buildHtml(d),
    ...exercisesHtml(d),
    ...walksHtml(d),
    '<section id="results"><h2>Latest results</h2>',
    resultsHtml(d),
    '</section>',
    `<footer>Made by <code>lab handout</code> (nslab) from <code>${esc(d.file)}</code>. This file is complete in itself: it needs no network, fonts or scripts.</footer>`,
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(d.title)} — nslab handout</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body><main>',
    body.join('\n'),
    '</main></body>',
    '</html>',
    '',
  ].join('\n');
}

function notesHtml(notes: readonly NumberedNote[]): string {
  return notes.map((x) => `<div class="note"><span class="tag">✎ ${x.n}</span>${noteTarget(x)}${markdown(x.note.text)}</div>`).join('\n');
}

function noteTarget(x: NumberedNote): string {
  const t = [x.note.step && `step <code>${esc(x.note.step)}</code>`, x.note.node && `node ${esc(x.note.node)}`, x.note.test && `test “${esc(x.note.test)}”`].filter(Boolean);
  return t.length ? `<span class="src">${t.join(' · ')}</span>` : '';
}

function codeLines(lines: readonly CodeLine[]): string {
  return lines
    .map((l) => {
      const comment = /^\s*#/.test(l.text);
      const cls = ['l', ...(comment ? ['c'] : []), ...(l.notes.length ? ['noted'] : [])].join(' ');
      const mark = l.notes.length ? ` data-note="◀ ✎ ${l.notes.join(', ')}"` : '';
      return `<span class="${cls}"${mark}>${esc(l.text)}</span>`;
    })
    .join('\n');
}

function blockHtml(b: Block): string {
  const commented = b.lines.some((l) => /^\s*#/.test(l.text));
  const src = b.sources.length && !commented ? ` <span class="src">from ${esc(b.sources.slice(0, 6).join(', '))}${b.sources.length > 6 ? ', …' : ''}</span>` : '';
  const notes = b.planNotes.length ? ` — ${esc(b.planNotes.join('; '))}` : '';
  return `<figure class="block"><figcaption><b>${esc(b.caption)}</b>${notes}${src}</figcaption><pre><code>${codeLines(b.lines)}</code></pre>${notesHtml(b.notes)}</figure>`;
}

function exerciseHtml(e: ExerciseDoc): string {
  const out: string[] = [`<div class="ex${e.action ? ' action' : ''}" id="exercise-${e.n}">`];
  out.push(`<h3>${e.n}. ${esc(e.test.name)}</h3>`);
  out.push(`<p class="try"><span class="label">${e.action ? 'Do this:' : 'Try this:'}</span> ${inline(e.doThis)}</p>`);
  if (e.commands.length) {
    const lines: CodeLine[] = e.commands.flatMap((c) => [...(c.label ? [{ text: `# ${c.label}`, notes: [] }] : []), { text: c.text, notes: [] }]);
    out.push(`<pre><code>${codeLines(lines)}</code></pre>`);
  }
  out.push(`<p class="expect"><span class="label">${e.action ? 'Then:' : 'Expect:'}</span> ${esc(e.expect)}</p>`);
  if (e.hint) out.push(`<p class="hint">${esc(e.hint)}.</p>`);
  if (e.within) out.push(`<p class="within">${inline(e.within)}</p>`);
  out.push(notesHtml(e.notes));
  if (e.result) {
    out.push(
      `<p class="last"><span class="badge ${resultWord(e.result).cls}">${resultWord(e.result).word}</span> last run (${esc(formatMs(e.result.durationMs))}${e.result.attempts > 1 ? `, ${e.result.attempts} attempts` : ''}${typeof e.result.convergeMs === 'number' ? `, converged in ${esc(formatMs(e.result.convergeMs))}` : ''}): ${esc(e.result.seen)}</p>`,
    );
  }
  out.push(`<p class="src">lab file line ${e.test.pos.line}</p>`);
  out.push('</div>');
  return out.join('\n');
}

function resultsHtml(d: HandoutDoc): string {
  if (d.results.state === 'none') {
    return `<p>This lab has not been tested on the machine that made this handout. After <code>lab test ${esc(d.lab.name)}</code> (or <code>lab up --test</code>), the results are kept in <code>/var/lib/nslab/results/${esc(d.lab.name)}.json</code> and the next handout shows them here.</p>`;
  }
  if (d.results.state === 'unreadable') return `<p class="missing">The saved results in <code>${esc(d.results.path)}</code> could not be read: ${esc(d.results.message)}</p>`;
  const r = d.results.results;
  const out: string[] = [];
  out.push(
    `<p class="summary"><span class="badge ${r.counts.failed ? 'fail' : 'ok'}">${r.counts.failed ? '✘' : '✔'} ${r.counts.passed} passed, ${r.counts.failed} failed</span> on ${esc(when(r.started))}, in ${esc(formatMs(r.durationMs))}.</p>`,
  );
  if (d.droppedResults) out.push(`<p class="meta">${droppedText(d.droppedResults)}</p>`);
  if (d.bars.length) out.push(throughputChart(d.bars));
  if (d.bars.length) out.push('<p class="meta">Bars: the median throughput of each iperf3 test. Dashed lines: the thresholds it was judged against.</p>');
  out.push('<table><tr><th>#</th><th>test</th><th>result</th><th>seen</th><th>time</th></tr>');
  r.tests.forEach((t, i) => {
    out.push(`<tr><td>${i + 1}</td><td>${esc(t.name)}</td><td class="${resultWord(t).cls}">${resultWord(t).word}</td><td>${esc(t.seen)}</td><td>${esc(formatMs(t.durationMs))}</td></tr>`);
  });
  out.push('</table>');
  return out.join('\n');
}

/** An ISO time as "2025-01-31 14:05 UTC". */
export function when(iso: string): string {
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : `${t.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
