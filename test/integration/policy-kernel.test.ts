/**
 * NetworkPolicy rules (runner/cluster/policy.ts) on a real kernel, as root: iptables-restore accepts the rules of
 * every golden case, and the truth tables the unit tests state (test/unit/cluster/policy.test.ts, with the cluster
 * and cases of test/fixtures/policy-cluster.ts) are what the kernel does: a "node" namespace with a bridge and pod
 * namespaces, the rules loaded with iptables-restore, probed with `nc -z`.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { expectedAllowed, policyRules, type Host } from '../../runner/cluster/policy.ts';
import type { NetworkPolicy, Pod, PolicyInput } from '../../runner/cluster/types.ts';
import { CASES, cluster, isPod, key, NAMESPACES, peerName, pod, podA, podB, policy } from '../fixtures/policy-cluster.ts';
import { needFile, needRoot, needTools } from '../needs.ts';

function needs(): void {
  needRoot('loading NetworkPolicy rules into a scratch namespace');
  needTools(['ip', 'iptables-restore', 'nc', 'socat'], 'apt-get install iproute2 iptables netcat-openbsd socat (or `bash scripts/setup.sh`)');
}

describe('NetworkPolicy rules: iptables-restore', () => {
  it('iptables-restore --test accepts the rules of every golden case (in a scratch namespace)', () => {
    needs();
    const ns = `nslpol-${process.pid}-syntax`;
    sh('ip', ['netns', 'add', ns]);
    try {
      for (const c of CASES) {
        const r = spawnSync('ip', ['netns', 'exec', ns, 'iptables-restore', '--test'], { input: policyRules({ ...cluster(c.policies), node: 'n1' }), encoding: 'utf8' });
        assert.equal(r.status, 0, `${c.name}: ${r.stderr}`);
      }
    } finally {
      spawnSync('ip', ['netns', 'del', ns]);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The real kernel: node namespace with bridge br0 (10.99.1.0/24) holding pods x/a, x/b, y/a; pod y/b routed on
// its own veth (10.99.2.0/24). Listeners on TCP 80 and 81 in every pod; probes with nc -z -w 1.

function sh(cmd: string, args: readonly string[], input?: string): string {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const run = promisify(execFile);

/** A kernel truth table as text: a row per source, a column per destination:port (`.` for loopback). */
function matrixText(title: string, cells: readonly { cell: string; ok: boolean }[]): string {
  const parsed = cells.map((c) => ({ ...c, from: c.cell.split(' -> ')[0], to: c.cell.split(' -> ')[1] }));
  const froms = [...new Set(parsed.map((c) => c.from))];
  const tos = [...new Set(parsed.map((c) => c.to))].sort();
  const w = Math.max(...froms.map((f) => f.length));
  return [
    `      ${title}`,
    `        ${''.padEnd(w)}  ${tos.join(' ')}`,
    ...froms.map((f) => `        ${f.padEnd(w)}  ${tos.map((t) => { const c = parsed.find((x) => x.from === f && x.to === t); return (c ? (c.ok ? '+' : '-') : '.').padEnd(t.length); }).join(' ')}`.trimEnd()),
  ].join('\n');
}

