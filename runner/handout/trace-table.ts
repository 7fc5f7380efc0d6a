/**
 * A packet walk as rows of a table, for the handout's traces (issue 12): per hop where it was, the interfaces (or
 * bridge ports) in and out, the route that decided, NAT and tunnels, and the rules that decided (not every rule the
 * packet passed: those that accepted, dropped or translated it). A minimal twin of runner/trace/render-mermaid.ts
 * `walkTable` (helper "cli"): once both are merged the handout should use that one. Pure.
 */
import type { Hop, RuleHit, Walk, WalkDirection } from '../model/trace.ts';
import { hopDoings, verdictText } from './trace-mermaid.ts';

export const WALK_COLUMNS = ['#', 'hop', 'in', 'out', 'route', 'NAT / tunnel', 'deciding rules'] as const;

export interface WalkRow {
  /** `1`, `2`, … forward; `r1`, `r2`, … the reply; '' for the verdict row. */
  readonly n: string;
  readonly hop: string;
  readonly in: string;
  readonly out: string;
  readonly route: string;
  readonly nat: string;
  readonly rules: string;
}

/**
 * Verdicts that say what happened to the packet. Jumps, returns, `continue` and a chain's policy accept only pass it
 * on (a kernel walk lists dozens of them: kube-proxy's and the policies' jumps in every chain).
 */
const DECIDING = /^(accept|drop|reject|queue|policy drop|dnat|snat|masquerade)/;

function ruleText(r: RuleHit): string {
  const where = `${r.family} ${r.table} ${r.chain}`;
  const what = r.rule ? `: ${r.rule}` : '';
  return `${where}${what} → ${r.verdict}${r.object ? ` (${r.object.name})` : ''}`;
}

/** The rules of a hop that decided something, at most `most` (then "…"). */
export function decidingRules(hop: Hop, most = 4): string[] {
  const rules = hop.rules.filter((r) => DECIDING.test(r.verdict) || /\b(dnat|snat|masquerade)\b/.test(r.rule ?? ''));
  const shown = rules.slice(0, most).map(ruleText);
  return rules.length > most ? [...shown, `… ${rules.length - most} more`] : shown;
}

function routeText(hop: Hop): string {
  const r = hop.route;
  if (!r) return '';
  const parts = [r.type && r.type !== 'unicast' ? r.type : '', r.dst, r.via ? `via ${r.via}` : '', r.dev ? `dev ${r.dev}` : '', r.table !== 'main' ? `table ${r.table}` : '', r.protocol ? `proto ${r.protocol}` : ''];
  return parts.filter(Boolean).join(' ') + (r.object ? ` (${r.object.name})` : '');
}

function directionRows(dir: WalkDirection, prefix: string): WalkRow[] {
  const rows: WalkRow[] = dir.hops.map((h, i) => ({
    n: `${prefix}${i + 1}`,
    hop: h.type === 'bridge' ? `${h.at} (bridge)` : h.at,
    in: h.inPort && h.in ? `${h.in} (port ${h.inPort})` : (h.in ?? ''),
    out: h.outPort && h.out ? `${h.out} (port ${h.outPort})` : (h.out ?? ''),
    route: routeText(h),
    nat: hopDoings(h).join('; '),
    rules: decidingRules(h).join('\n'),
  }));
  const v = dir.verdict;
  // the rule that dropped it, unless the last hop's row shows it already
  const shown = (r: RuleHit): boolean => !!dir.hops.at(-1)?.rules.some((x) => x.chain === r.chain && x.table === r.table && x.rule === r.rule && x.verdict === r.verdict);
  const by = v.kind === 'dropped' && v.rule && !shown(v.rule) ? ruleText(v.rule) : '';
  rows.push({ n: '', hop: v.at, in: '', out: '', route: '', nat: '', rules: [`${v.kind === 'dropped' ? '✘' : '✔'} ${verdictText(v)}`, by].filter(Boolean).join('\n') });
  return rows;
}

/**
 * The forward hops, the verdict, then the reply's hops and its verdict; then, where the walk ended at a sidecar's
 * proxy, the connection the proxy opens (`c2.1`, … its forward hops and verdict; `c3.` the next proxy's).
 */
export function walkTable(walk: Walk): WalkRow[] {
  const rows = [...directionRows(walk.forward, ''), ...(walk.reply ? directionRows(walk.reply, 'r') : [])];
  let i = 2;
  for (let p = walk.proxied; p; p = p.walk.proxied, i++) {
    const to = p.direction === 'outbound' ? `the original destination ${p.original}` : `the app on ${p.original}, from 127.0.0.6`;
    rows.push({ n: `c${i}`, hop: p.at, in: '', out: '', route: '', nat: '', rules: `then the proxy (uid ${p.uid}, on ${p.listener}) opens a new connection to ${to}; ${p.passedBy} lets it pass` });
    rows.push(...directionRows(p.walk.forward, `c${i}.`));
  }
  return rows;
}
