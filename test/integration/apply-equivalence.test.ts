/**
 * `lab up` of a changed file on a running lab ends exactly where `lab up` of the changed file from nothing ends
 * (issue 15.1). For each (lab, change): a copy of lab A (named eq-…) is brought up, its file changed to B and `lab up`
 * applies the difference; the kernel state of every namespace of the lab is snapshotted (links, addresses, routes,
 * the sysctls the plans set, nftables, iptables, qdiscs, bridge ports, the processes running in it, the containers);
 * then `lab down`, `lab up` of B from nothing, the same snapshot, and the two must be equal. Only what legitimately
 * differs between two builds is normalised: ifindexes and peer indexes, MACs (and the IPv6 link-local addresses and
 * bridge ids made from them), rule handles, counters, timers, PIDs, the lab-file lines comments name; operstate and
 * carrier and the link-local/multicast routes that follow them (the kernel's linkwatch is up to 1 s late); the order
 * nft lists chains and sets in (creation order), set elements learned from traffic (session affinity), and empty
 * accepting iptables-nft tables (iptables-restore cannot delete a table; such a table filters nothing).
 * After the apply `lab plan --diff` says nothing to do and `lab test` passes; the state names the same namespaces and
 * objects as the fresh up's; after `lab down` nothing is left.
 *
 * Cluster labs: a changed cluster keeps its running allocations (pods' nodes and IPs, Services' ClusterIPs and
 * NodePorts). The changes below are chosen so that a fresh allocation hands out the same ones (a replica added to the
 * LAST pod group, a Service added after the others or the last one removed, a port changed), else the two runs could
 * not be compared.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { lab, labLeftovers, ROOT, type Run } from './helpers.ts';

const show = (r: Run): string => `exit ${r.exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
const ok = (r: Run, what: string): void => assert.equal(r.exitCode, 0, `${what}: ${show(r)}`);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

/** A shipped lab as an object, under another name, without its handout and tests; `tests` replaces them. */
function copyOf(shipped: string, name: string, tests: unknown[]): Doc {
  const d = parse(readFileSync(join(ROOT, 'labs', shipped, 'lab.yaml'), 'utf8')) as Doc;
  delete d.handout;
  d.name = name;
  d.tests = tests;
  return d;
}

function sh(cmd: string, args: readonly string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (e) {
    return `FAILED: ${(e as { stderr?: string }).stderr ?? String(e)}`;
  }
}

const MAC = /\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b/g;
const noMac = (s: string): string => s.replace(MAC, 'MAC').replace(/\bfe80::[0-9a-f:]+/g, 'fe80::LL');
/** Lines sorted by the interface they are about, each interface's lines in their order (an address's order matters). */
const byDev = (lines: string[], dev: (l: string) => string): string[] => lines.map((l, i) => [dev(l), i, l] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1])).map((x) => x[2]);
const sorted = (s: string): string => s.split('\n').filter(Boolean).sort().join('\n');

interface Applied {
  plan: { steps: { op: { type: string; ns?: string; values?: [string, string][] } }[] };
}

/** The sysctls a lab's recorded plan sets, by namespace. */
function sysctlsOf(name: string): Map<string, Set<string>> {
  const a = JSON.parse(readFileSync(`/run/nslab/${name}/applied-plan.json`, 'utf8')) as Applied;
  const m = new Map<string, Set<string>>();
  for (const s of a.plan.steps) if (s.op.type === 'sysctl' && s.op.ns) for (const [k] of s.op.values ?? []) m.set(s.op.ns, (m.get(s.op.ns) ?? new Set()).add(k));
  return m;
}

/**
 * An nft ruleset with its tables, and the chains, sets and maps of each, in name order (the listing follows creation
 * order, which an incremental change does not keep, and which means nothing), a set's elements sorted; the rules of a
 * chain stay in their order (it means something). Elements that expire (learned from traffic) are left out.
 */
