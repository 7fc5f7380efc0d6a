/**
 * dns: from a pod, a name resolves through the cluster DNS to what Kubernetes' DNS spec says (or what is written).
 *
 * `dig +search` runs inside the pod through `ip netns exec`, which bind-mounts /etc/netns/<netns>/resolv.conf over
 * /etc/resolv.conf: so the pod's own nameserver, search path and ndots apply, as for any program in the pod.
 * Without `expect`, the answer is computed from the cluster model: a service's ClusterIP, a headless service's
 * endpoint addresses, an ExternalName's CNAME, SRV records of named ports, pod A records; any other name in the
 * cluster domain must not exist (NXDOMAIN). `type: AAAA` (issue 14.1) asks for the IPv6 side of a dual-stack cluster: a
 * Service's clusterIP6, a headless Service's endpoints' IPv6 addresses (when its ipFamilies hold IPv6), a pod's
 * dashed IPv6 name; a name that has only the other family's records answers with none (NOERROR, no data).
 */
import { isIP } from 'node:net';
import type { Pod, ResolvedCluster, Service } from '../types.ts';
import { endpointHostname, isHeadless } from '../dns.ts';
import { formatAddress, parseAddress } from '../../model/ip.ts';
import { error } from '../../config/diagnostics.ts';
import { excerpt, execFailure, fail, ParamReader, pass } from '../../../assertions/common.ts';
import { clusterOf, exerciseCommands, type ExerciseStep, findPod, findService, namesHint, svcKey } from './k8s.ts';
import type { AssertionDef, ExecResult, Outcome } from '../../../assertions/types.ts';
import schema from './dns.schema.json' with { type: 'json' };

export type DnsType = 'A' | 'AAAA' | 'SRV' | 'CNAME';
/** The address record types, and the address family each holds. */
type AddrType = 'A' | 'AAAA';
const isAddrType = (t: DnsType): t is AddrType => t === 'A' || t === 'AAAA';

/** What the answer must hold: the records of one type (sorted; empty = the name exists without them), or NXDOMAIN. */
export type DnsExpect = { readonly kind: 'records'; readonly rtype: DnsType; readonly values: readonly string[]; readonly source: string } | { readonly kind: 'nxdomain'; readonly source: string };

export interface DnsParams {
  readonly from: string;
  readonly name: string;
  readonly type: DnsType;
  readonly expect: DnsExpect;
  /** The cluster domain (a REFUSED answer to a name outside it, after the search path, counts as not found). */
  readonly domain: string;
  /** The cluster DNS's address (the pod's resolv.conf names it): where the query goes. */
  readonly server?: string;
}

const trimDot = (s: string): string => s.replace(/\.$/, '').toLowerCase();
const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();
const headless = isHeadless;
/** An IPv6 address as dig prints it (compressed, lower case); anything else as it is. */
const canon6 = (ip: string): string => {
  const a = parseAddress(ip);
  return a?.family === 6 ? formatAddress(6, a.addr) : ip;
};

/**
 * A headless service's endpoints (address and pod), from the endpoints of all its ports: the IPv4 ones (A), or for
 * AAAA the pods' IPv6 addresses when the Service's ipFamilies hold IPv6 (the IPv6 EndpointSlice).
 */
function endpointsOf(cluster: ResolvedCluster, svc: Service, type: AddrType = 'A'): { ip: string; pod: string }[] {
  const families = svc.ipFamilies ?? ['IPv4'];
  if (!families.includes(type === 'AAAA' ? 'IPv6' : 'IPv4')) return [];
  const seen = new Map<string, string>();
  for (const se of cluster.endpoints) {
    if (svcKey(se.service) !== svcKey(svc)) continue;
    for (const e of se.endpoints) {
      const ip = type === 'AAAA' ? cluster.pods.find((p) => p.name === e.pod && p.namespace === svc.namespace)?.ip6 : e.ip;
      if (ip && !seen.has(ip)) seen.set(ip, e.pod);
    }
  }
  return [...seen].map(([ip, pod]) => ({ ip, pod }));
}

/** Every endpoint of a headless service, of both families (its per-endpoint names). */
const allEndpointsOf = (cluster: ResolvedCluster, svc: Service): { ip: string; pod: string }[] => [...endpointsOf(cluster, svc, 'A'), ...endpointsOf(cluster, svc, 'AAAA')];

