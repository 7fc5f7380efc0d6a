/** Compile a resolved lab into a Plan: ordered, plain-data steps. Pure. */
import { join } from 'node:path';
import { KINDS } from '../kinds/registry.ts';
import { LINK_TYPES } from '../links/registry.ts';
import { virtualSteps } from '../links/virtual.ts';
import { routeArgs } from '../model/routes.ts';
import type { ResolvedBridge, ResolvedLab, ResolvedNode } from '../model/types.ts';
import type { CompileContext } from './context.ts';
import { impairSteps } from './impair.ts';
import { EXTENSIONS } from '../extensions.ts';
import { dockerProxies, natRules } from './nat.ts';
import { PHASES, type Plan, type Step } from './ops.ts';

const FORWARDING = { 'net.ipv4.ip_forward': true, 'net.ipv6.conf.all.forwarding': true };

/** The longest `lab up` waits for bridge ports to start forwarding. */
export const SETTLE_MS = 10_000;

export function compile(lab: ResolvedLab, ctx: CompileContext): Plan {
  const steps: Step[] = [];
  if (lab.fabricNs) {
    steps.push({ id: 'fabric.netns', phase: 'namespaces', order: 0, op: { type: 'ip', args: ['netns', 'add', lab.fabricNs] }, source: lab.namePos, note: 'the lab fabric: bridges that belong to no node', creates: { kind: 'netns', name: lab.fabricNs } });
    steps.push({ id: 'fabric.lo', phase: 'configure', order: 10, op: { type: 'ip', ns: lab.fabricNs, args: ['link', 'set', 'lo', 'up'] }, source: lab.namePos });
  }
  for (const node of lab.nodes) {
    const kind = KINDS.get(node.kind);
    if (!kind) throw new Error(`no kind ${node.kind} (resolve should have refused it)`);
    steps.push(...kind.createNamespace(node, ctx));
    steps.push(...nodeSteps(node, ctx));
    steps.push(...(kind.extraSteps?.(node, ctx) ?? []));
  }
  for (const b of lab.bridges) steps.push(...bridgeSteps(b));
  for (const ns of new Set(lab.bridges.map((b) => b.netns))) {
    const b = lab.bridges.find((x) => x.netns === ns)!;
    steps.push({ id: `settle.${ns}`, phase: 'settle', order: 0, op: { type: 'settle', ns, timeoutMs: SETTLE_MS }, source: b.pos, note: 'wait until every bridge port forwards' });
  }
  lab.links.forEach((l, i) => {
    const t = LINK_TYPES.get(l.type);
    if (!t) throw new Error(`no link type ${l.type}`);
    steps.push(...t.compile(l, i, ctx));
  });
  steps.push(...impairSteps(lab, ctx));
  for (const ext of EXTENSIONS) steps.push(...(ext.steps?.(lab, ctx) ?? []));
  const phaseIdx = new Map(PHASES.map((p, i) => [p, i]));
  const seq = new Map(steps.map((s, i) => [s, i]));
  steps.sort((a, b) => phaseIdx.get(a.phase)! - phaseIdx.get(b.phase)! || a.order - b.order || seq.get(a)! - seq.get(b)!);
  const namespaces = [...(lab.fabricNs ? [lab.fabricNs] : []), ...lab.nodes.map((n) => n.netns)];
  const notes = ctx.inherited
    ? [`new namespaces start with ${Object.entries(ctx.inherited).map(([k, v]) => `${k}=${v}`).join(', ')} (inherited from this host): only nodes that need other values get a sysctl`]
    : [];
  if (ctx.assumed?.length) notes.push(`assumes: ${ctx.assumed.join(', ')} (kernel features not probed here; \`lab up\` probes them first and refuses the lab without them)`);
  return { lab: lab.name, file: lab.file, hash: lab.hash, workDir: ctx.labDir, namespaces, steps, notes, ...(ctx.inherited ? { inherited: ctx.inherited } : {}) };
}

