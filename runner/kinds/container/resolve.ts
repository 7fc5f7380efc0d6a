/** Container and pod nodes: their containers, images and Docker network modes, resolved from the lab file. */
import { didYouMean, error, type Diagnostic } from '../../config/diagnostics.ts';
import type { PathSeg } from '../../config/load.ts';
import type { ContainerSpec } from '../../model/types.ts';
import { nodeNetns } from '../../model/names.ts';
import { toArgv } from '../../model/words.ts';
import type { KindCheckContext, KindResolution } from '../types.ts';
import { imageRef } from './image.ts';

export const DEFAULT_IMAGE = 'nslab/host';
const ALWAYS_CAPS = ['NET_ADMIN', 'NET_RAW'];
/** Keys that configure a namespace of one's own: not allowed on a node that shares another's. */
const NETWORK_KEYS = ['interfaces', 'routes', 'sysctls', 'nat', 'firewall', 'forwarding'];

type Raw = Readonly<Record<string, unknown>>;

export function containerName(lab: string, node: string, app?: string): string {
  return `${nodeNetns(lab, node)}${app ? `.${app}` : ''}`;
}

function env(raw: unknown): [string, string][] {
  return Object.entries(typeof raw === 'object' && raw !== null ? raw : {}).map(([k, v]) => [k, String(v)]);
}

function command(raw: unknown, path: PathSeg[], ctx: KindCheckContext, diags: Diagnostic[]): string[] | undefined {
  if (raw === undefined) return undefined;
  const r = toArgv(raw);
  if (!r.ok) {
    diags.push(error('command.invalid', `cmd: ${r.message}`, ctx.at(path), 'write the command as a list of words, or [sh, -c, "…"] if it needs a shell'));
    return undefined;
  }
  return r.argv;
}

/** Follow container:/host: network modes to the node whose namespace is used; undefined when there is none (errors reported). */
function joinTarget(node: string, ctx: KindCheckContext, diags: Diagnostic[]): string | undefined {
  const seen = new Set([node]);
  let cur = node;
  for (;;) {
    const mode = ctx.rawNodes.get(cur)?.['network-mode'];
    if (typeof mode !== 'string' || !mode.includes(':')) return cur === node ? undefined : cur;
    const [how, target] = mode.split(':');
    const raw = ctx.rawNodes.get(target);
    const pos = ctx.at(['nodes', cur, 'network-mode']);
    if (!raw) {
      const guess = didYouMean(target, [...ctx.rawNodes.keys()]);
      diags.push(error('ref.unknown-node', `network-mode ${mode}: unknown node "${target}"`, pos, guess ? `did you mean "${guess}"?` : `nodes: ${[...ctx.rawNodes.keys()].join(', ')}`));
      return undefined;
    }
    const kind = typeof raw.kind === 'string' ? raw.kind : 'netns';
    if (kind !== 'container' && kind !== 'pod') {
      diags.push(
        error(
          'container.join-netns',
          `network-mode ${mode}: ${target} is a ${kind} node, and Docker can only share the namespace of another container`,
          pos,
          how === 'host' ? `make ${target} the lab's Docker host as a container (kind: container); containers in host:${target} mode then share its namespace` : `make ${target} a container or pod node`,
        ),
      );
      return undefined;
    }
    if (seen.has(target)) {
      diags.push(error('container.join-cycle', `network-mode ${mode}: the nodes share each other's namespace in a circle (${[...seen, target].join(' → ')})`, pos, 'one of them must have a namespace of its own'));
      return undefined;
    }
    seen.add(target);
    cur = target;
  }
}

function checkShared(node: string, raw: Raw, mode: string, ctx: KindCheckContext, diags: Diagnostic[]): void {
  for (const k of NETWORK_KEYS) {
    if (raw[k] !== undefined) diags.push(error('container.shared-config', `${node} uses network-mode ${mode}, so it has no network namespace of its own to configure with ${k}`, ctx.at(['nodes', node, k], true), mode === 'none' ? 'remove it: a container in none mode has only lo' : `configure the node whose namespace it shares (${mode.split(':')[1]}) instead`));
  }
  if (ctx.isLinked(node)) diags.push(error('container.shared-link', `${node} uses network-mode ${mode} and cannot be linked`, ctx.at(['nodes', node, 'network-mode']), mode === 'none' ? 'remove its links, or the network-mode' : `link ${mode.split(':')[1]}, whose namespace it shares`));
}

