/**
 * `lab doctor [--fix] [--json]`: what this machine has and lacks for nslab — root, Node, tools on PATH,
 * kernel features (tried for real in a scratch namespace, never in the host's) and Docker.
 *
 * Every check is one row of CHECKS; a new probe is one line there. `detectFeatures()` runs any subset of the
 * table, so the engine can refuse a lab that needs something this machine lacks before it builds anything.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { isAlive, listNetns } from '../../exec/host.ts';
import { UsageError, type Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { say } from '../output.ts';

export type CheckKind = 'host' | 'tool' | 'kernel' | 'docker';

export interface ProbeResult {
  readonly ok: boolean;
  /** What was found (a version, a path) or, on failure, what went wrong. */
  readonly detail: string;
  /** A more precise "how to get it" than the table's fix text, when the probe knows one. */
  readonly hint?: string;
}

export interface RunResult {
  readonly ok: boolean;
  readonly out: string;
  readonly err: string;
  /** The command was not found. */
  readonly missing: boolean;
}

export interface ProbeContext {
  /** Scratch network namespace for kernel probes (`nsl-doctor.<pid>`); empty when none was made. */
  readonly ns: string;
  /** Why the scratch namespace could not be made, if it could not. */
  readonly nsError?: string;
  readonly root: boolean;
  /** Whether this kernel can load modules (then a missing feature may only be an unloaded module). */
  readonly modules: boolean;
  which(cmd: string): Which;
  run(argv: readonly string[], input?: string): Promise<RunResult>;
}

export interface Check {
  readonly name: string;
  readonly kind: CheckKind;
  /** A failed optional check is a warning (!) and does not change the exit code. */
  readonly optional: boolean;
  readonly probe: (ctx: ProbeContext) => Promise<ProbeResult>;
  /** How to get it: a Debian package to install, or why it cannot be had here. */
  readonly fix: string;
  /** The Debian package `--fix` installs when this check fails. */
  readonly pkg?: string;
}

export interface CheckResult {
  readonly name: string;
  readonly kind: CheckKind;
  readonly optional: boolean;
  readonly ok: boolean;
  readonly detail: string;
  /** Present when the check failed. */
  readonly fix?: string;
  readonly pkg?: string;
}

export interface FeatureResult {
  readonly ok: boolean;
  readonly detail: string;
  readonly hint?: string;
}

/** Node with type stripping on by default (22.18): the tests, the benchmark and the scripts run .ts directly. */
export const MIN_NODE = '22.18.0';
export const MIN_IPROUTE2_MAJOR = 5;
export const SCRATCH_PREFIX = 'nsl-doctor.';
const PROBE_TIMEOUT_MS = 4000;
const DOCKER_PING_TIMEOUT_MS = 1500;

// ───────────────────────────── small helpers used by the table ─────────────────────────────

export interface Which {
  /** Absolute path when the command is on PATH. */
  readonly path?: string;
  /** Where it is when it exists but its directory is not on PATH (e.g. /usr/sbin for a non-root PATH). */
  readonly offPath?: string;
}

const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function isExecutable(p: string): boolean {
  try {
    const st = statSync(p);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

export function whichSync(cmd: string, pathEnv = process.env.PATH ?? ''): Which {
  const onPath = pathEnv.split(delimiter).filter(Boolean);
  for (const d of onPath) if (isExecutable(join(d, cmd))) return { path: join(d, cmd) };
  for (const d of EXTRA_DIRS) if (!onPath.includes(d) && isExecutable(join(d, cmd))) return { offPath: join(d, cmd) };
  return {};
}

function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ?? ''
  );
}

/** Compare dotted versions: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split('.').map((x) => parseInt(x, 10) || 0);
  const pb = b.replace(/^v/, '').split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/**
 * The iproute2 version from `ip -V`: "ip utility, iproute2-6.1.0, libbpf 1.1.2" → 6.1; the old snapshot form
 * "ip utility, iproute2-ss200127" → 5.5 (snapshots from 2019-03 on are 5.x).
 */