function nftCanon(text: string): string {
  const blocks = (lines: string[]): string[] => {
    const out: string[] = [];
    let cur: string[] = [];
    let d = 0;
    for (const l of lines) {
      if (!l.trim()) continue;
      cur.push(l);
      d += (l.match(/{/g) ?? []).length - (l.match(/}/g) ?? []).length;
      if (d <= 0) {
        out.push(cur.join('\n'));
        cur = [];
        d = 0;
      }
    }
    if (cur.length) out.push(cur.join('\n'));
    return out;
  };
  // elements that expire were learned from traffic (session affinity), not written: left out
  const elements = (b: string): string =>
    b.replace(/\n\s*elements = {([^}]*)}/g, (_m, xs: string) => {
      const kept = xs.split(',').map((x) => x.trim()).filter((x) => x && !/ expires /.test(x)).sort();
      return kept.length ? `\n\t\telements = { ${kept.join(', ')} }` : '';
    });
  // a table of iptables-nft with nothing but empty built-in chains that accept (what iptables-restore leaves when a
  // rule set is removed: it cannot delete a table) filters nothing: the same as no table
  const emptyXt = (t: string): boolean => /^table ip6? (filter|nat|mangle|raw|security) {/.test(t) && t.split('\n').every((l) => /^\s*(table .*{|chain \w+ {|type .* policy accept;|})\s*$/.test(l));
  return blocks(text.split('\n'))
    .filter((t) => !emptyXt(t))
    .map((t) => {
      const ls = t.split('\n');
      if (ls.length < 2) return t;
      const inner = blocks(ls.slice(1, -1)).map(elements).sort();
      return [ls[0], ...inner, ls[ls.length - 1]].join('\n');
    })
    .sort()
    .join('\n');
}

function cmdlines(ns: string): string[] {
  const pids = sh('ip', ['netns', 'pids', ns]).split('\n').filter((x) => /^\d+$/.test(x));
  const out: string[] = [];
  for (const p of pids) {
    try {
      const st = readFileSync(`/proc/${p}/stat`, 'utf8');
      if (/\) Z /.test(st)) continue;
      out.push(readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' '));
    } catch {
      /* gone */
    }
  }
  return out.sort();
}

