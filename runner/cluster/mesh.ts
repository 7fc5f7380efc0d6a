/**
 * Traffic management in the sidecar (issue 13.3): the cluster's `virtual-services` and `destination-rules`, with the
 * field names of Istio's VirtualService and DestinationRule, resolved against the cluster's Services and pods into
 * routes whose destinations are lists of pod endpoints. runner/cluster/mesh-haproxy.ts turns them into the outbound
 * proxy's configuration. Pure; every mistake is one located diagnostic.
 */
import { didYouMean, error, warning, type Diagnostic, type SourcePos } from '../config/diagnostics.ts';
import type { PathSeg } from '../config/load.ts';
import { asObj, isObj, type Obj, str } from '../util/obj.ts';
import { parseDurationMs } from '../util/units.ts';
import type { DestinationRule, Mesh, MeshDestination, MeshMatch, MeshRoute, Pod, StringMatch, Service, ServiceEndpoints, VirtualService } from './types.ts';

export type { DestinationRule, Mesh, MeshDestination, MeshMatch, MeshRoute, StringMatch, VirtualService } from './types.ts';

export interface MeshContext {
  readonly at: (path: readonly PathSeg[], key?: boolean) => SourcePos;
  readonly diags: Diagnostic[];
  readonly services: readonly Service[];
  readonly endpoints: readonly ServiceEndpoints[];
  readonly pods: readonly Pick<Pod, 'name' | 'namespace' | 'labels'>[];
}

const key = (s: Pick<Service, 'namespace' | 'name'>): string => `${s.namespace}/${s.name}`;

/** Istio's short names: `reviews` (in the rule's namespace), `reviews.ns`, `reviews.ns.svc.cluster.local`. */
export function serviceOfHost(host: string, namespace: string, services: readonly Service[]): Service | undefined {
  const m = /^([a-z0-9-]+)(?:\.([a-z0-9-]+)(?:\.svc(?:\.cluster\.local)?)?)?$/.exec(host);
  if (!m) return undefined;
  return services.find((s) => s.name === m[1] && s.namespace === (m[2] ?? namespace));
}

function hostHint(host: string, namespace: string, services: readonly Service[]): string {
  const inNs = services.filter((s) => s.namespace === namespace && s.type !== 'ExternalName').map((s) => s.name);
  const guess = didYouMean(host.split('.')[0], inNs);
  return `${guess ? `did you mean ${guess}? ` : ''}a host is a Service of the cluster: ${inNs.join(', ') || '(none in this namespace)'} in namespace ${namespace}, or name.namespace`;
}

function stringMatch(v: unknown): StringMatch | undefined {
  const o = asObj(v);
  for (const kind of ['exact', 'prefix', 'regex'] as const) if (typeof o[kind] === 'string') return { kind, value: o[kind] as string };
  return undefined;
}

function checkRegex(m: StringMatch | undefined, path: readonly PathSeg[], ctx: MeshContext): void {
  if (m?.kind !== 'regex') return;
  try {
    new RegExp(m.value);
  } catch (e) {
    ctx.diags.push(error('mesh.regex', `${JSON.stringify(m.value)} is not a regular expression: ${e instanceof Error ? e.message : String(e)}`, ctx.at([...path, 'regex']), 'Istio takes RE2 syntax; haproxy matches it as a PCRE'));
  }
}

const podsOf = (subsetLabels: Readonly<Record<string, string>>, svc: Service, pods: MeshContext['pods']): string[] =>
  pods.filter((p) => p.namespace === svc.namespace && Object.entries(svc.selector ?? {}).every(([k, v]) => p.labels[k] === v) && Object.entries(subsetLabels).every(([k, v]) => p.labels[k] === v)).map((p) => p.name);

