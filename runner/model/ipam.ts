/** Automatic addressing: every L2 segment gets a subnet, every interface without addresses gets the next free host. */
import { error, warning, type Diagnostic, type SourcePos } from '../config/diagnostics.ts';
import { formatAddress, formatPrefix, hosts, network, overlaps, parsePrefix, size, type Family, type Prefix } from './ip.ts';

export interface Member {
  /** A label for messages: h1:eth0, or bridge docker0 of gw. */
  readonly label: string;
  /** Explicit addresses, or undefined to draw from the pool. */
  readonly explicit?: readonly string[];
  readonly pos: SourcePos;
  /** Position of each explicit address, for errors about one of them. */
  readonly explicitPos?: readonly SourcePos[];
  /** Filled in: the final addresses. */
  addresses: string[];
  auto: boolean;
}

export interface Segment {
  readonly id: number;
  readonly members: Member[];
}

export interface Pool {
  readonly family: Family;
  readonly net: Prefix;
  readonly prefix: number;
  readonly pos: SourcePos;
}

type SegmentNet = { readonly net: Prefix; readonly member: Member };

/** Step 1: each member's explicit addresses parsed, checked (valid, not network/broadcast, not taken) and recorded in `used`. */
function explicitAddresses(members: readonly Member[], used: Map<string, Member>, diags: Diagnostic[]): void {
  for (const m of members) {
    m.addresses = [];
    for (const [k, a] of (m.explicit ?? []).entries()) {
      const apos = m.explicitPos?.[k] ?? m.pos;
      const p = parsePrefix(a);
      if (!p) {
        diags.push(error('address.invalid', `${a} on ${m.label} is not a valid address with prefix length`, apos, 'write e.g. 10.0.0.1/24 or fd00::1/64; IPv4 octets are 0–255 and the prefix at most /32 (/128 for IPv6)'));
        continue;
      }
      const host = formatAddress(p.family, p.addr);
      const net = network(p);
      if (p.family === 4 && p.len <= 30 && (p.addr === net.addr || p.addr === net.addr + size(p) - 1n)) {
        const which = p.addr === net.addr ? 'network' : 'broadcast';
        diags.push(error('address.reserved', `${a} on ${m.label} is the ${which} address of ${formatPrefix(net)}`, apos, `use a host address such as ${formatAddress(4, net.addr + 1n)}/${p.len}`));
        continue;
      }
      const prev = used.get(host);
      if (prev) {
        diags.push(error('address.duplicate', `address ${host} is given to both ${prev.label} and ${m.label}`, apos, `each address may be used once in a lab; ${prev.label} is at line ${prev.pos.line}`));
        continue;
      }
      used.set(host, m);
      m.addresses.push(`${host}/${p.len}`);
    }
  }
}

/** The explicit subnets of each segment, with an error where one overlaps another segment's; all of them, in order. */
function segmentSubnets(segments: readonly Segment[], diags: Diagnostic[]): { segNets: Map<number, SegmentNet[]>; allNets: Prefix[] } {
  const segNets = new Map<number, SegmentNet[]>();
  const allNets: { net: Prefix; seg: number; member: Member }[] = [];
  for (const s of segments) {
    const nets: SegmentNet[] = [];
    for (const m of s.members) {
      for (const a of m.addresses) {
        const p = parsePrefix(a)!;
        const net = network(p);
        if (!nets.some((n) => n.net.family === net.family && n.net.addr === net.addr && n.net.len === net.len)) nets.push({ net, member: m });
      }
    }
    segNets.set(s.id, nets);
    for (const n of nets) {
      if (n.net.len === (n.net.family === 4 ? 32 : 128)) continue;
      const clash = allNets.find((o) => o.seg !== s.id && overlaps(o.net, n.net) && o.net.len !== (o.net.family === 4 ? 32 : 128));
      if (clash) {
        diags.push(error('address.overlap', `${formatPrefix(n.net)} on ${n.member.label} overlaps ${formatPrefix(clash.net)} on ${clash.member.label}, which is on another segment`, n.member.pos, 'each link or bridge needs a subnet of its own; routing between overlapping subnets cannot work'));
      }
      allNets.push({ net: n.net, seg: s.id, member: n.member });
    }
  }
  return { segNets, allNets: allNets.map((n) => n.net) };
}

