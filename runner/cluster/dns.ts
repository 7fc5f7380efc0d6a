/**
 * The cluster DNS (issue 5), as a dnsmasq command line: CoreDNS is not packaged, dnsmasq-base is, and the records
 * Kubernetes' DNS spec asks for fit dnsmasq's static-record options:
 *
 * - ClusterIP / NodePort / LoadBalancer services: `<svc>.<ns>.svc.<domain>` A (AAAA for an IPv6 clusterIP);
 * - headless services (no clusterIP, or "None"): one A per ready endpoint (dnsmasq answers all of them), plus one
 *   per-endpoint name `<host>.<svc>.<ns>.svc.<domain>`, as CoreDNS's kubernetes plugin names it: <host> is the pod's
 *   `hostname` when its `subdomain` is this Service (the endpoints controller copies it then; a StatefulSet's pods
 *   have both), else the dashed address (10-244-1-5) — never the pod's name (that needs CoreDNS's
 *   `endpoint_pod_names`, which is not the default);
 * - ExternalName services: `<svc>.<ns>.svc.<domain>` CNAME `<externalName>`;
 * - named service ports: `_<port>._<tcp|udp>.<svc>.<ns>.svc.<domain>` SRV — to the service name and port, or, for a
 *   headless service, one SRV per endpoint to its per-endpoint name and (resolved) target port, as Kubernetes does;
 * - pods: `<a-b-c-d>.<ns>.pod.<domain>` A (and `<fd00-10-244--3>.<ns>.pod.<domain>` AAAA for a dual-stack pod);
 * - dual-stack (issue 14.1): a Service's name has an A record for its IPv4 ClusterIP and an AAAA for its IPv6 one
 *   (clusterIP6), as its ipFamilies say; a headless Service's endpoints an A and an AAAA each for the families it has
 *   (an EndpointSlice per family); the per-endpoint name of a hostname has both, a dashed name the one of its family;
 * - `--local=/<domain>/`: any other name in the domain answers NXDOMAIN (never forwarded; there is no upstream).
 *
 * Records are emitted in a stable order (services by namespace/name, then pods by namespace/name), so the argv is
 * reproducible. Pure: no I/O.
 */
import { isIP } from 'node:net';
import type { Pod, Service } from './types.ts';

