/**
 * Sidecar interception (issue 13.2): Istio's traffic capture, in a pod's own network namespace, with a real proxy.
 *
 * - `sidecarIptables` writes istio-iptables' own nat-table layout (istio/istio tools/istio-iptables/pkg/capture,
 *   its testdata/*.golden): PREROUTING → ISTIO_INBOUND → ISTIO_IN_REDIRECT (REDIRECT 15006); OUTPUT → ISTIO_OUTPUT,
 *   with the 127.0.0.6 and loopback exceptions and `-m owner --uid-owner 1337 -j RETURN` (the proxy's own traffic is
 *   not captured again: that rule is what stops the loop), then ISTIO_REDIRECT (REDIRECT 15001).
 * - `sidecarProxyConfig` writes the configuration of the proxy that plays Envoy: Debian's haproxy, as uid 1337,
 *   forwarding each intercepted connection to its original destination (`server … 0.0.0.0:0`: haproxy reads
 *   SO_ORIGINAL_DST of the REDIRECTed socket) and logging each connection.
 *
 * Pure: data in, text out. The outbound part is its own function (`outboundProxySection`) with `routes` as the place
 * where traffic management (VirtualService/DestinationRule routes, issue 13.3) plugs in.
 */

import type { SidecarSpec } from './types.ts';

export type { SidecarSpec } from './types.ts';

/** The defaults of Istio's injection template (istio-proxy uid 1337, virtualInbound 15006, virtualOutbound 15001). */
export const SIDECAR_DEFAULTS: SidecarSpec = {
  mode: 'init',
  proxyUid: 1337,
  inboundPort: 15006,
  outboundPort: 15001,
  includeInboundPorts: '*',
  excludeInboundPorts: [],
  excludeOutboundPorts: [],
  includeOutboundCidrs: '*',
  excludeOutboundCidrs: [],
};

/**
 * Inbound ports the injector always excludes (`-d 15090,15021,15020`: Envoy's Prometheus, health and merged
 * metrics ports) and 15008 (HBONE), which istio-iptables itself returns first.
 */
export const ISTIO_EXCLUDED_INBOUND = [15090, 15021, 15020] as const;
export const ISTIO_HBONE_PORT = 15008;
/** The source address Istio's proxy (≥ 1.10) uses toward the app for inbound connections (InboundPassthroughBindIpv4). */
export const INBOUND_PASSTHROUGH_SOURCE = '127.0.0.6';
/** The proxy's admin port on the pod's loopback (Envoy's admin port is 15000 too): haproxy's CLI, `show events sidecar`. */
export const PROXY_ADMIN_PORT = 15000;
/** The ports a sidecar takes in the pod: an app may not use them. */
export const sidecarPorts = (s: SidecarSpec): number[] => [s.outboundPort, s.inboundPort, PROXY_ADMIN_PORT];

const ports = (xs: readonly number[]): string => (xs.length === 1 ? `--dport ${xs[0]}` : `-m multiport --dports ${xs.join(',')}`);

/**
 * istio-iptables' nat table for one pod, as iptables-restore input (`*nat` … `COMMIT`), in the order istio-iptables
 * appends the rules (so iptables-save prints them in the same order).
 */
export function sidecarIptables(s: SidecarSpec, pod: string): string {
  const uid = s.proxyUid;
  const L: string[] = [
    `# istio-iptables for pod ${pod} (${s.mode === 'init' ? 'istio-init container' : 'istio-cni on the node'}): inbound → ${s.inboundPort}, outbound → ${s.outboundPort}, proxy uid ${uid}`,
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':ISTIO_INBOUND - [0:0]',
    ':ISTIO_IN_REDIRECT - [0:0]',
    ':ISTIO_OUTPUT - [0:0]',
    ':ISTIO_REDIRECT - [0:0]',
  ];
  // inbound: everything (or the listed ports) to the proxy's inbound port, but the excluded ports
  const inbound = s.includeInboundPorts === '*' || s.includeInboundPorts.length > 0;
  if (inbound) L.push('-A PREROUTING -p tcp -j ISTIO_INBOUND');
  L.push('-A OUTPUT -j ISTIO_OUTPUT');
  if (inbound) {
    L.push(`-A ISTIO_INBOUND -p tcp -m tcp --dport ${ISTIO_HBONE_PORT} -j RETURN`);
    if (s.includeInboundPorts === '*') {
      for (const p of [...ISTIO_EXCLUDED_INBOUND, ...s.excludeInboundPorts]) L.push(`-A ISTIO_INBOUND -p tcp -m tcp --dport ${p} -j RETURN`);
      L.push('-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT');
    } else {
      for (const p of s.includeInboundPorts) L.push(`-A ISTIO_INBOUND -p tcp -m tcp --dport ${p} -j ISTIO_IN_REDIRECT`);
    }
  }
  L.push(`-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports ${s.inboundPort}`);
  // outbound: excluded ports first, then the proxy's and loopback exceptions, then the destinations
  if (s.excludeOutboundPorts.length) {
    L.push(`-A ISTIO_OUTPUT -p tcp ${ports(s.excludeOutboundPorts)} -j RETURN`);
    L.push(`-A ISTIO_OUTPUT -p udp ${ports(s.excludeOutboundPorts)} -j RETURN`);
  }
  L.push(
    `-A ISTIO_OUTPUT -s ${INBOUND_PASSTHROUGH_SOURCE}/32 -o lo -j RETURN`,
    // the app calling its own pod address through lo is inbound traffic: to the inbound port
    `-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -p tcp -m tcp ! --dport ${ISTIO_HBONE_PORT} -m owner --uid-owner ${uid} -j ISTIO_IN_REDIRECT`,
    `-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner ${uid} -j RETURN`,
    // the proxy's own connections leave as they are: without this rule they would be captured again, forever
    `-A ISTIO_OUTPUT -m owner --uid-owner ${uid} -j RETURN`,
    `-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -p tcp -m tcp ! --dport ${ISTIO_HBONE_PORT} -m owner --gid-owner ${uid} -j ISTIO_IN_REDIRECT`,
    `-A ISTIO_OUTPUT -o lo -m owner ! --gid-owner ${uid} -j RETURN`,
    `-A ISTIO_OUTPUT -m owner --gid-owner ${uid} -j RETURN`,
    '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN',
  );
  for (const c of s.excludeOutboundCidrs) L.push(`-A ISTIO_OUTPUT -d ${c} -j RETURN`);
  if (s.includeOutboundCidrs === '*') L.push('-A ISTIO_OUTPUT -j ISTIO_REDIRECT');
  else {
    for (const c of s.includeOutboundCidrs) L.push(`-A ISTIO_OUTPUT -d ${c} -j ISTIO_REDIRECT`);
    L.push('-A ISTIO_OUTPUT -j RETURN');
  }
  L.push(`-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports ${s.outboundPort}`, 'COMMIT');
  return L.join('\n') + '\n';
}