export function resolveContainer(node: string, raw: Raw, ctx: KindCheckContext): KindResolution {
  const diags: Diagnostic[] = [];
  const mode = typeof raw['network-mode'] === 'string' ? raw['network-mode'] : undefined;
  let network: ContainerSpec['network'] = { mode: 'own' };
  let sharesNetnsOf: string | undefined;
  if (mode === 'none') {
    network = { mode: 'none' };
    checkShared(node, raw, mode, ctx, diags);
  } else if (mode) {
    const root = joinTarget(node, ctx, diags);
    const direct = mode.split(':')[1];
    if (root) {
      sharesNetnsOf = root;
      network = { mode: 'join', container: containerName(ctx.labName, direct) };
    }
    checkShared(node, raw, mode, ctx, diags);
  }
  const image = typeof raw.image === 'string' ? raw.image : DEFAULT_IMAGE;
  const caps = [...ALWAYS_CAPS, ...(Array.isArray(raw.capabilities) ? raw.capabilities.map((c) => String(c).replace(/^CAP_/, '')) : [])];
  const spec: ContainerSpec = {
    name: containerName(ctx.labName, node),
    hostname: node,
    image,
    imageRef: imageRef(image),
    cmd: command(raw.cmd, ['nodes', node, 'cmd'], ctx, diags),
    env: env(raw.env),
    binds: Array.isArray(raw.binds) ? raw.binds.map(String) : [],
    capAdd: [...new Set(caps)],
    network,
    labels: { 'nslab.lab': ctx.labName, 'nslab.node': node },
    pos: ctx.at(['nodes', node], true),
  };
  return { diagnostics: diags, sharesNetnsOf, containers: [spec] };
}

/** A pod: a pause container holds the namespace; the app containers join it (`--network container:<pause>`). */
export function resolvePod(node: string, raw: Raw, ctx: KindCheckContext): KindResolution {
  const diags: Diagnostic[] = [];
  const pause: ContainerSpec = {
    name: containerName(ctx.labName, node),
    hostname: node,
    image: DEFAULT_IMAGE,
    imageRef: imageRef(DEFAULT_IMAGE),
    cmd: ['sleep', 'infinity'],
    env: [],
    binds: [],
    capAdd: ALWAYS_CAPS,
    network: { mode: 'own' },
    labels: { 'nslab.lab': ctx.labName, 'nslab.node': node, 'nslab.pod-role': 'pause' },
    pos: ctx.at(['nodes', node], true),
  };
  const apps: ContainerSpec[] = [];
  const names = new Set<string>();
  (Array.isArray(raw.containers) ? raw.containers : []).forEach((c: unknown, i: number) => {
    if (typeof c !== 'object' || c === null) return;
    const o = c as Raw;
    const name = String(o.name ?? `c${i}`);
    if (names.has(name)) diags.push(error('pod.duplicate-container', `pod ${node} has two containers named ${name}`, ctx.at(['nodes', node, 'containers', i, 'name']), 'give each container of a pod its own name'));
    names.add(name);
    const image = typeof o.image === 'string' ? o.image : DEFAULT_IMAGE;
    apps.push({
      name: containerName(ctx.labName, node, name),
      hostname: node,
      image,
      imageRef: imageRef(image),
      cmd: command(o.cmd, ['nodes', node, 'containers', i, 'cmd'], ctx, diags),
      env: env(o.env),
      binds: [],
      capAdd: ALWAYS_CAPS,
      network: { mode: 'join', container: pause.name },
      labels: { 'nslab.lab': ctx.labName, 'nslab.node': node, 'nslab.pod-container': name },
      pos: ctx.at(['nodes', node, 'containers', i], true),
    });
  });
  return { diagnostics: diags, containers: [pause, ...apps] };
}
