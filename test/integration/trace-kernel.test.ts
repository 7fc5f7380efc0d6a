/**
 * The kernel's walk (issue 12, runner/trace/kernel.ts) on the real kernel: one probe traced through running labs —
 * three routers in a line (forward and reply, and a drop by r2's firewall), a DNAT'ed published port (bridge-nat), a
 * ClusterIP through kube-proxy in iptables and in nftables mode to a pod on the other node over flannel-vxlan (the
 * VNI shown), a packet dropped by a NetworkPolicy, a BGP-learned route after a link failure — and that nothing of a
 * trace remains: no trace table, no monitor, also after a trace killed with SIGKILL (the next trace and `lab down`
 * clean up).
 *
 * Each lab runs under a name of its own (it-trace-…), and only what this file brought up is brought down.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { loadLab } from '../../runner/api.ts';
import { labNetns, pidsInNetns } from '../../runner/exec/host.ts';
import type { Hop, TraceFlow, TraceProto, Walk } from '../../runner/model/trace.ts';
import type { ResolvedLab } from '../../runner/model/types.ts';
import { traceKernel, TraceUnavailable } from '../../runner/trace/kernel.ts';
import { needRoot, needTools } from '../needs.ts';
import { expectOk, lab, labLeftovers, pidAlive, ROOT, tempDir } from './helpers.ts';

interface Lab {
  readonly name: string;
  readonly file: string;
  resolved?: ResolvedLab;
}

const dir = tempDir();
const up = new Set<Lab>();
const times: string[] = [];

/** A lab file under another name (and, optionally, with one more change), written to the temporary directory. */
function copyLab(path: string, name: string, edit: (text: string) => string = (t) => t): Lab {
  const text = edit(readFileSync(join(ROOT, path), 'utf8').replace(/^name: .*$/m, `name: ${name}`));
  assert.match(text, new RegExp(`^name: ${name}$`, 'm'));
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return { name, file };
}

async function bringUp(l: Lab): Promise<ResolvedLab> {
  up.add(l);
  expectOk(await lab(['up', l.file]), `lab up ${l.name}`);
  l.resolved = loadLab(l.file).lab;
  return l.resolved;
}

async function bringDown(l: Lab): Promise<void> {
  expectOk(await lab(['down', l.name]), `lab down ${l.name}`);
  up.delete(l);
}

function flow(from: string, dst: string, proto: TraceProto = 'icmp', port?: number): TraceFlow {
  return { from, dst, family: 4, proto, ...(port !== undefined ? { port } : {}), toText: port ? `${dst}:${port}` : dst, target: { kind: 'address' } };
}

const hops = (hs: readonly Hop[]): string => hs.map((h) => `${h.type === 'bridge' ? 'bridge ' : ''}${h.at}[${h.in ?? ''}>${h.out ?? ''}]`).join(' ');

/** The lab's namespaces that still hold a trace table, and the trace monitors still running in them. */
async function debris(name: string): Promise<string[]> {
  const left: string[] = [];
  const namespaces = labNetns(name);
  await Promise.all(
    namespaces.map(async (ns) => {
      const r = await execa('ip', ['netns', 'exec', ns, 'nft', 'list', 'tables'], { reject: false });
      if (String(r.stdout).includes('nsl_trace')) left.push(`table in ${ns}`);
    }),
  );
  for (const [pid, ns] of pidsInNetns(namespaces)) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmd.includes('monitor') && cmd.includes('trace') && pidAlive(pid)) left.push(`monitor ${pid} in ${ns}`);
    } catch {
      /* gone */
    }
  }
  return left;
}

/** Trace one flow, note how long it took, and check the trace left nothing behind. */
async function traced(l: Lab, what: string, f: TraceFlow): Promise<Walk> {
  const started = performance.now();
  const walk = await traceKernel(l.resolved!, f);
  times.push(`${what}: ${Math.round(performance.now() - started)} ms`);
  assert.deepEqual(await debris(l.name), [], `a trace of ${l.name} left something behind`);
  return walk;
}

