/** The segments pass: L2 segments (union-find over links, bridges and virtual interfaces), then addresses (IPAM). */
import type { PathSeg } from '../config/load.ts';
import { assignAddresses, type Member, type Segment } from '../model/ipam.ts';
import { addressPools } from '../model/node-parts.ts';
import { segmentKeys } from '../model/virtual.ts';
import type { EndDraft, IfaceDraft, ResolveDraft } from './draft.ts';
import type { RawBridge } from './raw.ts';

export const endKey = (e: EndDraft): string => (e.bridge ? `br:${e.bridge}` : `if:${e.node}:${e.ifname}`);

/** A union-find over segment keys. */
function unionFind(): { find(x: string): string; union(x: string, y: string): void } {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let p = parent.get(x) ?? x;
    if (p !== x) {
      p = find(p);
      parent.set(x, p);
    }
    return p;
  };
  return {
    find,
    union(x, y) {
      const a = find(x);
      const b = find(y);
      if (a !== b) parent.set(b, a);
    },
  };
}

/** A member of a segment: explicit addresses (with their places) or none, to draw from the pool. */
function member(d: ResolveDraft, label: string, addrs: unknown, path: PathSeg[], fallback: Member['pos'], explicit?: string[]): Member {
  const list = Array.isArray(addrs) ? addrs : undefined;
  // only the strings: an item of another type is the schema check's to report ("[object Object] is not a valid address")
  const strings = list?.flatMap((a: unknown, k: number) => (typeof a === 'string' ? [{ a, k }] : []));
  return {
    label,
    explicit: explicit ?? strings?.map((x) => x.a),
    explicitPos: strings?.map((x) => d.at([...path, x.k])),
    pos: list ? d.at(path) : fallback,
    addresses: [],
    auto: false,
  };
}

export function segments(d: ResolveDraft): void {
  const uf = unionFind();
  for (const l of d.links) uf.union(endKey(l.a), endKey(l.b));
  const bridgeNodeOf = (b: string): string | undefined => d.bridgeByName.get(b)?.node;
  for (const v of d.virtuals) {
    const [first, ...rest] = segmentKeys(v, bridgeNodeOf);
    for (const k of rest) uf.union(first, k);
  }
  d.segmentOf = uf.find;
  const order: string[] = [];
  const members = new Map<string, Member[]>();
  const add = (key: string, m: Member): void => {
    const root = uf.find(key);
    if (!members.has(root)) {
      members.set(root, []);
      order.push(root);
    }
    members.get(root)!.push(m);
  };
  const rawBridges = new Map(d.rawBridges);
  for (const b of d.bridges) {
    if (!b.node) continue;
    const braw: RawBridge = rawBridges.get(b.name) ?? {};
    const m = member(d, `bridge ${b.name} of ${b.node}`, braw.addresses, ['bridges', b.name, 'addresses'], b.pos);
    d.bridgeMembers.set(b.name, m);
    add(`br:${b.name}`, m);
  }
  const iface = (node: string, ifname: string): IfaceDraft => d.ifaces.get(`${node}:${ifname}`)!;
  for (const l of d.links) {
    for (const e of [l.a, l.b]) {
      if (!e.node) continue;
      const i = iface(e.node, e.ifname!);
      i.member = member(d, `${e.node}:${e.ifname}`, i.raw.addresses, ['nodes', e.node, 'interfaces', e.ifname!, 'addresses'], i.usedAt!);
      add(endKey(e), i.member);
    }
  }
  for (const v of d.virtuals) {
    const i = iface(v.node, v.name);
    const addrs = i.raw.addresses;
    // a bridge port carries no address of its own; a vxlan or tun interface may draw one from the pool
    const explicit = i.raw.master !== undefined ? [] : Array.isArray(addrs) ? addrs.map(String) : v.type === 'vxlan' || v.type === 'tun' ? undefined : [];
    i.member = { ...member(d, `${v.node}:${v.name}`, addrs, ['nodes', v.node, 'interfaces', v.name, 'addresses'], i.pos), explicit };
    add(`if:${v.node}:${v.name}`, i.member);
  }
  const loopbacks: Member[] = [];
  for (const i of d.ifaces.values()) {
    if (i.name !== 'lo') continue;
    const path = ['nodes', i.node, 'interfaces', 'lo', 'addresses'];
    i.member = { ...member(d, `${i.node}:lo`, i.raw.addresses, path, d.at(path)), explicit: Array.isArray(i.raw.addresses) ? i.raw.addresses.filter((a: unknown): a is string => typeof a === 'string') : [], pos: d.at(path) };
    loopbacks.push(i.member);
  }
  const segs: Segment[] = order.map((root, id) => ({ id, members: members.get(root)! }));
  const pools = addressPools(d.raw, d.at, d.diags);
  if (!d.diags.some((x) => x.code.startsWith('address'))) d.diags.push(...assignAddresses(segs, loopbacks, pools));
}
