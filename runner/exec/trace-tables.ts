/**
 * The nftables tables `lab trace` loads in a lab's namespaces (issue 12), as `nft -f -` scripts. Pure text.
 *
 * The probe carries DSCP 0x2b (ping -Q 0xac; a tcp/udp probe is tagged in its namespace's output hook by its
 * source port). Every namespace traces a packet with that DSCP (`meta nftrace set 1`) at priority -400 in
 * prerouting and output, and marks its conntrack entry (priority -150, after conntrack) with the trace's mark. A
 * reply (or an ICMP error) the namespace sends for a marked connection is re-tagged in output at -150 (a locally
 * sent packet meets its conntrack entry at -200), so the way back is traced too. A VXLAN outer packet is not tagged: it is matched by the inner packet's DSCP inside its UDP payload.
 * Chains that do nothing at input, forward and postrouting show where the packet went (their trace lines carry
 * iif/oif). A bridge table traces frames a bridge forwards, hands to its host, or sends for it.
 */

/** The table name in both families (runner/trace/kernel-parse.ts TRACE_TABLE). */
export const TRACE_TABLE_NAME = 'nsl_trace';
/** DSCP of a traced packet (TOS byte 0xac). */
export const TRACE_DSCP = '0x2b';

export interface TraceTableSpec {
  /** The conntrack mark of this trace's connection. */
  readonly mark: number;
  /** UDP ports VXLAN outer packets go to. */
  readonly tunnelPorts: readonly number[];
  /** In the source namespace of a tcp/udp probe: its protocol and source port, to tag the first packet. */
  readonly tag?: { readonly proto: 'tcp' | 'udp'; readonly sport: number };
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/** The rules that set nftrace on a traced packet (inner DSCP for a VXLAN outer packet). */
function traceRules(spec: TraceTableSpec): string[] {
  const out = [`ip dscp ${TRACE_DSCP} meta nftrace set 1`, `ip6 dscp ${TRACE_DSCP} meta nftrace set 1`];
  // UDP header (8) + VXLAN header (8) + inner Ethernet (14) = 30 bytes; the inner IPv4 DSCP is the 6 bits after its first byte
  if (spec.tunnelPorts.length) out.push(`udp dport { ${spec.tunnelPorts.join(', ')} } @th,248,6 ${TRACE_DSCP} meta nftrace set 1`);
  // an inner IPv6 packet (dual-stack, issue 14.1): version 6 in its first 4 bits, the DSCP the 6 bits after them
  if (spec.tunnelPorts.length) out.push(`udp dport { ${spec.tunnelPorts.join(', ')} } @th,240,4 6 @th,244,6 ${TRACE_DSCP} meta nftrace set 1`);
  return out;
}

function chain(name: string, hook: string, priority: number, rules: readonly string[]): string {
  return [`  chain ${name} {`, `    type filter hook ${hook} priority ${priority}; policy accept;`, ...rules.map((r) => `    ${r}`), '  }'].join('\n');
}

/** Remove this trace's table (and any a killed trace left), then nothing: `nft -f -` text. */
export function removeScript(bridge: boolean): string {
  const fams = bridge ? ['inet', 'bridge'] : ['inet'];
  return fams.map((f) => `table ${f} ${TRACE_TABLE_NAME}\ndelete table ${f} ${TRACE_TABLE_NAME}\n`).join('');
}

/** The inet table for one namespace (with the tag chain in the probe's source namespace). */
export function inetTable(spec: TraceTableSpec): string {
  const m = hex(spec.mark);
  const retag = (family: 'ip' | 'ip6'): string[] => [
    `ct mark ${m} ct direction reply meta l4proto tcp tcp flags & (syn | rst) != 0 ${family} dscp set ${TRACE_DSCP}`,
    `ct mark ${m} ct direction reply meta l4proto != tcp ${family} dscp set ${TRACE_DSCP}`,
    `ct mark ${m} ct state related ${family} dscp set ${TRACE_DSCP}`,
  ];
  const chains = [
    chain('pre', 'prerouting', -400, traceRules(spec)),
    chain('out', 'output', -400, traceRules(spec)),
    chain('ctpre', 'prerouting', -150, [`ip dscp ${TRACE_DSCP} ct mark set ${m}`, `ip6 dscp ${TRACE_DSCP} ct mark set ${m}`]),
    // a locally sent packet meets its conntrack entry at -200: a reply is re-tagged after that
    chain('ctout', 'output', -150, [...retag('ip'), ...retag('ip6'), ...traceRules(spec), `ip dscp ${TRACE_DSCP} ct mark set ${m}`, `ip6 dscp ${TRACE_DSCP} ct mark set ${m}`]),
    chain('inp', 'input', 500, []),
    chain('forw', 'forward', 500, []),
    chain('post', 'postrouting', 500, []),
  ];
  if (spec.tag) {
    const { proto, sport } = spec.tag;
    const first = proto === 'tcp' ? `tcp sport ${sport} tcp flags & (syn | ack) == syn` : `udp sport ${sport}`;
    chains.unshift(chain('tag', 'output', -450, [`${first} ip dscp set ${TRACE_DSCP}`, `${first} ip6 dscp set ${TRACE_DSCP}`]));
  }
  return `table inet ${TRACE_TABLE_NAME} {\n${chains.join('\n')}\n}\n`;
}

/** The bridge table for a namespace that has bridges. */
export function bridgeTable(spec: TraceTableSpec): string {
  const rules = traceRules(spec);
  const chains = [chain('bfw', 'forward', -400, rules), chain('bin', 'input', -400, rules), chain('bout', 'output', -400, rules)];
  return `table bridge ${TRACE_TABLE_NAME} {\n${chains.join('\n')}\n}\n`;
}

/** What `nft -f -` loads in one namespace: any earlier trace's tables removed, then this trace's. */
export function loadScript(spec: TraceTableSpec, bridge: boolean): string {
  return `${removeScript(bridge)}${inetTable(spec)}${bridge ? bridgeTable(spec) : ''}`;
}
