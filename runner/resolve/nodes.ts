/** The nodes pass: each node through its kind, with sysctls, routes, commands, daemons and firewall. */
import { error, type Diagnostic } from '../config/diagnostics.ts';
import type { PathSeg } from '../config/load.ts';
import { KIND_KEYS, KINDS, type KindCheckContext } from '../kinds/registry.ts';
import { parsePrefix } from '../model/ip.ts';
import { nodeNetns } from '../model/names.ts';
import { commands, resolveRoutes } from '../model/node-parts.ts';
import type { ResolvedDaemon, ResolvedNode } from '../model/types.ts';
import { toArgv } from '../model/words.ts';
import { asObj, isObj, str } from '../util/obj.ts';
import type { ResolveDraft } from './draft.ts';
import type { RawNode } from './raw.ts';

export function nodes(d: ResolveDraft): void {
  const linked = new Set(d.links.flatMap((l) => [l.a.node, l.b.node]).filter((x): x is string => !!x));
  for (const e of d.brokenLinks) linked.add(e.split(':')[0]);
  const kctx: KindCheckContext = {
    at: d.at,
    labName: d.labName,
    rawNodes: new Map(d.rawNodes),
    isLinked: (x) => linked.has(x),
    interfaces: (x) => [...(d.ifOfNode.get(x) ?? []), ...d.resolvedBridges.filter((b) => b.node === x)].map((i) => ({ name: i.name, addresses: i.addresses })),
  };
  for (const [n, node] of d.rawNodes) d.nodes.push(resolveNode(d, n, node, kctx));
}

function resolveNode(d: ResolveDraft, n: string, node: RawNode, kctx: KindCheckContext): ResolvedNode {
  const kindName = typeof node.kind === 'string' ? node.kind : 'netns';
  const kind = KINDS.get(kindName);
  // a node of an unknown kind is still resolved as far as its kind does not matter (its interfaces, routes…),
  // so that the NAT rules and tests naming it do not repeat the error as "unknown node"
  if (!kind) d.diags.push(error('kind.unknown', `node ${n} has kind ${JSON.stringify(kindName)}, which this nslab does not have`, d.at(['nodes', n, 'kind']), `kinds: ${[...KINDS.keys()].join(', ')}`));
  else d.diags.push(...kindKeyErrors(d, n, node, kindName));
  const kr = kind?.resolve?.(n, node, kctx);
  if (kr) d.diags.push(...kr.diagnostics);
  const interfaces = d.ifOfNode.get(n) ?? [];
  const ownBridges = d.resolvedBridges.filter((b) => b.node === n);
  const devNames = new Set([...interfaces.map((i) => i.name), ...ownBridges.map((b) => b.name), 'lo']);
  const connected = [...interfaces.flatMap((i) => i.addresses), ...ownBridges.flatMap((b) => b.addresses)].map((a) => parsePrefix(a)!).filter(Boolean);
  // routers forward unless told otherwise; everything else does not
  const forwarding = typeof node.forwarding === 'boolean' ? node.forwarding : kindName === 'bird';
  const routes = resolveRoutes(n, node, devNames, connected, d.at, d.diags);
  const exec = commands(node.exec, ['nodes', n, 'exec'], d.at, d.diags, `exec command of ${n}`);
  const daemons = resolveDaemons(d, n, node.daemons);
  const fw = asObj(node.firewall);
  const resolved: ResolvedNode = {
    name: n,
    kind: kindName,
    netns: nodeNetns(d.labName, kr?.sharesNetnsOf ?? n),
    sharesNetnsOf: kr?.sharesNetnsOf,
    containers: kr?.containers,
    kindData: kr?.kindData,
    forwarding,
    interfaces,
    routes,
    sysctls: sysctlsOf(node.sysctls, forwarding),
    nat: [],
    firewall: { nftables: str(fw.nftables), iptables: str(fw.iptables), ip6tables: str(fw.ip6tables) },
    firewallPos: isObj(node.firewall) ? d.at(['nodes', n, 'firewall'], true) : undefined,
    exec,
    daemons,
    whoami: Array.isArray(node.whoami) ? node.whoami.filter((p): p is number => typeof p === 'number') : [],
    pos: d.at(['nodes', n], true),
    raw: node,
  };
  d.diags.push(...(kind?.check?.(n, node, kctx) ?? []));
  return resolved;
}

/** Keys that belong to other kinds of node. */
function kindKeyErrors(d: ResolveDraft, n: string, node: RawNode, kindName: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const values = node as Readonly<Record<string, unknown>>;
  for (const [key, kinds] of Object.entries(KIND_KEYS)) {
    if (values[key] !== undefined && !kinds.includes(kindName)) {
      const which = kinds.length > 1 ? `${kinds.slice(0, -1).join(', ')} and ${kinds[kinds.length - 1]}` : kinds[0];
      out.push(error('kind.key', `${key} is for ${which} nodes, and ${n} is a ${kindName} node`, d.at(['nodes', n, key], true), `set \`kind: ${kinds[0]}\` on ${n}, or remove ${key}`));
    }
  }
  return out;
}

/** Forwarding first (set explicitly on every node), then the node's own sysctls in order (one may override forwarding). */
function sysctlsOf(raw: unknown, forwarding: boolean): [string, string][] {
  const sysctls: [string, string][] = [
    ['net.ipv4.ip_forward', forwarding ? '1' : '0'],
    ['net.ipv6.conf.all.forwarding', forwarding ? '1' : '0'],
  ];
  for (const [k, v] of Object.entries(asObj(raw))) {
    const val = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
    const i = sysctls.findIndex(([kk]) => kk === k);
    if (i >= 0) sysctls[i] = [k, val];
    else sysctls.push([k, val]);
  }
  return sysctls;
}

function resolveDaemons(d: ResolveDraft, n: string, raw: unknown): ResolvedDaemon[] {
  const daemons: ResolvedDaemon[] = [];
  (Array.isArray(raw) ? raw : []).forEach((x: unknown, i: number) => {
    const run = isObj(x) ? x.run : x;
    const path: PathSeg[] = isObj(x) ? ['nodes', n, 'daemons', i, 'run'] : ['nodes', n, 'daemons', i];
    const r = toArgv(run);
    if (!r.ok) d.diags.push(error('command.invalid', `daemon ${i + 1} of ${n}: ${r.message}`, d.at(path), 'write the command as a list of words, or [sh, -c, "…"] if it needs a shell'));
    else {
      const name = isObj(x) && typeof x.name === 'string' ? x.name : `${r.argv[0].split('/').pop()}-${i + 1}`;
      const other = daemons.find((o) => o.name === name);
      // one log file and one state entry per name: a second daemon of the same name would overwrite the first's
      if (other) d.diags.push(error('daemon.duplicate-name', `node ${n} has two daemons named ${JSON.stringify(name)}`, d.at(isObj(x) ? ['nodes', n, 'daemons', i, 'name'] : path), `the other is at line ${other.pos.line}; give each daemon its own name:`));
      else daemons.push({ name, argv: r.argv, pos: d.at(path) });
    }
  });
  return daemons;
}
