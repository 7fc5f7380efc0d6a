/**
 * service: reach a Kubernetes Service from a node or pod, many times, and judge the answers as kube-proxy should
 * give them: every answer from an endpoint of the service, spread evenly (or all from one with session affinity),
 * with the client address the traffic policy implies. nslab's probe makes the requests, its whoami server answers.
 */
import { isIP } from 'node:net';
import { probeArgv, type ProbeLine, type ProbeOptions } from '../../agent/probe.ts';
import type { Protocol, ResolvedCluster, Service, ServicePort } from '../types.ts';
import { error, warning } from '../../config/diagnostics.ts';
import { excerpt, execFailure, fail, ParamReader, pass } from '../../../assertions/common.ts';
import { serviceFamilies } from '../compile.ts';
import { joinHostPort } from '../hash.ts';
import { clusterOf, exerciseCommands, type ExerciseStep, findNode, findPod, findService, namesHint, parseAddrs, probeFrom, selectorText, svcKey, tally } from './k8s.ts';
import type { AssertionDef, Outcome } from '../../../assertions/types.ts';
import type { FlowRequest } from '../../model/trace.ts';
import schema from './service.schema.json' with { type: 'json' };

export type ServiceVia = 'cluster-ip' | 'node-port' | 'load-balancer' | 'name';
/** node: an address of that node (kube-proxy's userspace mode: its proxy opens the connection to the pod). */
export type ClientCheck = 'preserved' | 'snat' | { readonly address: string } | { readonly node: string };

export interface ServiceParams {
  /** namespace/name */
  readonly service: string;
  readonly from: string;
  readonly via: ServiceVia;
  /** node-port: the cluster node whose address is used. */
  readonly node?: string;
  /** The address family the test uses (a dual-stack Service is reached over IPv4 or IPv6); absent: 4. */
  readonly family?: 4 | 6;
  /** The address probed; absent for via: name (resolved with dig first). */
  readonly address?: string;
  /** via: name: the service's DNS name, and the server to ask when `from` is not a pod (pods use their resolv.conf). */
  readonly dnsName?: string;
  readonly dnsServer?: string;
  /** The port probed (the node port for node-port), and the service port it stands for. */
  readonly port: number;
  readonly servicePort: number;
  readonly protocol: Protocol;
  readonly requests: number;
  readonly tolerance: number;
  readonly affinity: boolean;
  readonly client?: ClientCheck;
  readonly expect: 'reachable' | 'unreachable';
  /** The endpoints that may answer (pod names). */
  readonly endpoints: readonly string[];
  /** externalTrafficPolicy Local through the load balancer: which node gets each request is the router's choice, so the split is not judged. */
  readonly balanceUnknown: boolean;
  /** Why there is no endpoint to answer, when there is none. */
  readonly noEndpoints?: string;
  readonly timeoutMs: number;
  /**
   * Requests too few to judge the split without failing by chance (a random split of n requests over k endpoints
   * within ±tolerance holds less than 99.9 % of the time): the split is shown, not judged. Undefined: judged.
   */
  readonly splitNeeds?: number;
}

/**
 * Requests a random split over k endpoints needs to stay within ±tolerance of n/k with a margin of z standard
 * deviations: the binomial count has mean n/k and deviation √(n(k−1))/k, so z ≤ tolerance·√(n/(k−1)).
 */
export function requestsForSplit(k: number, tolerance: number, z: number): number {
  return k > 1 && tolerance > 0 ? Math.ceil((z * z * (k - 1)) / (tolerance * tolerance)) : 0;
}

/** The margin (standard deviations) a default request count gives: a chance failure less than once in 10,000 tests. */
export const SPLIT_Z_DEFAULT = 4;
/** Below this margin (a chance failure more than about once in 500 tests) the split is shown, not judged. */
export const SPLIT_Z_MIN = 3.5;

const VIAS = ['cluster-ip', 'node-port', 'load-balancer', 'name'] as const;

function pickPort(r: ParamReader, svc: Service, via: ServiceVia): ServicePort | undefined {
  const raw = typeof r.raw.port === 'string' && /^\d+$/.test(r.raw.port) ? Number(r.raw.port) : r.raw.port;
  const list = svc.ports.map((p) => (p.name ? `${p.name} (${p.port}/${p.protocol})` : `${p.port}/${p.protocol}`)).join(', ');
  if (raw === undefined || raw === null) {
    if (svc.ports.length === 0) return r.fail('service', `service ${svcKey(svc)} has no ports`, 'give the service a ports: list');
    return svc.ports[0];
  }
  if (typeof raw !== 'number' && typeof raw !== 'string') return r.shape('port', 'must be a port number or name');
  const hit = svc.ports.find((p) => (typeof raw === 'number' ? p.port === raw || (via === 'node-port' && p.nodePort === raw) : p.name === raw));
  return hit ?? r.fail('port', `service ${svcKey(svc)} has no port ${JSON.stringify(raw)}`, `its ports: ${list || '(none)'}`);
}

