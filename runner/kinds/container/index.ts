/** kind: container and kind: pod — Docker containers started with --network none and wired by nslab. */
import { removeLabContainersIfDocker } from '../../exec/docker-labs.ts';
import type { ContainerSpec, ResolvedNode } from '../../model/types.ts';
import type { Step } from '../../plan/ops.ts';
import type { KindDef } from '../types.ts';
import { resolveContainer, resolvePod } from './resolve.ts';
import { containerView, podView } from './view.ts';
import containerSchema from './container.schema.json' with { type: 'json' };
import podSchema from './pod.schema.json' with { type: 'json' };

export function containerSteps(node: ResolvedNode): Step[] {
  return (node.containers ?? []).map((spec: ContainerSpec, i) => ({
    id: `${node.name}.container${i ? `.${spec.name.split('.').pop()}` : ''}`,
    phase: 'namespaces' as const,
    order: spec.network.mode === 'join' ? 10 : 0,
    // a container with a namespace of its own exposes it as /run/netns/<netns>, so `ip -n`, nsenter and links reach it
    op: { type: 'container' as const, spec, ns: spec.network.mode === 'join' ? undefined : node.netns, lane: node.netns },
    source: spec.pos,
    note: `${node.kind} ${node.name}${spec.network.mode === 'join' ? ` (joins ${spec.network.container})` : ''}`,
    creates: { kind: 'container' as const, name: spec.name, ns: node.netns },
  }));
}

/** Containers are found by the lab's label (runner/exec/docker-labs.ts): no daemon, no containers. */
export const removeContainers = removeLabContainersIfDocker;

export const containerKind: KindDef = {
  name: 'container',
  schema: containerSchema,
  view: containerView,
  keys: ['image', 'cmd', 'env', 'binds', 'capabilities', 'network-mode'],
  resolve: resolveContainer,
  createNamespace: containerSteps,
  teardown: removeContainers,
};

export const podKind: KindDef = {
  name: 'pod',
  schema: podSchema,
  view: podView,
  keys: ['image', 'containers'],
  resolve: resolvePod,
  createNamespace: containerSteps,
  teardown: removeContainers,
};