/** The A-query (or AAAA-query) answer Kubernetes' DNS gives for a service's name. */
export function serviceRecords(cluster: ResolvedCluster, svc: Service, type: AddrType = 'A'): DnsExpect {
  const key = svcKey(svc);
  if (svc.type === 'ExternalName') return { kind: 'records', rtype: 'CNAME', values: [trimDot(svc.externalName ?? '')], source: `ExternalName service ${key}` };
  if (headless(svc)) {
    if (!allEndpointsOf(cluster, svc).length) return { kind: 'nxdomain', source: `headless service ${key} has no endpoints` };
    const ips = endpointsOf(cluster, svc, type).map((e) => canon6(e.ip));
    return { kind: 'records', rtype: type, values: sorted(ips), source: `the ${type === 'AAAA' ? 'IPv6 ' : ''}endpoints of headless service ${key}` };
  }
  const ip = type === 'AAAA' ? svc.clusterIP6 : svc.clusterIP;
  return { kind: 'records', rtype: type, values: ip && isIP(ip) === (type === 'AAAA' ? 6 : 4) ? [canon6(ip)] : [], source: `the ${type === 'AAAA' ? 'IPv6 ClusterIP (clusterIP6)' : 'ClusterIP'} of service ${key}` };
}

/** What the cluster DNS answers for a fully qualified name (no trailing dot), or undefined: the name does not exist. */
export function modelRecords(cluster: ResolvedCluster, fqdn: string, type: DnsType): DnsExpect | undefined {
  const domain = cluster.dns?.domain ?? 'cluster.local';
  const name = trimDot(fqdn);
  if (!name.endsWith(`.${domain}`)) return undefined;
  const labels = name.slice(0, -domain.length - 1).split('.');
  const nodata = (source: string): DnsExpect => ({ kind: 'records', rtype: type, values: [], source });
  const svcAt = (svcName: string, ns: string): Service | undefined => cluster.services.find((s) => s.name === svcName && s.namespace === ns);
  if (labels.length === 3 && labels[2] === 'svc') {
    const svc = svcAt(labels[0], labels[1]);
    if (!svc) return undefined;
    const r = serviceRecords(cluster, svc, type === 'AAAA' ? 'AAAA' : 'A');
    if (r.kind === 'nxdomain' || r.rtype === 'CNAME') return r;
    return isAddrType(type) ? r : nodata(`service ${svcKey(svc)} (no ${type} record at its name)`);
  }
  if (labels.length === 5 && labels[4] === 'svc' && labels[0].startsWith('_') && labels[1].startsWith('_')) {
    const svc = svcAt(labels[2], labels[3]);
    const port = svc?.ports.find((p) => p.name === labels[0].slice(1) && p.protocol.toLowerCase() === labels[1].slice(1));
    if (!svc || !port || svc.type === 'ExternalName') return undefined;
    const base = `${svc.name}.${svc.namespace}.svc.${domain}`;
    if (type !== 'SRV') return nodata(`SRV name of port ${port.name} of service ${svcKey(svc)}`);
    if (!headless(svc)) return { kind: 'records', rtype: 'SRV', values: [`${base}:${port.port}`], source: `port ${port.name} of service ${svcKey(svc)}` };
    // one SRV per endpoint name: a hostname stands for both families, a dashed address for its own
    const eps = allEndpointsOf(cluster, svc);
    if (!eps.length) return undefined;
    const target = (pod: Pod | undefined): number =>
      typeof port.targetPort === 'number' ? port.targetPort : (pod?.ports.find((c) => c.name === port.targetPort && c.protocol === port.protocol)?.port ?? port.port);
    const podOf = (e: { pod: string }): Pod | undefined => cluster.pods.find((p) => p.name === e.pod && p.namespace === svc.namespace);
    const values = eps.map((e) => `${endpointHostname(svc, podOf(e), e.ip)}.${base}:${target(podOf(e))}`);
    return { kind: 'records', rtype: 'SRV', values: sorted(values), source: `port ${port.name} of headless service ${svcKey(svc)}` };
  }
  if (labels.length === 4 && labels[3] === 'svc') {
    const svc = svcAt(labels[1], labels[2]);
    // the endpoint's hostname when its pod's subdomain is this Service, else its dashed address (CoreDNS)
    const host = (e: { ip: string; pod: string }): string => endpointHostname(svc!, cluster.pods.find((p) => p.name === e.pod && p.namespace === svc!.namespace), e.ip);
    const eps = svc && headless(svc) ? allEndpointsOf(cluster, svc).filter((e) => host(e) === labels[0]) : [];
    if (!eps.length) return undefined;
    const who = [...new Set(eps.map((e) => e.pod))].join(', ');
    const fam = eps.filter((e) => isIP(e.ip) === (type === 'AAAA' ? 6 : 4));
    return isAddrType(type) ? { kind: 'records', rtype: type, values: sorted(fam.map((e) => canon6(e.ip))), source: `endpoint ${labels[0]} (pod ${who}) of headless service ${svcKey(svc!)}` } : nodata(`endpoint ${labels[0]}'s name`);
  }
  if (labels.length === 3 && labels[2] === 'pod') {
    // a pod's dashed IPv4 name has its A record, its dashed IPv6 name (fd00-10-244--3) its AAAA
    const dashed = (ip: string): string => ip.replace(/[.:]/g, '-');
    const pod = cluster.pods.find((p) => p.namespace === labels[1] && (dashed(p.ip) === labels[0] || (p.ip6 !== undefined && dashed(p.ip6) === labels[0])));
    if (!pod) return undefined;
    const ip = dashed(pod.ip) === labels[0] ? pod.ip : pod.ip6!;
    const rtype: AddrType = isIP(ip) === 6 ? 'AAAA' : 'A';
    return type === rtype ? { kind: 'records', rtype, values: [canon6(ip)], source: `pod ${pod.namespace}/${pod.name}` } : nodata(`pod ${pod.name}'s ${rtype} record`);
  }
  return undefined;
}

