/** Kernel features, tried for real in a scratch namespace (never in the host's): rows of the probe table. */
import { netnsExecArgv } from '../plan/netns-argv.ts';
import { firstLine } from './probe-tools.ts';
import type { Check, ProbeContext } from './probe-types.ts';

/** A step of a kernel probe: an argv, optionally with stdin. */
type Step = { readonly argv: readonly string[]; readonly input?: string };

/** Tools a step needs: argv[0], and the command after `ip netns exec NS`. */
export function toolsOf(steps: readonly Step[]): string[] {
  const out = new Set<string>();
  for (const s of steps) {
    out.add(s.argv[0]);
    if (s.argv[0] === 'ip' && s.argv[1] === 'netns' && s.argv[2] === 'exec' && s.argv[4]) out.add(s.argv[4]);
  }
  return [...out];
}

const TOOL_PKG: Record<string, string> = { ip: 'iproute2', tc: 'iproute2', nft: 'nftables', 'iptables-restore': 'iptables', ipvsadm: 'ipvsadm', cat: 'coreutils' };

/** Errors that mean "not allowed", not "not built in": then the kernel is not to blame. */
const NOT_PERMITTED = /Operation not permitted|Permission denied|EPERM|EACCES/i;

/**
 * A kernel feature, tried in the scratch namespace. `steps` gets the namespace and a short unique prefix for
 * interface names (≤ 15 characters with any suffix); the feature is there when every step succeeds.
 */
function kernel(
  name: string,
  config: string,
  module: string,
  cannot: string,
  steps: (ns: string, p: string, ctx: ProbeContext) => Step[],
  opts: { optional?: boolean; note?: string } = {},
): Check {
  const note = opts.note ? ` (${opts.note})` : '';
  const fix = `this kernel was built without ${config}; nslab cannot ${cannot} here${note}`;
  return {
    name,
    kind: 'kernel',
    optional: opts.optional ?? true,
    fix,
    probe: async (ctx) => {
      if (!ctx.root) return { ok: false, detail: 'not tested: kernel features are tried in a scratch namespace, which needs root', hint: 'run it as root: sudo lab doctor' };
      const list = steps(ctx.ns, `d${name.replace(/[^a-z0-9]/gi, '').slice(0, 6)}`, ctx);
      for (const t of toolsOf(list)) {
        if (!ctx.which(t).path) {
          const pkg = TOOL_PKG[t] ?? t;
          return { ok: false, detail: `not tested: ${t} is not installed`, hint: `apt-get install ${pkg} (or lab doctor --fix), then run lab doctor again` };
        }
      }
      if (!ctx.ns) return { ok: false, detail: `not tested: ${ctx.nsError ?? 'no scratch namespace'}`, hint: `creating a network namespace failed; ${ctx.nsError && NOT_PERMITTED.test(ctx.nsError) ? 'run as root with CAP_SYS_ADMIN and CAP_NET_ADMIN (not in an unprivileged container)' : 'this kernel may lack CONFIG_NET_NS'}` };
      for (const s of list) {
        const r = await ctx.run(s.argv, s.input);
        if (r.ok) continue;
        const err = firstLine(r.err) || firstLine(r.out) || 'failed';
        const detail = `${s.argv.filter((x) => x !== ctx.ns).join(' ').replace(/ -n /g, ' ').replace(/netns exec /, 'netns exec … ')}: ${err}`;
        if (NOT_PERMITTED.test(r.err)) return { ok: false, detail, hint: 'not allowed to change this namespace: run as root with CAP_NET_ADMIN (not in an unprivileged container)' };
        if (ctx.modules) return { ok: false, detail, hint: `this kernel lacks ${config} or its module ${module} is not loaded: try \`modprobe ${module}\` (Ubuntu: apt-get install linux-modules-extra-$(uname -r)); otherwise nslab cannot ${cannot} here${note}` };
        return { ok: false, detail, hint: fix };
      }
      return { ok: true, detail: 'works' };
    },
  };
}

