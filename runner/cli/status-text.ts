/** The text `lab status` prints for BGP sessions, Services, NetworkPolicies and impairments (issue 18). Pure. */
import type { BgpRouterStatus, ModelStatus } from '../lab/status-model.ts';
import { formatMs, formatRate } from '../util/units.ts';
import type { CniStatus } from '../exec/lab-status.ts';
import type { UserspaceProxyStatus } from '../lab/status.ts';

/** One line per pod networked by the real CNI plugins: the chain, the final result's addresses, CHECK. */
export function cniLines(pods: readonly CniStatus[]): string[] {
  return pods.map((p) => `  cni ${p.pod} on ${p.node} (network ${p.network}): ${p.plugins.join(' → ') || 'no plugin finished'}: ${p.ips.join(', ') || 'no address'}; interfaces ${p.interfaces.join(', ') || '-'}${p.check ? `; CHECK ${p.check}` : ''}`);
}

/** kube-proxy: userspace: one line per node's proxy, then one per service port it serves. */
export function userspaceProxyLines(proxies: readonly UserspaceProxyStatus[]): string[] {
  return proxies.flatMap((p) => [
    `  kube-proxy (userspace) ${p.node}: pid ${p.pid} ${p.running ? 'running' : 'NOT RUNNING'}, ${p.services.length} service port(s), configuration ${p.generation} applied ${p.appliedAt}`,
    ...p.services.map((s) => `    ${s.name} ${s.protocol} ${s.clusterIP}:${s.port}${s.nodePort ? ` (NodePort ${s.nodePort})` : ''} → proxy port ${s.proxyPort} → ${s.endpoints.join(', ') || 'no endpoints'}`),
  ]);
}

export function bgpLines(routers: readonly BgpRouterStatus[]): string[] {
  const out: string[] = [];
  for (const r of routers) {
    if (r.error) {
      out.push(`  bgp ${r.node}: ${r.error}`);
      continue;
    }
    if (!r.sessions.length) out.push(`  bgp ${r.node}: no BGP sessions`);
    for (const s of r.sessions) {
      const peer = [s.neighbor, s.as !== undefined ? `AS ${s.as}` : ''].filter(Boolean).join(' ');
      const err = s.state !== 'Established' && s.lastError ? ` (${s.lastError})` : '';
      out.push(`  bgp ${r.node} ${s.name}${peer ? ` → ${peer}` : ''}: ${s.state}${err} since ${s.since}`);
    }
  }
  return out;
}

export function modelLines(m: ModelStatus | undefined, note?: string): string[] {
  if (!m) return note ? [`  (${note})`] : [];
  const out: string[] = [];
  for (const s of m.services) {
    // dual-stack: both ClusterIPs (an IPv6-only Service has only the IPv6 one), and each endpoint's two addresses
    const ips = [s.clusterIP, s.clusterIP6 !== 'None' ? s.clusterIP6 : undefined].filter((x): x is string => !!x);
    const addr = [ips.length ? `ClusterIP ${ips.join(', ')}` : 'headless', s.nodePorts.length ? `NodePort ${s.nodePorts.join(',')}` : '', s.loadBalancerIP ? `LoadBalancer ${s.loadBalancerIP}` : ''].filter(Boolean).join(', ');
    const eps = s.endpoints.length ? s.endpoints.map((e) => `${e.pod} ${[...(s.clusterIP || !e.ip6 ? [`${e.ip}:${e.port}`] : []), ...(e.ip6 ? [`[${e.ip6}]:${e.port}`] : [])].join(' ')}`).join(', ') : 'no endpoints';
    out.push(`  service ${s.namespace}/${s.name} (${s.type}) ${addr} ports ${s.ports.join(',') || '-'} → ${eps}`);
  }
  for (const p of m.policies) out.push(`  policy ${p.namespace}/${p.name} (${p.types.join(', ')}) selects ${p.pods.length ? p.pods.join(', ') : 'no pod'}${p.enforced ? '' : ' — NOT ENFORCED: the CNI enforces no NetworkPolicy (add policy: canal)'}`);
  for (const i of m.impairments) {
    const parts = [
      i.rateBps !== undefined ? `rate ${formatRate(i.rateBps)}` : '',
      i.lossPct ? `loss ${i.lossPct}%` : '',
      i.delayUs !== undefined ? `delay ${formatMs(i.delayUs / 1000)}${i.jitterUs !== undefined ? ` ± ${formatMs(i.jitterUs / 1000)}` : ''}` : '',
    ].filter(Boolean);
    out.push(`  impair ${i.node}:${i.iface} ${parts.join(', ')}`);
  }
  return out;
}