/** A warning for the first IPv4 member of a segment that shares no subnet with the segment's first. */
function warnUnsharedSubnets(segments: readonly Segment[], diags: Diagnostic[]): void {
  for (const s of segments) {
    const v4 = s.members.filter((m) => m.addresses.some((a) => !a.includes(':')));
    for (let i = 1; i < v4.length; i++) {
      const a = v4[0];
      const b = v4[i];
      const shared = a.addresses.some((x) => b.addresses.some((y) => sameSubnet(x, y)));
      // /32 (point-to-point) addresses are reached through onlink routes, as flannel.1's are
      const host32 = (m: Member): boolean => m.addresses.every((x) => x.endsWith('/32') || x.includes(':'));
      if (!shared && !(host32(a) && host32(b))) {
        diags.push(warning('address.no-shared-subnet', `${a.label} (${a.addresses.join(', ')}) and ${b.label} (${b.addresses.join(', ')}) are on one segment but share no subnet`, b.pos, 'they will not reach each other directly; put both in one subnet, or add routes with onlink'));
        break;
      }
    }
  }
}

/** The pool's subnets in order, each skipped that overlaps one in `taken`; what it hands out is added to `taken`. */
function subnetSource(pool: Pool, taken: Prefix[]): () => Prefix | undefined {
  let cursor = 0n;
  const step = size({ family: pool.family, len: pool.prefix });
  const poolEnd = network(pool.net).addr + size(pool.net);
  return () => {
    for (;;) {
      const addr = network(pool.net).addr + cursor * step;
      if (addr + step > poolEnd) return undefined;
      cursor++;
      const cand: Prefix = { family: pool.family, addr, len: pool.prefix };
      if (!taken.some((t) => overlaps(t, cand))) {
        taken.push(cand);
        return cand;
      }
    }
  };
}

/** The first host address of a subnet no member has. */
function freeHost(subnet: Prefix, used: ReadonlyMap<string, Member>): bigint | undefined {
  const free = hosts(subnet);
  for (let r = free.next(); !r.done; r = free.next()) {
    if (!used.has(formatAddress(subnet.family, r.value))) return r.value;
  }
  return undefined;
}

/**
 * Step 2 for one pool: each segment's members without explicit addresses get the next free host of the segment's
 * subnet of the pool's family (a new subnet from the pool where it has none). False, with an error, when the pool or
 * a subnet runs out.
 */
function addressesFromPool(pool: Pool, segments: readonly Segment[], segNets: ReadonlyMap<number, readonly SegmentNet[]>, taken: Prefix[], used: Map<string, Member>, diags: Diagnostic[]): boolean {
  const nextSubnet = subnetSource(pool, taken);
  for (const s of segments) {
    const wanting = s.members.filter((m) => m.explicit === undefined);
    if (!wanting.length) continue;
    let subnet = segNets.get(s.id)!.find((n) => n.net.family === pool.family)?.net;
    if (!subnet) {
      subnet = nextSubnet();
      if (!subnet) {
        diags.push(error('address.pool-exhausted', `the IPv${pool.family} pool ${formatPrefix(pool.net)} has no /${pool.prefix} left for ${wanting[0].label}`, pool.pos, 'use a larger pool or a longer prefix under addressing:'));
        return false;
      }
    }
    for (const m of wanting) {
      const addr = freeHost(subnet, used);
      if (addr === undefined) {
        diags.push(error('address.subnet-full', `no free address left in ${formatPrefix(subnet)} for ${m.label}`, m.pos, 'give the segment a larger subnet'));
        return false;
      }
      const host = formatAddress(pool.family, addr);
      used.set(host, m);
      m.addresses.push(`${host}/${subnet.len}`);
      m.auto = true;
    }
  }
  return true;
}

export function assignAddresses(segments: readonly Segment[], loopbacks: readonly Member[], pools: readonly Pool[]): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const used = new Map<string, Member>(); // address (no prefix) -> member
  explicitAddresses([...loopbacks, ...segments.flatMap((s) => s.members)], used, diags);
  const { segNets, allNets } = segmentSubnets(segments, diags);
  if (diags.length) return diags;
  warnUnsharedSubnets(segments, diags);
  const taken: Prefix[] = allNets;
  for (const pool of pools) {
    if (!addressesFromPool(pool, segments, segNets, taken, used, diags)) return diags;
  }
  return diags;
}

function sameSubnet(x: string, y: string): boolean {
  const a = parsePrefix(x);
  const b = parsePrefix(y);
  if (!a || !b || a.family !== b.family) return false;
  const net = network(a);
  return net.len === network(b).len && overlaps(net, b);
}
