/**
 * The sidecar's outbound proxy configuration for the mesh's routes (issue 13.3), in Debian's haproxy 2.6: what
 * Istio's pilot would push to Envoy as listeners, routes and clusters, written the way haproxy says it. It plugs into
 * the sidecar's own configuration (runner/cluster/sidecar.ts, issue 13.2) as OutboundRoutes plus sections:
 *
 *   frontend outbound (mode tcp, :15001)     sidecar.ts's: every connection ISTIO_REDIRECT sent there; `dst` is the
 *     use_backend vs.<ns>.<name>.<ip>:<port>  original destination (SO_ORIGINAL_DST): a VirtualService's ClusterIP:port
 *   backend vs.<ns>.<name>.<ip>:<port>       (an OutboundRoute) hands the connection to the VirtualService's HTTP listener
 *   frontend vs.<ns>.<name> (mode http,      one per VirtualService: the http routes in order as use_backend rules
 *     127.0.0.1:151NN)                        (ACLs on path and headers; a random number 0–99 per request picks
 *                                             among weighted destinations), 404 when no route matches (Envoy's NR)
 *   backend vs.<ns>.<name>.<route>.<subset>  the destination's pods (the Service's endpoints of that subset),
 *                                             round robin, with the route's retries and timeout
 *
 * The pods are connected to directly, as Envoy does: kube-proxy's DNAT is not used for routed traffic.
 * Pure: the functions return text; runner/cluster/compile.ts writes it and starts haproxy.
 */
import type { Mesh, MeshDestination, MeshRoute, StringMatch, VirtualService } from './mesh.ts';
import { SIDECAR_DEFAULTS, sidecarProxyConfig, type OutboundRoute, type SidecarSpec } from './sidecar.ts';

/** The port the outbound frontend listens on (Istio's virtualOutbound listener). */
export const OUTBOUND_PORT = SIDECAR_DEFAULTS.outboundPort;
/** The first of the VirtualServices' own HTTP listeners on 127.0.0.1. */
export const VS_LISTENER_BASE = 15100;
/** The haproxy variable that holds each request's random number for weighted routes. */
const PICK = 'txn.pick';

export const vsId = (vs: Pick<VirtualService, 'namespace' | 'name'>): string => `vs.${vs.namespace}.${vs.name}`;
export const destId = (vs: VirtualService, route: MeshRoute, d: MeshDestination): string => `${vsId(vs)}.${route.name}.${d.subset ?? d.host.split('/')[1]}`;

/** A value in haproxy's configuration syntax: double-quoted, with \, " and $ escaped (haproxy expands "${VAR}"). */
export const q = (s: string): string => `"${s.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;

const MATCH_FLAG: Readonly<Record<StringMatch['kind'], string>> = { exact: 'str', prefix: 'beg', regex: 'reg' };

const msText = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${Math.round(ms)}ms`);

/** The address of a VirtualService's own HTTP listener (the i-th VirtualService of the mesh). */
export const vsListener = (i: number): string => `127.0.0.1:${VS_LISTENER_BASE + i}`;

/**
 * The mesh's routes as the sidecar's outbound frontend takes them (sidecar.ts's OutboundRoute): each ClusterIP:port
 * of a VirtualService's hosts goes to a TCP backend that hands the connection to that VirtualService's HTTP listener.
 */
export function meshOutboundRoutes(mesh: Mesh): OutboundRoute[] {
  return mesh.virtualServices.flatMap((vs, i) =>
    vs.addresses.map((a) => ({ match: { ip: a.ip, port: a.port }, backend: `${vsId(vs)}.${a.ip}:${a.port}`, lines: ['mode tcp', `server listener ${vsListener(i)}   # VirtualService ${vs.namespace}/${vs.name}: its HTTP routes`] })),
  );
}

/** The lines of an outbound frontend for these routes (as sidecar.ts's outboundProxySection writes them). */
export function outboundRouteRules(mesh: Mesh): string[] {
  return meshOutboundRoutes(mesh).map((r) => `use_backend ${r.backend} if { dst ${r.match.ip} } { dst_port ${r.match.port} }`);
}

/** The condition of one use_backend line: any of the alternatives (each ACLs that must all hold). */
function condition(alternatives: readonly (readonly string[])[]): string {
  const alts = alternatives.filter((a) => a.length);
  if (alts.length < alternatives.length || !alts.length) return '';
  return ` if ${alts.map((a) => a.join(' ')).join(' || ')}`;
}