/** The kernel state of every namespace of lab `name` (and its containers), normalised as said above. */
function snapshot(name: string, sysctls: Map<string, Set<string>>): Record<string, string> {
  const namespaces = readdirSync('/run/netns').filter((n) => n === `nsl.${name}` || n.startsWith(`nsl.${name}.`)).sort();
  const snap: Record<string, string> = { namespaces: namespaces.join(' ') };
  for (const ns of namespaces) {
    const ip = (...a: string[]): string => sh('ip', ['-n', ns, ...a]);
    const links = ip('-d', '-o', 'link', 'show')
      .split('\n')
      .filter(Boolean)
      .map((l) =>
        noMac(l)
          .replace(/^\d+:\s*/, '')
          .replace(/^([^\s@:]+)@[^\s:]+:/, '$1@peer:') // a peer's ifindex, or the name of whatever link has that index here
          .replace(/link-netnsid \d+/, 'link-netnsid N')
          .replace(/\b\w+_timer\s+[\d.]+/g, '')
          // operstate and carrier follow the kernel's linkwatch (up to 1 s late): a moment, not configuration
          .replace(/NO-CARRIER,|,LOWER_UP|\bstate (UP|DOWN|UNKNOWN|LOWERLAYERDOWN) mode/g, (m) => (m.startsWith('state') ? 'mode' : ''))
          .replace(/\bbridge_id \S+|\bdesignated_root \S+|\broot_id \S+|\bdesignated_bridge \S+/g, '')
          .replace(/\\\s+/g, ' ')
          .replace(/\s+/g, ' '),
      );
    snap[`${ns} links`] = links.sort().join('\n');
    const addrs = ip('-o', 'addr', 'show', 'scope', 'global')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.replace(/^\d+:\s*/, '').replace(/\\.*$/, '').replace(/\s+(valid_lft|preferred_lft)\s+\S+/g, '').replace(/\s+/g, ' '));
    snap[`${ns} addresses`] = byDev(addrs, (l) => l.split(' ')[0]).join('\n');
    // the link-local prefix and multicast routes come with a link's carrier (addrconf): a moment, not configuration
    const route = (s: string): string => noMac(s).split('\n').filter((l) => l && !/^(fe80::\/64 dev|multicast ff00::\/8 dev|local fe80::|anycast fe80::)/.test(l)).map((l) => l.replace(/\s+proto \S+|\s+expires \S+|\s+pref medium/g, '').replace(/\s+/g, ' ').trim()).sort().join('\n');
    snap[`${ns} routes`] = route(ip('route', 'show', 'table', 'all'));
    snap[`${ns} routes6`] = route(ip('-6', 'route', 'show', 'table', 'all'));
    snap[`${ns} rules`] = ip('rule', 'show');
    snap[`${ns} neigh`] = sorted(ip('neigh', 'show', 'nud', 'permanent'));
    snap[`${ns} fdb`] = sorted(sh('bridge', ['-n', ns, 'fdb', 'show']).split('\n').filter((l) => / dst /.test(l)).join('\n'));
    const keys = [...(sysctls.get(ns) ?? [])].sort();
    snap[`${ns} sysctl`] = keys.length ? sh('ip', ['netns', 'exec', ns, 'sysctl', ...keys]) : '';
    snap[`${ns} nft`] = nftCanon(sh('ip', ['netns', 'exec', ns, 'nft', 'list', 'ruleset'])).replace(/\s*# handle \d+/g, '').replace(/counter packets \d+ bytes \d+/g, 'counter')
    // (a table with no rule and only built-in chains that accept is the same as no table: see nftCanon)
    const ipt = (tool: string): string =>
      sh('ip', ['netns', 'exec', ns, tool])
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.replace(/\[\d+:\d+\]/g, '[0:0]').replace(/\S+\.ya?ml:\d+(:\d+)?/g, 'FILE:LINE'))
        .join('\n')
        .split(/(?<=\nCOMMIT)\n?/)
        .filter((t) => t.trim() && !t.split('\n').every((l) => /^(\*\w+|:[A-Z]+ ACCEPT \[0:0\]|COMMIT)$/.test(l)))
        .join('\n');
    snap[`${ns} iptables`] = ipt('iptables-save');
    snap[`${ns} ip6tables`] = ipt('ip6tables-save');
    snap[`${ns} tc`] = sorted(sh('tc', ['-n', ns, 'qdisc', 'show']).replace(/refcnt \d+/g, ''));
    snap[`${ns} bridge ports`] = sorted(sh('bridge', ['-n', ns, 'link', 'show']).replace(/^\d+:\s*/gm, '').replace(/^([^\s@:]+)@[^\s:]+:/gm, '$1@peer:'));
    snap[`${ns} processes`] = cmdlines(ns).join('\n');
  }
  snap.containers = sorted(sh('docker', ['ps', '-a', '--filter', `label=nslab.lab=${name}`, '--format', '{{.Names}} {{.Image}} {{.Command}} {{.State}} {{.Labels}}']));
  return snap;
}

interface StateFile {
  status: string;
  namespaces: string[];
  objects: unknown[];
  daemons: { node: string; name: string }[];
}
const stateOf = (name: string): StateFile => JSON.parse(readFileSync(`/run/nslab/${name}/state.json`, 'utf8'));
const objs = (s: StateFile): string[] => [...new Set(s.objects.map((o) => JSON.stringify(o)))].sort();

interface Case {
  readonly title: string;
  readonly name: string;
  readonly a: () => Doc;
  readonly b: () => Doc;
  /** The change cannot be made in place: `lab up` says which node it rebuilds, and why. */
  readonly rebuilt?: RegExp;
}

// `within`: a Calico cluster's BGP routes were once seen missing for a moment after `lab up` said it was ready (on a
// busy machine); the tests run before the snapshots, so these also wait for routing to have converged
const ping = (from: string, to: string): unknown => ({ ping: { from, to, count: 1 }, within: '10s' });
const svc = (from: string, service: string): unknown => ({ service: { from, service }, within: '10s' });

