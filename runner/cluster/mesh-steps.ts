/**
 * The steps that give a pod with `sidecar:` its outbound proxy (issue 13.3): the redirect rules in the pod's nat
 * table, haproxy's configuration (the mesh's routes) and haproxy itself, as uid 1337, in the pod's namespace.
 */
import { join } from 'node:path';
import type { CompileContext } from '../plan/context.ts';
import type { Step } from '../plan/ops.ts';
import type { SourcePos } from '../config/diagnostics.ts';
import { OUTBOUND_PORT, outboundProxyConfig, outboundRedirectRules } from './mesh-haproxy.ts';
import type { Pod, ResolvedCluster } from './types.ts';

/** Where a pod's proxy configuration is written (removed with the lab's state directory). */
export const sidecarConfigPath = (labDir: string, pod: string): string => join(labDir, 'sidecar', `${pod}.haproxy.cfg`);

export function sidecarSteps(c: ResolvedCluster, pod: Pod, ns: string, ctx: CompileContext, source: SourcePos): Step[] {
  if (!pod.sidecar) return [];
  const mesh = c.mesh ?? { virtualServices: [], destinationRules: [] };
  const cfg = sidecarConfigPath(ctx.labDir, pod.name);
  const routed = mesh.virtualServices.map((vs) => `${vs.namespace}/${vs.name}`);
  return [
    { id: `${pod.name}.sidecar-redirect`, phase: 'firewall', order: 40, op: { type: 'load', ns, tool: 'iptables-restore', input: outboundRedirectRules(mesh, pod.name) }, source, note: `pod ${pod.name}: its outbound connections to the routed Services go to the sidecar on ${OUTBOUND_PORT}, except the sidecar's own (uid 1337)`, creates: { kind: 'rules', name: 'iptables', ns } },
    { id: `${pod.name}.sidecar.cfg`, phase: 'exec', order: 0, op: { type: 'file', path: cfg, content: outboundProxyConfig(mesh, pod.name), lane: ns }, source, note: `pod ${pod.name}: the sidecar's haproxy configuration${routed.length ? ` (routes of VirtualService ${routed.join(', ')})` : ''}`, creates: { kind: 'file', name: cfg } },
    { id: `${pod.name}.sidecar`, phase: 'daemons', order: 0, op: { type: 'daemon', ns, node: pod.name, name: 'haproxy', argv: ['haproxy', '-db', '-f', cfg], log: join(ctx.labDir, 'logs', `${pod.name}.haproxy.log`) }, source, note: `pod ${pod.name}: the sidecar proxy, haproxy as uid 1337, logging every connection and request`, creates: { kind: 'process', name: 'haproxy', ns } },
  ];
}