export function parseIprouteVersion(s: string): { major: number; minor: number; text: string } | undefined {
  const m = /iproute2-(?:v)?(\d+)\.(\d+)(?:\.\d+)?/.exec(s);
  if (m) return { major: Number(m[1]), minor: Number(m[2]), text: `iproute2-${m[1]}.${m[2]}` };
  const ss = /iproute2-ss(\d{2})(\d{2})(\d{2})/.exec(s);
  if (ss) {
    const yymm = Number(ss[1]) * 100 + Number(ss[2]);
    // 5.0 was released 2019-03; each later minor about every 2 months; before that 4.x
    const major = yymm >= 1903 ? 5 : 4;
    return { major, minor: 0, text: `iproute2-ss${ss[1]}${ss[2]}${ss[3]} (${major}.x)` };
  }
  return undefined;
}

/** A tool on PATH, from a Debian package. `more` can look closer once the binary is found. */
function tool(name: string, pkg: string, opts: { cmd?: string; optional?: boolean; kind?: CheckKind; why?: string; more?: (path: string, ctx: ProbeContext) => Promise<ProbeResult> } = {}): Check {
  const cmd = opts.cmd ?? name;
  const install = `apt-get install ${pkg}`;
  return {
    name,
    kind: opts.kind ?? 'tool',
    optional: !!opts.optional,
    pkg,
    fix: `${install}${opts.why ? ` (${opts.why})` : ''}`,
    probe: async (ctx) => {
      const w = ctx.which(cmd);
      if (!w.path) {
        if (w.offPath) return { ok: false, detail: `${w.offPath} exists but its directory is not on PATH`, hint: `add ${w.offPath.replace(/\/[^/]+$/, '')} to PATH (sudo does this; a plain su may not)` };
        return { ok: false, detail: `${cmd} is not on PATH` };
      }
      return opts.more ? opts.more(w.path, ctx) : { ok: true, detail: w.path };
    },
  };
}

async function ipMore(path: string, ctx: ProbeContext): Promise<ProbeResult> {
  const [v, batch] = await Promise.all([ctx.run(['ip', '-V']), ctx.run(['ip', '-batch', '-'], 'link show dev lo\n')]);
  const ver = parseIprouteVersion(v.out + v.err);
  if (!ver) return { ok: false, detail: `cannot read the version from \`ip -V\`: ${firstLine(v.out + v.err) || 'no output'}`, hint: 'apt-get install iproute2 (nslab needs iproute2 ≥ 5.0)' };
  if (ver.major < MIN_IPROUTE2_MAJOR) return { ok: false, detail: `${ver.text} is older than 5.0`, hint: 'upgrade iproute2 to 5.0 or newer: apt-get install iproute2 (Debian 11+, Ubuntu 20.04+)' };
  if (!batch.ok) return { ok: false, detail: `${ver.text}: \`ip -batch -\` does not work: ${firstLine(batch.err)}`, hint: 'apt-get install iproute2 (the full iproute2, not busybox ip)' };
  return { ok: true, detail: `${ver.text}, -batch ok (${path})` };
}

async function versionMore(path: string, ctx: ProbeContext, argv: string[]): Promise<ProbeResult> {
  const r = await ctx.run(argv);
  const line = firstLine(r.out) || firstLine(r.err);
  return { ok: true, detail: line ? `${line} (${path})` : path };
}

async function birdMore(path: string, ctx: ProbeContext): Promise<ProbeResult> {
  const r = await ctx.run(['bird', '--version']);
  const m = /BIRD version (\d+)\.(\S+)/.exec(r.out + r.err);
  if (m && Number(m[1]) < 2) return { ok: false, detail: `BIRD ${m[1]}.${m[2]} at ${path}; nslab writes BIRD 2 configs`, hint: 'apt-get install bird2 (replaces the bird 1.x package)' };
  return { ok: true, detail: m ? `BIRD ${m[1]}.${m[2]} (${path})` : path };
}

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
const inNs = (ns: string, argv: string[], input?: string): Step => ({ argv: ['ip', 'netns', 'exec', ns, ...argv], input });
const TUN_A = ['local', '192.0.2.1', 'remote', '192.0.2.2'];

