/**
 * The raw output of a kernel trace (issue 12), read into data: `nft monitor trace` lines grouped into segments (one
 * skb's pass through one hook path of one namespace), `conntrack -L` entries, `ip -j route get fibmatch` answers,
 * `ss` listeners, `ip -d -j link show` devices. Pure: runner/exec/trace-*.ts produce the text.
 */
import type { RouteStep, RuleHit } from '../model/trace.ts';

/** The table nslab's tracer loads in every namespace: its own rules are not part of the walk. */
export const TRACE_TABLE = 'nsl_trace';

/** The packet as one trace line shows it. */
export interface TracePacket {
  readonly iif?: string;
  readonly oif?: string;
  readonly src?: string;
  readonly dst?: string;
  readonly sport?: number;
  readonly dport?: number;
  readonly ttl?: number;
  /** tcp, udp, icmp, icmpv6, … */
  readonly proto?: string;
  readonly tcpFlags?: string;
  readonly icmpType?: string;
  readonly icmpCode?: string;
}

export interface TraceEvent {
  readonly id: string;
  readonly family: string;
  readonly table: string;
  readonly chain: string;
  readonly kind: 'packet' | 'rule' | 'policy' | 'verdict';
  readonly packet?: TracePacket;
  readonly rule?: string;
  readonly verdict?: string;
}

// a rule loaded after the monitor started shows as `unknown rule handle N`
const LINE = /^trace id (\S+) (\S+) (\S+) (\S+) (?:packet: (.*)|(?:rule (.*)|(unknown rule handle \d+)) \(verdict ([^)]*)\)|policy (\S+)|verdict (.*))$/;

function field(text: string, re: RegExp): string | undefined {
  return re.exec(text)?.[1];
}

function num(v: string | undefined): number | undefined {
  return v === undefined ? undefined : Number(v);
}

const TCP_FLAGS: readonly (readonly [number, string])[] = [[0x02, 'syn'], [0x10, 'ack'], [0x04, 'rst'], [0x01, 'fin'], [0x08, 'psh'], [0x20, 'urg']];

/** `0x12` (as nft prints a combination) → `syn,ack`; names stay as they are. */
export function tcpFlags(v: string | undefined): string | undefined {
  if (!v || !/^0x[0-9a-f]+$/i.test(v)) return v;
  const n = parseInt(v, 16);
  return TCP_FLAGS.filter(([bit]) => n & bit).map(([, name]) => name).join(',') || v;
}

/** The fields of a `packet:` line that the walk uses. */
export function parsePacket(text: string): TracePacket {
  const icmp = /\bicmp(?:v6)? type (\S+)/.exec(text);
  const proto = field(text, /\bip protocol (\S+)/) ?? field(text, /\bip6 nexthdr (\S+)/) ?? field(text, /\bmeta l4proto (\S+)/) ?? (icmp ? (text.includes('icmpv6 type') ? 'ipv6-icmp' : 'icmp') : undefined);
  const p: TracePacket = {
    iif: field(text, /\biif "([^"]+)"/),
    oif: field(text, /\boif "([^"]+)"/),
    src: field(text, /\bip6? saddr (\S+)/),
    dst: field(text, /\bip6? daddr (\S+)/),
    sport: num(field(text, /\b(?:tcp|udp) sport (\d+)/)),
    dport: num(field(text, /\b(?:tcp|udp) dport (\d+)/)),
    ttl: num(field(text, /\bip ttl (\d+)/) ?? field(text, /\bip6 hoplimit (\d+)/)),
    proto,
    tcpFlags: tcpFlags(field(text, /\btcp flags == (\S+)/) ?? field(text, /\btcp flags (\S+)/)),
    icmpType: icmp?.[1],
    icmpCode: field(text, /\bicmp(?:v6)? code (\S+)/),
  };
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as TracePacket;
}

/** `nft monitor trace` output → events, in order; lines that are not trace events are skipped. */
export function parseTraceLines(text: string): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (const raw of text.split('\n')) {
    const m = LINE.exec(raw.trim());
    if (!m) continue;
    const [, id, family, table, chain, packet, known, unknown, ruleVerdict, policy, verdict] = m;
    const rule = known ?? unknown;
    const base = { id, family, table, chain };
    if (packet !== undefined) out.push({ ...base, kind: 'packet', packet: parsePacket(packet) });
    else if (rule !== undefined) out.push({ ...base, kind: 'rule', rule: rule.trim().replace(/counter packets \d+ bytes \d+/g, 'counter').replace(/\s+/g, ' '), verdict: ruleVerdict.trim() });
    else if (policy !== undefined) out.push({ ...base, kind: 'policy', verdict: `policy ${policy}` });
    else out.push({ ...base, kind: 'verdict', verdict: verdict.trim() });
  }
  return out;
}