function clientCheck(r: ParamReader): ClientCheck | 'node' | undefined {
  const v = r.string('client');
  if (v === undefined) return undefined;
  if (v === 'preserved' || v === 'snat' || v === 'node') return v;
  if (isIP(v) !== 0) return { address: v };
  return r.fail('client', `service.client: ${JSON.stringify(v)} is neither preserved, snat, node nor an address`, 'preserved: the pods see the client’s own address; snat: they see another (a node’s); node: an address of the node whose kube-proxy carried it; or write the address they must see');
}

/**
 * The node whose kube-proxy carries a request: the NodePort's node, the client pod's node, or the client itself when
 * it is a cluster node; undefined for a client outside the cluster going to a ClusterIP or load-balancer address.
 */
function proxyingNode(c: ResolvedCluster, from: string, via: ServiceVia, node: string | undefined): string | undefined {
  if (via === 'node-port') return node;
  const pod = c.pods.find((p) => p.name === from);
  if (pod) return pod.node;
  return c.nodes.some((n) => n.name === from) ? from : undefined;
}

export const service: AssertionDef<ServiceParams> = {
  type: 'service',
  schema,
  flows: (p) => [serviceFlow(p)],
  nodes: (p) => [p.from, p.node, ...p.endpoints],
  describe: (p) => `service ${p.from} → ${p.service}:${p.servicePort} via ${p.via}${p.family === 6 ? ' (IPv6)' : ''}${p.expect === 'unreachable' ? ' (unreachable)' : ''}`,
  resolve(raw, ctx) {
    const r = new ParamReader('service', raw, ctx);
    const cluster = clusterOf(r);
    const text = r.string('service');
    if (text === undefined || text === '') r.shape('service', 'a service name is required');
    const from = r.node('from');
    const via = r.oneOf('via', VIAS, 'cluster-ip');
    const expect = r.oneOf('expect', ['reachable', 'unreachable'] as const, 'reachable');
    const requested = r.integer('requests', expect === 'unreachable' ? 3 : 60, 1, 10000);
    const tolerance = typeof raw.tolerance === 'number' && raw.tolerance >= 0 && raw.tolerance <= 1 ? raw.tolerance : raw.tolerance === undefined ? 0.5 : r.shape('tolerance', 'must be a number from 0 to 1');
    const asked = clientCheck(r);
    const family = r.has('family') ? (r.raw.family === 4 || r.raw.family === 6 ? r.raw.family : r.shape('family', 'must be 4 or 6')) : 4;
    if (!cluster || !text || family === undefined) return r.result(undefined);
    if (cluster.kubeProxy === 'userspace' && asked === 'preserved') return r.result(r.fail('client', 'service.client: preserved cannot hold under kube-proxy: userspace: the proxy in the node opens a new connection to the pod, so the pod sees the node', 'write client: node (the default in userspace mode), or use kube-proxy: iptables/nftables with externalTrafficPolicy: Local'));
    const found = findService(cluster, text);
    if (!found.svc) return r.result(r.fail('service', `service: ${found.message}`, found.hint ?? ''));
    const svc = found.svc;
    const key = svcKey(svc);
    if (svc.type === 'ExternalName') return r.result(r.fail('service', `service ${key} is an ExternalName service: it has no address or endpoints to reach`, 'test its name with a dns assertion instead'));
    const port = pickPort(r, svc, via);
    const affinity = r.boolean('affinity', svc.sessionAffinity === 'ClientIP');
    if (!port || !from) return r.result(undefined);

    let address: string | undefined;
    let probePort = port.port;
    let node: string | undefined;
    let dnsName: string | undefined;
    let dnsServer: string | undefined;
    // the Service's address of the family (dual-stack, issue 14.1): a Service has a ClusterIP per family in ipFamilies
    const families = serviceFamilies(svc);
    if (!families.includes(family)) {
      const has = families.map((f) => `IPv${f}`).join(', ');
      return r.result(r.fail(r.has('family') ? 'family' : 'service', `service ${key} has no IPv${family}: its ipFamilies are [${has}]`, family === 6 ? `give it ipFamilies: [IPv4, IPv6] (ipFamilyPolicy: PreferDualStack or RequireDualStack) in a dual-stack cluster, or test it over IPv4 (leave family out)` : `it is reached over IPv6 only: write family: 6`));
    }
    const vip = family === 6 ? svc.clusterIP6 : svc.clusterIP;
    const headless = vip === undefined || vip === '' || vip === 'None';
    if (r.has('node') && via !== 'node-port') r.warn('node', `service.node only matters with via: node-port`, 'leave it out');
    if (via === 'cluster-ip' || via === 'name') {
      if (headless) return r.result(r.fail('via', `service ${key} is headless (clusterIP: None): it has no virtual address`, 'its name resolves to the pods themselves: test that with a dns assertion'));
      address = via === 'cluster-ip' ? vip : undefined;
      if (via === 'name') {
        if (!cluster.dns) return r.result(r.fail('via', 'via: name needs the cluster DNS, and this cluster runs none (dns: false)', 'use via: cluster-ip, or turn the cluster DNS on'));
        dnsName = `${svc.name}.${svc.namespace}.svc.${cluster.dns.domain}`;
        if (!findPod(cluster, from)) dnsServer = cluster.dns.ip;
      }
    } else if (via === 'node-port') {
      if (svc.type !== 'NodePort' && svc.type !== 'LoadBalancer') return r.result(r.fail('via', `service ${key} is of type ${svc.type}: it has no node port`, 'make it type: NodePort (or LoadBalancer), or use via: cluster-ip'));
      if (port.nodePort === undefined) return r.result(r.fail('port', `port ${port.port} of service ${key} has no node port`, 'give the service port a nodePort'));
      const n = typeof raw.node === 'string' ? findNode(cluster, raw.node) : cluster.nodes[0];
      if (!n) {
        const names = cluster.nodes.map((x) => x.name);
        const bad = typeof raw.node === 'string' ? raw.node : '';
        return r.result(r.fail('node', `service.node: ${bad ? `${JSON.stringify(bad)} is not a node of the cluster` : 'the cluster has no nodes'}`, namesHint(bad, 'cluster nodes', names)));
      }
      node = n.name;
      if (family === 6 && !n.ip6) return r.result(r.fail('node', `node ${n.name} has no IPv6 address: the cluster is not dual-stack`, 'leave family out, or make the cluster dual-stack (pod-cidr and service-cidr with an IPv6 range each)'));
      address = family === 6 ? n.ip6 : n.ip;
      probePort = port.nodePort;
    } else {
      if (family === 6 && !(svc.loadBalancerIP ?? '').includes(':')) return r.result(r.fail('family', `service ${key} has no IPv6 load-balancer address`, 'use via: cluster-ip or node-port over IPv6, or leave family out'));
      if (svc.type !== 'LoadBalancer' || !svc.loadBalancerIP) return r.result(r.fail('via', `service ${key} is of type ${svc.type}: it has no load-balancer address`, 'make it type: LoadBalancer, or use via: cluster-ip'));
      address = svc.loadBalancerIP;
    }

    const se = cluster.endpoints.find((e) => svcKey(e.service) === key && e.port.port === port.port && e.port.protocol === port.protocol);
    // the endpoints of the family: over IPv6 only the pods with an IPv6 address (EndpointSlices are per family)
    const ip6 = new Map(cluster.pods.map((x) => [x.name, x.ip6]));
    let endpoints = (se?.endpoints ?? []).filter((e) => family === 4 || ip6.get(e.pod) !== undefined).map((e) => ({ pod: e.pod, node: e.node }));
    let noEndpoints: string | undefined;
    if (endpoints.length === 0) {
      noEndpoints = svc.selector ? `service ${key} selects no pods (selector ${selectorText(svc.selector)} matches none)` : `service ${key} has no selector, so no endpoints`;
      if (expect === 'reachable') r.diagnostics.push(warning('test.service', noEndpoints, ctx.at(['service']), 'give pods the labels of the selector, or expect: unreachable'));
    }
    const local = svc.externalTrafficPolicy === 'Local' && (via === 'node-port' || via === 'load-balancer');
    // kube-proxy's KUBE-EXT chain sends pod traffic (source in the cluster CIDR) and the node's own traffic to every
    // endpoint, as the Cluster policy would: only traffic from outside is kept on the node (issue 18)
    const inCluster = from !== undefined && (cluster.pods.some((x) => x.name === from) || from === node);
    if (local && via === 'node-port' && endpoints.length > 0 && !inCluster) {
      const all = endpoints;
      endpoints = endpoints.filter((e) => e.node === node);
      if (endpoints.length === 0) {
        noEndpoints = `node ${node} runs no endpoint of service ${key}, and with externalTrafficPolicy: Local kube-proxy drops what it gets`;
        if (expect === 'reachable') r.diagnostics.push(warning('test.service', noEndpoints, ctx.at([r.has('node') ? 'node' : 'via']), `nodes with an endpoint: ${[...new Set(all.map((e) => e.node))].join(', ')}; or expect: unreachable`));
      }
    }
    // userspace mode: the proxy in the node opens the connection to the pod, so the pods see that node (the default check)
    const proxyNode = from !== undefined ? proxyingNode(cluster, from, via, node) : undefined;
    if (asked === 'node' && !proxyNode) return r.result(r.fail('client', `service.client: node needs a node that carries the request: ${from} is outside the cluster and goes ${via === 'load-balancer' ? 'to the load-balancer address (the router picks the node)' : 'to a ClusterIP'}`, 'use via: node-port (that node), or client: snat'));
    const client: ClientCheck | undefined = asked === 'node' ? { node: proxyNode! } : (asked ?? (cluster.kubeProxy === 'userspace' && expect === 'reachable' && proxyNode ? { node: proxyNode } : undefined));
    const k = endpoints.length;
    // the default is enough requests for the split to be judged without failing by chance (60 at least)
    const requests = r.has('requests') || expect === 'unreachable' ? requested : Math.max(requested, requestsForSplit(k, tolerance ?? 0.5, SPLIT_Z_DEFAULT));
    const needs = requestsForSplit(k, tolerance ?? 0.5, SPLIT_Z_MIN);
    const splitNeeds = !affinity && k > 1 && (tolerance ?? 0) > 0 && requests < needs ? needs : undefined;
    if (tolerance === 0 && !affinity && k > 0 && requests % k !== 0) {
      r.diagnostics.push(error('test.service', `service.tolerance: 0 wants exactly ${requests}/${k} requests per endpoint, which is not a whole number`, ctx.at(['tolerance']), `make requests a multiple of ${k}, or allow a tolerance (default 0.5)`));
    }
    if (affinity && r.has('tolerance')) r.warn('tolerance', 'service.tolerance has no meaning with affinity: every request goes to one endpoint', 'leave tolerance out');
    if (tolerance === undefined) return r.result(undefined);
    return r.result<ServiceParams>({
      service: key,
      from,
      via,
      ...(family === 6 ? { family } : {}),
      ...(node ? { node } : {}),
      ...(address ? { address } : {}),
      ...(dnsName ? { dnsName } : {}),
      ...(dnsServer ? { dnsServer } : {}),
      port: probePort,
      servicePort: port.port,
      protocol: port.protocol,
      requests,
      tolerance,
      affinity,
      ...(client ? { client } : {}),
      expect,
      endpoints: endpoints.map((e) => e.pod).sort(),
      balanceUnknown: local && via === 'load-balancer',
      ...(noEndpoints ? { noEndpoints } : {}),
      timeoutMs: expect === 'unreachable' ? 1000 : 2000,
      ...(splitNeeds ? { splitNeeds } : {}),
    });
  },
  async run(p, ctx) {
    const commands: string[] = [];
    let address = p.address;
    if (p.noEndpoints && p.expect === 'reachable') return fail(expectedText(p, address), p.noEndpoints, '');
    if (!address) {
      const d = await ctx.exec(p.from, serviceDigArgv(p), { timeoutMs: 15000 });
      commands.push(d.command);
      address = d.stdout.split('\n').map((l) => l.trim()).filter((l) => isIP(l) !== 0).pop();
      if (!address) return fail(expectedText(p, undefined), execFailure(d) ?? `${p.dnsName} did not resolve: ${excerpt(d.stdout || d.stderr) || `no address (exit code ${d.exitCode})`}`, d.command);
    }
    let fromAddrs: string[] | undefined;
    if (p.client === 'preserved' || p.client === 'snat' || (p.client && 'node' in p.client)) {
      // for client: node, the addresses of that node (its underlay, cni0, flannel.1, …)
      const who = p.client && typeof p.client === 'object' && 'node' in p.client ? p.client.node : p.from;
      const a = await ctx.exec(who, ['ip', '-o', 'addr', 'show'], { timeoutMs: 10000 });
      commands.push(a.command);
      fromAddrs = parseAddrs(a.stdout);
    }
    const { lines, result } = await probeFrom(ctx, p.from, serviceProbe(p, address));
    commands.push(result.command);
    const broken = lines.length === 0 ? (execFailure(result) ?? `the probe printed nothing (exit code ${result.exitCode})${result.stderr ? `: ${excerpt(result.stderr)}` : ''}`) : undefined;
    if (broken) return fail(expectedText(p, address), broken, commands.join(' && '));
    return judgeService(p, lines, { address, fromAddrs, command: commands.join(' && ') });
  },
  exercise(p, ctx) {
    return {
      doThis: `From ${p.from}, send ${p.requests} requests to Service ${p.service} and see which pods answer.`,
      commands: exerciseCommands(serviceCommands(p), ctx),
      expect: expectedText(p, p.address),
      hint: 'Each line is one request: "node" is the pod that answered, "client" the address it saw you as',
    };
  },
};

