/** A horizontal bar chart of throughput measurements, as inline SVG (no script, no font, no outside reference). */
import { formatRate } from '../util/units.ts';
import { escapeHtml } from './markdown.ts';

export interface Bar {
  readonly label: string;
  /** Measured bits/s. */
  readonly bps: number;
  readonly ok: boolean;
  /** The thresholds the test judged against, bits/s. */
  readonly minBps?: number;
  readonly maxBps?: number;
}

const WIDTH = 760;
const ROW = 34;
const BAR = 20;
const LABEL_W = 250;
const VALUE_W = 110;
const CHAR_W = 6.6; // an estimate for 12px sans-serif, to shorten long labels

function clip(s: string, px: number): string {
  const max = Math.floor(px / CHAR_W);
  return s.length > max ? `${s.slice(0, Math.max(1, max - 1))}…` : s;
}

/** A tick of the axis: the number in the unit of the scale's end, the unit only on the last tick. */
function tick(bps: number, max: number, last: boolean): string {
  const [div, unit] = max >= 1e9 ? [1e9, 'Gbit/s'] : max >= 1e6 ? [1e6, 'Mbit/s'] : max >= 1e3 ? [1e3, 'kbit/s'] : [1, 'bit/s'];
  const n = String(Number((bps / div).toFixed(2)));
  return last ? `${n} ${unit}` : n;
}

/** A scale end: a round number of bits/s at or above the largest value. */
function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Values spanning more than this factor (largest / smallest) get a logarithmic axis: small bars stay readable. */
export const LOG_SPAN = 20;

interface Scale {
  readonly log: boolean;
  /** Where a rate falls on the axis, 0–1. */
  readonly at: (bps: number) => number;
  readonly ticks: readonly { readonly bps: number; readonly text: string }[];
}

/** Linear from 0 to a round number, or, when the values span orders of magnitude, one tick per decade. */
export function chartScale(values: readonly number[]): Scale {
  const positive = values.filter((v) => v > 0);
  const hiV = Math.max(0, ...positive);
  const loV = positive.length ? Math.min(...positive) : 0;
  if (loV > 0 && hiV / loV > LOG_SPAN) {
    const lo = Math.floor(Math.log10(loV));
    const hi = Math.max(lo + 1, Math.ceil(Math.log10(hiV)));
    const ticks = Array.from({ length: hi - lo + 1 }, (_, k) => ({ bps: 10 ** (lo + k), text: formatRate(10 ** (lo + k)).replace(/\.0+ /, ' ').replace(/\.00 /, ' ') }));
    return { log: true, at: (bps) => (bps > 0 ? Math.max(0, (Math.log10(bps) - lo) / (hi - lo)) : 0), ticks };
  }
  const max = niceMax(hiV);
  const ticks = [0, 1, 2, 3, 4].map((k) => ({ bps: (max * k) / 4, text: tick((max * k) / 4, max, k === 4) }));
  return { log: false, at: (bps) => bps / max, ticks };
}

export function throughputChart(bars: readonly Bar[], title = 'iperf3 throughput (median of the runs)'): string {
  const top = 30;
  const axis = 22;
  const height = top + bars.length * ROW + axis + 8;
  const plotX = LABEL_W + 10;
  const plotW = WIDTH - plotX - VALUE_W;
  const scale = chartScale(bars.flatMap((b) => [b.bps, b.minBps ?? 0, b.maxBps ?? 0]));
  if (scale.log) title = `${title} — log scale`;
  const x = (bps: number): number => plotX + plotW * scale.at(bps);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<text x="0" y="16" class="chart-title">${escapeHtml(title)}</text>`,
  ];
  // grid: 0, ¼, ½, ¾, 1 of a linear scale, or every power of ten of a log scale
  for (const t of scale.ticks) {
    const gx = x(t.bps);
    out.push(`<line x1="${gx.toFixed(1)}" y1="${top - 4}" x2="${gx.toFixed(1)}" y2="${top + bars.length * ROW}" class="grid"/>`);
    out.push(`<text x="${gx.toFixed(1)}" y="${top + bars.length * ROW + 16}" class="tick" text-anchor="middle">${escapeHtml(t.text)}</text>`);
  }
  bars.forEach((b, i) => {
    const y = top + i * ROW + (ROW - BAR) / 2;
    const w = Math.max(1, x(b.bps) - plotX);
    out.push(`<g><title>${escapeHtml(`${b.label}: ${formatRate(b.bps)}${b.minBps !== undefined ? `, at least ${formatRate(b.minBps)}` : ''}${b.maxBps !== undefined ? `, at most ${formatRate(b.maxBps)}` : ''} — ${b.ok ? 'passed' : 'failed'}`)}</title>`);
    out.push(`<text x="${LABEL_W}" y="${(y + BAR / 2 + 4).toFixed(1)}" class="bar-label" text-anchor="end">${escapeHtml(clip(b.label, LABEL_W))}</text>`);
    out.push(`<rect x="${plotX}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${BAR}" rx="2" class="${b.ok ? 'bar-ok' : 'bar-fail'}"/>`);
    for (const [t, cls] of [
      [b.minBps, 'min'],
      [b.maxBps, 'max'],
    ] as const) {
      if (t === undefined) continue;
      const tx = x(t).toFixed(1);
      out.push(`<line x1="${tx}" y1="${(y - 4).toFixed(1)}" x2="${tx}" y2="${(y + BAR + 4).toFixed(1)}" class="threshold ${cls}"/>`);
    }
    out.push(`<text x="${(x(b.bps) + 6).toFixed(1)}" y="${(y + BAR / 2 + 4).toFixed(1)}" class="value">${escapeHtml(formatRate(b.bps))}</text></g>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/** The same chart as text, for Markdown. */
export function throughputText(bars: readonly Bar[], width = 40): string {
  const max = Math.max(...bars.flatMap((b) => [b.bps, b.minBps ?? 0]));
  const labelW = Math.min(40, Math.max(...bars.map((b) => b.label.length)));
  return bars
    .map((b) => {
      const n = max > 0 ? Math.max(1, Math.round((width * b.bps) / max)) : 1;
      const min = b.minBps !== undefined ? `  (min ${formatRate(b.minBps)})` : '';
      const label = b.label.length > labelW ? `${b.label.slice(0, labelW - 1)}…` : b.label.padEnd(labelW);
      return `${label}  ${'█'.repeat(n)}${' '.repeat(width - n)}  ${formatRate(b.bps)}${min} ${b.ok ? '✔' : '✘'}`;
    })
    .join('\n');
}