export interface DnsInput {
  readonly services: readonly Service[];
  readonly pods: readonly Pod[];
  /** Ready endpoints of each service, keyed "<namespace>/<name>". */
  readonly endpoints: ReadonlyMap<string, readonly { readonly ip: string; readonly pod: string }[]>;
  readonly domain?: 'cluster.local';
  /** The address the DNS server listens on (the kube-dns ClusterIP, e.g. 10.96.0.10). */
  readonly listen: string;
  /** Dual-stack: its IPv6 address too. */
  readonly listen6?: string;
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** An SRV port name: IANA_SVC_NAME (letters, digits, dashes; at least one letter). */
const PORT_NAME = /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;
const HOSTNAME = /^(?=.{1,253}\.?$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/;

const byKey = <T extends { readonly namespace: string; readonly name: string }>(a: T, b: T): number =>
  a.namespace === b.namespace ? cmp(a.name, b.name) : cmp(a.namespace, b.namespace);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function label(what: string, s: string): string {
  if (!LABEL.test(s)) throw new Error(`cluster DNS: ${what} "${s}" is not a DNS label`);
  return s;
}

function address(what: string, ip: string): string {
  if (isIP(ip) === 0) throw new Error(`cluster DNS: ${what} "${ip}" is not an IP address`);
  return ip;
}

/** The dashed form of an address, as in pod A records: 10.244.1.5 → 10-244-1-5. */
export function dashedIP(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

export function isHeadless(svc: Service): boolean {
  // an IPv6-only (SingleStack IPv6) service has no clusterIP and is not headless: its clusterIP6 is its address
  const real = (ip: string | undefined): boolean => ip !== undefined && ip !== '' && ip !== 'None';
  return svc.type !== 'ExternalName' && !real(svc.clusterIP) && !real(svc.clusterIP6);
}

/** The arguments after `dnsmasq`, for a foreground run inside a lab namespace. */
export function dnsmasqArgs(input: DnsInput): string[] {
  const domain = input.domain ?? 'cluster.local';
  const args = [
    '--keep-in-foreground',
    '--no-resolv',
    '--no-hosts',
    '--bind-interfaces',
    `--listen-address=${address('listen', input.listen)}`,
    ...(input.listen6 ? [`--listen-address=${address('listen', input.listen6)}`] : []),
    '--port=53',
    '--log-facility=-',
    `--local=/${domain}/`,
  ];
  const pods = new Map(input.pods.map((p) => [`${p.namespace}/${p.name}`, p]));

  for (const svc of [...input.services].sort(byKey)) {
    const ns = label('namespace', svc.namespace);
    const fqdn = `${label('service name', svc.name)}.${ns}.svc.${domain}`;

    if (svc.type === 'ExternalName') {
      const target = svc.externalName;
      if (target === undefined || !HOSTNAME.test(target)) {
        throw new Error(`cluster DNS: ExternalName service ${ns}/${svc.name} has no valid externalName (${String(target)})`);
      }
      args.push(`--cname=${fqdn},${target.replace(/\.$/, '')}`);
      continue;
    }

    const named = svc.ports.filter((p) => p.name !== undefined && p.name !== '');
    const srv = (p: (typeof named)[number]): string => {
      const name = p.name as string;
      if (!PORT_NAME.test(name)) throw new Error(`cluster DNS: port name "${name}" of ${ns}/${svc.name} is not a valid SRV service name`);
      return `_${name}._${p.protocol.toLowerCase()}.${fqdn}`;
    };

    if (!isHeadless(svc)) {
      // one record per name: the IPv4 ClusterIP (A) and the IPv6 one (AAAA), whichever the Service has
      const ips = [svc.clusterIP, svc.clusterIP6].filter((x): x is string => x !== undefined && x !== '' && x !== 'None');
      args.push(`--host-record=${fqdn},${ips.map((ip) => address(`clusterIP of ${ns}/${svc.name}`, ip)).join(',')}`);
      for (const p of named) args.push(`--srv-host=${srv(p)},${fqdn},${p.port}`);
      continue;
    }

    // Headless: the endpoints themselves, deduplicated by address, in address order; in a dual-stack Service one
    // EndpointSlice per family (its ipFamilies), the IPv6 one of the pods' second addresses
    const families = svc.ipFamilies ?? ['IPv4'];
    const seen = new Set<string>();
    const eps = [...(input.endpoints.get(`${svc.namespace}/${svc.name}`) ?? [])]
      .flatMap((e) => families.map((f) => ({ ...e, ip: f === 'IPv6' ? (pods.get(`${svc.namespace}/${e.pod}`)?.ip6 ?? '') : e.ip })).filter((x) => x.ip !== ''))
      .filter((e) => (seen.has(e.ip) ? false : (seen.add(e.ip), true)))
      .sort((a, b) => cmp(a.ip, b.ip) || cmp(a.pod, b.pod));
    for (const e of eps) args.push(`--host-record=${fqdn},${address(`endpoint of ${ns}/${svc.name}`, e.ip)}`);
    const perEndpoint = eps.map((e) => ({ ...e, host: endpointHostname(svc, pods.get(`${svc.namespace}/${e.pod}`), e.ip) }));
    for (const e of perEndpoint) args.push(`--host-record=${e.host}.${fqdn},${e.ip}`);
    const srvs = new Set<string>();
    for (const p of named) {
      for (const e of perEndpoint) srvs.add(`--srv-host=${srv(p)},${e.host}.${fqdn},${targetPort(p, pods.get(`${svc.namespace}/${e.pod}`))}`);
    }
    args.push(...srvs);
  }

  for (const p of [...input.pods].sort(byKey)) {
    const ip = address(`IP of pod ${p.namespace}/${p.name}`, p.ip);
    args.push(`--host-record=${dashedIP(ip)}.${label('namespace', p.namespace)}.pod.${domain},${ip}`);
    if (p.ip6) args.push(`--host-record=${dashedIP(address(`IPv6 of pod ${p.namespace}/${p.name}`, p.ip6))}.${p.namespace}.pod.${domain},${p.ip6}`);
  }
  return args;
}

/**
 * The first label of an endpoint's own name under a headless Service, as CoreDNS's kubernetes plugin makes it: the
 * endpoint's hostname, which the endpoints controller sets from the pod's spec.hostname only when the pod's
 * spec.subdomain is this Service (same namespace); otherwise the dashed address.
 */
export function endpointHostname(svc: Pick<Service, 'name' | 'namespace'>, pod: Pick<Pod, 'hostname' | 'subdomain' | 'namespace'> | undefined, ip: string): string {
  if (pod?.hostname && pod.subdomain === svc.name && pod.namespace === svc.namespace && LABEL.test(pod.hostname)) return pod.hostname;
  return dashedIP(ip);
}

/** The port an endpoint of a headless service listens on: the numeric targetPort, or the pod's named port. */
function targetPort(p: Service['ports'][number], pod: Pod | undefined): number {
  if (typeof p.targetPort === 'number') return p.targetPort;
  const found = pod?.ports.find((cp) => cp.name === p.targetPort && cp.protocol === p.protocol);
  return found?.port ?? p.port;
}

/** A pod's /etc/resolv.conf, as the kubelet writes it for dnsPolicy: ClusterFirst. */
export function resolvConf(nameserver: string, ns: string, domain: 'cluster.local' = 'cluster.local'): string {
  address('nameserver', nameserver);
  label('namespace', ns);
  return `nameserver ${nameserver}\nsearch ${ns}.svc.${domain} svc.${domain} ${domain}\noptions ndots:5\n`;
}