const ipl = (ns: string, ...args: string[]): Step => ({ argv: ['ip', '-n', ns, 'link', 'add', ...args] });
/** A veth pair `<p>a`/`<p>b` to hang a sub-interface or a qdisc on. */
const veth = (ns: string, p: string): Step => ipl(ns, `${p}a`, 'type', 'veth', 'peer', 'name', `${p}b`);
const tcq = (ns: string, p: string, ...qdisc: string[]): Step[] => [veth(ns, p), { argv: ['tc', '-n', ns, 'qdisc', 'add', 'dev', `${p}a`, 'root', ...qdisc] }];
const inNs = (ns: string, argv: string[], input?: string): Step => ({ argv: netnsExecArgv(ns, argv), input });
const TUN_A = ['local', '192.0.2.1', 'remote', '192.0.2.2'];

const NFT_PROBE = 'table inet nsl_doctor {\n  chain input { type filter hook input priority 0; policy accept; }\n}\n';
/** `meta nftrace set 1` loads: packets can be traced (`lab trace`; `nft monitor trace` prints their way). */
const NFTRACE_PROBE = 'table inet nsl_doctor_trace {\n  chain pre {\n    type filter hook prerouting priority -400; policy accept;\n    ip dscp 0x2b meta nftrace set 1\n  }\n}\n';
const IPT_PROBE = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n';