describe('NetworkPolicy on a real kernel', function () {
  this.timeout(120_000);
  const tag = `nslpol-${process.pid}`;
  const nodeNs = `${tag}-node`;
  const KPODS: Pod[] = [
    { ...pod('x', 'a', 'k1', '10.99.1.2'), hostIf: 'veth-a' },
    { ...pod('x', 'b', 'k1', '10.99.1.3'), hostIf: 'veth-b' },
    { ...pod('y', 'a', 'k1', '10.99.1.4'), hostIf: 'veth-c' },
    { ...pod('y', 'b', 'k1', '10.99.2.2'), hostIf: 'veth-d' },
  ];
  const NODE_HOSTS: Host[] = [{ ip: '10.99.1.1', node: 'k1' }];
  const podNs = (p: Pod): string => `${tag}-${p.hostIf.slice(-1)}`;
  const listeners: ChildProcess[] = [];
  const created: string[] = [];
  const observed: string[] = [];

  before(() => {
    needs();
    needFile('/proc/sys/net/bridge/bridge-nf-call-iptables', 'the br_netfilter module is not loaded (`modprobe br_netfilter`): bridged pods bypass iptables without it');
    const ipn = (ns: string, ...args: string[]): string => sh('ip', ['-n', ns, ...args]);
    for (const ns of [nodeNs, ...KPODS.map(podNs)]) {
      sh('ip', ['netns', 'add', ns]);
      created.push(ns);
      ipn(ns, 'link', 'set', 'lo', 'up');
    }
    sh('ip', ['netns', 'exec', nodeNs, 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.bridge.bridge-nf-call-iptables=1']);
    ipn(nodeNs, 'link', 'add', 'br0', 'type', 'bridge');
    ipn(nodeNs, 'addr', 'add', '10.99.1.1/24', 'dev', 'br0');
    ipn(nodeNs, 'link', 'set', 'br0', 'up');
    for (const p of KPODS) {
      const routed = p.ip.startsWith('10.99.2.');
      ipn(nodeNs, 'link', 'add', p.hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', podNs(p));
      if (routed) ipn(nodeNs, 'addr', 'add', '10.99.2.1/24', 'dev', p.hostIf);
      else ipn(nodeNs, 'link', 'set', p.hostIf, 'master', 'br0');
      ipn(nodeNs, 'link', 'set', p.hostIf, 'up');
      ipn(podNs(p), 'addr', 'add', `${p.ip}/24`, 'dev', 'eth0');
      ipn(podNs(p), 'link', 'set', 'eth0', 'up');
      ipn(podNs(p), 'route', 'add', 'default', 'via', routed ? '10.99.2.1' : '10.99.1.1');
      for (const port of [80, 81]) {
        const l = spawn('ip', ['netns', 'exec', podNs(p), 'socat', `TCP-LISTEN:${port},fork,reuseaddr`, 'SYSTEM:true'], { stdio: 'ignore' });
        listeners.push(l);
      }
    }
  });

  after(async function () {
    // the listeners by PID, and wait for them before the namespaces go
    const exited = listeners.map((l) => (l.exitCode !== null || l.signalCode !== null ? Promise.resolve() : new Promise<void>((res) => l.once('exit', () => res()))));
    for (const l of listeners) if (l.pid !== undefined && l.exitCode === null && l.signalCode === null) process.kill(l.pid, 'SIGTERM');
    await Promise.race([Promise.all(exited), new Promise((res) => setTimeout(res, 5000))]);
    for (const ns of created) spawnSync('ip', ['netns', 'del', ns]);
    // NSLAB_SHOW_TABLES=1 prints what the kernel did (rows: from; columns: to:port; + connected, - refused by policy)
    if (process.env.NSLAB_SHOW_TABLES && observed.length) console.log(observed.join('\n'));
  });

  async function probe(from: Pod | Host, to: Pod, port: number): Promise<boolean> {
    const ns = isPod(from) ? podNs(from) : nodeNs;
    try {
      await run('ip', ['netns', 'exec', ns, 'nc', '-z', '-w', '1', to.ip, String(port)]);
      return true;
    } catch {
      return false;
    }
  }

  async function listening(): Promise<void> {
    // the node reaches every pod before any rule: wait for the listeners
    for (let i = 0; i < 50; i++) {
      const ok = await Promise.all(KPODS.flatMap((p) => [80, 81].map((port) => probe(NODE_HOSTS[0], p, port))));
      if (ok.every(Boolean)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the listeners did not come up');
  }

  const KERNEL_CASES: { name: string; policies: NetworkPolicy[] }[] = [
    { name: 'no policy', policies: [] },
    ...CASES.filter((c) => ['default-deny-ingress', 'allow-from-pod-label', 'pod-and-namespace-selector-one-peer', 'pod-or-namespace-selector-two-peers', 'named-port', 'union-of-two-policies'].includes(c.name)),
    { name: 'default-deny-egress', policies: [policy('deny-egress', 'x', { podSelector: {}, policyTypes: ['Egress'] })] },
    { name: 'egress-to-y-81', policies: [policy('egress-y-81', 'x', { podSelector: podA, policyTypes: ['Egress'], egress: [{ peers: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ protocol: 'TCP', port: 81 }] }] })] },
    {
      name: 'ipblock-except-routed',
      policies: [policy('cidr', 'y', { podSelector: podB, policyTypes: ['Ingress'], ingress: [{ peers: [{ ipBlock: { cidr: '10.99.1.0/24', except: ['10.99.1.3/32'] } }] }] })],
    },
  ];

  for (const kc of KERNEL_CASES) {
    it(`${kc.name}: the kernel's matrix is expectedAllowed's`, async function () {
      await listening();
      const model: PolicyInput = { node: 'k1', pods: KPODS, namespaces: NAMESPACES, policies: kc.policies };
      sh('ip', ['netns', 'exec', nodeNs, 'iptables-restore'], policyRules(model));
      const cells: { cell: string; want: boolean; got: Promise<boolean> }[] = [];
      for (const from of [...KPODS, ...NODE_HOSTS])
        for (const to of KPODS)
          for (const port of [80, 81]) {
            if (isPod(from) && key(from) === key(to)) continue; // loopback never reaches the node
            cells.push({ cell: `${peerName(from)} -> ${key(to)}:${port}`, want: expectedAllowed(model, from, to, port, 'TCP'), got: probe(from, to, port) });
          }
      const got = await Promise.all(cells.map((c) => c.got));
      const table = (which: 'want' | 'got'): string => cells.map((c, i) => `${(which === 'want' ? c.want : got[i]) ? 'ALLOW' : 'deny '} ${c.cell}`).join('\n');
      observed.push(matrixText(kc.name, cells.map((c, i) => ({ cell: c.cell, ok: got[i] }))));
      assert.equal(table('got'), table('want'));
    });
  }
});
