/**
 * kind: bird — a BGP router: BIRD 2 in a container from nslab/bird (default), or `runtime: netns`, the
 * machine's own BIRD in a plain namespace. The generated bird.conf is written under the lab's directory,
 * checked with `bird -p` before anything is built, and shown by `lab plan`.
 */
import { join } from 'node:path';
import { labDir } from '../../exec/state.ts';
import type { ContainerSpec, ResolvedNode } from '../../model/types.ts';
import type { CompileContext } from '../../plan/context.ts';
import type { Step } from '../../plan/ops.ts';
import { resolveContainer } from '../container/resolve.ts';
import { containerSteps, removeContainers } from '../container/index.ts';
import { netnsKind } from '../netns/index.ts';
import type { KindDef } from '../types.ts';
import { birdConfig } from './config.ts';
import { birdReadyProbes } from './ready.ts';
import { resolveBird } from './resolve.ts';
import { birdView } from './view.ts';
import type { BirdSpec } from './types.ts';
import birdSchema from './bird.schema.json' with { type: 'json' };

export const BIRD_IMAGE = 'nslab/bird';

/** Where a router's config, control socket, pid file live: one directory, bind-mounted at the same path into its container. */
export function birdDir(lab: string, node: string, root = labDir(lab)): string {
  return join(root, 'bird', node);
}

export function birdSocket(lab: string, node: string): string {
  return join(birdDir(lab, node), 'bird.ctl');
}

function files(node: ResolvedNode, ctx: CompileContext): { dir: string; conf: string; sock: string; pid: string } {
  const dir = join(ctx.labDir, 'bird', node.name);
  return { dir, conf: join(dir, 'bird.conf'), sock: join(dir, 'bird.ctl'), pid: join(dir, 'bird.pid') };
}

export const birdKind: KindDef = {
  name: 'bird',
  schema: birdSchema,
  view: birdView,
  ready(nodes, lab, ctx) {
    // every node's addresses (a neighbor may be written as an address, and next hops are judged against subnets)
    const addresses = new Map(lab.nodes.map((n) => [n.name, n.interfaces.flatMap((i) => i.addresses.map(String))]));
    return birdReadyProbes(nodes.map((n) => n.kindData as BirdSpec), (node) => join(ctx.labDir, 'bird', node, 'bird.ctl'), addresses);
  },
  keys: ['image', 'env', 'binds', 'capabilities', 'runtime', 'router-id', 'bgp', 'static', 'bird'],
  resolve(node, raw, ctx) {
    const nodes = new Map([...ctx.rawNodes].map(([n, r]) => [n, { kind: typeof r.kind === 'string' ? r.kind : 'netns', interfaces: ctx.interfaces(n), asn: r.asn, raw: r as Record<string, unknown> }]));
    const { spec, diagnostics } = resolveBird(node, raw as Record<string, unknown>, { nodes, at: ctx.at });
    if (!spec || spec.runtime === 'netns') return { diagnostics, kindData: spec };
    // a container from nslab/bird, with the router's directory mounted at the same path inside
    const c = resolveContainer(node, { ...raw, image: raw.image ?? BIRD_IMAGE }, ctx);
    const dir = birdDir(ctx.labName, node);
    const containers: ContainerSpec[] = (c.containers ?? []).map((x) => ({ ...x, binds: [...x.binds, `${dir}:${dir}`] }));
    return { diagnostics: [...diagnostics, ...c.diagnostics], kindData: spec, containers, sharesNetnsOf: c.sharesNetnsOf };
  },
  createNamespace(node, ctx) {
    const spec = node.kindData as BirdSpec;
    const f = files(node, ctx);
    const conf = birdConfig(spec, { socket: f.sock });
    const write: Step = { id: `${node.name}.bird.conf`, phase: 'namespaces', order: -1, op: { type: 'file', path: f.conf, content: conf.text, lane: node.netns }, source: spec.pos, note: `bird.conf of ${node.name}`, creates: { kind: 'file', name: f.conf } };
    const made = spec.runtime === 'netns' ? netnsKind.createNamespace(node, ctx) : containerSteps(node);
    return [write, ...made];
  },
  extraSteps(node, ctx) {
    const spec = node.kindData as BirdSpec;
    const f = files(node, ctx);
    const argv = ['bird', '-f', '-c', f.conf, '-s', f.sock, '-P', f.pid];
    const container = spec.runtime === 'container' ? node.containers?.[0]?.name : undefined;
    return [
      {
        id: `${node.name}.bird`,
        phase: 'daemons',
        order: 5,
        op: { type: 'daemon', ns: node.netns, node: node.name, name: 'bird', argv, log: join(ctx.labDir, 'logs', `${node.name}.bird.log`), container },
        source: spec.pos,
        note: `BGP router ${node.name} (AS ${spec.asn}): birdc -s ${f.sock} show protocols`,
        creates: { kind: 'process', name: 'bird', ns: node.netns },
      },
    ];
  },
  async verify(node, ctx) {
    const spec = node.kindData as BirdSpec;
    const conf = birdConfig(spec, { socket: files(node, ctx).sock });
    // loaded here, not at the top: only labs with BIRD routers need it
    const { checkBirdConfig } = await import('./check.ts');
    return checkBirdConfig(conf.text, conf.sources, { node: node.name, fallback: spec.pos, missing: spec.runtime === 'container' ? 'warning' : 'error' });
  },
  teardown: removeContainers,
};
