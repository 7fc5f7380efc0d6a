/** The handout as Markdown: the same content as the HTML, with the diagram as a ```mermaid block. */
import { formatMs } from '../util/units.ts';
import { resultWord } from './results.ts';
import { droppedText, type Block, type ExerciseDoc, type HandoutDoc, type NumberedNote } from './build.ts';
import { throughputText } from './chart.ts';
import { when } from './html.ts';
import { walkExpect, type TraceDoc } from './traces.ts';
import { WALK_COLUMNS } from './trace-table.ts';

/** A fence longer than any run of backticks in the text. */
function fence(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${text.replace(/\n$/, '')}\n${f}`;
}

/** Text for a table cell: no line breaks, no bare pipes. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, '<br>');
}

/** One blockquote per note, with a blank line between them (else Markdown joins them into one). */
function notesMd(notes: readonly NumberedNote[]): string[] {
  return notes.flatMap((x, i) => {
    const target = [x.note.step && `step \`${x.note.step}\``, x.note.node && `node ${x.note.node}`, x.note.test && `test “${x.note.test}”`].filter(Boolean).join(' · ');
    const text = x.note.text.trim().split('\n');
    return [...(i ? [''] : []), [`> **✎ ${x.n}**${target ? ` (${target})` : ''}: ${text[0]}`, ...text.slice(1).map((l) => `> ${l}`)].join('\n')];
  });
}