function nodeSteps(node: ResolvedNode, ctx: CompileContext): Step[] {
  const ns = node.netns;
  const s: Step[] = [];
  const id = (x: string): string => `${node.name}.${x}`;
  // a container's own commands run inside it (docker exec); nslab's agents run in its namespace with the host's tools
  const inside = node.containers?.[0]?.name;
  if (!node.sharesNetnsOf) s.push(...networkSteps(node, ctx));
  node.exec.forEach((c, k) => s.push({ id: id(`exec${k}`), phase: 'exec', order: 0, op: { type: 'exec', ns, argv: c.argv, container: inside }, source: c.pos }));
  const log = (name: string): string => join(ctx.labDir, 'logs', `${node.name}.${name}.log`);
  if (node.whoami.length) {
    const argv = [...ctx.selfArgv, 'agent', 'whoami', '--name', node.name, ...node.whoami.flatMap((p) => ['--port', String(p)])];
    s.push({ id: id('whoami'), phase: 'daemons', order: 0, op: { type: 'daemon', ns, node: node.name, name: 'whoami', argv, log: log('whoami') }, source: node.pos, note: `node ${node.name}: test server on ${node.whoami.join(', ')}`, creates: { kind: 'process', name: 'whoami', ns } });
  }
  for (const d of node.daemons) {
    s.push({ id: id(`daemon.${d.name}`), phase: 'daemons', order: 10, op: { type: 'daemon', ns, node: node.name, name: d.name, argv: d.argv, log: log(d.name), container: inside }, source: d.pos, creates: { kind: 'process', name: d.name, ns } });
  }
  // Docker's userland proxy: one process per published port, in the node's namespace with this host's docker-proxy
  for (const p of dockerProxies(node)) {
    s.push({ id: id(p.name), phase: 'daemons', order: 5, op: { type: 'daemon', ns, node: node.name, name: p.name, argv: p.argv, log: log(p.name), fd3: true }, source: p.rule.pos, note: `node ${node.name}: Docker's userland proxy for a published port`, creates: { kind: 'process', name: p.name, ns } });
  }
  return s;
}

