/**
 * Link impairments (runner/model/impair.ts) → steps of phase `impair`. Pure: whether netem may be used for loss
 * comes from ctx.features (filled by runner/api.ts only for labs with impairments).
 *
 * Everything made here lives inside the lab's namespaces (qdiscs on their interfaces, nft tables in them), so
 * `lab down`, which deletes the namespaces, removes it with them: there is no teardown of its own.
 *
 * What an impairment on the link end N:IF compiles to (it applies to packets leaving N:IF):
 *   rate (+ burst)          tc qdisc add dev IF root tbf rate R burst B latency 50ms         (in N)
 *   loss, no netem known    an nft table on the PEER end's ingress, `numgen random mod 100 < L drop`
 *   delay/jitter (+ loss)   tc qdisc add dev IF root handle 1: netem delay D J loss L%      (in N)
 *     with rate             … + tc qdisc add dev IF parent 1:1 handle 10: tbf rate R burst B latency 50ms
 *   loss, netem present     tc qdisc add dev IF root handle 1: netem loss L%                 (in N)
 *
 * Why tbf, not htb: one rate per interface needs one class-less qdisc; htb would need a qdisc, a class and a
 * default class for the same effect. tbf's `latency 50ms` bounds the queue (limit = rate × 50 ms + burst), so a
 * shaped link adds at most 50 ms of queueing instead of bufferbloat.
 *
 * Why loss on the peer's ingress (measured here, ping -c 100 -i 0.05 on a veth pair, 20 % declared):
 *   nft netdev ingress on the peer        18–20 % lost (also on a bridge port as the peer)
 *   nft inet postrouting on this end      21 %
 *   nft netdev egress on this end          0 %: the sender gets ENOBUFS and ping (like TCP) sends again,
 *                                              so nothing is lost — drops on the sender's own egress are no loss
 * The peer's ingress hook sees every frame (ARP, IPv6, forwarded and bridged traffic) the way a lossy wire would.
 * An end with no veth peer (a VXLAN, macvlan or tun interface) gets the postrouting rule in its own namespace
 * instead, which IP traffic leaving the node (local or forwarded) counts as lost.
 */
import { formatPos } from '../config/diagnostics.ts';
import { defaultBurst, type Impairment } from '../model/impair.ts';
import type { LinkEnd, ResolvedInterface, ResolvedLab, ResolvedNode } from '../model/types.ts';
import type { CompileContext } from './context.ts';
import type { Step } from './ops.ts';

/** tbf's queue bound: packets that would wait longer than this for tokens are dropped. */
export const TBF_LATENCY = '50ms';

/** Every impairment of the lab, in node and interface order. */
export function impairSteps(lab: ResolvedLab, ctx: CompileContext): Step[] {
  const out: Step[] = [];
  for (const node of lab.nodes) {
    if (node.sharesNetnsOf) continue;
    for (const i of node.interfaces) if (i.impair) out.push(...interfaceSteps(lab, node, i, i.impair, ctx));
  }
  return out;
}

