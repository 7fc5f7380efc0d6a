/**
 * One node's part of a Plan (issue 15.2/15.5): the steps that build it again after it was stopped — its namespace
 * (or its containers), the links with an end in it, everything in its namespace, and on the other end of each of its
 * links what the kernel dropped with the link: the peer interface's addresses, state, bridge port, qdiscs and
 * per-interface sysctls, and the peer namespace's routes (put back with `route replace`, which leaves those that
 * were not lost as they are). Pure: `lab restart`, `lab stop`/`lab start` and the test actions run it.
 */
import type { ContainerSpec } from '../model/types.ts';
import type { Plan, Step } from './ops.ts';

/** The other end of one of the node's links: interface `dev` in namespace `ns`. */
export interface PeerEnd {
  readonly ns: string;
  readonly dev: string;
}

export interface NodeSlice {
  readonly node: string;
  readonly ns: string;
  /** The node's containers, in the order the plan starts them (the one owning the namespace first). */
  readonly containers: readonly { readonly spec: ContainerSpec; readonly expose?: string }[];
  /** Every other step to run again, in plan order (the container steps left out: those containers are started again, not created). */
  readonly steps: readonly Step[];
  readonly peers: readonly PeerEnd[];
  /** The node's own ends of its links: deleted before it stops, so that their peers are gone at once. */
  readonly devs: readonly string[];
}

/** The namespaces named in a `link add … netns NS … peer name P netns NS2` step, with the interface in each. */
export function linkEnds(args: readonly string[]): PeerEnd[] {
  if (args[0] !== 'link' || args[1] !== 'add') return [];
  const out: PeerEnd[] = [];
  const peerAt = args.indexOf('peer');
  const first = args.indexOf('netns');
  if (first > 0 && (peerAt < 0 || first < peerAt)) out.push({ ns: args[first + 1], dev: args[2] });
  if (peerAt > 0) {
    const name = args.indexOf('name', peerAt);
    const ns = args.indexOf('netns', peerAt);
    if (name > 0 && ns > 0) out.push({ ns: args[ns + 1], dev: args[name + 1] });
  }
  return out;
}

const nsOf = (s: Step): string | undefined => ('ns' in s.op ? s.op.ns : undefined);

/** A route added in a namespace the node's links reach: `route replace`, so one that survived stays as it is. */
function asReplace(s: Step): Step {
  if (s.op.type !== 'ip') return s;
  const a = s.op.args;
  const i = a[0] === 'route' ? 1 : a[0] === '-6' && a[1] === 'route' ? 2 : -1;
  if (i < 0 || a[i] !== 'add') return s;
  return { ...s, op: { ...s.op, args: [...a.slice(0, i), 'replace', ...a.slice(i + 1)] } };
}

const isRoute = (s: Step): boolean => s.op.type === 'ip' && !s.op.tool && (s.op.args[0] === 'route' || (s.op.args[0] === '-6' && s.op.args[1] === 'route'));

/** The node's slice of the plan; undefined when the plan has no namespace `ns` (not a node of this lab). */
export function nodeSlice(plan: Plan, node: string, ns: string): NodeSlice | undefined {
  if (!plan.namespaces.includes(ns)) return undefined;
  const containers: { spec: ContainerSpec; expose?: string }[] = [];
  const steps: Step[] = [];
  const peers: PeerEnd[] = [];
  const devs: string[] = [];
  // the links first: which interfaces of other namespaces go with the node's
  for (const s of plan.steps) {
    if (s.phase !== 'links' || s.op.type !== 'ip') continue;
    const ends = linkEnds(s.op.args);
    if (!ends.some((e) => e.ns === ns) && nsOf(s) !== ns) continue;
    for (const e of ends) if (e.ns !== ns && !peers.some((p) => p.ns === e.ns && p.dev === e.dev)) peers.push(e);
    for (const e of ends) if (e.ns === ns && !devs.includes(e.dev)) devs.push(e.dev);
  }
  const peerDevs = (pns: string | undefined): string[] => peers.filter((p) => p.ns === pns).map((p) => p.dev);
  for (const s of plan.steps) {
    const op = s.op;
    if (op.type === 'container') {
      if (op.lane === ns || op.ns === ns) containers.push({ spec: op.spec, ...(op.ns ? { expose: op.ns } : {}) });
      continue;
    }
    if (op.type === 'file') continue; // the node's files (a bird.conf) are still there
    if (s.phase === 'namespaces') {
      if (op.type === 'ip' && op.args[0] === 'netns' && op.args[1] === 'add' && op.args[2] === ns) steps.push(s);
      continue;
    }
    if (s.phase === 'links' && op.type === 'ip') {
      if (linkEnds(op.args).some((e) => e.ns === ns) || op.ns === ns) steps.push(s);
      continue;
    }
    const sns = nsOf(s);
    if (sns === ns) {
      steps.push(s);
      continue;
    }
    const devs = peerDevs(sns);
    if (!devs.length) continue;
    if (op.type === 'ip') {
      if (isRoute(s)) steps.push(asReplace(s));
      else if (op.args.some((w) => devs.includes(w))) steps.push(s);
    } else if (op.type === 'sysctl') {
      const values = op.values.filter(([k]) => devs.some((d) => k.includes(`.${d}.`) || k.endsWith(`.${d}`)));
      if (values.length) steps.push({ ...s, op: { ...op, values } });
    } else if (op.type === 'settle') steps.push(s);
  }
  return { node, ns, containers, steps, peers, devs };
}

/** The slice as a plan of its own (run by the executor in `workDir`, so the lab's own batch files stay as they are). */
export function slicePlan(plan: Plan, slice: NodeSlice, workDir: string): Plan {
  return { ...plan, workDir, namespaces: [slice.ns], steps: slice.steps };
}