/** The names a resolver tries for `name` in a pod of namespace `ns` (search path, ndots:5), in order. */
export function searchNames(name: string, ns: string, domain = 'cluster.local'): string[] {
  if (name.endsWith('.')) return [trimDot(name)];
  const search = [`${ns}.svc.${domain}`, `svc.${domain}`, domain].map((s) => `${name}.${s}`.toLowerCase());
  const dots = name.split('.').length - 1;
  return dots >= 5 ? [name.toLowerCase(), ...search] : [...search, name.toLowerCase()];
}

/** The default expectation: the first name of the search path the model knows, else NXDOMAIN (for a name in the cluster's reach). */
export function defaultExpect(cluster: ResolvedCluster, pod: Pod, name: string, type: DnsType): DnsExpect | undefined {
  const domain = cluster.dns?.domain ?? 'cluster.local';
  for (const n of searchNames(name, pod.namespace, domain)) {
    const r = modelRecords(cluster, n, type);
    if (r) return r;
  }
  const bare = trimDot(name);
  if (!bare.includes('.') || bare.endsWith(`.${domain}`) || bare === domain) return { kind: 'nxdomain', source: 'no such name in the cluster' };
  return undefined;
}

/** An SRV record written as "target:port" or as dig prints it, "priority weight port target." → "target:port". */
export function srvValue(text: string): string | undefined {
  const dig = /^\s*\d+\s+\d+\s+(\d+)\s+(\S+)\s*$/.exec(text);
  if (dig) return `${trimDot(dig[2])}:${dig[1]}`;
  const colon = /^\s*([^\s:]+?)\.?:(\d+)\s*$/.exec(text);
  return colon ? `${colon[1].toLowerCase()}:${colon[2]}` : undefined;
}