function interfaceSteps(lab: ResolvedLab, node: ResolvedNode, i: ResolvedInterface, im: Impairment, ctx: CompileContext): Step[] {
  const ns = node.netns;
  const dev = i.name;
  const end = `${node.name}:${dev}`;
  const id = (x: string): string => `${node.name}.${dev}.impair.${x}`;
  const loss = im.lossPct !== undefined && im.lossPct > 0 ? im.lossPct : undefined;
  const delay = im.delayUs !== undefined || im.jitterUs !== undefined;
  // netem where it must be (delay) or where it is known to exist; unknown means the nft drop, which works everywhere
  const netem = delay || (loss !== undefined && ctx.features?.netem === true);
  const steps: Step[] = [];
  const tc = (k: string, args: string[], note: string, order: number): void => {
    steps.push({ id: id(k), phase: 'impair', order, op: { type: 'ip', tool: 'tc', ns, args: ['qdisc', 'add', 'dev', dev, ...args] }, source: im.pos, note, creates: { kind: 'rules', name: `tc qdisc ${dev} ${k}`, ns } });
  };
  const tbf = im.rateBps !== undefined ? ['tbf', 'rate', tcRate(im.rateBps), 'burst', `${im.burstBytes}b`, 'latency', TBF_LATENCY] : undefined;
  if (netem) {
    const args = ['root', 'handle', '1:', 'netem'];
    if (im.delayUs !== undefined) args.push('delay', tcTime(im.delayUs), ...(im.jitterUs !== undefined ? [tcTime(im.jitterUs)] : []));
    if (loss !== undefined) args.push('loss', `${loss}%`);
    const what = [im.delayUs !== undefined ? `delay ${tcTime(im.delayUs)}${im.jitterUs !== undefined ? ` ± ${tcTime(im.jitterUs)}` : ''}` : '', loss !== undefined ? `loss ${loss}%` : ''].filter(Boolean).join(', ');
    tc('netem', args, `${end} egress: ${what} (netem)`, 0);
    if (tbf) tc('tbf', ['parent', '1:1', 'handle', '10:', ...tbf], `${end} egress: rate ${tcRate(im.rateBps!)}, bucket ${im.burstBytes} bytes (tbf under the netem)`, 0);
    return steps;
  }
  if (tbf) tc('tbf', ['root', ...tbf], `${end} egress: rate ${tcRate(im.rateBps!)}, bucket ${im.burstBytes} bytes (tbf)`, 0);
  if (loss !== undefined) {
    const peer = vethPeer(lab, node.name, dev);
    const src = formatPos(im.pos);
    // 100 %: every packet (`numgen random mod 100 < 100` is refused by nft: the value is out of the range)
    const rule = loss >= 100 ? 'drop' : `${numgen(loss)} drop`;
    if (peer) {
      const table = tableName(peer.ifname);
      const input = [
        `# ${end} impair.loss ${loss}% (${src}): packets leaving ${end} are dropped as they arrive on ${peerLabel(peer)}`,
        `table netdev ${table} {`,
        '  chain ingress {',
        `    type filter hook ingress device ${JSON.stringify(peer.ifname)} priority -500; policy accept;`,
        `    ${rule}`,
        '  }',
        '}',
        '',
      ].join('\n');
      steps.push({ id: id('loss'), phase: 'impair', order: 10, op: { type: 'load', ns: peer.netns, tool: 'nft', input }, source: im.pos, note: `${end} egress: loss ${loss}%, dropped on ${peerLabel(peer)}'s ingress (nftables; netem ${ctx.features ? 'absent' : 'not checked'})`, creates: { kind: 'rules', name: `nftables ${table}`, ns: peer.netns } });
    } else {
      const table = tableName(dev);
      const input = [
        `# ${end} impair.loss ${loss}% (${src}): IP packets leaving ${end} are dropped on their way out (no veth peer to drop them on)`,
        `table inet ${table} {`,
        '  chain postrouting {',
        '    type filter hook postrouting priority 500; policy accept;',
        `    oifname ${JSON.stringify(dev)} ${rule}`,
        '  }',
        '}',
        '',
      ].join('\n');
      steps.push({ id: id('loss'), phase: 'impair', order: 10, op: { type: 'load', ns, tool: 'nft', input }, source: im.pos, note: `${end} egress: loss ${loss}% (nftables postrouting; netem ${ctx.features ? 'absent' : 'not checked'})`, creates: { kind: 'rules', name: `nftables ${table}`, ns } });
    }
  }
  return steps;
}

/** The other end of the veth pair that ends at node:ifname, if a veth link makes that interface. */
export function vethPeer(lab: ResolvedLab, node: string, ifname: string): LinkEnd | undefined {
  for (const l of lab.links) {
    if (l.type !== 'veth') continue;
    if (l.a.node === node && l.a.ifname === ifname) return l.b;
    if (l.b.node === node && l.b.ifname === ifname) return l.a;
  }
  return undefined;
}

const peerLabel = (e: LinkEnd): string => (e.node ? `${e.node}:${e.ifname}` : `${e.ifname} (port of bridge ${e.bridge})`);

