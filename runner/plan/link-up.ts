/**
 * What comes back when a link is brought up again (issue 15.2): `ip link set dev X down` makes the kernel delete every
 * route whose next hop leaves through X (and, IPv6, X's addresses: keep_addr_on_down is 0), and `ip link set dev X up`
 * gives back only the kernel's own (connected and link-local) routes. The routes and addresses nslab wrote from the
 * plan are picked here, from the compiled plan, to be put back with `ip addr replace` / `ip route replace` (which
 * leave what survived as it is): on the interface and on the other end of its veth, in the order the plan has them.
 *
 * Picked in a namespace, for interface X:
 *   ip addr add A dev X …                 → ip addr replace A dev X …
 *   ip route add P … dev X …              → ip route replace P … dev X …
 *   ip route add P via G (no dev)         → ip route replace P via G, when G is in a prefix of X's addresses or of a
 *                                           route picked above (the kernel chose X for it)
 * Dynamic routes (BIRD's) come back by themselves and are not in the plan. Pure.
 */
import { contains, parseAddress, parsePrefix, type Prefix } from '../model/ip.ts';
import { linkEnds, type PeerEnd } from './node-slice.ts';
import { PHASES, type Plan, type Step } from './ops.ts';

/** One command to put back one address or route: `ip` run in namespace `ns`. */
export interface LinkUpCommand {
  readonly ns: string;
  readonly dev: string;
  readonly kind: 'address' | 'route';
  /** `ip …` as run (the plan's `add` turned into `replace`). */
  readonly argv: readonly string[];
  /** The plan step it comes from. */
  readonly step: string;
}

/** The other end of interface `dev` in namespace `ns`, when the plan made it as a veth pair. */
export function vethPeerEnd(plan: Plan, ns: string, dev: string): PeerEnd | undefined {
  for (const s of plan.steps) {
    if (s.phase !== 'links' || s.op.type !== 'ip') continue;
    const ends = linkEnds(s.op.args);
    if (ends.length !== 2) continue;
    const i = ends.findIndex((e) => e.ns === ns && e.dev === dev);
    if (i >= 0) return ends[1 - i];
  }
  return undefined;
}

/** Where `add` stands in `addr add …` / `route add …` (after an optional -4/-6), or -1. */
function verbAt(args: readonly string[], object: 'addr' | 'route'): number {
  const i = args[0] === '-4' || args[0] === '-6' ? 1 : 0;
  const o = args[i];
  const match = object === 'addr' ? o === 'addr' || o === 'address' || o === 'a' : o === 'route' || o === 'r' || o === 'ro';
  return match && args[i + 1] === 'add' ? i + 1 : -1;
}

const after = (args: readonly string[], word: string): string | undefined => {
  const i = args.indexOf(word);
  return i >= 0 ? args[i + 1] : undefined;
};

const asReplace = (args: readonly string[], at: number): string[] => [...args.slice(0, at), 'replace', ...args.slice(at + 1)];

/** The plan's steps in the order the executor runs them in one namespace: by phase, then order, then compile order. */
function inRunOrder(steps: readonly Step[]): Step[] {
  return steps
    .map((s, i) => ({ s, i }))
    .sort((a, b) => PHASES.indexOf(a.s.phase) - PHASES.indexOf(b.s.phase) || a.s.order - b.s.order || a.i - b.i)
    .map((x) => x.s);
}

/** The addresses and routes the plan put on interface `dev` of namespace `ns` (see the top of this file). */
export function restoreOn(plan: Plan, ns: string, dev: string): LinkUpCommand[] {
  const mine = inRunOrder(plan.steps.filter((s) => s.op.type === 'ip' && !s.op.tool && s.op.ns === ns));
  const nets: Prefix[] = [];
  const out: LinkUpCommand[] = [];
  for (const s of mine) {
    const args = (s.op as { args: readonly string[] }).args;
    const a = verbAt(args, 'addr');
    if (a < 0 || after(args, 'dev') !== dev) continue;
    const p = parsePrefix(args[a + 1]) ?? (parseAddress(args[a + 1]) ? parsePrefix(`${args[a + 1]}/${args[a + 1].includes(':') ? 128 : 32}`) : undefined);
    if (p) nets.push(p);
    out.push({ ns, dev, kind: 'address', argv: ['ip', ...asReplace(args, a)], step: s.id });
  }
  // routes: those out of `dev` first make their destinations reachable through it, for gateways without a dev
  const routes = mine.filter((s) => verbAt((s.op as { args: readonly string[] }).args, 'route') >= 0);
  for (const s of routes) {
    const args = (s.op as { args: readonly string[] }).args;
    if (after(args, 'dev') !== dev) continue;
    const p = parsePrefix(args[verbAt(args, 'route') + 1]);
    if (p && !after(args, 'via')) nets.push(p);
  }
  for (const s of routes) {
    const args = (s.op as { args: readonly string[] }).args;
    const r = verbAt(args, 'route');
    const viaDev = after(args, 'dev');
    let picked = viaDev === dev;
    if (!picked && viaDev === undefined) {
      const via = after(args, 'via');
      const g = via !== undefined ? parseAddress(via.replace(/^inet6? /, '')) : undefined;
      picked = g !== undefined && nets.some((n) => contains(n, g.family, g.addr));
    }
    if (picked) out.push({ ns, dev, kind: 'route', argv: ['ip', ...asReplace(args, r)], step: s.id });
  }
  return out;
}

/**
 * Everything to put back when `dev` of namespace `ns` comes up again: its own addresses and routes, then those of
 * the other end of its veth (the peer lost its carrier: IPv4 keeps its routes then, IPv6 may not), in plan order.
 */
export function linkUpCommands(plan: Plan, ns: string, dev: string): LinkUpCommand[] {
  const peer = vethPeerEnd(plan, ns, dev);
  return [...restoreOn(plan, ns, dev), ...(peer ? restoreOn(plan, peer.ns, peer.dev) : [])];
}

/** "2 routes, 1 address restored" (or "nothing of the plan's to restore"). */
export function restoredText(cmds: readonly LinkUpCommand[]): string {
  const n = (k: LinkUpCommand['kind']): number => cmds.filter((c) => c.kind === k).length;
  const routes = n('route');
  const addrs = n('address');
  if (!routes && !addrs) return 'nothing of the plan to restore';
  const parts = [routes ? `${routes} route${routes === 1 ? '' : 's'}` : '', addrs ? `${addrs} address${addrs === 1 ? '' : 'es'}` : ''].filter(Boolean);
  return `${parts.join(', ')} restored`;
}