export const KERNEL_CHECKS: readonly Check[] = [
  kernel('netns', 'CONFIG_NET_NS', 'netns', 'create network namespaces (no lab can run)', (ns) => [{ argv: ['ip', '-n', ns, 'link', 'show', 'lo'] }], { optional: false }),
  kernel('veth', 'CONFIG_VETH', 'veth', 'create veth links (no lab can run)', (ns, p) => [veth(ns, p)], { optional: false }),
  kernel('bridge', 'CONFIG_BRIDGE', 'bridge', 'create Linux bridges (switches, fabrics)', (ns, p) => [ipl(ns, `${p}br`, 'type', 'bridge')], { optional: false }),
  kernel('vxlan', 'CONFIG_VXLAN', 'vxlan', 'create VXLAN tunnels', (ns, p) => [ipl(ns, `${p}vx`, 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'local', '192.0.2.1')]),
  kernel('macvlan', 'CONFIG_MACVLAN', 'macvlan', 'create macvlan interfaces', (ns, p) => [veth(ns, p), ipl(ns, `${p}mv`, 'link', `${p}a`, 'type', 'macvlan', 'mode', 'bridge')]),
  kernel('tun', 'CONFIG_TUN', 'tun', 'create tun/tap devices (user-space tunnels and delay relays)', (ns, p) => [{ argv: ['ip', '-n', ns, 'tuntap', 'add', 'dev', `${p}t`, 'mode', 'tun'] }]),
  kernel('ifb', 'CONFIG_IFB', 'ifb', 'create ifb devices', (ns, p) => [ipl(ns, `${p}i`, 'type', 'ifb')]),
  kernel('dummy', 'CONFIG_DUMMY', 'dummy', 'create dummy interfaces', (ns, p) => [ipl(ns, `${p}d`, 'type', 'dummy')], { note: 'an ifb device is the stand-in' }),
  kernel('ipip', 'CONFIG_NET_IPIP', 'ipip', 'create IP-in-IP tunnels', (ns, p) => [ipl(ns, `${p}t`, 'type', 'ipip', ...TUN_A)]),
  kernel('gre', 'CONFIG_NET_IPGRE', 'ip_gre', 'create GRE tunnels', (ns, p) => [ipl(ns, `${p}t`, 'type', 'gre', ...TUN_A)]),
  kernel('gretap', 'CONFIG_NET_IPGRE', 'ip_gre', 'create GRETAP (L2 over GRE) tunnels', (ns, p) => [ipl(ns, `${p}t`, 'type', 'gretap', ...TUN_A)]),
  kernel('sit', 'CONFIG_IPV6_SIT', 'sit', 'create SIT (IPv6-in-IPv4) tunnels', (ns, p) => [ipl(ns, `${p}t`, 'type', 'sit', ...TUN_A)]),
  kernel('geneve', 'CONFIG_GENEVE', 'geneve', 'create Geneve tunnels', (ns, p) => [ipl(ns, `${p}t`, 'type', 'geneve', 'id', '7', 'remote', '192.0.2.2')]),
  kernel('wireguard', 'CONFIG_WIREGUARD', 'wireguard', 'create WireGuard interfaces', (ns, p) => [ipl(ns, `${p}w`, 'type', 'wireguard')]),
  kernel('ipvlan', 'CONFIG_IPVLAN', 'ipvlan', 'create ipvlan interfaces', (ns, p) => [veth(ns, p), ipl(ns, `${p}iv`, 'link', `${p}a`, 'type', 'ipvlan', 'mode', 'l2')]),
  kernel('vrf', 'CONFIG_NET_VRF', 'vrf', 'create VRFs', (ns, p) => [ipl(ns, `${p}v`, 'type', 'vrf', 'table', '10')]),
  kernel('vlan', 'CONFIG_VLAN_8021Q', '8021q', 'create 802.1Q VLAN sub-interfaces', (ns, p) => [veth(ns, p), ipl(ns, `${p}a.10`, 'link', `${p}a`, 'type', 'vlan', 'id', '10')]),
  kernel('bond', 'CONFIG_BONDING', 'bonding', 'create bonds', (ns, p) => [ipl(ns, `${p}b0`, 'type', 'bond')]),
  kernel('netem', 'CONFIG_NET_SCH_NETEM', 'sch_netem', 'add delay, jitter or loss with netem', (ns, p) => tcq(ns, p, 'netem', 'delay', '1ms'), { note: 'loss still works with iptables statistic or nft numgen; delay only in user space' }),
  kernel('tbf', 'CONFIG_NET_SCH_TBF', 'sch_tbf', 'limit link rates with tbf', (ns, p) => tcq(ns, p, 'tbf', 'rate', '1mbit', 'burst', '32kbit', 'latency', '400ms')),
  kernel('htb', 'CONFIG_NET_SCH_HTB', 'sch_htb', 'shape traffic with htb classes', (ns, p) => tcq(ns, p, 'handle', '1:', 'htb', 'default', '10')),
  kernel('ipvs', 'CONFIG_IP_VS', 'ip_vs', 'load-balance with IPVS (kube-proxy ipvs mode)', (ns, _p, ctx) => [ctx.which('ipvsadm').path ? inNs(ns, ['ipvsadm', '-Ln']) : inNs(ns, ['cat', '/proc/net/ip_vs'])]),
  kernel('nftables', 'CONFIG_NF_TABLES', 'nf_tables', 'load nftables rule sets (firewall.nftables)', (ns) => [inNs(ns, ['nft', '-f', '-'], NFT_PROBE)]),
  kernel('nftrace', 'CONFIG_NF_TABLES (meta nftrace, nfnetlink trace)', 'nf_tables', 'trace packets through the kernel (lab trace; lab trace --predict still works)', (ns) => [inNs(ns, ['nft', '-f', '-'], NFTRACE_PROBE)]),
  kernel('iptables-rules', 'CONFIG_IP_NF_IPTABLES (legacy) or CONFIG_NFT_COMPAT (nf_tables backend)', 'nft_compat', 'load iptables rule sets (NAT, firewall.iptables)', (ns) => [inNs(ns, ['iptables-restore'], IPT_PROBE)], { optional: false }),
  kernel('br_netfilter', 'CONFIG_BRIDGE_NETFILTER', 'br_netfilter', 'filter bridged traffic with iptables (net.bridge.bridge-nf-call-iptables; kube-proxy on a bridge)', (ns) => [inNs(ns, ['cat', '/proc/sys/net/bridge/bridge-nf-call-iptables'])]),
];
