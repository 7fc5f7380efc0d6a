/**
 * A packet walk's sequence diagram drawn as inline SVG, for the HTML handout (which runs no script, so it cannot
 * render Mermaid): a column per participant, a row per event — an arrow with its label, or a note over a column.
 * The same diagram as walkToMermaid's text. Pure.
 */
import { escapeHtml as esc } from './markdown.ts';
import type { Sequence } from './trace-mermaid.ts';

const COL = 260;
const TOP = 44;
const ROW = 50;
const MARGIN = 20;

/** A label cut to what fits between two columns (about 7 px a character at 11 px). */
function fit(s: string, width: number): string {
  const most = Math.max(8, Math.floor(width / 6.2));
  return s.length > most ? `${s.slice(0, most - 1)}…` : s;
}

/** @param id distinguishes this diagram's arrow marker from those of the other diagrams of the page */
export function sequenceSvg(seq: Sequence, title: string, id: string): string {
  const x = new Map(seq.participants.map((p, i) => [p.at, MARGIN + COL / 2 + i * COL]));
  const width = Math.max(COL * seq.participants.length + 2 * MARGIN, 360);
  const height = TOP + ROW * (seq.events.length + 1);
  const out: string[] = [];
  out.push(`<svg class="walk" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">`);
  out.push(`<defs><marker id="arrow-${id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1d2430"/></marker></defs>`);
  for (const p of seq.participants) {
    const cx = x.get(p.at)!;
    out.push(`<line class="life" x1="${cx}" y1="${TOP - 6}" x2="${cx}" y2="${height - 8}"/>`);
    out.push(`<rect class="who" x="${cx - COL / 2 + 8}" y="6" width="${COL - 16}" height="28" rx="5"/>`);
    out.push(`<text class="who" x="${cx}" y="25" text-anchor="middle">${esc(fit(p.label, COL - 20))}</text>`);
  }
  seq.events.forEach((e, i) => {
    const y = TOP + ROW * (i + 1) - 8;
    if (e.kind === 'note') {
      const cx = x.get(e.at)!;
      const w = Math.min(width - 2 * 4, Math.max(COL - 10, e.text.length * 6.4 + 16));
      const left = Math.max(4, Math.min(cx - w / 2, width - w - 4));
      out.push(`<rect class="${e.bad ? 'note bad' : 'note'}" x="${left}" y="${y - 16}" width="${w}" height="22" rx="3"/>`);
      out.push(`<text x="${left + w / 2}" y="${y - 1}" text-anchor="middle"><title>${esc(e.text)}</title>${esc(fit(e.text, w - 8))}</text>`);
      return;
    }
    const x1 = x.get(e.from)!;
    const x2 = x.get(e.to)!;
    const cls = e.reply ? 'msg reply' : 'msg';
    const tip = `<title>${esc(`${e.label} (${e.via})`)}</title>`;
    if (x1 === x2) {
      out.push(`<path class="${cls}" d="M${x1},${y - 6} h30 v10 h-30" fill="none" marker-end="url(#arrow-${id})"/>`);
      out.push(`<text x="${x1 + 36}" y="${y - 4}">${tip}${esc(fit(e.label, COL * 2))}</text><text class="via" x="${x1 + 36}" y="${y + 8}">${esc(fit(e.via, COL * 2))}</text>`);
      return;
    }
    out.push(`<line class="${cls}" x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" marker-end="url(#arrow-${id})"/>`);
    const room = Math.max(Math.abs(x2 - x1), COL) - 6;
    out.push(`<text x="${(x1 + x2) / 2}" y="${y - 17}" text-anchor="middle">${tip}${esc(fit(e.label, room))}</text>`);
    out.push(`<text class="via" x="${(x1 + x2) / 2}" y="${y - 5}" text-anchor="middle">${esc(fit(e.via, room))}</text>`);
  });
  out.push('</svg>');
  return out.join('');
}