function buildDestinationRules(raw: Obj, ctx: MeshContext): DestinationRule[] {
  const out: DestinationRule[] = [];
  for (const [name, v] of Object.entries(raw)) {
    const o = asObj(v);
    const path: PathSeg[] = ['cluster', 'destination-rules', name];
    const namespace = str(o.namespace) ?? 'default';
    const host = str(o.host) ?? '';
    const svc = serviceOfHost(host, namespace, ctx.services);
    if (!svc) {
      ctx.diags.push(error('mesh.host', `DestinationRule ${namespace}/${name}: host ${JSON.stringify(host)} is no Service of the cluster`, ctx.at([...path, 'host']), hostHint(host, namespace, ctx.services)));
      continue;
    }
    const subsets: DestinationRule['subsets'][number][] = [];
    (Array.isArray(o.subsets) ? o.subsets : []).forEach((s: unknown, i: number) => {
      const so = asObj(s);
      const sname = str(so.name) ?? '';
      const labels = asObj(so.labels) as Record<string, string>;
      if (subsets.some((x) => x.name === sname)) ctx.diags.push(error('mesh.subset-twice', `DestinationRule ${namespace}/${name}: subset ${sname} is defined twice`, ctx.at([...path, 'subsets', i, 'name']), 'give each subset a name of its own'));
      const pods = podsOf(labels, svc, ctx.pods);
      if (!pods.length) {
        const sel = Object.entries({ ...svc.selector, ...labels }).map(([k, x]) => `${k}=${x}`).join(', ');
        ctx.diags.push(error('mesh.subset-empty', `DestinationRule ${namespace}/${name}: subset ${sname} selects no pod of Service ${key(svc)} (no pod in namespace ${svc.namespace} has ${sel})`, ctx.at([...path, 'subsets', i, 'labels']), 'a subset is the Service\'s pods that also have these labels: label a pod with them (e.g. version: v2), or fix the labels'));
      }
      subsets.push({ name: sname, labels, pods });
    });
    out.push({ name, namespace, host: key(svc), subsets });
  }
  return out;
}