/** The flow the probe sends: to the address probed (by name: to the Service, its ClusterIP), on the port probed. */
export function serviceFlow(p: ServiceParams): FlowRequest {
  const proto = p.protocol === 'UDP' ? 'udp' : 'tcp';
  return p.address ? { from: p.from, to: p.address, proto, port: p.port } : { from: p.from, to: p.service, proto, port: p.servicePort };
}

/** via: name: how `from` looks the service's name up. */
export function serviceDigArgv(p: ServiceParams): string[] {
  return ['dig', '+short', '+time=2', '+tries=2', ...(p.dnsServer ? [`@${p.dnsServer}`] : []), p.dnsName ?? '', ...(p.family === 6 ? ['AAAA'] : [])];
}

/** Failed requests after which a test that expects every request answered stops probing (it has failed). */
export const MAX_FAILURES = 3;

/** The probe's options for this test, once the address is known. */
export function serviceProbe(p: ServiceParams, address: string): ProbeOptions {
  // every request must be answered: after MAX_FAILURES failed ones the test cannot pass, and the rest is not waited for
  return { to: [address], port: p.port, proto: p.protocol === 'UDP' ? 'udp' : 'tcp', count: p.requests, timeoutMs: p.timeoutMs, ...(p.expect === 'reachable' ? { maxFailures: MAX_FAILURES } : {}) };
}

