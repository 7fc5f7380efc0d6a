/**
 * Issue 15 without root: a node's slice of the plan (what `lab restart` runs again), and the converge test and the
 * failure actions resolved through the real loader and judged against a recording RunContext with a fake LabControl.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { converge, type ConvergeParams } from '../../assertions/converge.ts';
import { restart } from '../../assertions/node-action.ts';
import { link, type LinkParams } from '../../assertions/link-action.ts';
import type { ExecOptions, ExecResult, LabControl, RunContext } from '../../assertions/types.ts';
import { parseLabText } from '../../runner/config/load.ts';
import { compileContext, planOf } from '../../runner/lab/load.ts';
import { linkEnds, nodeSlice } from '../../runner/plan/node-slice.ts';
import { resolveLab } from '../../runner/resolve/resolve.ts';
import type { ResolvedLab } from '../../runner/model/types.ts';

const ROOT = join(import.meta.dirname, '../..');

function labOf(file: string, tests?: string): ResolvedLab {
  let text = readFileSync(join(ROOT, file), 'utf8');
  if (tests !== undefined) text = tests ? `${text.split('\ntests:\n')[0]}\ntests:\n${tests}` : text.split('\ntests:\n')[0];
  const r = resolveLab(parseLabText(join(ROOT, file), text));
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => d.message), []);
  return r.lab!;
}

const argsOf = (s: { op: { type: string } }): string => ((s.op as { args?: readonly string[] }).args ?? []).join(' ');

describe('node slice (issue 15.5): what restarting a node runs again', () => {
  const lab = labOf('labs/ebgp-triangle/lab.yaml', '');
  const plan = planOf(lab, compileContext(lab.name, ['node', 'main.js'], { 'net.ipv4.ip_forward': '0', 'net.ipv6.conf.all.forwarding': '0' }));

  it('reads both ends of a veth link', () => {
    assert.deepEqual(linkEnds(['link', 'add', 'eth1', 'netns', 'A', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', 'B']), [
      { ns: 'A', dev: 'eth1' },
      { ns: 'B', dev: 'eth0' },
    ]);
    assert.deepEqual(linkEnds(['addr', 'add', '10.0.0.1/24', 'dev', 'eth0']), []);
  });

  it('a BIRD router: its container (started again, not created), its three links, its addresses, its BIRD; on the far ends the addresses, link state and routes', () => {
    const s = nodeSlice(plan, 'r1', 'nsl.ebgp-triangle.r1')!;
    assert.deepEqual(s.containers.map((c) => [c.spec.name, c.expose]), [['nsl.ebgp-triangle.r1', 'nsl.ebgp-triangle.r1']]);
    assert.deepEqual(s.devs, ['eth0', 'eth1', 'eth2']);
    assert.deepEqual(s.peers, [
      { ns: 'nsl.ebgp-triangle.r2', dev: 'eth0' },
      { ns: 'nsl.ebgp-triangle.r3', dev: 'eth0' },
      { ns: 'nsl.ebgp-triangle.h1', dev: 'eth0' },
    ]);
    assert.ok(!s.steps.some((x) => x.op.type === 'container' || x.op.type === 'file'), 'the container and bird.conf are kept, not made again');
    assert.deepEqual(s.steps.filter((x) => x.phase === 'links').map((x) => x.id), ['link0.veth', 'link1.veth', 'link3.veth']);
    const mine = s.steps.filter((x) => 'ns' in x.op && x.op.ns === 'nsl.ebgp-triangle.r1');
    assert.ok(mine.some((x) => argsOf(x) === 'addr add 10.0.12.1/24 dev eth0'));
    assert.ok(mine.some((x) => x.op.type === 'sysctl'));
    assert.deepEqual(s.steps.filter((x) => x.op.type === 'daemon').map((x) => x.id), ['r1.bird']);
    // the other ends: r2's eth0 and h1's eth0 get their address and state back, h1 its default route (replace)
    const far = s.steps.filter((x) => 'ns' in x.op && x.op.ns !== 'nsl.ebgp-triangle.r1').map((x) => `${(x.op as { ns: string }).ns.split('.').pop()}: ${argsOf(x)}`);
    assert.deepEqual(far.sort(), [
      'h1: addr add 10.1.0.10/24 dev eth0',
      'h1: link set eth0 up',
      'h1: route replace default via 10.1.0.1',
      'r2: addr add 10.0.12.2/24 dev eth0',
      'r2: link set eth0 up',
      'r3: addr add 10.0.13.3/24 dev eth0',
      'r3: link set eth0 up',
    ]);
    // nothing of the links between the others (r2–r3) nor of r2's other interfaces
    assert.ok(!s.steps.some((x) => argsOf(x).includes('eth1') && 'ns' in x.op && x.op.ns === 'nsl.ebgp-triangle.r2'));
  });

  it('a plain node: its namespace is made again; not a namespace of the lab: undefined', () => {
    const s = nodeSlice(plan, 'h1', 'nsl.ebgp-triangle.h1')!;
    assert.deepEqual(s.containers, []);
    assert.deepEqual(s.steps.filter((x) => x.phase === 'namespaces').map(argsOf), ['netns add nsl.ebgp-triangle.h1']);
    assert.equal(nodeSlice(plan, 'h9', 'nsl.ebgp-triangle.h9'), undefined);
  });
});

/** A RunContext whose commands answer from `answer`, and a LabControl that records what it was asked. */
function fakeCtx(answer: (argv: readonly string[]) => Partial<ExecResult>, asked: string[] = []): RunContext {
  const control: LabControl = {
    async node(node, op) {
      asked.push(`${op} ${node}`);
      return { text: `node ${node} ${op}ed`, pids: { bird: 4242 }, ms: 5 };
    },
    async impair(node, dev) {
      asked.push(`impair ${node}:${dev}`);
      return { ok: true, text: 'changed', command: '' };
    },
    async kill(node, daemon, signal) {
      asked.push(`kill ${node} ${daemon} ${signal}`);
      return { pids: [77] };
    },
    async linkUp(node, dev) {
      asked.push(`linkUp ${node}:${dev}`);
      return { ok: true, text: `${dev} up; 1 route restored`, command: `ip netns exec nsl.x.${node} ip link set dev ${dev} up` };
    },
  };
  return {
    async exec(node: string, argv: readonly string[], _o?: ExecOptions): Promise<ExecResult> {
      asked.push(`${node}: ${argv.join(' ')}`);
      return { exitCode: 0, stdout: '', stderr: '', command: argv.join(' '), timedOut: false, ...answer(argv) };
    },
    background: () => Promise.reject(new Error('no background')),
    measurement: () => undefined,
    lab: control,
  };
}