/** The chains of the tracer's own table (runner/exec/trace-tables.ts names them). */
export const HOOK_CHAINS = { pre: 'pre', out: 'out', input: 'inp', forward: 'forw', post: 'post', bridgeForward: 'bfw', bridgeIn: 'bin', bridgeOut: 'bout' } as const;
const STARTS = new Set<string>([HOOK_CHAINS.pre, HOOK_CHAINS.out, HOOK_CHAINS.bridgeForward, HOOK_CHAINS.bridgeIn, HOOK_CHAINS.bridgeOut]);
/** Where a reply this namespace sends starts to be traced (re-tagged after conntrack), unless `out` traced it already. */
const CT_OUT = 'ctout';

/** Whether the segment is a packet this namespace sent (not one it received). */
export function sentHere(seg: Segment): boolean {
  return seg.start === HOOK_CHAINS.out || seg.start === CT_OUT;
}

/** One skb's pass through one namespace's hooks (inet), or one bridge's hooks (bridge family). */
export interface Segment {
  readonly ns: string;
  readonly id: string;
  /** inet (routed or local) or bridge. */
  readonly family: 'inet' | 'bridge';
  /** The tracer's chain it started in: pre (received), out (sent by this namespace), bfw/bin/bout (bridge). */
  readonly start: string;
  /** Order within its namespace's monitor output. */
  readonly seq: number;
  readonly events: TraceEvent[];
}

/** A namespace's events cut into segments: a new one where a packet enters one of the tracer's first chains. */
export function segmentsOf(ns: string, events: readonly TraceEvent[]): Segment[] {
  const out: Segment[] = [];
  const open = new Map<string, Segment>();
  for (const e of events) {
    const ours = e.table === TRACE_TABLE;
    const family = e.family === 'bridge' ? 'bridge' : 'inet';
    // one skb has one id in every family; a bridge with br_netfilter also passes it through the inet hooks
    const key = `${family}|${e.id}`;
    let seg = open.get(key) ?? (family === 'inet' && e.packet && !STARTS.has(e.chain) ? unfinished(out, e.packet.iif) : undefined);
    const softStart = ours && e.kind === 'packet' && e.chain === CT_OUT && !(seg && seg.start === HOOK_CHAINS.out && !seg.events.some((x) => x.table === TRACE_TABLE && x.chain !== HOOK_CHAINS.out));
    if (!seg || (ours && e.kind === 'packet' && STARTS.has(e.chain)) || softStart) {
      seg = { ns, id: e.id, family, start: ours ? e.chain : '?', seq: out.length, events: [] };
      out.push(seg);
    }
    open.set(key, seg);
    seg.events.push(e);
  }
  return out;
}

/**
 * The last routed segment that has not yet reached input or postrouting, entered by `iif`: a packet a bridge hands
 * to its host (br_netfilter) may show a new trace id from the forward hook on.
 */
function unfinished(segs: readonly Segment[], iif: string | undefined): Segment | undefined {
  for (let i = segs.length - 1; i >= 0; i--) {
    const s = segs[i];
    if (s.family !== 'inet' || s.start !== HOOK_CHAINS.pre) continue;
    const done = s.events.some((x) => x.table === TRACE_TABLE && (x.chain === HOOK_CHAINS.input || x.chain === HOOK_CHAINS.post || x.chain === HOOK_CHAINS.forward));
    if (!done && s.events.find((x) => x.packet)?.packet?.iif === iif) return s;
  }
  return undefined;
}

/** What a segment says: the hooks it passed, the packet as it entered and left, the rules, and how it ended. */
export interface SegmentSummary {
  readonly iif?: string;
  readonly oif?: string;
  readonly first?: TracePacket;
  /** The packet as last seen (after NAT in prerouting: the forward/input/postrouting chains show it). */
  readonly last?: TracePacket;
  readonly chains: ReadonlySet<string>;
  readonly rules: RuleHit[];
  /** The rule (or policy) that dropped it, if one did. */
  readonly drop?: RuleHit;
  /** local: delivered to this namespace (input hook); sent: left by `oif`; dropped; vanished: seen, then gone. */
  readonly end: 'local' | 'sent' | 'dropped' | 'vanished';
}