const NFT_PROBE = 'table inet nsl_doctor {\n  chain input { type filter hook input priority 0; policy accept; }\n}\n';
const IPT_PROBE = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n';

// ─────────────────────────────────────────── the table ───────────────────────────────────────────

export const CHECKS: readonly Check[] = [
  // host
  {
    name: 'root',
    kind: 'host',
    optional: false,
    fix: 'run lab as root (sudo lab …): it creates network namespaces',
    probe: async () => (process.getuid?.() === 0 ? { ok: true, detail: 'uid 0' } : { ok: false, detail: `uid ${process.getuid?.() ?? '?'}` }),
  },
  {
    name: 'node',
    kind: 'host',
    optional: false,
    fix: `bash scripts/setup.sh (installs Node 24 from the npm registry into /opt/nslab/node when Node is older than ${MIN_NODE})`,
    probe: async () => {
      const v = process.versions.node;
      return compareVersions(v, MIN_NODE) >= 0 ? { ok: true, detail: `v${v} (${process.execPath})` } : { ok: false, detail: `v${v} is older than ${MIN_NODE}` };
    },
  },

  // tools on PATH
  tool('ip', 'iproute2', { more: ipMore }),
  tool('ping', 'iputils-ping'),
  tool('iperf3', 'iperf3'),
  tool('nc', 'netcat-openbsd'),
  tool('curl', 'curl'),
  tool('tcpdump', 'tcpdump'),
  tool('iptables', 'iptables', { more: (p, c) => versionMore(p, c, ['iptables', '-V']) }),
  tool('iptables-restore', 'iptables'),
  tool('ip6tables-restore', 'iptables'),
  tool('nft', 'nftables', { more: (p, c) => versionMore(p, c, ['nft', '--version']) }),
  tool('sysctl', 'procps'),
  tool('nsenter', 'util-linux'),
  tool('tc', 'iproute2'),
  tool('socat', 'socat'),
  tool('dnsmasq', 'dnsmasq-base', { optional: true, why: 'DNS in labs' }),
  tool('dot', 'graphviz', { optional: true, why: 'lab graph --format svg, lab handout' }),
  tool('bird2', 'bird2', { cmd: 'bird', optional: true, why: 'BGP/OSPF labs', more: birdMore }),
  tool('debootstrap', 'debootstrap', { optional: true, why: 'container images built from Debian' }),

  // kernel features, tried in the scratch namespace
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
  kernel('iptables-rules', 'CONFIG_IP_NF_IPTABLES (legacy) or CONFIG_NFT_COMPAT (nf_tables backend)', 'nft_compat', 'load iptables rule sets (NAT, firewall.iptables)', (ns) => [inNs(ns, ['iptables-restore'], IPT_PROBE)], { optional: false }),
  kernel('br_netfilter', 'CONFIG_BRIDGE_NETFILTER', 'br_netfilter', 'filter bridged traffic with iptables (net.bridge.bridge-nf-call-iptables; kube-proxy on a bridge)', (ns) => [inNs(ns, ['cat', '/proc/sys/net/bridge/bridge-nf-call-iptables'])]),

  // Docker
  tool('docker', 'docker.io', { optional: true, kind: 'docker', why: 'container nodes; or bash scripts/setup.sh --with-docker' }),
  {
    name: 'docker-daemon',
    kind: 'docker',
    optional: true,
    fix: 'apt-get install docker.io, then start the daemon: `dockerd >/var/log/nslab-dockerd.log 2>&1 &` or `systemctl start docker` (or: bash scripts/setup.sh --with-docker)',
    probe: () => dockerPing(dockerSocket()),
  },
];

export function dockerSocket(env: NodeJS.ProcessEnv = process.env): string {
  const h = env.DOCKER_HOST;
  return h?.startsWith('unix://') ? h.slice('unix://'.length) : '/var/run/docker.sock';
}