/** Sysctls, lo, addresses, routes, NAT and rules of a node's own namespace. */
function networkSteps(node: ResolvedNode, ctx: CompileContext): Step[] {
  const ns = node.netns;
  const s: Step[] = [];
  const id = (x: string): string => `${node.name}.${x}`;
  // sysctls first: forwarding is set explicitly on every node (new namespaces inherit the host's)
  // (only those that differ from what a new namespace inherits from this host)
  const values = node.sysctls.filter(([k, v]) => ctx.inherited?.[k] !== v);
  const fwd = node.forwarding ? 'forwarding on' : 'forwarding off';
  const inheritedFwd = !values.some(([k]) => k in FORWARDING);
  if (values.length) s.push({ id: id('sysctl'), phase: 'configure', order: 0, op: { type: 'sysctl', ns, values }, source: node.pos, note: `node ${node.name}: ${fwd}` });
  s.push({ id: id('lo'), phase: 'configure', order: 10, op: { type: 'ip', ns, args: ['link', 'set', 'lo', 'up'] }, source: node.pos, note: inheritedFwd ? `node ${node.name}: ${fwd} (as inherited from the host)` : undefined });
  for (const i of node.interfaces) {
    s.push(...virtualSteps(node, i, ctx));
    for (const a of i.addresses) {
      const v6 = a.includes(':');
      s.push({ id: id(`${i.name}.addr.${a}`), phase: 'configure', order: 40, op: { type: 'ip', ns, args: v6 ? ['addr', 'add', a, 'dev', i.name, 'nodad'] : ['addr', 'add', a, 'dev', i.name] }, source: i.pos, note: i.auto ? 'address from the pool' : undefined, creates: { kind: 'address', name: `${i.name} ${a}`, ns } });
    }
    if (i.name !== 'lo') s.push({ id: id(`${i.name}.up`), phase: 'configure', order: 50, op: { type: 'ip', ns, args: ['link', 'set', i.name, 'up'] }, source: i.pos });
  }
  node.routes.forEach((r, k) => {
    s.push({ id: id(`route${k}`), phase: 'configure', order: 60, op: { type: 'ip', ns, args: routeArgs(r) }, source: r.pos, creates: { kind: 'route', name: r.to, ns } });
  });
  // dockerd --userland-proxy=false: 127.0.0.1 may leave by the bridge once DNATed (in the firewall phase: the bridge exists)
  for (const r of node.nat) {
    if (r.type === 'docker' && !r.userlandProxy) s.push({ id: id(`${r.bridge}.route_localnet`), phase: 'firewall', order: 0, op: { type: 'sysctl', ns, values: [[`net.ipv4.conf.${r.bridge}.route_localnet`, '1']] }, source: r.pos, note: `node ${node.name}: 127.0.0.1 may be routed out of ${r.bridge} (Docker without its userland proxy)` });
  }
  const nat = natRules(node);
  if (nat) s.push({ id: id('nat'), phase: 'firewall', order: 0, op: { type: 'load', ns, tool: 'iptables-restore', input: nat }, source: node.nat[0].pos, note: `node ${node.name}: ${node.nat.some((r) => r.type === 'docker') ? "NAT and Docker's filter chains" : 'NAT'}`, creates: { kind: 'rules', name: 'iptables nat', ns } });
  const fw = node.firewall;
  if (fw.iptables) s.push({ id: id('iptables'), phase: 'firewall', order: 10, op: { type: 'load', ns, tool: 'iptables-restore', input: ensureNewline(fw.iptables) }, source: node.firewallPos, creates: { kind: 'rules', name: 'iptables', ns } });
  if (fw.ip6tables) s.push({ id: id('ip6tables'), phase: 'firewall', order: 10, op: { type: 'load', ns, tool: 'ip6tables-restore', input: ensureNewline(fw.ip6tables) }, source: node.firewallPos, creates: { kind: 'rules', name: 'ip6tables', ns } });
  if (fw.nftables) s.push({ id: id('nftables'), phase: 'firewall', order: 20, op: { type: 'load', ns, tool: 'nft', input: ensureNewline(fw.nftables) }, source: node.firewallPos, creates: { kind: 'rules', name: 'nftables', ns } });
  return s;
}

function bridgeSteps(b: ResolvedBridge): Step[] {
  const ns = b.netns;
  const add = ['link', 'add', b.ifname, 'type', 'bridge'];
  if (b.stp) add.push('stp_state', '1');
  const s: Step[] = [{ id: `bridge.${b.name}`, phase: 'configure', order: 20, op: { type: 'ip', ns, args: add }, source: b.pos, note: `bridge ${b.ifname}${b.node ? ` in ${b.node}` : ''}`, creates: { kind: 'bridge', name: b.ifname, ns } }];
  if (b.mtu) s.push({ id: `bridge.${b.name}.mtu`, phase: 'configure', order: 21, op: { type: 'ip', ns, args: ['link', 'set', b.ifname, 'mtu', String(b.mtu)] }, source: b.pos });
  for (const a of b.addresses) {
    s.push({ id: `bridge.${b.name}.addr.${a}`, phase: 'configure', order: 40, op: { type: 'ip', ns, args: a.includes(':') ? ['addr', 'add', a, 'dev', b.ifname, 'nodad'] : ['addr', 'add', a, 'dev', b.ifname] }, source: b.pos });
  }
  s.push({ id: `bridge.${b.name}.up`, phase: 'configure', order: 50, op: { type: 'ip', ns, args: ['link', 'set', b.ifname, 'up'] }, source: b.pos });
  return s;
}

function ensureNewline(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}