/** The commands a person types to do what this test does (for handouts); `self` is how nslab is called. */
export function serviceCommands(p: ServiceParams, self: readonly string[] = ['lab']): ExerciseStep[] {
  const dig: ExerciseStep[] = p.address ? [] : [{ node: p.from, argv: serviceDigArgv(p), label: `look up ${p.dnsName}` }];
  const probe = { node: p.from, argv: [...self, ...probeArgv(serviceProbe(p, p.address ?? '<the address dig printed>'))], label: `${p.requests} requests; each line names the pod that answered and the client address it saw` };
  return [...dig, probe];
}

function viaText(p: ServiceParams, address: string | undefined): string {
  const at = address ? joinHostPort(address, p.port) : `${p.dnsName}:${p.port}`;
  switch (p.via) {
    case 'cluster-ip':
      return `its ClusterIP ${at}`;
    case 'node-port':
      return `node port ${at} of ${p.node}`;
    case 'load-balancer':
      return `its load-balancer address ${at}`;
    default:
      return `its name ${p.dnsName}${address ? ` (${address})` : ''}:${p.port}`;
  }
}

function clientText(c: ClientCheck): string {
  return c === 'preserved' ? 'the client’s own address (preserved)' : c === 'snat' ? 'another address than the client’s (SNAT)' : 'node' in c ? `an address of ${c.node} (its kube-proxy opened the connection)` : c.address;
}