function blockMd(b: Block): string[] {
  const commented = b.lines.some((l) => /^\s*#/.test(l.text));
  const src = b.sources.length && !commented ? ` — from ${b.sources.slice(0, 6).join(', ')}${b.sources.length > 6 ? ', …' : ''}` : '';
  const plan = b.planNotes.length ? ` — ${b.planNotes.join('; ')}` : '';
  const marked = b.lines.filter((l) => l.notes.length).map((l) => l.notes.join(', '));
  const out = [`*${b.caption}*${plan}${src}`, '', fence(b.lines.map((l) => l.text).join('\n'), 'sh')];
  if (marked.length) out.push('', ...notesMd(b.notes));
  return out;
}

function exerciseMd(e: ExerciseDoc): string[] {
  const out = [`### ${e.n}. ${e.test.name}`, '', `**${e.action ? 'Do this' : 'Try this'}:** ${e.doThis}`, ''];
  if (e.commands.length) out.push(fence(e.commands.flatMap((c) => [...(c.label ? [`# ${c.label}`] : []), c.text]).join('\n'), 'sh'), '');
  out.push(`**${e.action ? 'Then' : 'Expect'}:** ${e.expect}`, '');
  if (e.hint) out.push(`*${e.hint}.*`, '');
  if (e.within) out.push(`*${e.within}*`, '');
  if (e.notes.length) out.push(...notesMd(e.notes), '');
  if (e.result) out.push(`Last run: ${resultWord(e.result).word} (${formatMs(e.result.durationMs)}${typeof e.result.convergeMs === 'number' ? `, converged in ${formatMs(e.result.convergeMs)}` : ''}): ${e.result.seen}`, '');
  return out;
}

function walkMd(t: TraceDoc): string[] {
  const out = [`### ${t.n}. ${t.title}`, ''];
  if (t.trace.text) out.push(t.trace.text.trim(), '');
  out.push('**Trace it** (with the lab up, as root):', '', fence(t.command, 'sh'), '', `**Expect:** ${walkExpect(t)}`, '');
  if (!t.walk) {
    out.push(`*The model could not predict this walk: ${t.missing ?? 'unknown reason'}.*`, '');
    return out;
  }
  out.push("The model's prediction:", '', fence(t.mermaid!.trimEnd(), 'mermaid'), '');
  out.push(`| ${WALK_COLUMNS.join(' | ')} |`, `|${WALK_COLUMNS.map(() => '---').join('|')}|`);
  for (const r of t.rows) out.push(`| ${[r.n, r.hop, r.in, r.out, r.route, r.nat, r.rules].map(cell).join(' | ')} |`);
  out.push('');
  if (t.walk.notes.length) out.push(...t.walk.notes.map((x) => `- ${x}`), '');
  return out;
}

export function handoutMarkdown(d: HandoutDoc): string {
  const lab = d.lab;
  const out: string[] = [`# ${d.title}`, ''];
  if (d.description) out.push(d.description, '');
  out.push(`*nslab lab \`${lab.name}\` · lab file \`${d.file}\` · ${lab.nodes.length} node(s), ${lab.bridges.length} bridge(s), ${lab.links.length} link(s), ${lab.tests.length} test(s)*`, '');

  out.push('## Learning goals', '');
  if (d.spec.goals.length) out.push(...d.spec.goals.map((g, i) => `${i + 1}. ${g}`), '');
  else out.push('*This lab file has no `handout.goals` yet.*', '');
  if (d.spec.intro) out.push('## Introduction', '', d.spec.intro.trim(), '');
  for (const s of d.spec.sections) out.push(`## ${s.title}`, '', s.text.trim(), '');

  out.push('## The network', '', fence(d.mermaid.trimEnd(), 'mermaid'), '');

  out.push('## Nodes', '');
  for (const n of d.nodes) {
    out.push(`### ${n.name} (${n.kind})`, '', '| | |', '|---|---|', ...n.rows.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`), '');
    if (n.interfaces.length) {
      out.push('| interface | addresses | connects to | details |', '|---|---|---|---|', ...n.interfaces.map((i) => `| ${cell(i.name)} | ${cell(i.addresses)} | ${cell(i.to)} | ${cell(i.details)} |`), '');
    }
    if (n.notes.length) out.push(...notesMd(n.notes), '');
  }
  if (d.bridges.length) {
    out.push('### Bridges', '', '| bridge | lives in | addresses | ports |', '|---|---|---|---|', ...d.bridges.map((b) => `| ${cell(b.name)} | ${cell(b.where)} | ${cell(b.addresses)} | ${cell(b.ports)} |`), '');
  }

  out.push('## Build it by hand', '');
  out.push(`These are the commands \`lab up\` runs, phase by phase (\`lab plan ${d.file}\` prints them as one script). Run them as root, in order. \`lab down ${lab.name}\` removes everything again.`, '');
  d.phases.forEach((p, i) => {
    out.push(`### ${i + 1}. ${p.phase} — ${p.title}`, '');
    if (p.notes.length) out.push(...notesMd(p.notes), '');
    for (const b of p.blocks) out.push(...blockMd(b), '');
  });
  if (d.strayNotes.length) out.push('### Notes on steps this plan does not have', '', ...notesMd(d.strayNotes), '');

  out.push('## Exercises', '', `Bring the lab up first (\`lab up ${d.file}\`, as root). Each exercise is one of the lab's tests; \`lab test ${lab.name}\` runs them all.`, '');
  for (const e of d.exercises) out.push(...exerciseMd(e));
  if (d.spec.exercises) out.push('### More to try', '', d.spec.exercises.trim(), '');

  if (d.traces.length) {
    out.push('## Packet walks', '', 'Where a packet goes, hop by hop: the interfaces it enters and leaves, the route that sends it on, NAT, tunnels, and the rules that decide. Each walk is shown as the model predicts it; the command beside it walks a real probe through the running lab, and a test checks that the two agree.', '');
    for (const t of d.traces) out.push(...walkMd(t));
  }

  out.push('## Latest results', '');
  if (d.results.state === 'none') out.push(`Not tested yet on the machine that made this handout. \`lab test ${lab.name}\` saves its results in \`/var/lib/nslab/results/${lab.name}.json\`.`, '');
  else if (d.results.state === 'unreadable') out.push(`The saved results in \`${d.results.path}\` could not be read: ${d.results.message}`, '');
  else {
    const r = d.results.results;
    out.push(`${r.counts.failed ? '✘' : '✔'} ${r.counts.passed} passed, ${r.counts.failed} failed on ${when(r.started)}, in ${formatMs(r.durationMs)}.`, '');
    if (d.droppedResults) out.push(droppedText(d.droppedResults), '');
    if (d.bars.length) out.push('iperf3 throughput (median of the runs):', '', fence(throughputText(d.bars)), '');
    out.push('| # | test | result | seen | time |', '|---|---|---|---|---|', ...r.tests.map((t, i) => `| ${i + 1} | ${cell(t.name)} | ${resultWord(t).word} | ${cell(t.seen)} | ${formatMs(t.durationMs)} |`), '');
  }
  out.push('---', '', `*Made by \`lab handout\` (nslab) from \`${d.file}\`.*`, '');
  return out.join('\n');
}