const CASES: Case[] = [
  {
    title: 'netns-veth: an address changed, two swapped (another primary), a node and a link added',
    name: 'eq-veth',
    a: () => {
      const d = copyOf('netns-veth', 'eq-veth', [ping('c1', 'c2')]);
      d.nodes.c1.interfaces.eth0.addresses = ['10.0.0.1/24', '10.0.0.7/24', 'fd00:0:0:1::1/64'];
      return d;
    },
    b: () => {
      const d = copyOf('netns-veth', 'eq-veth', [ping('c1', 'c2'), ping('c3', '10.0.1.1')]);
      d.nodes.c1.interfaces.eth0.addresses = ['10.0.0.7/24', '10.0.0.1/24', 'fd00:0:0:1::1/64'];
      d.nodes.c2.interfaces.eth0.addresses = ['10.0.0.5/24', 'fd00:0:0:1::2/64'];
      d.nodes.c1.interfaces.eth1 = { addresses: ['10.0.1.1/24'] };
      d.nodes.c3 = { interfaces: { eth0: { addresses: ['10.0.1.2/24'] } } };
      d.links.push(['c1:eth1', 'c3:eth0']);
      return d;
    },
  },
  {
    title: 'netns-veth: a node removed, an interface\'s first address removed (the kernel deletes its secondaries with it)',
    name: 'eq-veth-rm',
    a: () => {
      const d = { ...CASES[0].b(), name: 'eq-veth-rm' };
      d.nodes.c1.interfaces.eth0.addresses = ['10.0.0.1/24', '10.0.0.9/24', 'fd00:0:0:1::1/64'];
      return d;
    },
    b: () => {
      const d = copyOf('netns-veth', 'eq-veth-rm', [ping('c2', '10.0.0.9')]);
      d.nodes.c1.interfaces.eth0.addresses = ['10.0.0.9/24', 'fd00:0:0:1::1/64'];
      d.nodes.c2.interfaces.eth0.addresses = ['10.0.0.5/24', 'fd00:0:0:1::2/64'];
      return d;
    },
  },
  {
    title: 'routed: a route added, one removed, forwarding turned off on one node and on on another, a sysctl no longer set (its node rebuilt), an MTU changed',
    name: 'eq-routed',
    a: () => {
      const d = copyOf('routed', 'eq-routed', [ping('a1', 'b1')]);
      d.nodes.a2.forwarding = true;
      d.nodes.b2.sysctls = { 'net.ipv4.conf.all.rp_filter': 2 };
      return d;
    },
    // rp_filter no longer set: the value a new namespace starts with is not known to the diff
    rebuilt: /node b2 will be rebuilt: sysctl net\.ipv4\.conf\.all\.rp_filter no longer set/,
    b: () => {
      const d = copyOf('routed', 'eq-routed', [ping('a1', 'b1')]);
      d.nodes.a1.routes.push('10.9.0.0/24 via 10.1.0.1');
      delete d.nodes.a2.routes;
      d.nodes.b2.forwarding = true;
      d.nodes.b1.interfaces = { eth0: { mtu: 1400 } };
      return d;
    },
  },
  {
    title: 'bridge-nat: a host added on the bridge, the published port changed',
    name: 'eq-nat',
    a: () => copyOf('bridge-nat', 'eq-nat', [ping('h1', 'internet')]),
    b: () => {
      const d = copyOf('bridge-nat', 'eq-nat', [ping('h1', 'internet'), ping('h4', 'internet')]);
      d.nodes.h4 = { interfaces: { eth0: { addresses: ['172.17.0.5/16'] } }, routes: ['default via 172.17.0.1'] };
      d.links.splice(3, 0, ['h4:eth0', 'docker0']);
      d.nodes.host.nat[0].docker.publish[0].port = 9090;
      return d;
    },
  },
  {
    title: 'bridge-nat: the NAT removed',
    name: 'eq-nat-rm',
    a: () => copyOf('bridge-nat', 'eq-nat-rm', [ping('h1', 'internet')]),
    b: () => {
      const d = copyOf('bridge-nat', 'eq-nat-rm', [ping('h1', 'h2'), ping('host', 'internet')]);
      delete d.nodes.host.nat;
      return d;
    },
  },
  {
    title: 'vxlan-l2-overlay: the VNI changed',
    name: 'eq-vxlan',
    a: () => copyOf('vxlan-l2-overlay', 'eq-vxlan', [ping('h-a', 'h-b')]),
    b: () => {
      const d = copyOf('vxlan-l2-overlay', 'eq-vxlan', [ping('h-a', 'h-b')]);
      d.nodes['gw-a'].interfaces.vx42.vni = 43;
      d.nodes['gw-b'].interfaces.vx42.vni = 43;
      return d;
    },
  },
  {
    title: 'ebgp-triangle: a host and a prefix added behind r3, r2\'s prefix no longer announced',
    name: 'eq-tri',
    a: () => copyOf('ebgp-triangle', 'eq-tri', [ping('h1', 'h3')]),
    b: () => {
      const d = copyOf('ebgp-triangle', 'eq-tri', [ping('h1', 'h3'), ping('h1', 'h4')]);
      d.nodes.r3.interfaces.eth3 = { addresses: ['10.4.0.1/24'] };
      d.nodes.r3.bgp.announce.push('10.4.0.0/24');
      d.nodes.r2.bgp.announce = [];
      d.nodes.h4 = { interfaces: { eth0: { addresses: ['10.4.0.10/24'] } }, routes: ['default via 10.4.0.1'] };
      d.links.push(['r3:eth3', 'h4:eth0']);
      return d;
    },
  },
  {
    title: 'pod-pause: a container\'s command changed (its pod rebuilt)',
    name: 'eq-pause',
    a: () => copyOf('pod-pause', 'eq-pause', [ping('pod-b', 'pod-a')]),
    rebuilt: /node pod-a will be rebuilt: its container \S+ changed \(cmd\): Docker cannot change a container's image or command in place/,
    b: () => {
      const d = copyOf('pod-pause', 'eq-pause', [ping('pod-b', 'pod-a')]);
      d.nodes['pod-a'].containers[0].cmd = ['iperf3', '-s', '-p', '5202'];
      return d;
    },
  },
  // the cluster cases: changes a fresh allocation hands out the same addresses for (see the top of the file)
  {
    title: 'k8s-services-iptables: a Service added (after the others), a Service\'s port changed, a replica of the last pod group added',
    name: 'eq-ipt',
    a: () => copyOf('k8s-services-iptables', 'eq-ipt', [svc('client', 'web')]),
    b: () => {
      const d = copyOf('k8s-services-iptables', 'eq-ipt', [svc('client', 'web'), svc('client', 'web-sticky'), svc('client', 'extra')]);
      d.cluster.services.extra = { selector: { app: 'web' }, ports: [{ port: 81, targetPort: 80 }] };
      d.cluster.services['web-sticky'].ports = [{ port: 8080, targetPort: 80 }];
      d.cluster.pods.cart.replicas = 3;
      return d;
    },
  },
  {
    title: 'k8s-services-iptables: the last pod group and the last Service removed',
    name: 'eq-ipt-rm',
    a: () => copyOf('k8s-services-iptables', 'eq-ipt-rm', [svc('client', 'web')]),
    b: () => {
      const d = copyOf('k8s-services-iptables', 'eq-ipt-rm', [svc('client', 'web')]);
      delete d.cluster.pods.cart;
      delete d.cluster.services.cart;
      return d;
    },
  },
  {
    title: 'k8s-services-nftables: the last Service removed, a Service\'s port changed, a pod group added (after the others)',
    name: 'eq-nft',
    a: () => copyOf('k8s-services-nftables', 'eq-nft', [svc('client', 'web')]),
    b: () => {
      const d = copyOf('k8s-services-nftables', 'eq-nft', [svc('client', 'web'), svc('client', 'web-sticky')]);
      delete d.cluster.services['web-headless'];
      d.cluster.services['web-sticky'].ports = [{ port: 8080, targetPort: 80 }];
      d.cluster.pods.extra = { node: 'node-2', labels: { app: 'web' } };
      return d;
    },
  },
  {
    title: 'k8s-networkpolicy: a policy removed, one added',
    name: 'eq-pol',
    a: () => copyOf('k8s-networkpolicy', 'eq-pol', [ping('web', 'dev-web')]),
    b: () => {
      const d = copyOf('k8s-networkpolicy', 'eq-pol', [ping('web', 'dev-web')]);
      delete d.cluster['network-policies']['web-from-node-1-pods'];
      d.cluster['network-policies']['monitor-deny'] = { namespace: 'default', podSelector: { matchLabels: { app: 'monitor' } }, policyTypes: ['Ingress'] };
      return d;
    },
  },
  {
    title: 'k8s-dual-stack: a dual-stack Service added',
    name: 'eq-ds',
    a: () => copyOf('k8s-dual-stack', 'eq-ds', [svc('client', 'web')]),
    b: () => {
      const d = copyOf('k8s-dual-stack', 'eq-ds', [svc('client', 'web'), svc('client', 'extra')]);
      d.cluster.services.extra = { selector: { app: 'web' }, ports: [{ port: 81, targetPort: 80 }], ipFamilyPolicy: 'PreferDualStack' };
      return d;
    },
  },
];