describe('converge (issue 15.3)', () => {
  const tests = `  - name: flap
    converge:
      action: { link: { node: r1, dev: eth1, state: flap, for: 100ms } }
      until: { route: { node: r1, to: 10.3.0.0/24, via: 10.0.12.2 } }
      within: 3s
      interval: 10ms
  - name: restart
    converge:
      action: { restart: { node: r1 } }
      until: { ping: { from: h1, to: h3, count: 1 } }
      within: 50ms
      timeout: 200ms
      interval: 10ms
`;
  const lab = labOf('labs/ebgp-triangle/lab.yaml', tests);
  const flap = lab.tests[0].params as unknown as ConvergeParams;
  const rst = lab.tests[1].params as unknown as ConvergeParams;

  it('resolves its action and condition with the tests of those names', () => {
    assert.equal(flap.action.type, 'link');
    assert.deepEqual(flap.action.params as LinkParams, { node: 'r1', dev: 'eth1', state: 'flap', forMs: 100 });
    assert.equal(flap.until.type, 'route');
    assert.equal(flap.withinMs, 3000);
    assert.equal(flap.timeoutMs, 13000);
    assert.equal(converge.describe(flap), 'flap r1:eth1 (down 100ms), then route r1 → 10.3.0.0/24 via 10.0.12.2 within 3s'.replace('route r1 → 10.3.0.0/24 via 10.0.12.2', flap.until.text));
    assert.equal(rst.timeoutMs, 200);
  });

  it('measures the time until the condition holds: the route moves on the third probe; the flapped link comes back up', async () => {
    let probes = 0;
    const asked: string[] = [];
    const ctx = fakeCtx((argv) => {
      if (argv[1] === '-j') {
        probes++;
        const via = probes >= 3 ? '10.0.12.2' : '10.0.13.3';
        return { stdout: JSON.stringify([{ dst: '10.3.0.0/24', gateway: via, dev: 'eth0' }]) };
      }
      return {};
    }, asked);
    const o = await converge.run(flap, ctx);
    assert.ok(o.ok, o.seen);
    assert.equal(typeof o.convergeMs, 'number');
    assert.ok(o.convergeMs! < 3000);
    assert.match(o.seen, /^converged in \d+ms \(3 probes\): .*eth1 was down for 100ms, then up; 1 route restored$/);
    // down in the node; up through the lab, which puts back what the plan configured on the link (issue 15.2)
    assert.deepEqual(asked.filter((a) => a.includes('link set') || a.startsWith('linkUp')), ['r1: ip link set dev eth1 down', 'linkUp r1:eth1']);
    assert.equal((o.details as { probes: number }).probes, 3);
  });

  it('over the threshold: fails, with the time it took; never holding: fails after the timeout, saying what the last probe saw', async () => {
    let t0 = 0;
    const slow = fakeCtx((argv) => (argv[0] === 'ping' ? (Date.now() - t0 > 80 ? { stdout: '1 packets transmitted, 1 received, 0% packet loss\nrtt min/avg/max/mdev = 0.1/0.1/0.1/0.0 ms' } : { exitCode: 1, stdout: '1 packets transmitted, 0 received, 100% packet loss' }) : {}));
    t0 = Date.now();
    const o = await converge.run(rst, slow);
    assert.equal(o.ok, false);
    assert.match(o.seen, /^converged in \d+ms, over the 50ms allowed/);
    const never = fakeCtx((argv) => (argv[0] === 'ping' ? { exitCode: 1, stdout: '1 packets transmitted, 0 received, 100% packet loss' } : {}));
    const n = await converge.run(rst, never);
    assert.equal(n.ok, false);
    assert.equal(n.convergeMs, undefined);
    assert.match(n.seen, /^not converged: .* did not hold within 200ms/);
  });

  it('a converge test and the node actions are never retried (they would apply the failure again)', () => {
    assert.equal(converge.once, true);
    assert.equal(restart.once, true);
    assert.equal(link.once, undefined); // taking a link down twice is harmless
  });

  it('restart asks the lab; without a lab behind the run it fails and says why', async () => {
    const asked: string[] = [];
    const o = await restart.run({ node: 'r1' }, fakeCtx(() => ({}), asked));
    assert.ok(o.ok);
    assert.deepEqual(asked, ['restart r1']);
    const { lab: _gone, ...bare } = fakeCtx(() => ({}));
    const n = await restart.run({ node: 'r1' }, bare);
    assert.equal(n.ok, false);
    assert.match(n.seen, /no running lab/);
  });
});

