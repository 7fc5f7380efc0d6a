/**
 * kube-proxy's rules (runner/cluster/kube-proxy-{iptables,nftables}.ts) on a real kernel, as root: both rulesets of
 * every golden case load in a scratch namespace, and a tiny topology (client → node → two endpoints) shows a
 * ClusterIP and a NodePort reaching both endpoints, ClientIP affinity sticking to one and a service without endpoints
 * being rejected, in both modes. The services are test/fixtures/kube-proxy-services.ts (as in the unit tests).
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { iptablesRules } from '../../runner/cluster/kube-proxy-iptables.ts';
import { nftablesRules } from '../../runner/cluster/kube-proxy-nftables.ts';
import type { KubeProxyInput } from '../../runner/cluster/types.ts';
import { inputFor, pod, port, renders, svc } from '../fixtures/kube-proxy-services.ts';
import { needRoot, needTools } from '../needs.ts';

// ---------------------------------------------------------------------------------------------------------------
// The real kernel: scratch namespaces nslkp-<pid>[-c|-e1|-e2], deleted afterwards.

function run(args: readonly string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(args[0], args.slice(1), { input, encoding: 'utf8', timeout: 10000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function must(args: readonly string[], input?: string): string {
  const r = run(args, input);
  assert.equal(r.status, 0, `${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

describe('kube-proxy rules in a real kernel', function () {
  this.timeout(120000);
  const NODE = `nslkp-${process.pid}`;
  const CLIENT = `${NODE}-c`;
  const EPS = [`${NODE}-e1`, `${NODE}-e2`];
  const created: string[] = [];
  const responders: ChildProcess[] = [];

  // The topology: client 192.168.77.2 → node 192.168.77.1 (the rules) → endpoints 10.244.1.2 and 10.244.2.2.
  const topoDefs = [
    svc('web', { type: 'NodePort', clusterIP: '10.96.0.10', ports: [port(80, 8080, 'TCP', { name: 'http', nodePort: 30080 })] }, [
      pod('e1', 'node1', '10.244.1.2'),
      pod('e2', 'node1', '10.244.2.2'),
    ]),
    svc('sticky', { clusterIP: '10.96.0.11', sessionAffinity: 'ClientIP', ports: [port(80, 8080)] }, [pod('e1', 'node1', '10.244.1.2'), pod('e2', 'node1', '10.244.2.2')]),
    svc('empty', { clusterIP: '10.96.0.12', ports: [port(80, 8080)] }),
  ];
  const input: KubeProxyInput = { ...inputFor('node1', topoDefs), nodeIPs: ['192.168.77.1'] };

  const netns = (ns: string, ...args: string[]): string[] => ['ip', 'netns', 'exec', ns, ...args];

  before(async () => {
    needRoot('loading kube-proxy rules into scratch namespaces');
    needTools(['ip', 'iptables-restore', 'iptables-save', 'nft', 'socat', 'ss'], 'apt-get install iproute2 iptables nftables socat (or `bash scripts/setup.sh`)');
    for (const ns of [NODE, CLIENT, ...EPS]) {
      must(['ip', 'netns', 'add', ns]);
      created.push(ns);
      must(netns(ns, 'ip', 'link', 'set', 'lo', 'up'));
      must(netns(ns, 'sysctl', '-qw', `net.ipv4.ip_forward=${ns === NODE ? 1 : 0}`));
    }
    must(['ip', 'link', 'add', 'vc', 'netns', NODE, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', CLIENT]);
    must(netns(NODE, 'ip', 'addr', 'add', '192.168.77.1/24', 'dev', 'vc'));
    must(netns(NODE, 'ip', 'link', 'set', 'vc', 'up'));
    must(netns(CLIENT, 'ip', 'addr', 'add', '192.168.77.2/24', 'dev', 'eth0'));
    must(netns(CLIENT, 'ip', 'link', 'set', 'eth0', 'up'));
    must(netns(CLIENT, 'ip', 'route', 'add', 'default', 'via', '192.168.77.1'));
    // A real node has a default route; without one, a ClusterIP with no DNAT fails routing before the filter rules.
    // Here it points back out of vc, so redirects are off: an ICMP redirect would use up the ICMP rate limit's
    // token for the client, and the REJECT's port-unreachable would be suppressed.
    must(netns(NODE, 'ip', 'route', 'add', 'default', 'via', '192.168.77.2'));
    for (const dev of ['all', 'vc']) must(netns(NODE, 'sysctl', '-qw', `net.ipv4.conf.${dev}.send_redirects=0`));
    for (const [i, ep] of EPS.entries()) {
      const n = i + 1;
      must(['ip', 'link', 'add', `ve${n}`, 'netns', NODE, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ep]);
      must(netns(NODE, 'ip', 'addr', 'add', `10.244.${n}.1/24`, 'dev', `ve${n}`));
      must(netns(NODE, 'ip', 'link', 'set', `ve${n}`, 'up'));
      must(netns(ep, 'ip', 'addr', 'add', `10.244.${n}.2/24`, 'dev', 'eth0'));
      must(netns(ep, 'ip', 'link', 'set', 'eth0', 'up'));
      must(netns(ep, 'ip', 'route', 'add', 'default', 'via', `10.244.${n}.1`));
      // A TCP responder that answers its own name; `ip netns exec` execs, so the PID is socat's.
      const p = spawn('ip', netns(ep, 'socat', 'TCP-LISTEN:8080,fork,reuseaddr', `EXEC:echo e${n}`).slice(1), { stdio: 'ignore' });
      responders.push(p);
    }
    for (const ep of EPS) {
      for (let t = 0; t < 50 && !must(netns(ep, 'ss', '-Hltn', 'sport = :8080')).trim(); t++) await sleep(50);
    }
  });

  after(() => {
    for (const p of responders) if (p.pid !== undefined && p.exitCode === null) p.kill();
    // Anything still running inside our own namespaces (a socat child of ours) is stopped by PID.
    for (const ns of created) {
      for (const pid of run(['ip', 'netns', 'pids', ns]).stdout.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid));
        } catch {
          /* already gone */
        }
      }
    }
    for (const ns of created.reverse()) run(['ip', 'netns', 'del', ns]);
  });

  /** n connections from the client to ip:port; the answers ("e1", "e2", or "refused"/"error"). */
  function connect(ip: string, p: number, n: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = run(netns(CLIENT, 'socat', '-T2', '-u', `TCP:${ip}:${p},connect-timeout=2`, '-'));
      out.push(r.status === 0 ? r.stdout.trim() : /refused/i.test(r.stderr) ? 'refused' : `error: ${r.stderr.trim()}`);
    }
    return out;
  }

  function count(xs: readonly string[]): Record<string, number> {
    const c: Record<string, number> = {};
    for (const x of xs) c[x] = (c[x] ?? 0) + 1;
    return c;
  }

  it('iptables-restore loads every golden ruleset, and nft -c accepts every nftables one', () => {
    for (const r of renders()) {
      if (r.mode === 'iptables') {
        must(netns(NODE, 'iptables-restore'), r.text);
        assert.match(must(netns(NODE, 'iptables-save', '-t', 'nat')), /-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES/, r.file);
      } else {
        must(netns(NODE, 'nft', '-c', '-f', '-'), r.text);
      }
    }
    must(netns(NODE, 'nft', 'flush', 'ruleset'));
  });

  for (const mode of ['iptables', 'nftables'] as const) {
    it(`${mode} mode: ClusterIP and NodePort reach both endpoints, ClientIP sticks, no endpoints is refused`, () => {
      must(netns(NODE, 'nft', 'flush', 'ruleset'));
      if (mode === 'iptables') must(netns(NODE, 'iptables-restore'), iptablesRules(input));
      else {
        const text = nftablesRules(input);
        must(netns(NODE, 'nft', '-f', '-'), text);
        must(netns(NODE, 'nft', '-f', '-'), text); // reloading replaces the table
      }
      const cluster = count(connect('10.96.0.10', 80, 20));
      assert.deepEqual(Object.keys(cluster).sort(), ['e1', 'e2'], `ClusterIP answers: ${JSON.stringify(cluster)}`);
      const nodePort = count(connect('192.168.77.1', 30080, 20));
      assert.deepEqual(Object.keys(nodePort).sort(), ['e1', 'e2'], `NodePort answers: ${JSON.stringify(nodePort)}`);
      const sticky = count(connect('10.96.0.11', 80, 10));
      assert.equal(Object.keys(sticky).length, 1, `ClientIP affinity answers: ${JSON.stringify(sticky)}`);
      assert.match(Object.keys(sticky)[0], /^e[12]$/);
      assert.deepEqual(connect('10.96.0.12', 80, 1), ['refused']);
      // The client sits outside the cluster CIDR: its connections were masqueraded.
      const marked = mode === 'iptables' ? must(netns(NODE, 'iptables-save', '-c', '-t', 'nat')) : must(netns(NODE, 'nft', 'list', 'ruleset'));
      assert.match(marked, mode === 'iptables' ? /MASQUERADE --random-fully/ : /masquerade fully-random/);
      console.log(`      ${mode}: ClusterIP ${JSON.stringify(cluster)}, NodePort ${JSON.stringify(nodePort)}, ClientIP ${JSON.stringify(sticky)}`);
    });
  }
});