/** GET /_ping on the daemon's unix socket (no docker CLI needed). */
export function dockerPing(socketPath: string, timeoutMs = DOCKER_PING_TIMEOUT_MS): Promise<ProbeResult> {
  if (!existsSync(socketPath)) {
    const hasDaemon = !!whichSync('dockerd').path;
    return Promise.resolve({
      ok: false,
      detail: `no ${socketPath}: the Docker daemon is not running`,
      hint: hasDaemon ? 'start it: `dockerd >/var/log/nslab-dockerd.log 2>&1 &` or `systemctl start docker` (or: bash scripts/setup.sh --with-docker)' : undefined,
    });
  }
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        const version = res.headers['api-version'];
        if (res.statusCode === 200) resolve({ ok: true, detail: `${socketPath} answers${version ? ` (API ${String(version)})` : ''}` });
        else resolve({ ok: false, detail: `${socketPath} answered ${res.statusCode}: ${body.trim().slice(0, 80)}` });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ ok: false, detail: `${socketPath}: ${e.message} (a stale socket from a daemon that is gone?)` }));
    req.end();
  });
}

// ─────────────────────────────────────────── running ───────────────────────────────────────────

async function run(argv: readonly string[], input?: string): Promise<RunResult> {
  const [cmd, ...args] = argv;
  const r = await execa(cmd, args, { input: input ?? '', reject: false, timeout: PROBE_TIMEOUT_MS, env: { LC_ALL: 'C' } });
  const missing = r.code === 'ENOENT';
  const err = String(r.stderr ?? '') || (r.failed && !r.exitCode ? String(r.shortMessage ?? r.message ?? '') : '');
  return { ok: !r.failed && r.exitCode === 0, out: String(r.stdout ?? ''), err, missing };
}

export function scratchName(pid = process.pid): string {
  return `${SCRATCH_PREFIX}${pid}`;
}

/** Remove scratch namespaces left by a doctor that was killed (its pid is gone). Never touches a live one. */
async function removeStaleScratch(): Promise<void> {
  const stale = listNetns().filter((n) => {
    const m = /^nsl-doctor\.(\d+)$/.exec(n);
    return m && Number(m[1]) !== process.pid && !isAlive(Number(m[1]));
  });
  await Promise.all(stale.map((n) => run(['ip', 'netns', 'del', n])));
}

/** A kernel that can load modules has /proc/modules and a /lib/modules/<release> tree. */
function kernelCanLoadModules(): boolean {
  try {
    const release = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
    return existsSync('/proc/modules') && existsSync(`/lib/modules/${release}`);
  } catch {
    return false;
  }
}

// one doctor at a time per process: the scratch namespace is named for the pid
let lock: Promise<unknown> = Promise.resolve();

/** Run the named checks (all by default); kernel probes get a scratch namespace that is always removed. */
export async function runChecks(names?: readonly string[]): Promise<CheckResult[]> {
  const prev = lock;
  let release!: () => void;
  lock = new Promise<void>((r) => (release = r));
  await prev;
  try {
    return await runChecksNow(names);
  } finally {
    release();
  }
}

