/**
 * When a cluster is ready (issue 11): every pod's test server listens on the pod's ports, and the cluster DNS
 * answers the name of its own Service with its ClusterIP. (kube-proxy's and the policies' rules are loaded by
 * `iptables-restore`/`nft -f` before `lab up` gets here; BGP routes of calico-bgp come from the bird kind.)
 */
import { listenProbe, type ReadyProbe } from '../model/ready.ts';
import { DNS_POD } from './cni.ts';
import type { ResolvedCluster } from './types.ts';
import { kubeProxyInput } from './compile.ts';
import { userspaceConfig } from './kube-proxy-userspace.ts';

export function clusterReadyProbes(c: ResolvedCluster): ReadyProbe[] {
  const probes: ReadyProbe[] = [];
  for (const pod of c.pods) {
    if (pod.name === DNS_POD && c.dns) continue;
    const ports = [...new Map(pod.ports.map((p) => [`${p.protocol}/${p.port}`, { port: p.port, proto: p.protocol === 'UDP' ? ('udp' as const) : ('tcp' as const), what: 'test server' }])).values()];
    if (pod.sidecar) ports.push({ port: pod.sidecar.outboundPort, proto: 'tcp', what: 'sidecar proxy' });
    if (ports.length) probes.push(listenProbe(pod.name, ports));
  }
  // kube-proxy: userspace: every node's proxy listens on its proxy ports (else a Service's first connection is refused)
  if (c.kubeProxy === 'userspace') {
    for (const n of c.nodes) {
      const ports = userspaceConfig(kubeProxyInput(c, n.name)).services.map((s) => ({ port: s.proxyPort, proto: s.protocol, what: `kube-proxy (userspace) for ${s.name}` }));
      if (ports.length) probes.push(listenProbe(n.name, ports));
    }
  }
  const dns = c.dns;
  const pod = dns && c.pods.find((p) => p.name === dns.pod);
  if (dns && pod) {
    const name = `kube-dns.kube-system.svc.${dns.domain}`;
    probes.push({
      id: 'cluster-dns',
      node: pod.name,
      commands: [{ argv: ['dig', '+short', '+time=1', '+tries=1', `@${pod.ip}`, name] }],
      judge([out]) {
        const answers = (out?.stdout ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
        const ok = answers.includes(dns.ip);
        const seen = answers.length ? `it answered ${answers.join(', ')}` : (out?.stdout || out?.stderr || 'no answer').trim().split('\n')[0];
        return [{ what: `cluster DNS on ${pod.ip} answers ${name} with ${dns.ip}`, ok, detail: ok ? undefined : seen }];
      },
    });
  }
  return probes;
}