describe('impair (issue 15.2): the commands that change a running link', () => {
  it('rate: tbf replaced on this end (or removed); loss: the drop table on the veth peer replaced in one transaction (or removed)', async () => {
    const { liveImpairCommands } = await import('../../runner/plan/impair.ts');
    const lab = labOf('labs/ebgp-triangle/lab.yaml', '');
    const cmds = liveImpairCommands(lab, 'r1', 'eth1', { rateBps: 10e6, lossPct: 5 });
    assert.deepEqual(cmds[0].argv, ['tc', 'qdisc', 'replace', 'dev', 'eth1', 'root', 'tbf', 'rate', '10mbit', 'burst', '5000b', 'latency', '50ms']);
    assert.equal(cmds[0].ns, 'nsl.ebgp-triangle.r1');
    assert.equal(cmds[1].ns, 'nsl.ebgp-triangle.r3');
    assert.deepEqual(cmds[1].argv, ['nft', '-f', '-']);
    assert.equal(
      cmds[1].input,
      'add table netdev nslab_impair_eth0\ndelete table netdev nslab_impair_eth0\ntable netdev nslab_impair_eth0 {\n  chain ingress {\n    type filter hook ingress device "eth0" priority -500; policy accept;\n    numgen random mod 100 < 5 drop\n  }\n}\n',
    );
    const off = liveImpairCommands(lab, 'r1', 'eth1', { rateBps: 'none', lossPct: 0 });
    assert.deepEqual(off[0].argv, ['tc', 'qdisc', 'del', 'dev', 'eth1', 'root']);
    assert.equal(off[1].input, 'add table netdev nslab_impair_eth0\ndelete table netdev nslab_impair_eth0\n');
  });
});