export function summarize(seg: Segment): SegmentSummary {
  const chains = new Set<string>();
  const rules: RuleHit[] = [];
  let first: TracePacket | undefined;
  let last: TracePacket | undefined;
  let drop: RuleHit | undefined;
  for (const e of seg.events) {
    if (e.table === TRACE_TABLE) chains.add(e.chain);
    if (e.packet) {
      first ??= e.packet;
      last = e.packet;
      continue;
    }
    if (e.table === TRACE_TABLE || !e.verdict) continue;
    const hit: RuleHit = { family: e.family, table: e.table, chain: e.chain, ...(e.rule ? { rule: e.rule } : {}), verdict: e.verdict };
    rules.push(hit);
    if (/^(policy )?drop\b/.test(e.verdict)) drop ??= hit;
  }
  const iif = seg.events.find((e) => e.packet?.iif)?.packet?.iif;
  const oif = [...seg.events].reverse().find((e) => e.packet?.oif)?.packet?.oif;
  const bridge = seg.family === 'bridge';
  const end = drop ? 'dropped' : chains.has(HOOK_CHAINS.input) || seg.start === HOOK_CHAINS.bridgeIn ? 'local' : chains.has(HOOK_CHAINS.post) || (bridge && !!oif) ? 'sent' : 'vanished';
  return { iif, oif, first, last, chains, rules, drop, end };
}

/** One `conntrack -L` entry: the original tuple and the reply tuple. */
export interface ConntrackEntry {
  readonly proto: string;
  readonly orig: { readonly src: string; readonly dst: string; readonly sport?: number; readonly dport?: number };
  readonly reply: { readonly src: string; readonly dst: string; readonly sport?: number; readonly dport?: number };
}

export function parseConntrack(text: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const line of text.split('\n')) {
    const src = [...line.matchAll(/\bsrc=(\S+)/g)].map((m) => m[1]);
    const dst = [...line.matchAll(/\bdst=(\S+)/g)].map((m) => m[1]);
    if (src.length < 2 || dst.length < 2) continue;
    const sport = [...line.matchAll(/\bsport=(\d+)/g)].map((m) => Number(m[1]));
    const dport = [...line.matchAll(/\bdport=(\d+)/g)].map((m) => Number(m[1]));
    const proto = /^(?:ipv[46]\s+\d+\s+)?(\S+)/.exec(line.trim())?.[1] ?? '';
    out.push({ proto, orig: { src: src[0], dst: dst[0], sport: sport[0], dport: dport[0] }, reply: { src: src[1], dst: dst[1], sport: sport[1], dport: dport[1] } });
  }
  return out;
}

/** `addr:port` (`[addr]:port` for IPv6), or `addr` without a port. */
export function endpoint(addr: string, port?: number): string {
  if (port === undefined) return addr;
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** `ip -d -j route get fibmatch …` → the route that matched, or the error the kernel gave. */
export function parseRouteGet(stdout: string, stderr: string): { readonly route?: RouteStep; readonly error?: string } {
  try {
    const [r] = JSON.parse(stdout) as { dst?: string; gateway?: string; dev?: string; table?: string; protocol?: string; type?: string }[];
    if (r?.dst) {
      const route: RouteStep = {
        dst: r.dst,
        table: r.table ?? 'main',
        ...(r.gateway ? { via: r.gateway } : {}),
        ...(r.dev ? { dev: r.dev } : {}),
        ...(r.protocol ? { protocol: r.protocol } : {}),
        ...(r.type && r.type !== 'unicast' ? { type: r.type } : {}),
      };
      return { route };
    }
  } catch {
    /* not JSON: an error */
  }
  const error = stderr.replace(/^RTNETLINK answers:\s*/m, '').trim().split('\n')[0];
  return { error: error || 'no route' };
}

/** `ss -H -l -n -p …` → whether something listens, and the first listener's process (`whoami (pid 123)`). */
export function parseListener(stdout: string, command?: (pid: number) => string | undefined): { readonly listening: boolean; readonly process?: string; readonly pid?: number } {
  const line = stdout.split('\n').find((l) => l.trim());
  if (!line) return { listening: false };
  const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(line);
  if (!m) return { listening: true };
  const pid = Number(m[2]);
  return { listening: true, process: `${command?.(pid) ?? m[1]} (pid ${pid})`, pid };
}

/** A device the topology does not name (a tunnel): its kind and, for vxlan, VNI, port and local address. */
export interface DeviceInfo {
  readonly kind?: string;
  readonly vni?: number;
  readonly port?: number;
  readonly local?: string;
}

export function parseLink(stdout: string): DeviceInfo | undefined {
  try {
    const [l] = JSON.parse(stdout) as { linkinfo?: { info_kind?: string; info_data?: { id?: number; port?: number; local?: string } } }[];
    if (!l) return undefined;
    const d = l.linkinfo?.info_data;
    return { kind: l.linkinfo?.info_kind, ...(d?.id !== undefined ? { vni: d.id } : {}), ...(d?.port !== undefined ? { port: d.port } : {}), ...(d?.local ? { local: d.local } : {}) };
  } catch {
    return undefined;
  }
}