describe('lab trace: the kernel walk on the real kernel', function () {
  this.timeout(900_000);

  before(() => {
    needRoot('tracing packets in lab namespaces');
    needTools(['ip', 'nft', 'conntrack', 'ss', 'ping', 'socat', 'timeout', 'nsenter'], 'apt-get install iproute2 nftables conntrack iputils-ping socat coreutils util-linux (or `bash scripts/setup.sh`)');
  });

  after(async () => {
    for (const l of [...up]) await bringDown(l).catch(() => undefined);
    if (times.length) console.log(`      trace times:\n${times.map((t) => `        ${t}`).join('\n')}`);
  });

  describe('three routers in a line (static routes)', () => {
    const l = copyLab('test/fixtures/trace-three-routers/lab.yaml', 'it-trace-3r');
    before(async () => void (await bringUp(l)));
    after(() => bringDown(l));

    it('a ping crosses r1, r2 and r3 and its reply comes back the same way, with each route', async () => {
      const w = await traced(l, 'three routers, icmp', flow('h1', '10.10.3.10'));
      assert.equal(hops(w.forward.hops), 'h1[>eth0] r1[eth0>eth1] r2[eth0>eth1] r3[eth0>eth1] h3[eth0>]');
      assert.deepEqual(w.forward.verdict, { kind: 'delivered', at: 'h3', address: '10.10.3.10' });
      assert.equal(hops(w.reply!.hops), 'h3[>eth0] r3[eth1>eth0] r2[eth1>eth0] r1[eth1>eth0] h1[eth0>]');
      assert.deepEqual(w.reply!.verdict, { kind: 'returned', at: 'h1' });
      assert.deepEqual(w.forward.hops[2].route, { dst: '10.10.3.0/24', table: 'main', via: '10.10.23.3', dev: 'eth1', protocol: 'boot' });
      assert.deepEqual(w.forward.hops.map((h) => h.packet?.ttl), [64, 64, 63, 62, 61], 'each router takes one off the TTL');
    });

    it('a TCP connection is delivered to the listening process', async () => {
      const w = await traced(l, 'three routers, tcp 80', flow('h1', '10.10.3.10', 'tcp', 80));
      const v = w.forward.verdict;
      assert.ok(v.kind === 'delivered' && v.port === 80 && /whoami/.test(v.process ?? ''), JSON.stringify(v));
      assert.equal(w.reply!.hops[0].packet?.what, 'tcp syn,ack');
    });

    it("r2's firewall drops TCP port 81: the walk ends at its rule", async () => {
      const w = await traced(l, 'three routers, tcp 81 dropped', flow('h1', '10.10.3.10', 'tcp', 81));
      assert.equal(hops(w.forward.hops), 'h1[>eth0] r1[eth0>eth1] r2[eth0>]');
      const v = w.forward.verdict;
      assert.ok(v.kind === 'dropped' && v.by === 'rule' && v.at === 'r2', JSON.stringify(v));
      assert.deepEqual(v.kind === 'dropped' && v.rule && [v.rule.family, v.rule.table, v.rule.chain, v.rule.rule], ['inet', 'guard', 'forward', 'tcp dport 81 drop']);
      assert.equal(w.reply, undefined);
    });

    it('a trace killed with SIGKILL leaves a lock and tables; the next trace removes them, and `lab down` what a second one left', async () => {
      const lock = `/run/nslab/${l.name}/trace.lock`;
      const kill = async (): Promise<number[]> => {
        // 10.10.3.99 does not exist: the probe waits for its answer, long enough to be killed mid-trace
        const child = execa(process.execPath, [join(ROOT, 'scripts/trace-kernel.ts'), l.file, 'h1', '10.10.3.99', '--timeout', '8000'], { reject: false });
        let monitors: number[] = [];
        for (let i = 0; i < 200 && !monitors.length; i++) {
          await new Promise((r) => setTimeout(r, 25));
          try {
            monitors = (JSON.parse(readFileSync(lock, 'utf8')) as { monitors: number[] }).monitors;
          } catch {
            /* not yet */
          }
        }
        await new Promise((r) => setTimeout(r, 400));
        child.kill('SIGKILL');
        await child;
        assert.ok(monitors.length, 'the killed trace had recorded its monitors');
        return monitors;
      };
      await kill();
      assert.ok(existsSync(lock), 'the killed trace left its lock');
      assert.notDeepEqual(await debris(l.name), [], 'the killed trace left its tables');
      const w = await traced(l, 'three routers, after a killed trace', flow('h1', '10.10.3.10'));
      assert.equal(w.forward.verdict.kind, 'delivered');
      assert.ok(!existsSync(lock));
      const monitors = await kill();
      await bringDown(l);
      assert.deepEqual(labLeftovers(l.name), []);
      assert.deepEqual(monitors.filter(pidAlive), [], 'no monitor of the killed trace survives `lab down`');
      await bringUp(l);
    });
  });

  describe('bridge-nat: a published port', () => {
    const l = copyLab('labs/bridge-nat/lab.yaml', 'it-trace-bnat');
    before(async () => void (await bringUp(l)));
    after(() => bringDown(l));

    it('is DNATed by host to h1:80, delivered, and the reply is translated back', async () => {
      const w = await traced(l, 'bridge-nat, DNAT 8080', flow('internet', '203.0.113.2', 'tcp', 8080));
      assert.equal(hops(w.forward.hops), 'internet[>eth0] host[eth0>docker0] h1[eth0>]');
      assert.equal(w.forward.hops[1].outPort, 'h1-eth0');
      assert.deepEqual(w.forward.hops[1].nat.map((n) => [n.type, n.before, n.after]), [['dnat', '203.0.113.2:8080', '172.17.0.2:80']]);
      const v = w.forward.verdict;
      assert.ok(v.kind === 'delivered' && v.at === 'h1' && v.address === '172.17.0.2' && v.port === 80, JSON.stringify(v));
      assert.deepEqual(w.reply!.hops[1].nat.map((n) => [n.type, n.before, n.after]), [['dnat', '172.17.0.2:80', '203.0.113.2:8080']]);
      assert.deepEqual(w.reply!.verdict, { kind: 'returned', at: 'internet' });
    });

    it('a lab that is down cannot be traced: TraceUnavailable says so and what to do', async () => {
      const other = copyLab('labs/bridge-nat/lab.yaml', 'it-trace-never-up');
      await assert.rejects(traceKernel(loadLab(other.file).lab, flow('internet', '203.0.113.2')), (e: unknown) => e instanceof TraceUnavailable && e.message === 'lab it-trace-never-up is not up' && /lab up .*--predict/.test(e.hint ?? ''));
    });
  });

  for (const mode of ['iptables', 'nftables'] as const) {
    describe(`a ClusterIP through kube-proxy in ${mode} mode to a pod on the other node (flannel-vxlan)`, () => {
      const l = copyLab(`labs/k8s-services-${mode}/lab.yaml`, `it-trace-svc-${mode.slice(0, 3)}`, (t) => t.replace(/^ {2}cni: .*$/m, '  cni: flannel-vxlan'));
      before(async () => void (await bringUp(l)));
      after(() => bringDown(l));

      it('is DNATed in node-1, wrapped in VXLAN (VNI 1), unwrapped in node-2, delivered, and comes back', async () => {
        // kube-proxy picks one of three endpoints at random: trace until it picks web-2 (the one on node-2)
        let w: Walk | undefined;
        for (let i = 0; i < 20 && !(w?.forward.verdict.kind === 'delivered' && w.forward.verdict.at === 'web-2'); i++) w = await traced(l, `k8s ${mode}, ClusterIP`, flow('client', '10.96.0.11', 'tcp', 80));
        assert.ok(w && w.forward.verdict.kind === 'delivered' && w.forward.verdict.at === 'web-2', `never reached web-2: ${JSON.stringify(w?.forward.verdict)}`);
        assert.equal(hops(w.forward.hops), 'client[>eth0] node-1[cni0>flannel.1] bridge k8s-net[node-1-eth0>node-2-eth0] node-2[flannel.1>cni0] web-2[eth0>]');
        const [, n1, , n2] = w.forward.hops;
        assert.deepEqual(n1.nat.map((n) => [n.type, n.before]), [['dnat', '10.96.0.11:80']]);
        assert.equal(n1.nat[0].after, `${(w.forward.verdict as { address: string }).address}:80`);
        assert.deepEqual([n1.encap?.type, n1.encap?.vni, n1.encap?.remote], ['vxlan', 1, '192.168.56.12']);
        assert.deepEqual([n2.decap?.type, n2.decap?.vni, n2.decap?.remote], ['vxlan', 1, '192.168.56.11']);
        assert.ok(n1.rules.some((r) => (mode === 'iptables' ? /^KUBE-SEP-/.test(r.chain) : /^endpoint-/.test(r.chain))), `kube-proxy's endpoint chain among node-1's rules: ${n1.rules.map((r) => r.chain).join(' ')}`);
        assert.deepEqual(w.reply!.verdict, { kind: 'returned', at: 'client' });
        assert.equal(w.reply!.hops.find((h) => h.at === 'node-1')?.nat[0]?.after, '10.96.0.11:80', 'the reply is translated back to the ClusterIP');
      });
    });
  }

  describe('k8s-networkpolicy: a packet a NetworkPolicy drops', () => {
    const l = copyLab('labs/k8s-networkpolicy/lab.yaml', 'it-trace-np');
    before(async () => void (await bringUp(l)));
    after(() => bringDown(l));

    it('monitor (namespace default) → api (prod) ends in node-2 at the policy chain', async () => {
      const api = l.resolved!.nodes.find((n) => n.name === 'api')!.interfaces.find((i) => i.name === 'eth0')!.addresses[0].split('/')[0];
      const w = await traced(l, 'k8s NetworkPolicy drop', flow('monitor', api, 'tcp', 80));
      const v = w.forward.verdict;
      assert.ok(v.kind === 'dropped' && v.by === 'rule' && v.at === 'node-2' && /^NSL-POL-IN-/.test(v.rule?.chain ?? ''), JSON.stringify(v));
      // the lab object behind the chain comes from runner/trace/objects.ts (helper model); when it names one, it is a NetworkPolicy of prod
      if (v.kind === 'dropped' && v.object) assert.match(v.object.name, /NetworkPolicy prod\//);
      assert.equal(w.reply, undefined);
    });
  });

  describe('ebgp-triangle: a BGP-learned route after a link failure', () => {
    const l = copyLab('labs/ebgp-triangle/lab.yaml', 'it-trace-bgp');
    before(async () => void (await bringUp(l)));
    after(() => bringDown(l));

    it('h1 → h3 goes r1 → r3 directly, then r1 → r2 → r3 once the r1–r3 link is down', async () => {
      const direct = await traced(l, 'eBGP, direct', flow('h1', '10.3.0.10'));
      assert.equal(hops(direct.forward.hops), 'h1[>eth0] r1[eth2>eth1] r3[eth0>eth2] h3[eth0>]');
      assert.equal(direct.forward.hops[1].route?.protocol, 'bird');
      await execa('ip', ['-n', `nsl.${l.name}.r1`, 'link', 'set', 'eth1', 'down']);
      for (let i = 0; i < 150; i++) {
        const r = await execa('ip', ['-n', `nsl.${l.name}.r1`, 'route', 'get', '10.3.0.10'], { reject: false });
        if (String(r.stdout).includes('via 10.0.12.2')) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      const around = await traced(l, 'eBGP, after the link failure', flow('h1', '10.3.0.10'));
      assert.equal(hops(around.forward.hops), 'h1[>eth0] r1[eth2>eth0] r2[eth0>eth1] r3[eth1>eth2] h3[eth0>]');
      assert.deepEqual(around.forward.hops[1].route, { dst: '10.3.0.0/24', table: 'main', via: '10.0.12.2', dev: 'eth0', protocol: 'bird' });
      assert.deepEqual(around.reply!.verdict, { kind: 'returned', at: 'h1' });
    });
  });
});
