/**
 * From the plan a lab is up from to the plan of its changed file (issue 15.1): which objects are added, removed,
 * changed in place and which nodes must be rebuilt, and why. Pure: `lab plan --diff` prints it, `lab up` on a changed
 * file runs it (runner/lab/apply.ts).
 *
 * Every step of a plan is keyed by the object it makes (a namespace, a link by its namespace and name, an address by
 * its interface, a route by its destination, one sysctl, a rule set, a daemon, a container, a file, a pod's CNI
 * setup) and compared by content (its operation, without the lab-file place or the note; comments of generated files
 * and rule sets left out, as they name lab-file lines). What differs becomes:
 *  - a node whose kind or containers changed: rebuilt (its namespace removed and made again, its links with it);
 *  - a removed node: its namespace, containers, daemons, files removed, as `lab down` does for a whole lab;
 *  - an address, a `link set`, a sysctl, a qdisc: set in place; a route: `ip route replace`;
 *  - a link whose creation changed: deleted and made again, with what is configured on its ends;
 *  - a rule set: replaced in one transaction (nft: `add table` + `delete table` of the old tables, then the new;
 *    iptables-restore --noflush: the old rules deleted, the chains flushed and re-filled, stale chains deleted);
 *  - a file a BIRD router reads: rewritten, then `birdc configure` (its sessions that did not change stay up);
 *    a file another daemon reads, or a changed daemon: the daemon restarted;
 *  - a pod's CNI setup: DEL from the record of its ADD, then ADD again.
 */
import type { ClusterResult } from '../cluster/types.ts';
import type { Placement } from '../config/load.ts';
import { PHASES, type CniOp, type Op, type Plan, type Step } from './ops.ts';
import { linkEnds, nodeSlice } from './node-slice.ts';
import { nftIncremental } from './nft-incremental.ts';

/** A node of an applied plan: enough to say which namespace is which node, of which kind. */
export interface AppliedNode {
  readonly name: string;
  readonly ns: string;
  readonly kind: string;
}

/** What a lab is up from (written to its directory by `lab up` and every apply). */
export interface Applied {
  readonly plan: Plan;
  readonly nodes: readonly AppliedNode[];
  /** A cluster's allocations, which a changed file keeps (runner/cluster/expand.ts). */
  readonly placement?: Placement;
}

export interface Rebuild {
  readonly node: string;
  readonly ns: string;
  readonly reason: string;
  /** The node's links, which go and come back with it (`r1:eth0–r2:eth0`). */
  readonly links: readonly string[];
}

/** Something removed before the new steps run. Each is idempotent: what is already gone is not an error. */
export type Removal =
  /** CNI DEL for a pod, from the record of its ADD. */
  | { readonly type: 'cni'; readonly op: CniOp }
  /** A daemon stopped (removed, restarted, or its node goes). */
  | { readonly type: 'daemon'; readonly ns: string; readonly node: string; readonly name: string; readonly why: string }
  /** A whole node: its links deleted, every process in it ended, its containers removed, its namespace deleted, its files removed. */
  | { readonly type: 'node'; readonly node: string; readonly ns: string; readonly devs: readonly string[]; readonly containers: readonly string[]; readonly files: readonly string[]; readonly why: string }
  /** Undo lines for one tool in one namespace (`addr del …`, `route del …`, `link del …`), run with -force. */
  | { readonly type: 'ip'; readonly ns?: string; readonly tool: 'ip' | 'bridge' | 'tc'; readonly lines: readonly string[] }
  /** A file no step writes any more. */
  | { readonly type: 'file'; readonly path: string };

export interface PlanDiff {
  readonly lab: string;
  /** One line per change, for people (`+ node h4`, `~ r1: bird.conf changed: birdc configure`). */
  readonly changes: readonly string[];
  readonly rebuilds: readonly Rebuild[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly removals: readonly Removal[];
  /** The steps to run after the removals, as a plan (its namespaces: the new ones only; its work directory: the apply's). */
  readonly forward: Plan;
  /** Nothing to do: the running lab already is the new file's network. */
  readonly empty: boolean;
}

// ─── keys ────────────────────────────────────────────────────────────────────────────────────────────────────────

const BUILTIN = new Set(['INPUT', 'OUTPUT', 'FORWARD', 'PREROUTING', 'POSTROUTING']);

/** Comments name lab-file lines (they move when a node is added above): left out of the comparison. */
export function withoutComments(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trimEnd())
    .filter((l) => l.trim())
    .join('\n');
}

/** Without the lab-file places (`pos`, `source`): they move when the file is edited above them. */
function noPos(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(noPos);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'pos' && k !== 'source').map(([k, x]) => [k, noPos(x)]));
  return v;
}

/**
 * A bridge port's `index N` (wiring.ts numbers them in order, so that no link event is deferred): not part of what a
 * link is, as a node added above it renumbers the ports after it. Left out of the comparison, and out of a new port
 * in a namespace that stays (the kernel picks a free index; the numbered one may be a running port's).
 */
function withoutIndex(args: readonly string[]): string[] {
  const i = args[0] === 'link' && args[1] === 'add' ? args.indexOf('index') : -1;
  return i < 0 ? [...args] : [...args.slice(0, i), ...args.slice(i + 2)];
}

function opContent(op: Op): string {
  if (op.type === 'ip') return JSON.stringify(noPos({ ...op, args: withoutIndex(op.args) }));
  if (op.type === 'file') return `file ${op.path}\n${withoutComments(op.content)}`;
  if (op.type === 'load') return `load ${op.ns} ${op.tool}\n${withoutComments(op.input)}`;
  if (op.type === 'container') return JSON.stringify(noPos({ spec: op.spec, ns: op.ns }));
  if (op.type === 'cni') return JSON.stringify(noPos(op));
  return JSON.stringify(noPos(op));
}

