/** Probes of tools on PATH and of the Docker daemon (see runner/exec/probes.ts for the table and the runner). */
import { existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DOCKER_PING_TIMEOUT_MS, MIN_IPROUTE2_MAJOR, type Check, type CheckKind, type ProbeContext, type ProbeResult, type Which } from './probe-types.ts';

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

export function firstLine(s: string): string {
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
export function tool(name: string, pkg: string, opts: { cmd?: string; optional?: boolean; kind?: CheckKind; why?: string; more?: (path: string, ctx: ProbeContext) => Promise<ProbeResult> } = {}): Check {
  const cmd = opts.cmd ?? name;
  const install = `apt-get install ${pkg}`;
  return {
    name,
    kind: opts.kind ?? 'tool',
    optional: !!opts.optional,
    pkg,
    fix: `${install}${opts.why ? ` (${opts.why})` : ''}`,
    ...(opts.why ? { why: opts.why } : {}),
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

/** Tools on PATH, each from a Debian package (the order `lab doctor` shows them in). */
export const TOOL_CHECKS: readonly Check[] = [
  tool('ip', 'iproute2', { more: ipMore, why: 'namespaces, links, addresses, routes (ip -batch)' }),
  tool('ping', 'iputils-ping', { why: 'the ping assertion' }),
  tool('iperf3', 'iperf3', { why: 'the iperf3 throughput assertion' }),
  tool('nc', 'netcat-openbsd', { why: 'the tcp assertion' }),
  tool('curl', 'curl', { why: 'the http assertion; handouts' }),
  tool('tcpdump', 'tcpdump', { why: 'the capture assertion' }),
  tool('iptables', 'iptables', { more: (p, c) => versionMore(p, c, ['iptables', '-V']), why: 'NAT, kube-proxy (iptables mode), NetworkPolicy' }),
  tool('iptables-restore', 'iptables', { why: 'loading rule sets in one step' }),
  tool('ip6tables-restore', 'iptables', { why: 'IPv6 rule sets' }),
  tool('nft', 'nftables', { more: (p, c) => versionMore(p, c, ['nft', '--version']), why: 'nftables rule sets, kube-proxy (nftables mode), loss' }),
  tool('sysctl', 'procps', { why: 'forwarding and per-namespace settings' }),
  tool('nsenter', 'util-linux', { why: 'running the configure phase in each namespace' }),
  tool('tc', 'iproute2', { why: 'link impairments (rate, delay)' }),
  tool('socat', 'socat', { why: 'tun overlays (flannel-udp)' }),
  tool('dnsmasq', 'dnsmasq-base', { optional: true, why: 'the cluster DNS' }),
  tool('haproxy', 'haproxy', { optional: true, why: "pods' sidecar proxies (sidecar:, the sidecar.istio.io/inject annotation)" }),
  tool('nginx', 'nginx', { optional: true, why: 'the ingress controller of clusters with ingresses (run by nslab in a pod; the host\'s nginx service stays stopped)' }),
  tool('openssl', 'openssl', { optional: true, why: "the lab CA and the ingresses' TLS certificates" }),
  tool('dig', 'dnsutils', { optional: true, why: 'the dns assertion, readiness of the cluster DNS' }),
  tool('conntrack', 'conntrack', { optional: true, why: 'handouts: reading the NAT table; conntrack -S in the conntrack-snat-race lab and bench:snat-race' }),
  tool('docker-proxy', 'docker.io', { optional: true, why: "Docker's userland proxy for the published ports of `nat: docker`" }),
  tool('dot', 'graphviz', { optional: true, why: 'lab graph --format svg, lab handout' }),
  tool('bird2', 'bird2', { cmd: 'bird', optional: true, why: 'BGP routers (kind: bird), calico-bgp clusters', more: birdMore }),
  tool('debootstrap', 'debootstrap', { optional: true, why: 'container images built from Debian' }),
  cniPluginsCheck(),
];

/** The real CNI plugins (cluster cni: { conflist }): Debian puts them in /usr/lib/cni, off PATH. */
function cniPluginsCheck(): Check {
  const dir = '/usr/lib/cni';
  const needed = ['loopback', 'bridge', 'host-local', 'ptp', 'portmap', 'bandwidth', 'tuning', 'firewall', 'macvlan'];
  return {
    name: 'cni-plugins',
    kind: 'tool',
    optional: true,
    pkg: 'containernetworking-plugins',
    why: 'clusters with cni: { conflist } (the real CNI plugins)',
    fix: 'apt-get install containernetworking-plugins (clusters with cni: { conflist })',
    probe: async (ctx) => {
      const missing = needed.filter((p) => !existsSync(`${dir}/${p}`));
      if (missing.length) return { ok: false, detail: `${missing.join(', ')} missing in ${dir}` };
      const r = await ctx.run([`${dir}/bridge`]);
      const v = /protocol versions supported: (.*)/.exec(r.out + r.err)?.[1];
      return { ok: true, detail: `${dir} (${needed.length} plugins${v ? `; CNI ${v.split(', ').pop()}` : ''})` };
    },
  };
}

/** Docker: the CLI and a daemon that answers. */
export const DOCKER_CHECKS: readonly Check[] = [
  tool('docker', 'docker.io', { optional: true, kind: 'docker', why: 'container, pod and BIRD-in-container nodes (bash scripts/setup.sh installs and starts it)' }),
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

/**
 * GET /_ping on the daemon's unix socket (no docker CLI needed). node:http is imported here, when it is used:
 * importing it at the top costs every command ~10 ms (its exports pull in undici), `lab validate` included.
 */
export async function dockerPing(socketPath: string, timeoutMs = DOCKER_PING_TIMEOUT_MS): Promise<ProbeResult> {
  if (!existsSync(socketPath)) {
    const hasDaemon = !!whichSync('dockerd').path;
    return Promise.resolve({
      ok: false,
      detail: `no ${socketPath}: the Docker daemon is not running`,
      hint: hasDaemon ? 'start it: `dockerd >/var/log/nslab-dockerd.log 2>&1 &` or `systemctl start docker` (or: bash scripts/setup.sh --with-docker)' : undefined,
    });
  }
  const { request } = await import('node:http');
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
