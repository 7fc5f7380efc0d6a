/**
 * The steps that give a pod with `sidecar:` its sidecar with the mesh's routes (issue 13.3): istio-iptables' nat
 * layout in the pod's namespace and haproxy's configuration (both from runner/cluster/sidecar.ts, issue 13.2; the
 * routes of runner/cluster/mesh-haproxy.ts plugged into its outbound frontend), and haproxy itself, as uid 1337.
 *
 * For the merge with t13-sidecar: when the sidecar's own steps exist (init/cni mode), they replace these three, and
 * only their configuration needs the routes: `sidecarProxyConfig(spec, pod, meshOutboundRoutes(mesh))` followed by
 * `meshSections(mesh)` (what `outboundProxyConfig` here returns).
 */
import { join } from 'node:path';
import type { CompileContext } from '../plan/context.ts';
import type { Step } from '../plan/ops.ts';
import type { SourcePos } from '../config/diagnostics.ts';
import { outboundProxyConfig } from './mesh-haproxy.ts';
import { SIDECAR_DEFAULTS, sidecarIptables } from './sidecar.ts';
import type { Pod, ResolvedCluster } from './types.ts';

/** Where a pod's proxy configuration is written (removed with the lab's state directory). */
export const sidecarConfigPath = (labDir: string, pod: string): string => join(labDir, 'sidecar', `${pod}.haproxy.cfg`);

export function sidecarSteps(c: ResolvedCluster, pod: Pod, ns: string, ctx: CompileContext, source: SourcePos): Step[] {
  if (!pod.sidecar) return [];
  const spec = SIDECAR_DEFAULTS;
  const mesh = c.mesh ?? { virtualServices: [], destinationRules: [] };
  const cfg = sidecarConfigPath(ctx.labDir, pod.name);
  const routed = mesh.virtualServices.map((vs) => `${vs.namespace}/${vs.name}`);
  return [
    { id: `${pod.name}.sidecar-iptables`, phase: 'firewall', order: 40, op: { type: 'load', ns, tool: 'iptables-restore', input: sidecarIptables(spec, pod.name) }, source, note: `pod ${pod.name}: istio-iptables' rules: inbound TCP → ${spec.inboundPort}, outbound TCP → ${spec.outboundPort}, except the sidecar's own (uid ${spec.proxyUid})`, creates: { kind: 'rules', name: 'iptables', ns } },
    { id: `${pod.name}.sidecar.cfg`, phase: 'exec', order: 0, op: { type: 'file', path: cfg, content: outboundProxyConfig(mesh, pod.name, spec), lane: ns }, source, note: `pod ${pod.name}: the sidecar's haproxy configuration${routed.length ? ` (with the routes of VirtualService ${routed.join(', ')})` : ''}`, creates: { kind: 'file', name: cfg } },
    { id: `${pod.name}.sidecar`, phase: 'daemons', order: 0, op: { type: 'daemon', ns, node: pod.name, name: 'haproxy', argv: ['haproxy', '-db', '-f', cfg], log: join(ctx.labDir, 'logs', `${pod.name}.haproxy.log`) }, source, note: `pod ${pod.name}: the sidecar proxy, haproxy as uid ${spec.proxyUid}, logging every connection and request`, creates: { kind: 'process', name: 'haproxy', ns } },
  ];
}
