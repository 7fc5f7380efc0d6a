/**
 * The steps a pod's sidecar adds to the plan (issue 13.2): the capture rules, from an init container that exits
 * before the app (mode init, like istio-init) or from the node (mode cni, like the Istio CNI plugin, which enters the
 * pod's namespace from the node: no privileged container in the pod), the pod's history line saying so, and the
 * proxy (haproxy as the proxy uid) with its configuration and log under the lab's state.
 */
import { join } from 'node:path';
import type { SourcePos } from '../config/diagnostics.ts';
import type { Step } from '../plan/ops.ts';
import { sidecarIptables, sidecarProxyConfig, type OutboundRoute, type SidecarSpec } from './sidecar.ts';
import type { Pod } from './types.ts';

/** Where a pod's sidecar files live under the lab's directory. */
export const sidecarPaths = (labDir: string, pod: string): { config: string; log: string; history: string } => ({
  config: join(labDir, 'sidecar', `${pod}.haproxy.cfg`),
  log: join(labDir, 'logs', `${pod}.istio-proxy.log`),
  history: join(labDir, 'pods', `${pod}.history`),
});

/** The pod's history as `kubectl describe pod` would tell it: which container set the rules, and how it ended. */
export function podHistory(pod: Pod, s: SidecarSpec): string {
  return s.mode === 'init'
    ? `pod ${pod.name}: init container istio-init (iptables-restore of the ISTIO_* chains) ran and exited 0 (Completed); then containers istio-proxy (haproxy, uid ${s.proxyUid}) and app started\n`
    : `pod ${pod.name}: no init container; the CNI plugin on node ${pod.node} (istio-cni) loaded the ISTIO_* chains into the pod's namespace from the node (exit 0); then containers istio-proxy (haproxy, uid ${s.proxyUid}) and app started\n`;
}

/**
 * `routes` plug into the outbound frontend; `sections` (traffic management's HTTP listeners and destinations,
 * runner/cluster/mesh-haproxy.ts) follow the sidecar's own configuration.
 */
export function sidecarSteps(pod: Pod, s: SidecarSpec, o: { readonly ns: string; readonly labDir: string; readonly source: SourcePos; readonly routes?: readonly OutboundRoute[]; readonly sections?: string }): Step[] {
  const { ns, source } = o;
  const paths = sidecarPaths(o.labDir, pod.name);
  const rules = sidecarIptables(s, pod.name);
  const load: Step =
    s.mode === 'init'
      ? { id: `${pod.name}.istio-init`, phase: 'exec', order: 0, op: { type: 'load', ns, tool: 'iptables-restore', input: rules }, source, note: `pod ${pod.name}: init container istio-init — istio-iptables' nat rules, then it exits before the app starts`, creates: { kind: 'rules', name: 'istio-iptables', ns } }
      : { id: `${pod.node}.istio-cni.${pod.name}`, phase: 'firewall', order: 40, op: { type: 'load', ns, tool: 'iptables-restore', input: rules }, source, note: `node ${pod.node}: the Istio CNI plugin enters the namespace of pod ${pod.name} and loads istio-iptables' nat rules (no init container)`, creates: { kind: 'rules', name: 'istio-iptables', ns } };
  return [
    load,
    { id: `${pod.name}.history`, phase: 'exec', order: 1, op: { type: 'file', path: paths.history, content: podHistory(pod, s), lane: ns }, source, note: `pod ${pod.name}: its history (written once the rules loaded)`, creates: { kind: 'file', name: paths.history } },
    { id: `${pod.name}.istio-proxy.config`, phase: 'exec', order: 2, op: { type: 'file', path: paths.config, content: sidecarProxyConfig(s, pod.name, o.routes) + (o.sections ?? ''), lane: ns }, source, note: `pod ${pod.name}: the sidecar proxy's configuration${o.sections ? ', with the routes of the cluster\'s virtual-services' : ''}`, creates: { kind: 'file', name: paths.config } },
    { id: `${pod.name}.istio-proxy`, phase: 'daemons', order: 0, op: { type: 'daemon', ns, node: pod.name, name: 'istio-proxy', argv: ['haproxy', '-db', '-f', paths.config], log: paths.log }, source, note: `pod ${pod.name}: the sidecar proxy (haproxy as uid ${s.proxyUid}) on ${s.inboundPort} (inbound) and ${s.outboundPort} (outbound), logging every connection`, creates: { kind: 'process', name: 'istio-proxy', ns } },
  ];
}
