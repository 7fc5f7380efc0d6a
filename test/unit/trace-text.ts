/** A packet walk as compact text, one line a hop: what the golden predicted walks (trace-predict.test.ts) hold. */
import type { Hop, TraceFlow, TunnelStep, Walk, WalkDirection } from '../../runner/model/trace.ts';

function hopLine(h: Hop): string {
  const parts = [h.type, h.at];
  if (h.in) parts.push(`in ${h.in}${h.inPort ? ` (port ${h.inPort})` : ''}`);
  if (h.out) parts.push(`out ${h.out}${h.outPort ? ` (port ${h.outPort})` : ''}`);
  const p = h.packet;
  if (p) parts.push(`[${p.src}${p.sport !== undefined ? `:${p.sport}` : ''} > ${p.dst}${p.dport !== undefined ? `:${p.dport}` : ''} ttl ${p.ttl}]`);
  if (h.route) parts.push(`route ${h.route.dst}${h.route.via ? ` via ${h.route.via}` : ''}${h.route.dev ? ` dev ${h.route.dev}` : ''} (${h.route.table}${h.route.type ? ` ${h.route.type}` : ''}${h.route.object ? `: ${h.route.object.name}` : ''})`);
  for (const n of h.nat) parts.push(`${n.type} ${n.before} -> ${n.after}${n.object ? ` (${n.object.name})` : ''}`);
  const tunnels: [string, TunnelStep | undefined][] = [['encap', h.encap], ['decap', h.decap]];
  for (const [what, t] of tunnels) {
    if (t) parts.push(`${what} ${t.type} ${t.dev}${t.vni !== undefined ? ` vni ${t.vni}` : ''} ${t.local ?? '?'} > ${t.remote ?? '?'}${t.port ? `:${t.port}` : ''}`);
  }
  for (const r of h.rules) parts.push(`rule ${r.family} ${r.table} ${r.chain} ${r.verdict}${r.object ? ` (${r.object.name})` : ''}`);
  return `  ${parts.join(' | ')}`;
}

function direction(name: string, d: WalkDirection): string[] {
  const v = d.verdict;
  const end =
    v.kind === 'delivered' ? `delivered at ${v.at} ${v.address}${v.port !== undefined ? `:${v.port}` : ''}`
    : v.kind === 'returned' ? `returned at ${v.at}`
    : `dropped at ${v.at} by ${v.by}${v.object ? ` (${v.object.name})` : ''}: ${v.reason}`;
  return [`${name}:`, ...d.hops.map(hopLine), `  => ${end}`];
}

export function flowLine(f: TraceFlow): string {
  return `${f.from} -> ${f.toText} (${f.proto}${f.port !== undefined ? ` ${f.port}` : ''}, dst ${f.dst})`;
}

export function walkText(w: Walk): string {
  const lines = [flowLine(w.flow), ...direction('forward', w.forward), ...(w.reply ? direction('reply', w.reply) : ['reply: none'])];
  for (const n of w.notes) lines.push(`note: ${n}`);
  const p = w.proxied;
  if (p) lines.push(`then the proxy of ${p.at} (${p.direction}, uid ${p.uid}, on ${p.listener}) to ${p.original}, passed by ${p.passedBy}:`, ...walkText(p.walk).trimEnd().split('\n').map((l) => `  ${l}`));
  return `${lines.join('\n')}\n`;
}