function readExpect(r: ParamReader, cluster: ResolvedCluster, pod: Pod | undefined, name: string | undefined, type: DnsType): DnsExpect | undefined {
  const raw = r.raw.expect;
  if (raw === undefined || raw === null) {
    if (!pod || !name) return undefined;
    const d = defaultExpect(cluster, pod, name, type);
    if (!d) r.fail('name', `dns: ${JSON.stringify(name)} is outside the cluster domain, so nslab cannot tell what it should resolve to`, 'give expect: a list of answers, or nxdomain');
    return d;
  }
  if (raw === 'nxdomain') return { kind: 'nxdomain', source: 'as written' };
  if (Array.isArray(raw)) {
    const values: string[] = [];
    raw.forEach((v, i) => {
      if (typeof v !== 'string') return void r.shape('expect', 'entries must be strings');
      const ok = type === 'A' ? (isIP(v) === 4 ? v : undefined) : type === 'AAAA' ? (isIP(v) === 6 ? canon6(v) : undefined) : type === 'SRV' ? srvValue(v) : /^[A-Za-z0-9_.-]+$/.test(v) ? trimDot(v) : undefined;
      if (ok === undefined) {
        const want = type === 'A' ? 'an IPv4 address' : type === 'AAAA' ? 'an IPv6 address' : type === 'SRV' ? 'target:port (or "0 0 80 target.")' : 'a host name';
        r.diagnostics.push(error('test.dns', `dns.expect[${i}]: ${JSON.stringify(v)} is not ${want}`, r.ctx.at(['expect', i]), `type ${type} answers are ${want}`));
      } else values.push(ok);
    });
    return { kind: 'records', rtype: type, values: sorted(values), source: 'as written' };
  }
  if (typeof raw === 'object' && typeof (raw as Record<string, unknown>).service === 'string') {
    const text = (raw as Record<string, string>).service;
    const f = findService(cluster, text.includes('/') || !pod ? text : `${pod.namespace}/${text}`);
    const found = f.svc ? f : findService(cluster, text);
    if (!found.svc) {
      r.diagnostics.push(error('test.dns', `dns.expect.service: ${found.message}`, r.ctx.at(['expect', 'service']), found.hint));
      return undefined;
    }
    if (!isAddrType(type)) r.fail('type', `dns: expect: { service } stands for the service's address records: it needs type A or AAAA, not ${type}`, 'leave type out, or list the answers');
    return serviceRecords(cluster, found.svc, type === 'AAAA' ? 'AAAA' : 'A');
  }
  return r.shape('expect', 'must be a list, nxdomain or { service: NAME }');
}

export const dns: AssertionDef<DnsParams> = {
  type: 'dns',
  schema,
  flows: (p) => (p.server ? [{ from: p.from, to: p.server, proto: 'udp', port: 53 }] : []),
  nodes: (p, n) => [p.from, p.server && n.nodeOf(p.server)],
  describe: (p) => `dns ${p.from}: ${p.name}${p.type === 'A' ? '' : ` ${p.type}`}${p.expect.kind === 'nxdomain' ? ' (nxdomain)' : ''}`,
  resolve(raw, ctx) {
    const r = new ParamReader('dns', raw, ctx);
    const cluster = clusterOf(r);
    const fromText = r.string('from');
    if (!fromText) r.shape('from', 'a pod is required');
    const name = r.string('name');
    if (!name) r.shape('name', 'a name is required');
    const type = r.oneOf('type', ['A', 'AAAA', 'SRV', 'CNAME'] as const, 'A');
    if (type === 'AAAA' && cluster && !cluster.podCIDR6) r.fail('type', 'dns: type AAAA in an IPv4-only cluster: no name has an IPv6 address', 'make the cluster dual-stack (pod-cidr and service-cidr [IPv4, IPv6]), or ask for type A');
    if (!cluster) return r.result(undefined);
    if (!cluster.dns) r.fail('from', 'dns: this cluster runs no DNS (dns: false)', 'turn the cluster DNS on (cluster.dns: true, the default)');
    let pod: Pod | undefined;
    if (fromText) {
      pod = findPod(cluster, fromText);
      if (!pod) {
        const why = ctx.hasNode(fromText) ? `${JSON.stringify(fromText)} is a node, not a pod: only pods have the cluster's resolv.conf` : `no pod ${JSON.stringify(fromText)} in the cluster`;
        r.fail('from', `dns.from: ${why}`, namesHint(fromText, 'pods', cluster.pods.map((p) => p.name)));
      }
    }
    const expect = readExpect(r, cluster, pod, name, type);
    if (!pod || !name || !expect) return r.result(undefined);
    return r.result<DnsParams>({ from: pod.name, name, type, expect, domain: cluster.dns?.domain ?? 'cluster.local', ...(cluster.dns ? { server: cluster.dns.ip } : {}) });
  },
  async run(p, ctx) {
    const r = await ctx.exec(p.from, digArgv(p), { timeoutMs: 15000 });
    return judgeDns(p, r);
  },
  exercise(p, ctx) {
    return { doThis: `From ${p.from}, look up ${p.name}${p.type === 'A' ? '' : ` (${p.type})`}.`, commands: exerciseCommands(dnsCommands(p), ctx), expect: expectText(p), hint: 'The ANSWER SECTION holds the records; status: NXDOMAIN means no such name' };
  },
};

