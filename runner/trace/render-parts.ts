/** The pieces of a packet walk as short text (a packet, a route, a rule, a NAT step, a tunnel, a verdict), for every renderer. Pure. */
import { basename } from 'node:path';
import type { SourcePos } from '../config/diagnostics.ts';
import type { Hop, LabObjectRef, NatStep, RouteStep, RuleHit, TraceFlow, TunnelStep, Verdict } from '../model/trace.ts';

/** `lab.yaml:40:7`: where in the lab file (its base name: the report names the lab already). */
export const posText = (pos: SourcePos): string => `${basename(pos.file)}:${pos.line}:${pos.col}`;

/** `NetworkPolicy shop/web-only-client (lab.yaml:40:7)`. */
export const objectText = (o: LabObjectRef): string => `${o.name}${o.pos ? ` (${posText(o.pos)})` : ''}`;

const hostPort = (addr: string, port: number | undefined): string => (port === undefined ? addr : addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`);

/** `10.244.0.6:40312 → 10.96.0.11:80 tcp SYN ttl 64`. */
export function packetText(p: NonNullable<Hop['packet']>, proto?: string): string {
  const what = proto && p.what?.startsWith(proto) ? p.what : [proto, p.what].filter(Boolean).join(' ');
  return `${hostPort(p.src, p.sport)} → ${hostPort(p.dst, p.dport)}${what ? ` ${what}` : ''}${p.ttl !== undefined ? ` ttl ${p.ttl}` : ''}`;
}

/** `10.2.0.0/24 via 10.1.0.1 dev eth0 table main [static]` and the lab object behind it. */
export function routeText(r: RouteStep): string {
  const words = [r.type && r.type !== 'unicast' ? r.type : '', r.dst, r.via ? `via ${r.via}` : '', r.dev ? `dev ${r.dev}` : '', r.table && r.table !== 'main' ? `table ${r.table}` : '', r.protocol ? `[${r.protocol}]` : ''];
  return `${words.filter(Boolean).join(' ')}${r.object ? `: ${objectText(r.object)}` : ''}`;
}

/** A rule as `nft` prints it, without its counter's numbers (they change with every packet) and doubled spaces. */
const ruleBody = (rule: string): string => rule.replace(/\bcounter packets \d+ bytes \d+/g, 'counter').replace(/\s{2,}/g, ' ').trim();

/** `ip filter FORWARD: iifname "eth0" drop → drop` and the lab object behind it. */
export function ruleText(h: RuleHit): string {
  return `${h.family} ${h.table} ${h.chain}: ${h.rule !== undefined ? ruleBody(h.rule) : '(chain policy)'} → ${h.verdict}${h.object ? `: ${objectText(h.object)}` : ''}`;
}

/** `DNAT 10.96.0.11:80 → 10.244.1.5:8080` and the lab object behind it. */
export function natText(n: NatStep): string {
  return `${n.type.toUpperCase()} ${n.before} → ${n.after}${n.object ? `: ${objectText(n.object)}` : ''}`;
}

/** `encap vxlan flannel.1 VNI 1, outer 192.168.56.11 → 192.168.56.12 port 8472`. */
export function tunnelText(kind: 'encap' | 'decap', t: TunnelStep): string {
  const outer = t.local || t.remote ? `, outer ${t.local ?? '?'} → ${t.remote ?? '?'}${t.port !== undefined ? ` port ${t.port}` : ''}` : '';
  return `${kind} ${t.type} ${t.dev}${t.vni !== undefined ? ` VNI ${t.vni}` : ''}${outer}`;
}

/** What a hop's rules decided: the verdicts that end a chain's walk (accept, drop, reject, a policy), and those tied to a lab object. */
export function decidingRules(h: Hop): RuleHit[] {
  return h.rules.filter((r) => r.object || /^(accept|drop|reject|queue|policy\b)/.test(r.verdict));
}

/** `eth0 → eth1`, `cni0 (veth1a2b) → flannel.1`, `out eth0`, `in eth0`. */
export function ifacesText(h: Hop): string {
  const side = (i: string | undefined, port: string | undefined): string => (i === undefined ? '' : port ? `${i} (${port})` : i);
  const i = side(h.in, h.inPort);
  const o = side(h.out, h.outPort);
  return i && o ? `${i} → ${o}` : i ? `in ${i}` : o ? `out ${o}` : '';
}

/** How a direction ended, in one line: `delivered to nginx on 10.244.1.5:8080 in web-2`, the drop's reason, `returned to a1`. */
export function verdictText(v: Verdict): string {
  if (v.kind === 'returned') return `returned to ${v.at}`;
  if (v.kind === 'delivered') return `delivered to ${v.process ? `${v.process} on ${hostPort(v.address, v.port)} in ${v.at}` : `${v.at} on ${hostPort(v.address, v.port)}`}`;
  const reason = /^dropped\b/.test(v.reason) ? v.reason : `dropped in ${v.at}${v.by !== 'unknown' ? ` (${v.by})` : ''}: ${v.reason}`;
  const obj = v.object ?? v.rule?.object;
  return obj && !reason.includes(obj.name) ? `${reason}: ${objectText(obj)}` : obj?.pos && !reason.includes(posText(obj.pos)) ? `${reason} (${posText(obj.pos)})` : reason;
}

/** What TO named, for the report's first line: `node b1, 10.2.0.2`, `Service default/web, ClusterIP 10.96.0.11 port 80`. */
export function targetText(f: TraceFlow): string {
  const t = f.target;
  if (t.kind === 'node') return t.iface ? `${t.node}'s ${t.iface}, ${f.dst}` : `node ${t.node}, ${f.dst}`;
  if (t.kind === 'address') return t.node ? `an address of ${t.node}` : 'an address no node of the lab has';
  const via = t.via === 'cluster-ip' ? `ClusterIP ${f.dst}` : t.via === 'node-port' ? `node port on ${t.node ?? '?'} ${f.dst}` : `LoadBalancer ${f.dst}`;
  return `Service ${t.namespace}/${t.name}, ${via}${f.port !== undefined ? ` port ${f.port}` : ''}`;
}

/** `a1 (10.1.0.2) → b1 (node b1, 10.2.0.2), icmp`: the flow in one line; `src`, the source the probe had (else the flow's, if known). */
export function flowText(f: TraceFlow, src = f.src): string {
  const proto = f.proto === 'icmp' ? 'icmp' : `${f.proto}${f.port !== undefined && !(f.target.kind === 'service') && !f.toText.endsWith(`:${f.port}`) ? ` port ${f.port}` : ''}`;
  return `${f.from}${src ? ` (${src})` : ''} → ${f.toText} (${targetText(f)}), ${proto}`;
}
