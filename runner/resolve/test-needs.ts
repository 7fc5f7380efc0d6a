/**
 * Which tests can run on part of a lab (issue 15.4): each test's nodes (its assertion's `nodes`, plus any node named
 * in its parameters), and the reason a test is skipped when one of them is not up. A test after a skipped action
 * (a barrier: a link taken down, a node restarted) is skipped too: it assumes a change that was not made. Pure.
 */
import { ASSERTIONS } from '../../assertions/registry.ts';
import type { NeedsContext } from '../../assertions/types.ts';
import { canonicalPrefix } from '../../assertions/route.ts';
import { parseAddress, formatAddress } from '../model/ip.ts';
import type { ResolvedLab, ResolvedTest } from '../model/types.ts';

export function needsContext(lab: ResolvedLab): NeedsContext {
  const names = new Set(lab.nodes.map((n) => n.name));
  const owner = new Map<string, string>();
  for (const n of lab.nodes) for (const i of n.interfaces) for (const a of i.addresses) {
    const x = parseAddress(a.split('/')[0]);
    if (x && !owner.has(formatAddress(x.family, x.addr))) owner.set(formatAddress(x.family, x.addr), n.name);
  }
  for (const p of lab.cluster?.pods ?? []) if (!p.hostNetwork) owner.set(p.ip, p.name);
  const nodeOf = (t: string | undefined): string | undefined => {
    if (!t) return undefined;
    if (names.has(t)) return t;
    const head = t.split(':')[0];
    if (t.includes(':') && names.has(head)) return head;
    const x = parseAddress(t);
    return x ? owner.get(formatAddress(x.family, x.addr)) : undefined;
  };
  const netnsNode = new Map(lab.nodes.filter((n) => !n.sharesNetnsOf).map((n) => [n.netns, n.name]));
  const bird = (name: string): { neighbors?: { peerNode?: string }[]; announce?: { prefix: string }[] } | undefined => {
    const n = lab.nodes.find((x) => x.name === name);
    return n?.kind === 'bird' ? (n.kindData as never) : undefined;
  };
  return {
    nodeOf,
    linkPeer(node, dev) {
      const ns = lab.nodes.find((n) => n.name === node)?.netns;
      for (const l of lab.links) {
        for (const [x, y] of [[l.a, l.b], [l.b, l.a]] as const) {
          if (x.netns === ns && x.ifname === dev && (x.node === undefined || x.node === node)) return y.node ?? netnsNode.get(y.netns);
        }
      }
      return undefined;
    },
    bgpNeighbors: (node) => (bird(node)?.neighbors ?? []).map((n) => n.peerNode).filter((x): x is string => !!x),
    announcers(prefix) {
      const want = canonicalPrefix(prefix)?.prefix ?? prefix;
      return lab.nodes.filter((n) => (bird(n.name)?.announce ?? []).some((a) => (canonicalPrefix(a.prefix)?.prefix ?? a.prefix) === want)).map((n) => n.name);
    },
  };
}

/** Every node name a test's parameters mention, at any depth (a converge's nested action and check too). */
function named(v: unknown, names: ReadonlySet<string>, out: Set<string>): void {
  if (typeof v === 'string') {
    if (names.has(v)) out.add(v);
    else if (v.includes(':') && names.has(v.split(':')[0])) out.add(v.split(':')[0]);
  } else if (Array.isArray(v)) v.forEach((x) => named(x, names, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => named(x, names, out));
}

/** The nodes a test needs, in the lab's order. */
export function testNodes(t: ResolvedTest, lab: ResolvedLab, ctx: NeedsContext = needsContext(lab)): string[] {
  const names = new Set(lab.nodes.map((n) => n.name));
  const out = new Set<string>();
  named(t.params, names, out);
  for (const n of ASSERTIONS.get(t.type)?.nodes?.(t.params, ctx) ?? []) if (n && names.has(n)) out.add(n);
  return lab.nodes.map((n) => n.name).filter((n) => out.has(n));
}

/** The tests to skip on a lab of which only `up` is up, each with its reason (none when every node is up). */
export function skippedTests(lab: ResolvedLab, up: ReadonlySet<string>): Map<ResolvedTest, string> {
  const skip = new Map<ResolvedTest, string>();
  if (lab.nodes.every((n) => up.has(n.name))) return skip;
  const ctx = needsContext(lab);
  let action: ResolvedTest | undefined;
  for (const t of lab.tests) {
    const missing = testNodes(t, lab, ctx).filter((n) => !up.has(n));
    if (missing.length) {
      skip.set(t, `needs ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not up (lab up --nodes)`);
      if (ASSERTIONS.get(t.type)?.barrier && !action) action = t;
    } else if (action) skip.set(t, `it comes after "${action.name}", which was skipped (it needs nodes not up), and would see a lab that action did not change`);
  }
  return skip;
}