async function runChecksNow(names?: readonly string[]): Promise<CheckResult[]> {
  const wanted = names ? names.map((n) => CHECKS.find((c) => c.name === n) ?? n) : [...CHECKS];
  const root = process.getuid?.() === 0;
  const needNs = root && wanted.some((c) => typeof c !== 'string' && c.kind === 'kernel');
  const whichCache = new Map<string, Which>();
  let ns = '';
  let nsError: string | undefined;
  try {
    if (needNs) {
      await removeStaleScratch();
      const name = scratchName();
      if (listNetns().includes(name)) await run(['ip', 'netns', 'del', name]);
      const r = await run(['ip', 'netns', 'add', name]);
      if (r.ok) ns = name;
      else nsError = r.missing ? 'ip (iproute2) is not installed' : `ip netns add ${name}: ${firstLine(r.err) || 'failed'}`;
    }
    const ctx: ProbeContext = {
      ns,
      nsError,
      root,
      modules: kernelCanLoadModules(),
      which: (cmd) => {
        let w = whichCache.get(cmd);
        if (!w) whichCache.set(cmd, (w = whichSync(cmd)));
        return w;
      },
      run,
    };
    return await Promise.all(
      wanted.map(async (c): Promise<CheckResult> => {
        if (typeof c === 'string') return { name: c, kind: 'kernel', optional: false, ok: false, detail: `nslab has no probe named ${JSON.stringify(c)}`, fix: 'a bug in nslab: the feature names are in runner/cli/commands/doctor.ts' };
        let r: ProbeResult;
        try {
          r = await c.probe(ctx);
        } catch (e) {
          r = { ok: false, detail: `the probe itself failed: ${(e as Error)?.message ?? String(e)}` };
        }
        return { name: c.name, kind: c.kind, optional: c.optional, ok: r.ok, detail: r.detail, ...(r.ok ? {} : { fix: r.hint ?? c.fix }), ...(c.pkg ? { pkg: c.pkg } : {}) };
      }),
    );
  } finally {
    if (ns) await run(['ip', 'netns', 'del', ns]);
  }
}

/**
 * Which features this machine has, tried for real (kernel features in a scratch namespace). The engine calls it
 * with the features a lab needs to refuse the lab before building anything; without names, every check runs.
 */
export async function detectFeatures(names?: string[]): Promise<Map<string, FeatureResult>> {
  const results = await runChecks(names);
  return new Map(results.map((r) => [r.name, { ok: r.ok, detail: r.detail, ...(r.fix ? { hint: r.fix } : {}) }]));
}

// ─────────────────────────────────────────── reporting ───────────────────────────────────────────

const SECTIONS: Record<CheckKind, string> = { host: 'host', tool: 'tools', kernel: 'kernel features', docker: 'docker' };

export function markOf(r: Pick<CheckResult, 'ok' | 'optional'>): '✔' | '✘' | '!' {
  return r.ok ? '✔' : r.optional ? '!' : '✘';
}

/** The human report: one line per check; every problem gets its "how to get it" on the next line. */
export function formatReport(results: readonly CheckResult[], opts: { color?: boolean; scratch?: string; ms?: number } = {}): string {
  const paint = (code: number, s: string): string => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const width = Math.max(...results.map((r) => r.name.length), 4);
  const lines: string[] = [];
  for (const kind of Object.keys(SECTIONS) as CheckKind[]) {
    const rs = results.filter((r) => r.kind === kind);
    if (!rs.length) continue;
    lines.push(`${SECTIONS[kind]}${kind === 'kernel' && opts.scratch ? ` (tried in scratch namespace ${opts.scratch})` : ''}`);
    for (const r of rs) {
      const m = markOf(r);
      const mark = paint(m === '✔' ? 32 : m === '✘' ? 31 : 33, m);
      lines.push(`  ${mark} ${r.name.padEnd(width)}  ${r.detail}`);
      if (!r.ok && r.fix) lines.push(`    ${' '.repeat(width)}  → ${r.fix}`);
    }
  }
  lines.push(summaryLine(results, opts.ms));
  return `${lines.join('\n')}\n`;
}

export function summaryLine(results: readonly CheckResult[], ms?: number): string {
  const ok = results.filter((r) => r.ok).length;
  const failed = results.filter((r) => !r.ok && !r.optional);
  const warned = results.filter((r) => !r.ok && r.optional);
  const parts = [`${ok} ok`, `${failed.length} missing`, `${warned.length} optional missing`];
  const verdict = failed.length ? `not ready: ${failed.map((r) => r.name).join(', ')}` : warned.length ? 'ready (labs that need what is optional-missing are refused)' : 'ready';
  return `doctor: ${parts.join(', ')}${ms !== undefined ? ` in ${(ms / 1000).toFixed(1)} s` : ''} — ${verdict}\n(✔ ok · ✘ missing, required · ! missing, optional)`;
}