export function digArgv(p: Pick<DnsParams, 'name' | 'type'>): string[] {
  return ['dig', '+search', '+noall', '+comments', '+answer', '+time=2', '+tries=2', '-t', p.type, p.name];
}

/** The command a person types to do what this test does (for handouts). */
export function dnsCommands(p: DnsParams): ExerciseStep[] {
  return [{ node: p.from, argv: digArgv(p), label: 'with the pod’s own resolv.conf (ip netns exec mounts /etc/netns/<netns>/resolv.conf)' }];
}

export interface DigAnswer {
  readonly status?: string;
  readonly records: readonly { readonly name: string; readonly type: string; readonly data: string }[];
}

/** dig's `+noall +comments +answer` output: the header's status and the answer records. */
export function parseDig(stdout: string): DigAnswer {
  const status = /status: ([A-Z]+)/.exec(stdout)?.[1];
  const records = stdout
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith(';'))
    .flatMap((l) => {
      const m = /^(\S+)\s+\d+\s+IN\s+([A-Z]+)\s+(.*)$/.exec(l.trim());
      return m ? [{ name: trimDot(m[1]), type: m[2], data: m[3].trim() }] : [];
    });
  return { status, records };
}

function recordValue(rec: DigAnswer['records'][number]): string {
  if (rec.type === 'SRV') return srvValue(rec.data) ?? rec.data;
  if (rec.type === 'CNAME') return trimDot(rec.data);
  return rec.data;
}

export function expectText(p: DnsParams): string {
  const what = `${p.name}${p.type === 'A' ? '' : ` (${p.type})`} from ${p.from}`;
  if (p.expect.kind === 'nxdomain') return `${what}: no such name (NXDOMAIN)${p.expect.source === 'as written' ? '' : ` — ${p.expect.source}`}`;
  const vals = p.expect.values.length ? p.expect.values.join(', ') : 'no records (the name exists)';
  return `${what}: ${p.expect.rtype === p.type ? '' : `${p.expect.rtype} `}${vals}${p.expect.source === 'as written' ? '' : ` — ${p.expect.source}`}`;
}

export function judgeDns(p: DnsParams, r: ExecResult): Outcome {
  const expected = expectText(p);
  const broken = execFailure(r);
  if (broken) return fail(expected, broken, r.command);
  const a = parseDig(r.stdout);
  if (!a.status) return fail(expected, `no answer from the DNS server: ${excerpt(r.stdout || r.stderr) || `dig exit code ${r.exitCode}`}`, r.command);
  const all = a.records.map((x) => `${x.type} ${recordValue(x)}`);
  const seenText = `${a.status}${all.length ? `: ${all.join(', ')}` : ''}`;
  const details = { status: a.status, records: a.records };
  if (p.expect.kind === 'nxdomain') {
    // a short name not found in the search path is asked last as it is: the cluster DNS has no upstream to forward it to
    const fqdnInCluster = p.name.endsWith('.') || trimDot(p.name).endsWith(`.${p.domain}`);
    const notFound = a.records.length === 0 && (a.status === 'NXDOMAIN' || (!fqdnInCluster && a.status === 'REFUSED'));
    return notFound ? pass(expected, seenText, r.command, { details }) : fail(expected, seenText, r.command, { details });
  }
  const want = p.expect;
  const got = sorted(a.records.filter((x) => x.type === want.rtype).map(recordValue));
  const ok = a.status === 'NOERROR' && got.length === want.values.length && got.every((v, i) => v === want.values[i]);
  return ok ? pass(expected, seenText, r.command, { details }) : fail(expected, seenText, r.command, { details });
}