function buildRoute(o: Obj, path: PathSeg[], index: number, namespace: string, rules: readonly DestinationRule[], ctx: MeshContext): MeshRoute | undefined {
  const match: MeshMatch[] = (Array.isArray(o.match) ? o.match : []).map((m: unknown, j: number) => {
    const mo = asObj(m);
    const uri = stringMatch(mo.uri);
    checkRegex(uri, [...path, 'match', j, 'uri'], ctx);
    const headers = Object.entries(asObj(mo.headers)).map(([name, hv]) => {
      const hm = stringMatch(hv)!;
      checkRegex(hm, [...path, 'match', j, 'headers', name], ctx);
      return { name: name.toLowerCase(), match: hm };
    });
    return { ...(uri ? { uri } : {}), headers };
  });
  const routes = Array.isArray(o.route) ? o.route : [];
  const destinations: MeshDestination[] = [];
  let ok = true;
  routes.forEach((r: unknown, j: number) => {
    const ro = asObj(r);
    const d = asObj(ro.destination);
    const dpath: PathSeg[] = [...path, 'route', j, 'destination'];
    const host = str(d.host) ?? '';
    const svc = serviceOfHost(host, namespace, ctx.services);
    if (!svc) {
      ctx.diags.push(error('mesh.host', `route to ${JSON.stringify(host)}: no such Service in the cluster`, ctx.at([...dpath, 'host']), hostHint(host, namespace, ctx.services)));
      ok = false;
      return;
    }
    const tcp = svc.ports.filter((p) => p.protocol === 'TCP');
    const wanted = isObj(d.port) ? (d.port.number as number) : undefined;
    const port = wanted !== undefined ? tcp.find((p) => p.port === wanted) : tcp.length === 1 ? tcp[0] : undefined;
    if (!port) {
      const list = tcp.map((p) => String(p.port)).join(', ') || '(none)';
      ctx.diags.push(error('mesh.port', wanted !== undefined ? `Service ${key(svc)} has no TCP port ${wanted}` : `Service ${key(svc)} has ${tcp.length} TCP ports: say which one`, ctx.at(wanted !== undefined ? [...dpath, 'port', 'number'] : dpath, wanted === undefined), `its TCP ports: ${list}; write port: { number: N }`));
      ok = false;
      return;
    }
    const subset = str(d.subset);
    let podNames: readonly string[] | undefined;
    if (subset !== undefined) {
      const defined = rules.filter((x) => x.host === key(svc)).flatMap((x) => x.subsets);
      const hit = defined.find((s) => s.name === subset);
      if (!hit) {
        const guess = didYouMean(subset, defined.map((s) => s.name));
        ctx.diags.push(error('mesh.subset', `no DestinationRule for Service ${key(svc)} defines a subset ${JSON.stringify(subset)}`, ctx.at([...dpath, 'subset']), guess ? `did you mean ${guess}?` : defined.length ? `its subsets: ${defined.map((s) => s.name).join(', ')}` : `define it under destination-rules: (host: ${svc.name}, subsets: [{ name: ${subset}, labels: { version: ${subset} } }])`));
        ok = false;
        return;
      }
      podNames = hit.pods;
    }
    const eps = ctx.endpoints.find((e) => e.service === svc && e.port === port)?.endpoints ?? [];
    const endpoints = eps.filter((e) => !podNames || podNames.includes(e.pod)).map((e) => ({ pod: e.pod, ip: e.ip, port: e.port }));
    const weight = typeof ro.weight === 'number' ? ro.weight : routes.length === 1 ? 100 : 0;
    destinations.push({ host: key(svc), ...(subset !== undefined ? { subset } : {}), port: port.port, weight, endpoints });
  });
  if (!ok) return undefined;
  const sum = destinations.reduce((a, d) => a + d.weight, 0);
  if (destinations.length > 1 || routes.some((r: unknown) => typeof asObj(r).weight === 'number')) {
    if (sum !== 100) {
      const parts = destinations.map((d) => `${d.subset ?? d.host} ${d.weight}`).join(' + ');
      ctx.diags.push(error('mesh.weights', `the weights of route ${str(o.name) ?? `http[${index}]`} add up to ${sum}, not 100 (${parts})`, ctx.at([...path, 'route'], true), destinations.length > 1 ? 'give every destination a weight, together 100 (e.g. 90 and 10)' : 'one destination alone gets 100: leave its weight out'));
      return undefined;
    }
  }
  const retries = isObj(o.retries) ? { attempts: Number(o.retries.attempts), ...(o.retries.perTryTimeout !== undefined ? { perTryTimeoutMs: parseDurationMs(o.retries.perTryTimeout) } : {}) } : undefined;
  const timeoutMs = o.timeout !== undefined ? parseDurationMs(o.timeout) : undefined;
  if (retries?.perTryTimeoutMs !== undefined && timeoutMs !== undefined && retries.perTryTimeoutMs > timeoutMs) {
    ctx.diags.push(warning('mesh.timeout', `perTryTimeout ${String(asObj(o.retries).perTryTimeout)} is longer than the route's timeout ${String(o.timeout)}: no retry would ever start`, ctx.at([...path, 'retries', 'perTryTimeout']), 'make perTryTimeout a fraction of timeout'));
  }
  return { name: str(o.name) ?? `http-${index}`, match, destinations, ...(retries ? { retries } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
}

function buildVirtualServices(raw: Obj, rules: readonly DestinationRule[], ctx: MeshContext): VirtualService[] {
  const out: VirtualService[] = [];
  const claimed = new Map<string, string>();
  for (const [name, v] of Object.entries(raw)) {
    const o = asObj(v);
    const path: PathSeg[] = ['cluster', 'virtual-services', name];
    const namespace = str(o.namespace) ?? 'default';
    const hosts: string[] = [];
    const addresses: { ip: string; port: number }[] = [];
    (Array.isArray(o.hosts) ? o.hosts : []).forEach((h: unknown, i: number) => {
      const host = String(h);
      const svc = serviceOfHost(host, namespace, ctx.services);
      if (!svc) {
        ctx.diags.push(error('mesh.host', `VirtualService ${namespace}/${name}: host ${JSON.stringify(host)} is no Service of the cluster`, ctx.at([...path, 'hosts', i]), hostHint(host, namespace, ctx.services)));
        return;
      }
      if (!svc.clusterIP || svc.type === 'ExternalName') {
        ctx.diags.push(error('mesh.host', `VirtualService ${namespace}/${name}: Service ${key(svc)} has no ClusterIP, so there is no connection for the sidecar to catch`, ctx.at([...path, 'hosts', i]), 'route a Service with a ClusterIP'));
        return;
      }
      const other = claimed.get(key(svc));
      if (other) ctx.diags.push(error('mesh.host-twice', `Service ${key(svc)} is a host of VirtualService ${other} already`, ctx.at([...path, 'hosts', i]), 'put all routes of one host into one VirtualService (Istio merges them in no defined order)'));
      claimed.set(key(svc), `${namespace}/${name}`);
      hosts.push(key(svc));
      for (const p of svc.ports) if (p.protocol === 'TCP') addresses.push({ ip: svc.clusterIP, port: p.port });
    });
    const http = (Array.isArray(o.http) ? o.http : []).map((r: unknown, i: number) => buildRoute(asObj(r), [...path, 'http', i], i, namespace, rules, ctx));
    if (http.some((r) => !r) || !hosts.length) continue;
    out.push({ name, namespace, hosts, addresses, http: http as MeshRoute[] });
  }
  return out;
}

/** The mesh of `cluster:` (undefined when it has neither section). */
export function buildMesh(C: Obj, ctx: MeshContext): Mesh | undefined {
  if (!isObj(C['virtual-services']) && !isObj(C['destination-rules'])) return undefined;
  const destinationRules = buildDestinationRules(asObj(C['destination-rules']), ctx);
  const virtualServices = buildVirtualServices(asObj(C['virtual-services']), destinationRules, ctx);
  return { virtualServices, destinationRules };
}
