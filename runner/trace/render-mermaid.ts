/**
 * A packet walk as a Mermaid sequence diagram (`lab trace --format mermaid`, handouts): the hops are the
 * participants, the packet the messages (the reply dashed), NAT and tunnels notes over the hop that did them, the
 * end a note. And the same walk as a table (rows of plain text cells) that Markdown and HTML both lay out. Pure.
 */
import type { Hop, TraceReport, Walk, WalkDirection } from '../model/trace.ts';
import { decidingRules, flowText, ifacesText, natText, packetText, routeText, ruleText, tunnelText, verdictText } from './render-parts.ts';

/** Text Mermaid shows as it is: `;` and `#` are its own, line breaks end a statement. */
const esc = (s: string): string => s.replace(/[#;]/g, (c) => `#${c.charCodeAt(0)};`).replace(/[\r\n]+/g, ' ');

/** The participants: every hop's `at`, in the order the packet meets them (forward, then any the reply adds). */
function participants(w: Walk): string[] {
  const seen: string[] = [w.flow.from];
  for (const h of [...w.forward.hops, ...(w.reply?.hops ?? [])]) if (!seen.includes(h.at)) seen.push(h.at);
  return seen;
}

function directionStatements(d: WalkDirection, id: (at: string) => string, proto: string, arrow: string): string[] {
  const out: string[] = [];
  const notes = (h: Hop): void => {
    for (const n of h.nat) out.push(`  Note over ${id(h.at)}: ${esc(natText({ ...n, object: undefined }))}`);
    if (h.encap) out.push(`  Note over ${id(h.at)}: ${esc(tunnelText('encap', h.encap))}`);
    if (h.decap) out.push(`  Note over ${id(h.at)}: ${esc(tunnelText('decap', h.decap))}`);
  };
  d.hops.forEach((h, i) => {
    if (i === 0) notes(h);
    const next = d.hops[i + 1];
    if (!next) return;
    const p = next.packet ?? h.packet;
    const label = [ifacesText({ ...h, in: undefined, inPort: undefined }).replace(/^out /, ''), p ? packetText(p, proto) : proto].filter(Boolean).join(': ');
    out.push(`  ${id(h.at)}${arrow}${id(next.at)}: ${esc(label)}`);
    notes(next);
  });
  const v = d.verdict;
  out.push(`  Note over ${id(v.at)}: ${esc(verdictText(v))}`);
  return out;
}

/** The walk as a Mermaid `sequenceDiagram` (text without a fence). */
export function walkToMermaid(w: Walk): string {
  const names = participants(w);
  const id = (at: string): string => `p${Math.max(0, names.indexOf(at))}`;
  const lines = ['sequenceDiagram', `  title ${esc(flowText(w.flow, w.forward.hops[0]?.packet?.src ?? w.flow.src))}`];
  names.forEach((n, i) => lines.push(`  participant p${i} as ${esc(n)}`));
  if (!w.forward.hops.length) lines.push(`  Note over ${id(w.flow.from)}: ${esc(verdictText(w.forward.verdict))}`);
  else lines.push(...directionStatements(w.forward, id, w.flow.proto, '->>'));
  if (w.reply) lines.push(...directionStatements(w.reply, id, w.flow.proto, '-->>'));
  return `${lines.join('\n')}\n`;
}

/** The report's diagram: the kernel's walk when there is one, else the model's. */
export function reportToMermaid(r: TraceReport): string {
  const w = r.kernel ?? r.predicted;
  return w ? walkToMermaid(w) : `sequenceDiagram\n  participant p0 as ${esc(r.flow.from)}\n  Note over p0: nothing traced\n`;
}

export interface WalkTable {
  readonly columns: readonly string[];
  /** One row per hop, forward then reply; cells are plain text (the caller escapes them for Markdown or HTML). */
  readonly rows: readonly (readonly string[])[];
  /** How each direction ended: `forward: delivered to b1 on 10.2.0.2`. */
  readonly ends: readonly string[];
}

const WALK_COLUMNS = ['#', 'hop', 'in', 'out', 'route', 'NAT / tunnel', 'rules that decided'] as const;

function rowsOf(d: WalkDirection, mark: string): string[][] {
  return d.hops.map((h, i) => [
    `${mark}${i + 1}`,
    h.type === 'bridge' ? `${h.at} (bridge)` : h.at,
    h.in ? (h.inPort ? `${h.in} (${h.inPort})` : h.in) : '',
    h.out ? (h.outPort ? `${h.out} (${h.outPort})` : h.out) : '',
    h.route ? routeText(h.route) : '',
    [...h.nat.map(natText), ...(h.encap ? [tunnelText('encap', h.encap)] : []), ...(h.decap ? [tunnelText('decap', h.decap)] : [])].join('; '),
    decidingRules(h).map(ruleText).join('; '),
  ]);
}

/** The walk as a table: hop, in, out, the route, NAT and tunnels, the rules that decided. */
export function walkTable(w: Walk): WalkTable {
  const rows = [...rowsOf(w.forward, '→'), ...(w.reply ? rowsOf(w.reply, '←') : [])];
  const ends = [`forward: ${verdictText(w.forward.verdict)}`, ...(w.reply ? [`reply: ${verdictText(w.reply.verdict)}`] : [])];
  return { columns: WALK_COLUMNS, rows, ends };
}
