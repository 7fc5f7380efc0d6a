/** The packet as the prediction (issue 12) carries it from namespace to namespace, and how a walk prints it. Pure. */
import { contains, parseAddress, parsePrefix } from '../model/ip.ts';
import type { Hop, TraceProto } from '../model/trace.ts';

export interface Pkt {
  readonly src: string;
  readonly dst: string;
  readonly sport?: number;
  readonly dport?: number;
  readonly proto: TraceProto;
  readonly family: 4 | 6;
  readonly ttl: number;
}

/** `addr:port` (`[addr]:port` for IPv6), or the bare address without a port. */
export function endpointText(addr: string, port?: number): string {
  if (port === undefined) return addr;
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** Whether `addr` is inside `cidr`. */
export function inPrefix(addr: string, cidr: string): boolean {
  const a = parseAddress(addr);
  const p = parsePrefix(cidr);
  return !!a && !!p && p.family === a.family && contains(p, a.family, a.addr);
}

/** The packet as a hop shows it. */
export function packetView(p: Pkt, what?: string): NonNullable<Hop['packet']> {
  return {
    src: p.src,
    dst: p.dst,
    ...(p.sport !== undefined ? { sport: p.sport } : {}),
    ...(p.dport !== undefined ? { dport: p.dport } : {}),
    ttl: p.ttl,
    ...(what ? { what } : {}),
  };
}

/** A hop being built: the walk fills `out`, `outPort`, `route`, `encap` as it learns them. */
export type MutableHop = { -readonly [K in keyof Hop]: Hop[K] } & { nat: Hop['nat'][number][]; rules: Hop['rules'][number][] };
