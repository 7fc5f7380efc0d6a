/**
 * `lab trace`'s human report (issue 12): the flow in one line, then per direction a numbered hop list (where, in →
 * out, the route that matched, the rules hit, NAT, encap/decap) and how it ended; then the model's prediction and
 * a "≠" line wherever it parts from the kernel's walk. Colour only when asked (on a terminal). Pure.
 */
import type { Hop, TraceReport, Walk, WalkDifference, WalkDirection } from '../model/trace.ts';
import { flowText, ifacesText, natText, objectText, packetText, routeText, ruleText, tunnelText, verdictText } from './render-parts.ts';

export interface TextOptions {
  /** ANSI colours (a terminal). */
  readonly color?: boolean;
  /** Every rule the packet hit (default), or only those that decided (accept, drop, a policy, a lab object's). */
  readonly allRules?: boolean;
  /** End with how long it took (default true; `lab plan` leaves it out, so its text stays the same run to run). */
  readonly timing?: boolean;
}

type Paint = (code: string, s: string) => string;
const painter = (on: boolean | undefined): Paint => (on ? (code, s) => `\u001b[${code}m${s}\u001b[0m` : (_c, s) => s);
const BOLD = '1';
const DIM = '2';
const RED = '31';
const GREEN = '32';
const YELLOW = '33';
const CYAN = '36';

/** One hop: its number, where, in → out and the packet; under it the route, rules, NAT and tunnel lines. */
function hopLines(h: Hop, n: number, width: number, proto: string, paint: Paint, allRules: boolean): string[] {
  const where = h.type === 'bridge' ? `${h.at} (bridge)` : h.at;
  const head = `${String(n).padStart(3)}. ${paint(BOLD, where.padEnd(width))}  ${ifacesText(h)}`;
  const lines = [h.packet ? `${head}${' '.repeat(Math.max(2, 24 - ifacesText(h).length))}${paint(DIM, packetText(h.packet, proto))}` : head];
  const more = (s: string): void => void lines.push(`       ${s}`);
  if (h.decap) more(paint(CYAN, tunnelText('decap', h.decap)));
  if (h.route) more(`route ${routeText(h.route)}`);
  const rules = allRules ? h.rules : h.rules.filter((r) => r.object || !/^(continue|return)$/.test(r.verdict));
  for (const r of rules) more(paint(/drop|reject/.test(r.verdict) ? RED : '', `rule ${ruleText(r)}`));
  for (const x of h.nat) more(paint(CYAN, natText(x)));
  if (h.encap) more(paint(CYAN, tunnelText('encap', h.encap)));
  return lines;
}

function directionLines(title: string, d: WalkDirection, proto: string, paint: Paint, allRules: boolean): string[] {
  const width = Math.min(24, Math.max(4, ...d.hops.map((h) => (h.type === 'bridge' ? h.at.length + 9 : h.at.length))));
  const lines = [`${title}:`];
  d.hops.forEach((h, i) => lines.push(...hopLines(h, i + 1, width, proto, paint, allRules)));
  const v = d.verdict;
  lines.push(`     ${paint(v.kind === 'dropped' ? `${BOLD};${RED}` : `${BOLD};${GREEN}`, verdictText(v))}`);
  return lines;
}

/** The walk, forward and (when there was one) reply, then its notes. */
export function walkLines(w: Walk, label: string, opts: TextOptions = {}): string[] {
  const paint = painter(opts.color);
  const proto = w.flow.proto;
  const all = opts.allRules ?? true;
  const lines = directionLines(`${label}, forward`, w.forward, proto, paint, all);
  if (w.reply) lines.push(...directionLines(`${label}, reply`, w.reply, proto, paint, all));
  else if (w.forward.verdict.kind === 'delivered') lines.push(`${label}, reply: none seen`);
  for (const n of w.notes) lines.push(paint(DIM, `  note: ${n}`));
  return lines;
}

/** The model's second connection behind a sidecar (and the next proxy's, nested): where it starts, what lets it pass, its walk. */
export function proxiedLines(w: Walk, opts: TextOptions = {}): string[] {
  const paint = painter(opts.color);
  const lines: string[] = [];
  for (let p = w.proxied, i = 1; p; p = p.walk.proxied, i++) {
    const what = p.direction === 'outbound' ? `the original destination ${p.original}` : `the app on ${p.original}, from 127.0.0.6`;
    lines.push('', paint(BOLD, `then the proxy (the sidecar of ${p.at}, uid ${p.uid}, listening on ${p.listener}) opens a new connection to ${what}`), paint(DIM, `  passed by ${p.passedBy}${p.object ? `: ${objectText(p.object)}` : ''}`));
    lines.push(...walkLines({ ...p.walk, proxied: undefined }, `model's prediction, connection ${i + 1}`, { ...opts, allRules: false }));
  }
  if (lines.length) lines.push(paint(DIM, "  note: the kernel's probe is the first connection only: the proxy's connection is a new one, without the probe's mark, so only the model shows it"));
  return lines;
}

/** `≠ forward hop 3 (r): out — kernel eth1, model eth2`. */
export function differenceText(d: WalkDifference, kernel?: Walk): string {
  const at = d.hop >= 0 ? (kernel?.[d.direction]?.hops[d.hop]?.at ?? '') : '';
  const where = d.hop < 0 ? `${d.direction} verdict` : `${d.direction} hop ${d.hop + 1}${at ? ` (${at})` : ''}`;
  return `≠ ${where}: ${d.what} — kernel ${d.kernel}, model ${d.model}`;
}

/** The whole report: the flow, the kernel's walk, the model's prediction and where they differ. */
export function renderTraceText(r: TraceReport, opts: TextOptions = {}): string {
  const paint = painter(opts.color);
  const lines = [paint(BOLD, flowText(r.flow, r.kernel?.forward.hops[0]?.packet?.src ?? r.flow.src)), ''];
  if (r.kernel) lines.push(...walkLines(r.kernel, 'kernel', opts), '');
  if (r.predicted && !r.kernel) lines.push(...walkLines(r.predicted, "model's prediction (nothing was sent)", opts), '');
  else if (r.predicted && !r.differences.length) lines.push(paint(GREEN, "model's prediction: the same walk"), ...r.predicted.notes.map((n) => paint(DIM, `  note: ${n}`)), '');
  else if (r.predicted) {
    lines.push(...walkLines(r.predicted, "model's prediction", { ...opts, allRules: false }), '');
    lines.push(paint(`${BOLD};${YELLOW}`, `where the kernel and the model differ (${r.differences.length}):`));
    for (const d of r.differences) lines.push(paint(YELLOW, `  ${differenceText(d, r.kernel)}`));
    lines.push('');
  }
  if (r.predicted?.proxied) lines.push(...proxiedLines(r.predicted, opts).slice(1), '');
  if (opts.timing ?? true) lines.push(paint(DIM, `${r.kernel ? 'traced' : 'predicted'} in ${r.durationMs} ms`));
  return `${lines.join('\n').trimEnd()}\n`;
}