/** Each endpoint's accepted share of n requests: n/k ± tolerance × n/k. */
export function shareBounds(n: number, k: number, tolerance: number): [number, number] {
  const even = n / k;
  return [even * (1 - tolerance), even * (1 + tolerance)];
}

export function expectedText(p: ServiceParams, address: string | undefined): string {
  const head = `${p.service} port ${p.servicePort}/${p.protocol} from ${p.from} via ${viaText(p, address)}${p.family === 6 ? ' (IPv6)' : ''}`;
  if (p.expect === 'unreachable') return `${head}: no answer to any of ${p.requests} requests`;
  const k = p.endpoints.length;
  const [lo, hi] = shareBounds(p.requests, Math.max(1, k), p.tolerance);
  const round = (x: number): string => String(Math.round(x * 10) / 10);
  const split = p.affinity
    ? 'all by one endpoint (session affinity)'
    : p.balanceUnknown
      ? 'in any split (externalTrafficPolicy: Local: the router picks the node)'
      : k > 1 && p.splitNeeds
        ? `in any split (${p.requests} requests are too few to judge it: ${p.splitNeeds} would be)`
        : k > 1
          ? `each ${round(lo)}–${round(hi)} of them`
          : 'all of them';
  const client = p.client ? `; the pods see ${clientText(p.client)}` : '';
  return `${head}: ${p.requests} requests answered by ${p.endpoints.join(', ') || '(no endpoint)'}, ${split}${client}`;
}