function routeLines(vs: VirtualService, route: MeshRoute, r: number): string[] {
  const lines: string[] = [];
  const alternatives: string[][] = route.match.length
    ? route.match.map((m, j) => {
        const acls: string[] = [];
        const name = (what: string): string => `r${r}.m${j}.${what}`;
        if (m.uri) {
          lines.push(`    acl ${name('uri')} path -m ${MATCH_FLAG[m.uri.kind]} ${q(m.uri.value)}`);
          acls.push(name('uri'));
        }
        m.headers.forEach((h, k) => {
          lines.push(`    acl ${name(`h${k}`)} req.hdr(${h.name}) -m ${MATCH_FLAG[h.match.kind]} ${q(h.match.value)}`);
          acls.push(name(`h${k}`));
        });
        return acls;
      })
    : [[]];
  const live = route.destinations.filter((d) => d.weight > 0 || route.destinations.length === 1);
  let from = 0;
  for (const d of live) {
    const to = from + d.weight;
    const pick = live.length === 1 ? [] : [...(from > 0 ? [`{ var(${PICK}) -m int ge ${from} }`] : []), ...(to < 100 ? [`{ var(${PICK}) -m int lt ${to} }`] : [])];
    const share = live.length === 1 ? 'every request' : `${d.weight}% (pick ${from}–${to - 1})`;
    lines.push(`    use_backend ${destId(vs, route, d)}${condition(alternatives.map((a) => [...a, ...pick]))}   # route ${route.name}: ${share}`);
    from = to;
  }
  return lines;
}

function destinationBackend(vs: VirtualService, route: MeshRoute, d: MeshDestination): string[] {
  const attempts = route.retries?.attempts ?? 2;
  const serverTimeout = route.retries?.perTryTimeoutMs ?? route.timeoutMs;
  const what = `${d.host}${d.subset ? ` subset ${d.subset}` : ''} port ${d.port}`;
  return [
    `backend ${destId(vs, route, d)}   # ${what}: ${d.endpoints.map((e) => e.pod).join(', ') || 'no pod'}`,
    '    mode http',
    '    balance roundrobin',
    `    retries ${attempts}${route.retries ? '' : '   # Istio retries twice by default'}`,
    ...(attempts > 0 ? ['    retry-on conn-failure empty-response response-timeout 503', '    option redispatch 1'] : []),
    ...(serverTimeout !== undefined ? [`    timeout server ${msText(serverTimeout)}${route.retries?.perTryTimeoutMs !== undefined ? '   # perTryTimeout' : '   # timeout'}`] : []),
    // haproxy limits each try, not the whole request: with perTryTimeout, the route's timeout is not enforced
    ...(route.retries?.perTryTimeoutMs !== undefined && route.timeoutMs !== undefined ? [`    # the route's timeout ${msText(route.timeoutMs)} bounds the whole request in Envoy; haproxy limits each try (${attempts + 1} × ${msText(route.retries.perTryTimeoutMs)} at most)`] : []),
    ...d.endpoints.map((e) => `    server ${e.pod} ${e.ip}:${e.port}`),
  ];
}

/** The sections of every VirtualService after the sidecar's own: its HTTP listener and its destinations' backends. */
export function meshSections(mesh: Mesh): string {
  const out: string[] = [];
  mesh.virtualServices.forEach((vs, i) => {
    const listen = vsListener(i);
    const weighted = vs.http.some((r) => r.destinations.filter((d) => d.weight > 0).length > 1);
    out.push(
      `frontend ${vsId(vs)}   # VirtualService ${vs.namespace}/${vs.name}: its http routes, tried in order`,
      '    mode http',
      `    bind ${listen}`,
      '    option httplog',
      ...(weighted ? [`    http-request set-var(${PICK}) rand(100)   # one number 0–99 per request picks among weighted destinations`] : []),
      ...vs.http.flatMap((r, j) => routeLines(vs, r, j)),
      `    default_backend ${vsId(vs)}.no-route`,
      '',
      `backend ${vsId(vs)}.no-route   # no route matched: 404, as Envoy answers (response flag NR)`,
      '    mode http',
      `    http-request return status 404 content-type text/plain string ${q(`no route in VirtualService ${vs.namespace}/${vs.name}`)}`,
      '',
    );
    const seen = new Set<string>();
    for (const r of vs.http) {
      for (const d of r.destinations) {
        if (seen.has(destId(vs, r, d))) continue;
        seen.add(destId(vs, r, d));
        out.push(...destinationBackend(vs, r, d), '');
      }
    }
  });
  return out.join('\n');
}

/** What traffic management adds to a sidecar (runner/cluster/sidecar-steps.ts): the routes and the sections after them. */
export function meshPlugIn(mesh: Mesh | undefined): { routes?: OutboundRoute[]; sections?: string } {
  if (!mesh?.virtualServices.length) return {};
  return { routes: meshOutboundRoutes(mesh), sections: `\n# traffic management (generated by nslab from the cluster's virtual-services and destination-rules)\n\n${meshSections(mesh)}` };
}

/**
 * The whole configuration of a pod's sidecar with the mesh's routes: sidecar.ts's (haproxy as uid 1337, inbound and
 * outbound listeners, passthrough to the original destination) with the routes plugged into its outbound frontend,
 * then the VirtualServices' HTTP listeners and their destinations (what sidecar-steps.ts writes for the pod).
 */
export function outboundProxyConfig(mesh: Mesh, pod: string, spec: SidecarSpec = SIDECAR_DEFAULTS): string {
  const plug = meshPlugIn(mesh);
  return sidecarProxyConfig(spec, pod, plug.routes) + (plug.sections ?? '');
}