/** The namespace and interface an `ip link add` step makes (the first end of a veth pair). */
function linkAddEnd(op: Extract<Op, { type: 'ip' }>): { ns: string; dev: string } {
  const ends = linkEnds(op.args);
  return ends[0] ?? { ns: op.ns ?? '', dev: op.args[2] };
}

function routeAt(args: readonly string[]): number {
  return args[0] === 'route' ? 1 : args[0] === '-6' && args[1] === 'route' ? 2 : -1;
}

function valueAfter(args: readonly string[], word: string): string | undefined {
  const i = args.indexOf(word);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The interface an ip/tc/bridge step is about (undefined for routes via a gateway only, namespaces, …). */
function devOf(op: Extract<Op, { type: 'ip' }>): string | undefined {
  const a = op.args;
  if (a[0] === 'link' && a[1] === 'set') return a[2] === 'dev' ? a[3] : a[2];
  if (a[0] === 'link' && a[1] === 'add') return undefined;
  return valueAfter(a, 'dev');
}

interface Keyed {
  readonly key: string;
  readonly step: Step;
  /** The namespaces the object lives in (a veth: both ends). */
  readonly nss: readonly string[];
  readonly content: string;
  /** For sysctls: the one value. */
  readonly sysctl?: readonly [string, string];
}

/** One entry per object a step makes; a sysctl step makes one per value. */
export function keyed(s: Step): Keyed[] {
  const op = s.op;
  const one = (key: string, nss: readonly (string | undefined)[]): Keyed[] => [{ key, step: s, nss: nss.filter((x): x is string => !!x), content: opContent(op) }];
  switch (op.type) {
    case 'ip': {
      const a = op.args;
      const tool = op.tool ?? 'ip';
      const ns = op.ns ?? '';
      if (tool === 'tc') {
        const where = a.includes('root') ? 'root' : `parent ${valueAfter(a, 'parent') ?? ''}`;
        return one(`tc ${ns}/${valueAfter(a, 'dev')}/${a[0]} ${where}`, [op.ns]);
      }
      if (tool === 'bridge') return one(`bridge ${ns} ${a.filter((w) => w !== 'append' && w !== 'add').join(' ')}`, [op.ns]);
      if (a[0] === 'netns' && a[1] === 'add') return one(`netns ${a[2]}`, [a[2]]);
      if (a[0] === 'link' && a[1] === 'add') {
        const e = linkAddEnd(op);
        return one(`link ${e.ns}/${e.dev}`, linkEnds(a).length ? linkEnds(a).map((x) => x.ns) : [op.ns]);
      }
      if (a[0] === 'link' && a[1] === 'set') {
        const dev = devOf(op)!;
        const attr = a.slice(a[2] === 'dev' ? 4 : 3).filter((w, i) => i % 2 === 0 || ['up', 'down'].includes(w))[0] ?? '';
        return one(`set ${ns}/${dev}/${attr === 'down' ? 'up' : attr}`, [op.ns]);
      }
      if (a[0] === 'addr' && a[1] === 'add') return one(`addr ${ns}/${valueAfter(a, 'dev')}/${a[2]}`, [op.ns]);
      const r = routeAt(a);
      if (r >= 0) {
        const fam = r === 2 ? '-6 ' : '';
        const to = a[r + 1];
        return one(`route ${ns}/${fam}${to} table ${valueAfter(a, 'table') ?? 'main'} metric ${valueAfter(a, 'metric') ?? '-'}`, [op.ns]);
      }
      return one(`ip ${ns} ${a.join(' ')}`, [op.ns]);
    }
    case 'sysctl':
      return op.values.map(([k, v]) => ({ key: `sysctl ${op.ns}/${k}`, step: s, nss: [op.ns], content: v, sysctl: [k, v] as const }));
    case 'settle':
      return one(`settle ${op.ns}`, [op.ns]);
    case 'file':
      return one(`file ${op.path}`, [op.lane]);
    case 'load':
      return one(`rules ${op.ns}/${op.tool}/${s.id}`, [op.ns]);
    case 'exec':
      return one(`exec ${op.ns}/${op.container ?? ''}/${op.argv.join(' ')}`, [op.ns]);
    case 'container':
      return one(`container ${op.spec.name}`, [op.lane, op.ns]);
    case 'daemon':
      return one(`daemon ${op.ns}/${op.name}`, [op.ns]);
    case 'cni':
      return one(`cni ${op.pod}`, [op.ns]);
  }
}

function keyMap(plan: Plan): Map<string, Keyed> {
  const m = new Map<string, Keyed>();
  for (const s of plan.steps) for (const k of keyed(s)) if (!m.has(k.key)) m.set(k.key, k);
  return m;
}

// ─── rule sets replaced in one transaction ─────────────────────────────────────────────────────────────────────

/** The nft tables a rule set declares (`table inet x {`, `add table ip y`). */
export function nftTables(input: string): string[] {
  const out: string[] = [];
  for (const l of input.split('\n')) {
    const m = /^\s*(?:add\s+)?table\s+(\S+)\s+([^\s{]+)/.exec(l);
    if (m && !out.includes(`${m[1]} ${m[2]}`)) out.push(`${m[1]} ${m[2]}`);
  }
  return out;
}

/** An nft rule set replacing `old`: the old tables created if missing and deleted, then the new text, in one `nft -f`. */
export function nftReplace(old: string, next: string): string {
  const first = next.split('\n').slice(0, 2).join('\n');
  const pre = nftTables(old)
    .filter((t) => !first.includes(`delete table ${t}`))
    .flatMap((t) => [`add table ${t}`, `delete table ${t}`]);
  return `${[...pre, next.trimEnd()].filter(Boolean).join('\n')}\n`;
}

interface IptTable {
  chains: Map<string, string>;
  lines: string[];
}

function iptParse(input: string): Map<string, IptTable> {
  const tables = new Map<string, IptTable>();
  let cur: IptTable | undefined;
  for (const raw of input.split('\n')) {
    const l = raw.trim();
    if (!l || l.startsWith('#')) continue;
    if (l.startsWith('*')) {
      const name = l.slice(1);
      cur = tables.get(name) ?? { chains: new Map(), lines: [] };
      tables.set(name, cur);
    } else if (l === 'COMMIT') cur = undefined;
    else if (cur && l.startsWith(':')) cur.chains.set(l.slice(1).split(/\s+/)[0], l);
    else if (cur) cur.lines.push(l);
  }
  return tables;
}

/**
 * An iptables-restore --noflush transaction replacing rule set `old` by `next`, table by table, as kube-proxy's sync
 * does: the chains of the new set declared (which flushes them), the old set's rules in built-in chains deleted
 * (`-D`), its chains the new one has not flushed and deleted (`-X`), the new rules added; a built-in chain the old set
 * declared and the new one does not gets its policy back to ACCEPT. One COMMIT per table.
 */
export function iptablesReplace(old: string, next: string): string {
  const o = iptParse(old);
  const n = iptParse(next);
  const out: string[] = [];
  for (const t of new Set([...o.keys(), ...n.keys()])) {
    const ot = o.get(t) ?? { chains: new Map(), lines: [] };
    const nt = n.get(t) ?? { chains: new Map(), lines: [] };
    out.push(`*${t}`);
    out.push(...nt.chains.values());
    const stale = [...ot.chains.keys()].filter((c) => !BUILTIN.has(c) && !nt.chains.has(c));
    for (const c of stale) out.push(`:${c} - [0:0]`);
    // a built-in chain's policy (`:FORWARD DROP`) the new set no longer declares: back to a new namespace's, ACCEPT
    for (const c of ot.chains.keys()) if (BUILTIN.has(c) && !nt.chains.has(c)) out.push(`:${c} ACCEPT [0:0]`);
    for (const l of ot.lines) {
      const m = /^-[AI]\s+(\S+)\s+(?:\d+\s+)?(.*)$/.exec(l);
      if (m && BUILTIN.has(m[1])) out.push(`-D ${m[1]} ${m[2]}`);
    }
    out.push(...nt.lines);
    for (const c of stale) out.push(`-X ${c}`);
    out.push('COMMIT');
  }
  return `${out.join('\n')}\n`;
}

// ─── the diff ─────────────────────────────────────────────────────────────────────────────────────────────────────

const nodeOfNs = (nodes: readonly AppliedNode[], ns: string): AppliedNode | undefined => nodes.find((n) => n.ns === ns);

function containersOf(plan: Plan, ns: string): Extract<Op, { type: 'container' }>[] {
  return plan.steps.flatMap((s) => (s.op.type === 'container' && (s.op.lane === ns || s.op.ns === ns) ? [s.op] : []));
}

/** The node's links in `plan`, as `a:eth0–b:eth1`. */
function linksOf(plan: Plan, nodes: readonly AppliedNode[], ns: string): string[] {
  const name = (x: string): string => nodeOfNs(nodes, x)?.name ?? x;
  return plan.steps.flatMap((s) => {
    if (s.phase !== 'links' || s.op.type !== 'ip') return [];
    const ends = linkEnds(s.op.args);
    if (!ends.some((e) => e.ns === ns)) return [];
    return [ends.map((e) => `${name(e.ns)}:${e.dev}`).join('–')];
  });
}

function whyRebuild(old: Applied, next: Applied, ns: string): string | undefined {
  const on = nodeOfNs(old.nodes, ns);
  const nn = nodeOfNs(next.nodes, ns);
  if (on && nn && on.kind !== nn.kind) return `its kind changed from ${on.kind} to ${nn.kind}: a namespace cannot become a container`;
  const oc = containersOf(old.plan, ns);
  const nc = containersOf(next.plan, ns);
  if (oc.length !== nc.length) return `its containers changed (${oc.length} → ${nc.length}): a container's namespace is made with it`;
  for (let i = 0; i < oc.length; i++) {
    const a = noPos(oc[i].spec) as Record<string, unknown>;
    const b = noPos(nc[i].spec) as Record<string, unknown>;
    const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    if (fields.length) return `its container ${nc[i].spec.name} changed (${fields.join(', ')}): Docker cannot change a container's image or command in place`;
  }
  const hadNetns = old.plan.steps.some((s) => s.op.type === 'ip' && s.op.args[0] === 'netns' && s.op.args[2] === ns);
  const hasNetns = next.plan.steps.some((s) => s.op.type === 'ip' && s.op.args[0] === 'netns' && s.op.args[2] === ns);
  if (hadNetns !== hasNetns) return 'what owns its namespace changed';
  // a sysctl no longer set: a fresh namespace starts from the kernel's value, which only the forwarding ones are
  // known of (the plan's `inherited`); the others are not known here, so the node starts again from a new namespace.
  // One of an interface that is no longer there went with it.
  const keys = (p: Plan): Set<string> => new Set(p.steps.flatMap((s) => (s.op.type === 'sysctl' && s.op.ns === ns ? s.op.values.map(([k]) => k) : [])));
  const devs = new Set(next.plan.steps.flatMap((s) => (s.op.type === 'ip' ? [...linkEnds(s.op.args).filter((e) => e.ns === ns).map((e) => e.dev), ...(s.op.ns === ns ? [devOf(s.op) ?? ''] : [])] : [])));
  const nowKeys = keys(next.plan);
  const unset = [...keys(old.plan)].filter((k) => {
    if (nowKeys.has(k) || next.plan.inherited?.[k] !== undefined) return false;
    const dev = /^net\.ipv[46]\.(?:conf|neigh)\.([^.]+)\./.exec(k)?.[1];
    return !dev || ['all', 'default'].includes(dev) || devs.has(dev);
  });
  if (unset.length) return `sysctl ${unset.join(', ')} no longer set: the value a new namespace starts with is not known here, so it starts again from one`;
  return undefined;
}

/** The undo line of an ip/tc/bridge step (undefined: nothing to undo, e.g. `link set up`). */
function undoLine(op: Extract<Op, { type: 'ip' }>): string[] | undefined {
  const a = op.args;
  const tool = op.tool ?? 'ip';
  if (tool === 'tc') {
    const i = a.indexOf('add') >= 0 ? a.indexOf('add') : a.indexOf('replace');
    if (i < 0) return undefined;
    const dev = valueAfter(a, 'dev');
    return [...a.slice(0, i), 'del', 'dev', dev ?? '', ...(a.includes('root') ? ['root'] : ['parent', valueAfter(a, 'parent') ?? ''])];
  }
  if (tool === 'bridge') return a.map((w) => (w === 'append' || w === 'add' ? 'del' : w));
  if (a[0] === 'link' && a[1] === 'add') {
    const e = linkAddEnd(op);
    return ['link', 'del', 'dev', e.dev];
  }
  if (a[0] === 'link' && a[1] === 'set' && a.includes('master')) return ['link', 'set', devOf(op)!, 'nomaster'];
  if (a[0] === 'addr' && a[1] === 'add') return ['addr', 'del', a[2], 'dev', valueAfter(a, 'dev') ?? ''];
  const r = routeAt(a);
  if (r >= 0) return [...a.slice(0, r), 'del', ...a.slice(r + 1)];
  if (a[0] === 'rule' && a[1] === 'add') return ['rule', 'del', ...a.slice(2)];
  if (a[0] === 'neigh' && (a[1] === 'add' || a[1] === 'replace')) return ['neigh', 'del', ...a.slice(2)];
  return undefined;
}

/** A route step as `route replace` (changed in place, or put back where a link came back). */
export function asRouteReplace(s: Step): Step {
  if (s.op.type !== 'ip') return s;
  const a = s.op.args;
  const r = routeAt(a);
  if (r < 0 || a[r] !== 'add') return s;
  return { ...s, op: { ...s.op, args: [...a.slice(0, r), 'replace', ...a.slice(r + 1)] } };
}

function asTcReplace(s: Step): Step {
  if (s.op.type !== 'ip' || s.op.tool !== 'tc') return s;
  return { ...s, op: { ...s.op, args: s.op.args.map((w) => (w === 'add' ? 'replace' : w)) } };
}

/**
 * The diff from the plan a lab is up from to the new one. `workDir`: where the apply writes its batch files (not the
 * lab's own batch directory).
 */
export function diffPlans(old: Applied, next: Applied, workDir: string): PlanDiff {
  const oldNs = new Set(old.plan.namespaces);
  const newNs = new Set(next.plan.namespaces);
  const name = (nodes: readonly AppliedNode[], ns: string): string => nodeOfNs(nodes, ns)?.name ?? ns;
  const changes: string[] = [];
  const removals: Removal[] = [];
  const forward = new Map<string, Step>(); // by step id: a step included twice runs once
  const include = (s: Step): void => {
    if (!forward.has(s.id)) forward.set(s.id, s);
  };

  // 1. namespaces: added, removed, rebuilt
  const added = [...newNs].filter((n) => !oldNs.has(n));
  const removedNs = [...oldNs].filter((n) => !newNs.has(n));
  const rebuilds: Rebuild[] = [];
  for (const ns of [...newNs].filter((n) => oldNs.has(n))) {
    const reason = whyRebuild(old, next, ns);
    if (reason) rebuilds.push({ node: name(next.nodes, ns), ns, reason, links: linksOf(next.plan, next.nodes, ns) });
  }
  const gone = new Set([...removedNs, ...rebuilds.map((r) => r.ns)]); // namespaces whose objects go with them
  const remade = new Set([...added, ...rebuilds.map((r) => r.ns)]); // namespaces made (again) whole

  // interfaces that disappear with a namespace or a deleted link: what is configured on them goes too
  const goneDevs = new Set<string>();
  const markLinkGone = (s: Step): void => {
    if (s.op.type === 'ip') for (const e of linkEnds(s.op.args)) goneDevs.add(`${e.ns}/${e.dev}`);
  };
  for (const s of old.plan.steps) if (s.phase === 'links' && s.op.type === 'ip' && linkEnds(s.op.args).some((e) => gone.has(e.ns))) markLinkGone(s);

  // CNI DEL for pods that go (before their namespace does), daemons stopped, nodes removed
  const oldKeys = keyMap(old.plan);
  const newKeys = keyMap(next.plan);
  for (const ns of [...removedNs, ...rebuilds.map((r) => r.ns)]) {
    const rebuild = rebuilds.find((r) => r.ns === ns);
    const node = name(old.nodes, ns);
    const devs = [...goneDevs].filter((d) => d.startsWith(`${ns}/`)).map((d) => d.slice(ns.length + 1));
    const files = old.plan.steps.flatMap((s) => (s.op.type === 'file' && s.op.lane === ns && !next.plan.steps.some((x) => x.op.type === 'file' && x.op.path === (s.op as { path: string }).path) ? [s.op.path] : []));
    removals.push({ type: 'node', node, ns, devs, containers: containersOf(old.plan, ns).map((c) => c.spec.name), files, why: rebuild ? `rebuilt: ${rebuild.reason}` : 'removed from the lab file' });
    changes.push(rebuild ? `~ node ${node} rebuilt: ${rebuild.reason}; its links go and come back with it${rebuild.links.length ? ` (${rebuild.links.join(', ')})` : ''}` : `- node ${node} removed (its namespace${containersOf(old.plan, ns).length ? ', containers' : ''}, links, daemons and files)`);
  }
  for (const ns of added) changes.push(`+ node ${name(next.nodes, ns)} added`);

  // 2. objects: keyed, compared
  const inGone = (k: Keyed): boolean => k.nss.some((n) => gone.has(n));
  const onGoneDev = (k: Keyed): boolean => {
    const op = k.step.op;
    if (op.type === 'ip' && op.ns) {
      const dev = devOf(op);
      if (dev && goneDevs.has(`${op.ns}/${dev}`)) return true;
    }
    if (op.type === 'sysctl' && k.sysctl) return [...goneDevs].some((d) => d.startsWith(`${op.ns}/`) && k.sysctl![0].includes(`.${d.slice(op.ns.length + 1)}.`));
    return false;
  };
  const undo = new Map<string, { ns?: string; tool: 'ip' | 'bridge' | 'tc'; lines: string[] }>();
  const addUndo = (op: Extract<Op, { type: 'ip' }>, line: readonly string[]): void => {
    const tool = op.tool ?? 'ip';
    const ns = op.ns ?? (op.args[0] === 'link' && op.args[1] === 'add' ? linkAddEnd(op).ns : undefined);
    const k = `${tool}:${ns ?? ''}`;
    if (!undo.has(k)) undo.set(k, { ns, tool, lines: [] });
    undo.get(k)!.lines.push(line.map((w) => (/[\s"']/.test(w) ? JSON.stringify(w) : w)).join(' '));
  };
  const daemonStops: Removal[] = [];
  const cniDels: Removal[] = [];
  const fileRemovals: Removal[] = [];
  const recreatedDevs = new Set<string>();
  const sysctlChanges = new Map<Step, [string, string][]>();
  const restoredSysctl = new Map<string, Step>(); // old sysctl step id → the step setting its values back
  const where = (k: Keyed): string => k.nss.map((n) => name(next.nodes, n) ?? name(old.nodes, n)).join('/') || 'host';

  for (const [key, o] of oldKeys) {
    if (newKeys.has(key) || inGone(o)) continue;
    const op = o.step.op;
    if (op.type === 'cni') {
      cniDels.push({ type: 'cni', op });
      changes.push(`- pod ${op.pod}: CNI DEL`);
      continue;
    }
    if (onGoneDev(o)) continue;
    if (op.type === 'ip') {
      const line = undoLine(op);
      if (!line) continue;
      if (op.args[0] === 'link' && op.args[1] === 'add') markLinkGone(o.step);
      addUndo(op, line);
      changes.push(`- ${where(o)}: ${(op.tool ?? 'ip')} ${line.join(' ')}`);
    } else if (op.type === 'daemon') {
      daemonStops.push({ type: 'daemon', ns: op.ns, node: op.node, name: op.name, why: 'removed from the lab file' });
      changes.push(`- ${op.node}: daemon ${op.name} stopped`);
    } else if (op.type === 'file') {
      fileRemovals.push({ type: 'file', path: op.path });
      changes.push(`- file ${op.path}`);
    } else if (op.type === 'load') {
      const input = op.tool === 'nft' ? nftReplace(op.input, '') : iptablesReplace(op.input, '');
      if (op.tool !== 'nft' || nftTables(op.input).length) {
        // (it makes nothing: without the old step's `creates`, which would record the rule set in the state again)
        const { creates: _made, ...step } = o.step;
        include({ ...step, id: `remove.${o.step.id}`, op: { ...op, input }, note: `${where(o)}: rule set ${o.step.id} removed` });
        changes.push(`- ${where(o)}: rule set ${o.step.id} removed`);
      }
    } else if (op.type === 'sysctl' && o.sysctl) {
      // a value the new plan leaves out because a new namespace starts with it: set back to it, as a fresh up leaves it
      const start = next.plan.inherited?.[o.sysctl[0]];
      if (start !== undefined) {
        const back = restoredSysctl.get(o.step.id) ?? { ...o.step, id: `${o.step.id}.inherited` };
        restoredSysctl.set(o.step.id, back);
        sysctlChanges.set(back, [...(sysctlChanges.get(back) ?? []), [o.sysctl[0], start]]);
        changes.push(`~ ${where(o)}: sysctl ${o.sysctl[0]}=${start} (no longer set: back to what a new namespace starts with)`);
      } else changes.push(`- ${where(o)}: sysctl ${o.sysctl[0]} no longer set (left at ${o.sysctl[1]}: its earlier value is not known)`);
    } else if (op.type === 'exec') {
      changes.push(`- ${where(o)}: exec ${op.argv.join(' ')} no longer in the file (a command that ran is not undone)`);
    }
  }
  // links deleted above take what is configured on them along: drop the undo lines for those
  for (const u of undo.values()) {
    u.lines = u.lines.filter((l) => {
      const w = l.split(' ');
      const dev = w[0] === 'link' && w[1] === 'del' ? undefined : valueAfter(w, 'dev') ?? (w[0] === 'link' ? w[2] : undefined);
      return !(dev && u.ns && goneDevs.has(`${u.ns}/${dev}`));
    });
  }

  const reloadBird = new Map<string, Step>(); // daemon step → its configuration changed
  const reloads = new Map<string, Step>(); // a daemon that takes its changed configuration without a restart (op.reload)
  const restart = new Map<string, { step: Step; why: string }>();
  for (const [key, n] of newKeys) {
    if (n.nss.some((x) => remade.has(x))) continue; // made whole below
    const o = oldKeys.get(key);
    const op = n.step.op;
    if (!o) {
      if (op.type === 'sysctl' && n.sysctl) sysctlChanges.set(n.step, [...(sysctlChanges.get(n.step) ?? []), [...n.sysctl]]);
      else include(n.step);
      if (op.type === 'ip' && op.args[0] === 'link' && op.args[1] === 'add') for (const e of linkEnds(op.args)) recreatedDevs.add(`${e.ns}/${e.dev}`);
      if (op.type !== 'settle') changes.push(`+ ${where(n)}: ${describe(n)}`);
      continue;
    }
    if (o.content === n.content) continue;
    if (op.type === 'ip') {
      const a = op.args;
      if (a[0] === 'link' && a[1] === 'add') {
        addUndo(op, undoLine(o.step.op as Extract<Op, { type: 'ip' }>)!);
        markLinkGone(o.step);
        for (const e of linkEnds(a)) recreatedDevs.add(`${e.ns}/${e.dev}`);
        if (!linkEnds(a).length) recreatedDevs.add(`${op.ns ?? ''}/${a[2]}`);
        include(n.step);
        changes.push(`~ ${where(n)}: link ${a[2]} made again (how it is created changed)`);
      } else if (routeAt(a) >= 0) {
        include(asRouteReplace(n.step));
        changes.push(`~ ${where(n)}: ${describe(n)} (ip route replace)`);
      } else if (op.tool === 'tc') {
        include(asTcReplace(n.step));
        changes.push(`~ ${where(n)}: ${describe(n)} (tc qdisc replace)`);
      } else {
        const line = undoLine(o.step.op as Extract<Op, { type: 'ip' }>);
        if (line) addUndo(op, line);
        include(n.step);
        changes.push(`~ ${where(n)}: ${describe(n)}`);
      }
    } else if (op.type === 'sysctl' && n.sysctl) {
      sysctlChanges.set(n.step, [...(sysctlChanges.get(n.step) ?? []), [...n.sysctl]]);
      changes.push(`~ ${where(n)}: sysctl ${n.sysctl[0]}=${n.sysctl[1]} (was ${o.sysctl?.[1]})`);
    } else if (op.type === 'load') {
      const oldInput = (o.step.op as Extract<Op, { type: 'load' }>).input;
      // nftables: only what changed, as kube-proxy's nftables mode syncs; else the tables replaced in one transaction
      const inc = op.tool === 'nft' ? nftIncremental(oldInput, op.input) : undefined;
      if (inc) {
        include({ ...n.step, op: { ...op, input: inc.input } });
        changes.push(`~ ${where(n)}: rule set ${n.step.id} changed in one transaction, only what changed (${inc.summary})`);
      } else {
        const input = op.tool === 'nft' ? nftReplace(oldInput, op.input) : iptablesReplace(oldInput, op.input);
        include({ ...n.step, op: { ...op, input } });
        changes.push(`~ ${where(n)}: rule set ${n.step.id} replaced in one transaction (${op.tool === 'nft' ? 'nft -f' : `${op.tool} --noflush`})`);
      }
    } else if (op.type === 'file') {
      include(n.step);
      const users = next.plan.steps.filter((s) => s.op.type === 'daemon' && s.op.argv.includes(op.path));
      for (const u of users) {
        const d = u.op as Extract<Op, { type: 'daemon' }>;
        if (d.name === 'bird') reloadBird.set(u.id, u);
        else if (d.reload) reloads.set(u.id, u);
        else restart.set(u.id, { step: u, why: `its configuration ${op.path} changed` });
      }
      changes.push(`~ file ${op.path} rewritten${users.length ? '' : ''}`);
    } else if (op.type === 'daemon') {
      restart.set(n.step.id, { step: n.step, why: 'its command changed' });
    } else if (op.type === 'cni') {
      cniDels.push({ type: 'cni', op: o.step.op as CniOp });
      include(n.step);
      changes.push(`~ pod ${op.pod}: its network configuration changed: CNI DEL, then ADD`);
    } else if (op.type === 'exec') {
      include(n.step);
    }
  }
  for (const [id, r] of restart) {
    reloadBird.delete(id);
    reloads.delete(id);
    const d = r.step.op as Extract<Op, { type: 'daemon' }>;
    daemonStops.push({ type: 'daemon', ns: d.ns, node: d.node, name: d.name, why: r.why });
    include(r.step);
    changes.push(`~ ${d.node}: daemon ${d.name} restarted (${r.why}${d.name === 'bird' ? '' : '; it is started again rather than signalled'})`);
  }
  for (const u of reloadBird.values()) {
    const d = u.op as Extract<Op, { type: 'daemon' }>;
    const sock = valueAfter(d.argv, '-s');
    include({ id: `${d.node}.bird.configure`, phase: 'daemons', order: 100, op: { type: 'exec', ns: d.ns, argv: ['birdc', ...(sock ? ['-s', sock] : []), 'configure'], ...(d.container ? { container: d.container } : {}) }, source: u.source, note: `${d.node}: bird.conf changed: birdc configure (sessions whose configuration did not change stay up)` });
    changes.push(`~ ${d.node}: bird.conf changed: birdc configure (its other sessions stay up)`);
  }
  for (const u of reloads.values()) {
    const d = u.op as Extract<Op, { type: 'daemon' }>;
    if (d.reload === 'watch') {
      changes.push(`~ ${d.node}: ${d.name} re-reads its changed configuration by itself (it watches the file): not restarted`);
      continue;
    }
    if (!d.reload) continue;
    include({ id: `${d.node}.${d.name}.reload`, phase: 'daemons', order: 100, op: { type: 'exec', ns: d.ns, argv: [...d.reload], ...(d.container ? { container: d.container } : {}) }, source: u.source, note: `${d.node}: ${d.name}'s configuration changed: reloaded in place (${d.reload.join(' ')})` });
    changes.push(`~ ${d.node}: ${d.name}'s configuration changed: reloaded, not restarted (${d.reload.slice(-2).join(' ')})`);
  }
  // an IPv4 address deleted takes the interface's secondaries with it when it is the primary (unless
  // promote_secondaries): the interface's other IPv4 addresses are put back, in the plan's order (addr replace)
  // the same IPv4 addresses in another order: the first is the primary (the source of what the interface sends), so
  // they are all deleted and put back in the new order
  const v4 = (plan: Plan): Map<string, { step: Step; addr: string }[]> => {
    const m = new Map<string, { step: Step; addr: string }[]>();
    for (const s of plan.steps) {
      const op = s.op;
      if (op.type !== 'ip' || !op.ns || (op.tool ?? 'ip') !== 'ip' || op.args[0] !== 'addr' || op.args[1] !== 'add' || !op.args[2].includes('.')) continue;
      const nd = `${op.ns}/${valueAfter(op.args, 'dev')}`;
      m.set(nd, [...(m.get(nd) ?? []), { step: s, addr: op.args[2] }]);
    }
    return m;
  };
  const oldV4 = v4(old.plan);
  for (const [nd, now] of v4(next.plan)) {
    const ns = nd.slice(0, nd.lastIndexOf('/'));
    if (gone.has(ns) || remade.has(ns) || goneDevs.has(nd) || recreatedDevs.has(nd)) continue;
    const was = oldV4.get(nd) ?? [];
    const common = (a: { addr: string }[], b: { addr: string }[]): string => a.filter((x) => b.some((y) => y.addr === x.addr)).map((x) => x.addr).join(' ');
    if (common(was, now) === common(now, was)) continue;
    // secondaries first: each del finds its address
    for (const w of [...was].reverse()) if (now.some((x) => x.addr === w.addr)) addUndo(w.step.op as Extract<Op, { type: 'ip' }>, undoLine(w.step.op as Extract<Op, { type: 'ip' }>)!);
    changes.push(`~ ${name(next.nodes, ns)}: ${nd.slice(ns.length + 1)}: IPv4 addresses in another order (the first is the primary): deleted and put back in the new order`);
  }
  const addrDel = new Set<string>();
  for (const u of undo.values())
    for (const l of u.lines) {
      const w = l.split(' ');
      if (u.tool === 'ip' && u.ns && w[0] === 'addr' && w[1] === 'del' && w[2].includes('.')) addrDel.add(`${u.ns}/${valueAfter(w, 'dev')}`);
    }
  const putBack = new Map<string, string[]>();
  for (const s of next.plan.steps) {
    const op = s.op;
    if (op.type !== 'ip' || !op.ns || (op.tool ?? 'ip') !== 'ip' || op.args[0] !== 'addr' || op.args[1] !== 'add' || !op.args[2].includes('.') || forward.has(s.id)) continue;
    const nd = `${op.ns}/${valueAfter(op.args, 'dev')}`;
    if (!addrDel.has(nd)) continue;
    include({ ...s, op: { ...op, args: ['addr', 'replace', ...op.args.slice(2)] } });
    putBack.set(nd, [...(putBack.get(nd) ?? []), op.args[2]]);
  }
  for (const [nd, addrs] of putBack) {
    const [ns, dev] = [nd.slice(0, nd.lastIndexOf('/')), nd.slice(nd.lastIndexOf('/') + 1)];
    changes.push(`~ ${name(next.nodes, ns)}: ${dev}: ${addrs.join(', ')} put back (addr replace): deleting a primary address deletes its secondaries`);
  }
  // a link made again: what is configured on its ends (and the routes of those namespaces) is put back
  // (every route of those namespaces: one via a gateway names no device, yet goes when the link it used goes)
  if (recreatedDevs.size) {
    const recreatedNs = new Set([...recreatedDevs].map((d) => d.slice(0, d.lastIndexOf('/'))));
    for (const s of next.plan.steps) {
      const op = s.op;
      if (op.type === 'ip' && op.ns && (op.tool ?? 'ip') === 'ip' && routeAt(op.args) >= 0 && recreatedNs.has(op.ns)) include(asRouteReplace(s));
      else if (op.type === 'ip' && op.ns && (op.args[0] !== 'link' || op.args[1] !== 'add')) {
        const dev = devOf(op);
        if (dev && recreatedDevs.has(`${op.ns}/${dev}`)) include(routeAt(op.args) >= 0 ? asRouteReplace(s) : s);
      } else if (op.type === 'sysctl') {
        const vals = op.values.filter(([k]) => [...recreatedDevs].some((d) => d.startsWith(`${op.ns}/`) && k.includes(`.${d.slice(op.ns.length + 1)}.`)));
        if (vals.length) sysctlChanges.set(s, [...(sysctlChanges.get(s) ?? []), ...vals.map((v): [string, string] => [v[0], v[1]])]);
      }
    }
  }
  for (const [s, values] of sysctlChanges) {
    const seen = new Map(values.map((v) => [v[0], v]));
    include({ ...s, id: `${s.id}.changed`, op: { ...(s.op as Extract<Op, { type: 'sysctl' }>), values: [...seen.values()] } });
  }

  // 3. namespaces made whole: everything in them, and on the other end of their links what the kernel dropped
  for (const ns of remade) {
    const slice = nodeSlice(next.plan, name(next.nodes, ns), ns);
    if (!slice) continue;
    for (const s of next.plan.steps) {
      const op = s.op;
      if ((op.type === 'container' && (op.lane === ns || op.ns === ns)) || (op.type === 'file' && op.lane === ns)) include(s);
      if (op.type === 'cni' && op.calls.some((c) => c.env.CNI_NETNS?.endsWith(`/${ns}`))) include(s);
    }
    for (const s of slice.steps) include(s);
  }

  // settle where bridges got ports
  const touched = new Set([...forward.values()].flatMap((s) => keyed(s).flatMap((k) => k.nss)));
  for (const s of next.plan.steps) if (s.op.type === 'settle' && touched.has(s.op.ns)) include(s);

  const phaseIdx = new Map(PHASES.map((p, i) => [p, i]));
  const order = new Map(next.plan.steps.map((s, i) => [s.id, i]));
  const steps = [...forward.values()].sort((a, b) => phaseIdx.get(a.phase)! - phaseIdx.get(b.phase)! || a.order - b.order || (order.get(a.id) ?? 1e9) - (order.get(b.id) ?? 1e9));
  for (const u of undo.values()) if (u.lines.length) removals.push({ type: 'ip', ...(u.ns ? { ns: u.ns } : {}), tool: u.tool, lines: u.lines });
  const all: Removal[] = [...cniDels, ...daemonStops, ...removals.filter((r) => r.type === 'node'), ...removals.filter((r) => r.type === 'ip'), ...fileRemovals];
  const unnumbered = steps.map((st) => {
    if (st.op.type !== 'ip' || st.op.args[0] !== 'link' || st.op.args[1] !== 'add' || !st.op.args.includes('index')) return st;
    const ns = valueAfter(st.op.args, 'netns') ?? st.op.ns;
    return ns && remade.has(ns) ? st : { ...st, op: { ...st.op, args: withoutIndex(st.op.args) } };
  });
  const forwardPlan: Plan = { ...next.plan, workDir, namespaces: [...remade], steps: unnumbered };
  return {
    lab: next.plan.lab,
    changes,
    rebuilds,
    added: added.map((n) => name(next.nodes, n)),
    removed: removedNs.map((n) => name(old.nodes, n)),
    removals: all,
    forward: forwardPlan,
    empty: !all.length && !steps.length,
  };
}

function describe(k: Keyed): string {
  const op = k.step.op;
  if (op.type === 'ip') return `${op.tool ?? 'ip'} ${op.args.join(' ')}`;
  if (op.type === 'sysctl') return `sysctl ${k.sysctl?.join('=')}`;
  if (op.type === 'daemon') return `daemon ${op.name}`;
  if (op.type === 'file') return `file ${op.path}`;
  if (op.type === 'load') return `rule set ${k.step.id}`;
  if (op.type === 'container') return `container ${op.spec.name}`;
  if (op.type === 'cni') return `pod ${op.pod}: CNI ADD`;
  if (op.type === 'exec') return `exec ${op.argv.join(' ')}`;
  return k.key;
}

/** What a lab is up from, for the diff: its plan and which namespace is which node of which kind. */
export function appliedOf(lab: { readonly nodes: readonly { readonly name: string; readonly netns: string; readonly kind: string }[]; readonly cluster?: ClusterResult }, plan: Plan): Applied {
  return { plan, nodes: lab.nodes.map((n) => ({ name: n.name, ns: n.netns, kind: n.kind })), ...(lab.cluster ? { placement: placementOf(lab.cluster) } : {}) };
}

/** What a cluster has handed out: its pods' nodes and addresses, its Services' ClusterIPs and NodePorts (kept across a change). */
export function placementOf(c: ClusterResult): Placement {
  const pods: Record<string, { node: string; ip: string; ip6?: string }> = {};
  for (const p of c.pods) if (!p.hostNetwork) pods[p.name] = { node: p.node, ip: p.ip, ...(p.ip6 ? { ip6: p.ip6 } : {}) };
  const services: Record<string, { clusterIPs: string[]; nodePorts: Record<string, number> }> = {};
  for (const s of c.services) {
    const clusterIPs = [s.clusterIP, s.clusterIP6].filter((x): x is string => !!x && x !== 'None');
    const nodePorts = Object.fromEntries(s.ports.flatMap((p) => (p.nodePort !== undefined ? [[`${p.name ?? ''}|${p.port}/${p.protocol}`, p.nodePort]] : [])));
    if (clusterIPs.length || Object.keys(nodePorts).length) services[`${s.namespace}/${s.name}`] = { clusterIPs, nodePorts };
  }
  return { pods, services };
}

/** The objects of the state that the change removes: made by steps of the old plan that the new one has not, or in namespaces that go. */
export function droppedObjects(old: Plan, next: Plan, gone: ReadonlySet<string>): (o: { kind: string; name: string; ns?: string }) => boolean {
  const keep = new Set(next.steps.flatMap((s) => (s.creates ? [JSON.stringify(s.creates)] : [])));
  const drop = new Set(old.steps.flatMap((s) => (s.creates && !keep.has(JSON.stringify(s.creates)) ? [JSON.stringify(s.creates)] : [])));
  return (o) => (!!o.ns && gone.has(o.ns)) || (o.kind === 'netns' && gone.has(o.name)) || drop.has(JSON.stringify(o));
}