describe('lab up of a changed file ends where lab up of that file from nothing ends (issue 15.1)', function () {
  this.timeout(900_000);
  let dir: string;
  const times: Record<string, number> = {};
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eq-apply-'));
    for (const c of CASES) await lab(['down', c.name]);
  });
  after(async () => {
    for (const c of CASES) await lab(['down', c.name]);
    rmSync(dir, { recursive: true, force: true });
    console.log(`    times: ${JSON.stringify(times)}`);
  });

  for (const c of CASES) {
    it(c.title, async () => {
      const t0 = Date.now();
      const file = join(dir, `${c.name}.lab.yaml`);
      writeFileSync(file, stringify(c.a()));
      ok(await lab(['up', file, '--quiet']), 'up of A');
      const keys = sysctlsOf(c.name);
      const before = snapshot(c.name, keys);
      writeFileSync(file, stringify(c.b()));
      const up = await lab(['up', file]);
      ok(up, 'up of B on the running A');
      assert.match(up.stdout + up.stderr, /changed in place/, show(up));
      if (c.rebuilt) assert.match(up.stdout + up.stderr, c.rebuilt, show(up));
      else assert.doesNotMatch(up.stdout + up.stderr, /will be rebuilt/, show(up));
      for (const [ns, ks] of sysctlsOf(c.name)) for (const k of ks) keys.set(ns, (keys.get(ns) ?? new Set()).add(k));
      const again = await lab(['plan', '--diff', file]);
      assert.match(again.stdout, /nothing: the running lab already is this file's network/, show(again));
      ok(await lab(['test', file]), 'lab test after the change'); // (before the snapshot: routing daemons have converged)
      const applied = snapshot(c.name, keys);
      assert.notDeepEqual(applied, before, 'the change shows in the snapshot');
      const st1 = stateOf(c.name);
      ok(await lab(['down', c.name]), 'down after the change');
      assert.deepEqual(labLeftovers(c.name), []);

      ok(await lab(['up', file, '--quiet']), 'up of B from nothing');
      ok(await lab(['test', file]), 'lab test of B from nothing');
      const fresh = snapshot(c.name, keys);
      const st2 = stateOf(c.name);
      ok(await lab(['down', c.name]), 'down');
      assert.deepEqual(labLeftovers(c.name), []);

      for (const k of new Set([...Object.keys(fresh), ...Object.keys(applied)])) assert.equal(applied[k], fresh[k], `${c.name}: ${k} after the change differs from B built from nothing`);
      assert.deepEqual([...st1.namespaces].sort(), [...st2.namespaces].sort(), 'the state\'s namespaces');
      assert.deepEqual(objs(st1), objs(st2), 'the state\'s objects');
      assert.deepEqual(st1.daemons.map((d) => `${d.node}/${d.name}`).sort(), st2.daemons.map((d) => `${d.node}/${d.name}`).sort(), 'the state\'s daemons');
      times[c.name] = Date.now() - t0;
    });
  }
});