/** nft identifiers: letters, digits and `_`; one table per hooked device, so it can be listed and removed alone. */
export function tableName(dev: string): string {
  return `nslab_impair_${dev.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** `numgen random mod 100 < 20`; decimals use a larger modulus: 0.5 % → `mod 1000 < 5`, 0.125 % → `mod 100000 < 125`. */
export function numgen(pct: number): string {
  let mod = 100;
  let n = pct;
  while (!Number.isInteger(Math.round(n * 1e6) / 1e6) && mod < 100_000) {
    mod *= 10;
    n = pct * (mod / 100);
  }
  return `numgen random mod ${mod} < ${Math.round(n)}`;
}

/** tc's rate words are SI (kbit = 1000 bit/s): the largest unit that divides the rate exactly. */
export function tcRate(bps: number): string {
  for (const [u, m] of [['gbit', 1e9], ['mbit', 1e6], ['kbit', 1e3]] as const) if (bps % m === 0) return `${bps / m}${u}`;
  return `${bps}bit`;
}

/** Microseconds as tc writes times: 20000 → 20ms, 1500 → 1500us. */
export function tcTime(us: number): string {
  return us % 1000 === 0 ? `${us / 1000}ms` : `${us}us`;
}

/** One command of a live impairment change: argv in a namespace, with stdin. */
export interface LiveImpairCommand {
  readonly ns: string;
  readonly argv: readonly string[];
  readonly input?: string;
  readonly what: string;
}

/**
 * The commands that change a running link's impairment (issue 15.2, the `impair` test action), the way `lab up`
 * makes it (tbf for the rate on this end; the nft drop on the veth peer's ingress for loss, no netem in this
 * kernel): `tc qdisc replace` (or `del` for rate `none`), and the loss table replaced in one nft transaction
 * (`add table` + `delete table` first, so it works whether the table exists or not; loss 0 removes it). Pure.
 */
export function liveImpairCommands(lab: ResolvedLab, node: string, dev: string, change: { readonly rateBps?: number | 'none'; readonly lossPct?: number }): LiveImpairCommand[] {
  const n = lab.nodes.find((x) => x.name === node);
  if (!n) return [];
  const out: LiveImpairCommand[] = [];
  const tc = (args: string[]): string[] => ['tc', 'qdisc', ...args];
  if (change.rateBps === 'none') out.push({ ns: n.netns, argv: tc(['del', 'dev', dev, 'root']), what: `${node}:${dev}: no rate limit` });
  else if (change.rateBps !== undefined) {
    const mtu = n.interfaces.find((i) => i.name === dev)?.mtu;
    const burst = defaultBurst(change.rateBps, mtu);
    out.push({ ns: n.netns, argv: tc(['replace', 'dev', dev, 'root', 'tbf', 'rate', tcRate(change.rateBps), 'burst', `${burst}b`, 'latency', TBF_LATENCY]), what: `${node}:${dev}: rate ${tcRate(change.rateBps)}` });
  }
  if (change.lossPct !== undefined) {
    const peer = vethPeer(lab, node, dev);
    const [ns, family, table, hook] = peer
      ? [peer.netns, 'netdev', tableName(peer.ifname), `type filter hook ingress device ${JSON.stringify(peer.ifname)} priority -500; policy accept;`]
      : [n.netns, 'inet', tableName(dev), 'type filter hook postrouting priority 500; policy accept;'];
    const loss = change.lossPct;
    const rule = loss >= 100 ? 'drop' : `${numgen(loss)} drop`;
    const lines = [`add table ${family} ${table}`, `delete table ${family} ${table}`];
    if (loss > 0) lines.push(`table ${family} ${table} {`, `  chain ${peer ? 'ingress' : 'postrouting'} {`, `    ${hook}`, `    ${peer ? '' : `oifname ${JSON.stringify(dev)} `}${rule}`, '  }', '}');
    out.push({ ns, argv: ['nft', '-f', '-'], input: `${lines.join('\n')}\n`, what: `${node}:${dev}: loss ${loss}%${peer ? ` (dropped on ${peerLabel(peer)}'s ingress)` : ''}` });
  }
  return out;
}