/** One connection's log line (haproxy log-format): direction, client, original destination, upstream, bytes, end state. */
export const logFormat = (direction: 'inbound' | 'outbound'): string =>
  `sidecar ${direction} client=%ci:%cp original-dst=%fi:%fp upstream=%si:%sp via=%bi:%bp bytes-in=%U bytes-out=%B time-ms=%Tt end=%ts`;

/**
 * A route for outbound traffic (where issue 13.3's VirtualService/DestinationRule routes plug in): connections to
 * `match` (an address:port the app dials, e.g. a ClusterIP) go to the `backend` section this route names, whose
 * `lines` (servers with weights, timeouts, …) the route generator writes. Without routes, every outbound connection
 * goes to its original destination.
 */
export interface OutboundRoute {
  readonly match: { readonly ip: string; readonly port: number };
  readonly backend: string;
  readonly lines: readonly string[];
}

/**
 * The outbound listener (Envoy's virtualOutbound, 15001): a TCP frontend on the outbound port; each route picks its
 * backend by original destination (`dst`, which haproxy reads with SO_ORIGINAL_DST); the rest go to `passthrough`,
 * the original destination itself (`server original-dst 0.0.0.0:0`), like Envoy's PassthroughCluster.
 */
export function outboundProxySection(s: SidecarSpec, routes: readonly OutboundRoute[] = []): string[] {
  const L = [
    'frontend outbound',
    `  bind 0.0.0.0:${s.outboundPort}`,
    `  log-format "${logFormat('outbound')}"`,
  ];
  for (const r of routes) L.push(`  use_backend ${r.backend} if { dst ${r.match.ip} } { dst_port ${r.match.port} }`);
  L.push('  default_backend outbound-passthrough', '', 'backend outbound-passthrough', '  server original-dst 0.0.0.0:0', '');
  for (const r of routes) L.push(`backend ${r.backend}`, ...r.lines.map((x) => `  ${x}`), '');
  return L;
}

/**
 * The inbound listener (Envoy's virtualInbound, 15006): to the original destination (the pod's own address and the
 * app's port), from 127.0.0.6 as Istio ≥ 1.10 does, so the app sees 127.0.0.6 as its client; the ISTIO_OUTPUT rule
 * `-s 127.0.0.6/32 -o lo -j RETURN` lets that connection through.
 */
export function inboundProxySection(s: SidecarSpec): string[] {
  return [
    'frontend inbound',
    `  bind 0.0.0.0:${s.inboundPort}`,
    `  log-format "${logFormat('inbound')}"`,
    '  default_backend inbound-passthrough',
    '',
    'backend inbound-passthrough',
    `  server original-dst 0.0.0.0:0 source ${INBOUND_PASSTHROUGH_SOURCE}`,
    '',
  ];
}

/**
 * The whole haproxy configuration of one pod's sidecar: runs as the proxy uid (no passwd entry needed), logs every
 * connection to its standard output (the daemon's log file under the lab's state) and to a ring buffer that its CLI
 * on 127.0.0.1:15000 shows (`show events sidecar`).
 */
export function sidecarProxyConfig(s: SidecarSpec, pod: string, routes: readonly OutboundRoute[] = []): string {
  return [
    `# the sidecar of pod ${pod}: haproxy playing Envoy (generated by nslab)`,
    'global',
    `  uid ${s.proxyUid}`,
    `  gid ${s.proxyUid}`,
    '  log stdout format raw local0 info',
    '  log ring@sidecar format raw local0 info',
    `  stats socket ipv4@127.0.0.1:${PROXY_ADMIN_PORT} level operator`,
    '  maxconn 4096',
    '',
    'ring sidecar',
    '  description "every connection through the sidecar"',
    '  format raw',
    '  maxlen 1024',
    '  size 262144',
    '',
    'defaults',
    '  mode tcp',
    '  log global',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    '',
    ...inboundProxySection(s),
    ...outboundProxySection(s, routes),
  ].join('\n');
}