export function exitCodeFor(results: readonly CheckResult[]): number {
  return results.some((r) => !r.ok && !r.optional) ? EXIT.environment : EXIT.ok;
}

/**
 * The Debian packages `--fix` installs for these results: every failed check that names a package, required or
 * optional, except Docker (large; it has its own `scripts/setup.sh --with-docker`). Kernel features have none.
 */
export function packagesToInstall(results: readonly CheckResult[]): string[] {
  const pkgs: string[] = [];
  for (const r of results) if (!r.ok && r.pkg && r.kind !== 'docker' && !pkgs.includes(r.pkg)) pkgs.push(r.pkg);
  return pkgs;
}

export function toJson(results: readonly CheckResult[], scratch: string): object {
  return {
    ok: exitCodeFor(results) === EXIT.ok,
    exitCode: exitCodeFor(results),
    scratchNamespace: scratch,
    checks: results.map((r) => ({ name: r.name, kind: r.kind, optional: r.optional, ok: r.ok, detail: r.detail, ...(r.fix ? { fix: r.fix } : {}), ...(r.pkg ? { package: r.pkg } : {}) })),
  };
}

// ─────────────────────────────────────────── the command ───────────────────────────────────────────

const FLAGS = new Set(['fix', 'json']);

export async function doctorCmd(a: Args): Promise<number> {
  for (const f of a.flags) if (!FLAGS.has(f)) throw new UsageError(`lab doctor takes --fix and --json, not --${f}`);
  if (a.options.size) throw new UsageError(`lab doctor takes no option ${[...a.options.keys()].map((k) => `--${k}`).join(', ')}`);
  if (a.positionals.length) throw new UsageError(`lab doctor takes no arguments (got ${a.positionals.join(' ')})`);
  const json = a.flags.has('json');
  const color = !!process.stdout.isTTY && !process.env.CI && !process.env.NO_COLOR;
  const scratch = scratchName();

  const check = async (): Promise<CheckResult[]> => {
    const t0 = performance.now();
    const rs = await runChecks();
    if (!json) process.stdout.write(formatReport(rs, { color, scratch, ms: performance.now() - t0 }));
    return rs;
  };

  let results = await check();
  if (a.flags.has('fix')) {
    const pkgs = packagesToInstall(results);
    const kernelMissing = results.filter((r) => r.kind === 'kernel' && !r.ok);
    const docker = results.filter((r) => r.kind === 'docker' && !r.ok);
    if (kernelMissing.length) say(`--fix cannot add kernel features (${kernelMissing.map((r) => r.name).join(', ')}): they are built into the kernel or not; labs that need them are refused on this machine`);
    if (docker.length) say('--fix leaves Docker alone: bash scripts/setup.sh --with-docker installs and starts it');
    if (!pkgs.length) {
      say('--fix: no Debian package to install');
    } else if (process.getuid?.() !== 0) {
      say(`--fix needs root to run apt-get; as root: apt-get install -y --no-install-recommends ${pkgs.join(' ')}`);
      return EXIT.environment;
    } else {
      say(`--fix: apt-get install ${pkgs.join(' ')}`);
      // stdio inherited, but apt's chatter goes to our stderr: stdout carries the report (or the JSON)
      const opts = { env: { DEBIAN_FRONTEND: 'noninteractive' }, stdin: 'ignore', stdout: 2, stderr: 'inherit' } as const;
      try {
        await execa('apt-get', ['update'], opts);
        await execa('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], opts);
      } catch (e) {
        say(`--fix: apt-get failed: ${(e as { shortMessage?: string }).shortMessage ?? (e as Error).message}`);
        return EXIT.environment;
      }
      if (!json) process.stdout.write('\nafter --fix:\n');
      results = await check();
    }
  }
  if (json) process.stdout.write(`${JSON.stringify(toJson(results, scratch), null, 2)}\n`);
  return exitCodeFor(results);
}
