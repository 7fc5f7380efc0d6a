/** Small parsers for BIRD-related values: ASNs, IPv4 IDs, prefix patterns, communities, static routes, BIRD symbols. */
import { formatAddress, formatPrefix, network, parseAddress, parsePrefix, bits } from '../../model/ip.ts';
import type { Community } from './types.ts';

export const ASN_MAX = 4294967295;

export function isAsn(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= ASN_MAX;
}

/** A dotted-quad IPv4 address, canonical; undefined otherwise. */
export function ipv4(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const a = parseAddress(v);
  return a && a.family === 4 ? formatAddress(4, a.addr) : undefined;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string; hint: string };

/** A prefix written as a network (no host bits): canonical form and family. */
export function networkPrefix(v: unknown): Parsed<{ prefix: string; family: 4 | 6; len: number }> {
  const s = typeof v === 'string' ? v.trim() : '';
  const p = parsePrefix(s);
  if (!p) return { ok: false, message: `${JSON.stringify(v)} is not a prefix`, hint: 'write e.g. 10.1.0.0/24 or fd00:1::/64' };
  const net = network(p);
  if (net.addr !== p.addr) return { ok: false, message: `${s} is not a network address (host bits are set)`, hint: `did you mean ${formatPrefix(net)}?` };
  return { ok: true, value: { prefix: formatPrefix(net), family: p.family, len: p.len } };
}

/** A prefix pattern of a BIRD prefix set: 10.0.0.0/8, 10.0.0.0/8+, 10.0.0.0/8-, 10.0.0.0/8{16,24}. */
export function prefixPattern(v: unknown): Parsed<{ text: string; family: 4 | 6 }> {
  const s = typeof v === 'string' ? v.replace(/\s+/g, '') : '';
  const m = /^([^{+-]+)(\{(\d+),(\d+)\}|\+|-)?$/.exec(s);
  const hint = 'write a prefix, optionally followed by + (and longer ones), - (and shorter ones) or {min,max} (lengths), e.g. 10.0.0.0/8{16,24}';
  if (!m) return { ok: false, message: `${JSON.stringify(v)} is not a prefix pattern`, hint };
  const base = networkPrefix(m[1]);
  if (!base.ok) return base;
  const { prefix, family, len } = base.value;
  if (m[3] !== undefined) {
    const lo = Number(m[3]);
    const hi = Number(m[4]);
    const max = bits(family);
    if (lo < len || hi < lo || hi > max) {
      return { ok: false, message: `${s}: the lengths {${lo},${hi}} must satisfy ${len} ≤ min ≤ max ≤ ${max}`, hint: `e.g. ${prefix}{${len},${Math.min(max, len + 8)}}` };
    }
    return { ok: true, value: { text: `${prefix}{${lo},${hi}}`, family } };
  }
  return { ok: true, value: { text: `${prefix}${m[2] ?? ''}`, family } };
}

/** A standard community: [65001, 100], "(65001,100)" or "65001:100". */
export function community(v: unknown): Parsed<Community> {
  let pair: unknown[] | undefined;
  if (Array.isArray(v)) pair = v;
  else if (typeof v === 'string') {
    const m = /^\s*\(?\s*(\d+)\s*[,:]\s*(\d+)\s*\)?\s*$/.exec(v);
    if (m) pair = [Number(m[1]), Number(m[2])];
  }
  const ok = pair && pair.length === 2 && pair.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 65535);
  if (!ok) return { ok: false, message: `${JSON.stringify(v)} is not a standard BGP community`, hint: 'write [65001, 100], "(65001,100)" or "65001:100": two numbers from 0 to 65535' };
  return { ok: true, value: [pair![0] as number, pair![1] as number] };
}

export function communityText(c: Community): string {
  return `(${c[0]},${c[1]})`;
}

const STATIC_TYPES = ['blackhole', 'unreachable', 'prohibit'] as const;
export type StaticType = (typeof STATIC_TYPES)[number];

/** A static route in BIRD: "10.9.0.0/16 via 10.0.0.2", "10.9.0.0/16 blackhole", "10.9.0.0/16" (blackhole), or {to, via, type}. */
export function staticRoute(v: unknown): Parsed<{ to: string; family: 4 | 6; via?: string; type?: StaticType }> {
  let to: unknown;
  let via: unknown;
  let type: unknown;
  const hint = 'write e.g. "10.9.0.0/16 via 10.0.0.2", "10.9.0.0/16 blackhole", or {to: 10.9.0.0/16, via: 10.0.0.2}';
  if (typeof v === 'string') {
    const w = v.trim().split(/\s+/);
    to = w[0];
    if (w.length === 3 && w[1] === 'via') via = w[2];
    else if (w.length === 2) type = w[1];
    else if (w.length !== 1) return { ok: false, message: `static route ${JSON.stringify(v)} is not understood`, hint };
  } else if (v && typeof v === 'object' && !Array.isArray(v)) {
    ({ to, via, type } = v as Record<string, unknown>);
  } else return { ok: false, message: `static route ${JSON.stringify(v)} is not understood`, hint };
  const p = networkPrefix(to);
  if (!p.ok) return { ok: false, message: `static route: ${p.message}`, hint: p.hint };
  if (via !== undefined && type !== undefined) return { ok: false, message: `static route to ${p.value.prefix} has both a next hop and a type`, hint: 'a route goes via a gateway or is a blackhole/unreachable/prohibit, not both' };
  if (type !== undefined && !(STATIC_TYPES as readonly unknown[]).includes(type)) return { ok: false, message: `static route to ${p.value.prefix}: ${JSON.stringify(type)} is not a route type`, hint: `use via ADDRESS, or one of ${STATIC_TYPES.join(', ')}` };
  if (via === undefined) return { ok: true, value: { to: p.value.prefix, family: p.value.family, type: (type as StaticType | undefined) ?? 'blackhole' } };
  const gw = typeof via === 'string' ? parseAddress(via) : undefined;
  if (!gw) return { ok: false, message: `static route to ${p.value.prefix}: next hop ${JSON.stringify(via)} is not an address`, hint };
  if (gw.family !== p.value.family) return { ok: false, message: `static route to ${p.value.prefix}: next hop ${String(via)} is IPv${gw.family}`, hint: 'the next hop must be of the same family as the prefix' };
  return { ok: true, value: { to: p.value.prefix, family: p.value.family, via: formatAddress(gw.family, gw.addr) } };
}

/** A BIRD symbol made from a name: letters, digits and '_' (a '-' becomes '_'), unique among `taken`. */
export function birdSymbol(prefix: string, name: string, taken: Set<string>): string {
  const base = `${prefix}${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  let sym = base;
  for (let i = 2; taken.has(sym.toLowerCase()); i++) sym = `${base}_${i}`;
  taken.add(sym.toLowerCase());
  return sym;
}

/** The name BIRD's protocol for a neighbor gets: to_<peer node>, or to_<address> with '.'/':' as '_'. */
export function protocolBaseName(peer: string): string {
  return peer.replace(/[^A-Za-z0-9_]/g, '_');
}