/** Judge the probe's answers. `fromAddrs`: the addresses of `from` (for client: preserved | snat). */
export function judgeService(p: ServiceParams, lines: readonly ProbeLine[], seen: { address?: string; fromAddrs?: readonly string[]; command: string }): Outcome {
  const expected = expectedText(p, seen.address);
  const oks = lines.flatMap((l) => (l.ok ? [l] : []));
  const errs = lines.flatMap((l) => (l.ok ? [] : [l.error]));
  const counts = tally(oks.map((l) => l.node));
  const clients = [...tally(oks.map((l) => l.client)).keys()];
  const countWords = [...new Set([...p.endpoints, ...counts.keys()])].sort().map((n) => `${n} ${counts.get(n) ?? 0}${p.endpoints.includes(n) ? '' : ' (not an endpoint)'}`);
  const errWords = [...tally(errs)].map(([e, n]) => `${n} ${e}`).join(', ');
  const parts = [`${countWords.join(', ') || 'no answers'} of ${p.requests}`];
  if (errs.length) parts.push(`${errs.length} failed (${errWords})`);
  if (lines.length < p.requests) parts.push(`only ${lines.length} of ${p.requests} requests were made`);
  if (clients.length) parts.push(`client seen ${clients.join(', ')}`);
  const details = { counts: Object.fromEntries(counts), clients, failed: errs.length, address: seen.address };
  const problems: string[] = [];

  if (p.expect === 'unreachable') {
    const s = parts.join('; ');
    return oks.length === 0 ? pass(expected, s, seen.command, { details }) : fail(expected, s, seen.command, { details });
  }
  if (errs.length) problems.push(`${errs.length} of ${p.requests} requests failed`);
  if (lines.length < p.requests) problems.push(errs.length >= MAX_FAILURES ? `the probe stopped after ${errs.length} failed requests (the test could no longer pass)` : 'the probe stopped early');
  const strangers = [...counts.keys()].filter((n) => !p.endpoints.includes(n));
  if (strangers.length) problems.push(`answered by ${strangers.join(', ')}, not ${strangers.length === 1 ? 'an endpoint' : 'endpoints'} of ${p.service}`);
  if (p.affinity) {
    if (counts.size > 1) problems.push(`session affinity broken: ${counts.size} endpoints answered`);
  } else if (!p.balanceUnknown && !p.splitNeeds && p.endpoints.length > 1 && lines.length === p.requests) {
    const [lo, hi] = shareBounds(p.requests, p.endpoints.length, p.tolerance);
    const off = p.endpoints.filter((n) => (counts.get(n) ?? 0) < lo - 1e-9 || (counts.get(n) ?? 0) > hi + 1e-9);
    if (off.length) problems.push(`uneven: ${off.map((n) => `${n} got ${counts.get(n) ?? 0}`).join(', ')}`);
  }
  const want = p.client;
  if (want && oks.length) {
    const own = new Set(seen.fromAddrs ?? []);
    const bad = want === 'preserved' || (typeof want === 'object' && 'node' in want) ? clients.filter((c) => !own.has(c)) : want === 'snat' ? clients.filter((c) => own.has(c)) : clients.filter((c) => c !== want.address);
    if (bad.length) {
      const what = want === 'preserved' ? `not ${p.from}’s own (${[...own].join(', ') || 'unknown'})` : want === 'snat' ? `${p.from}’s own: not SNATed` : 'node' in want ? `not an address of ${want.node} (${[...own].join(', ') || 'unknown'})` : `not ${want.address}`;
      problems.push(`client address ${bad.join(', ')}: ${what}`);
    }
  }
  const s = problems.length ? `${problems.join('; ')} — ${parts.join('; ')}` : parts.join('; ');
  return problems.length ? fail(expected, s, seen.command, { details }) : pass(expected, s, seen.command, { details });
}
