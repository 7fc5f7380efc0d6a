/**
 * Issue 15.2: what a link brought up gets back — the addresses and routes the plan configured on the interface and
 * on its veth peer, picked from the compiled plan (runner/plan/link-up.ts), `add` turned into `replace`.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLabText } from '../../runner/config/load.ts';
import { compileContext, planOf } from '../../runner/lab/load.ts';
import { linkUpCommands, restoredText, restoreOn, vethPeerEnd } from '../../runner/plan/link-up.ts';
import { resolveLab } from '../../runner/resolve/resolve.ts';
import type { Plan } from '../../runner/plan/ops.ts';
import type { ResolvedLab } from '../../runner/model/types.ts';
import { exercisesOf } from '../../runner/handout/exercises.ts';

const ROOT = join(import.meta.dirname, '../..');

function labFor(file: string): ResolvedLab {
  const r = resolveLab(parseLabText(file, readFileSync(file, 'utf8')));
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  return r.lab!;
}

function planFor(file: string, lab = labFor(file)): Plan {
  return planOf(lab, compileContext(lab.name, ['node', 'main.js'], { 'net.ipv4.ip_forward': '0', 'net.ipv6.conf.all.forwarding': '0' }));
}

const shown = (cmds: ReturnType<typeof linkUpCommands>): string[] => cmds.map((c) => `${c.ns.split('.').pop()}: ${c.argv.join(' ')}`);

describe('link up (issue 15.2): what the plan configured on a link, put back', () => {
  const line = planFor(join(ROOT, 'test/unit/fixtures/fl-line.lab.yaml'));

  it('a static route without a dev, whose gateway is reached through the interface, and both families; then the peer end', () => {
    assert.deepEqual(vethPeerEnd(line, 'nsl.fl-line.a', 'eth0'), { ns: 'nsl.fl-line.r', dev: 'eth0' });
    const cmds = linkUpCommands(line, 'nsl.fl-line.a', 'eth0');
    assert.deepEqual(shown(cmds), [
      'a: ip addr replace 10.31.1.1/24 dev eth0',
      'a: ip addr replace fd00:31:1::1/64 dev eth0 nodad',
      'a: ip route replace 10.31.2.0/24 via 10.31.1.2',
      'a: ip route replace fd00:31:2::/64 via fd00:31:1::2',
      // r's end of the link: its addresses (IPv6 ones may go with the carrier); r has no static route
      'r: ip addr replace 10.31.1.2/24 dev eth0',
      'r: ip addr replace fd00:31:1::2/64 dev eth0 nodad',
    ]);
    assert.equal(restoredText(cmds), '2 routes, 4 addresses restored');
  });

  it("only that interface: r's other link (eth1) and b's routes are not touched by a flap of r:eth0", () => {
    assert.deepEqual(shown(restoreOn(line, 'nsl.fl-line.r', 'eth0')), ['r: ip addr replace 10.31.1.2/24 dev eth0', 'r: ip addr replace fd00:31:1::2/64 dev eth0 nodad']);
    assert.ok(!shown(linkUpCommands(line, 'nsl.fl-line.r', 'eth0')).some((l) => l.startsWith('b:') || l.includes('eth1')));
    assert.deepEqual(shown(linkUpCommands(line, 'nsl.fl-line.r', 'eth1')).filter((l) => l.startsWith('b:')), [
      'b: ip addr replace 10.31.2.2/24 dev eth0',
      'b: ip addr replace fd00:31:2::2/64 dev eth0 nodad',
      'b: ip route replace 10.31.1.0/24 via 10.31.2.1',
      'b: ip route replace fd00:31:1::/64 via fd00:31:2::1',
    ]);
  });

  it("flannel host-gw: a node's underlay interface gets back its address, the Service range route and the other node's pod block; its peer is a bridge port (nothing to put back)", () => {
    const plan = planFor(join(ROOT, 'labs/k8s-flannel-host-gw/lab.yaml'));
    const cmds = linkUpCommands(plan, 'nsl.k8s-flannel-host-gw.node-1', 'eth0');
    assert.deepEqual(shown(cmds), [
      'node-1: ip addr replace 192.168.56.11/24 dev eth0',
      'node-1: ip route replace 10.96.0.0/12 dev eth0',
      'node-1: ip route replace 10.244.1.0/24 via 192.168.56.12 dev eth0',
    ]);
    assert.equal(restoredText(cmds), '2 routes, 1 address restored');
    // cni0 and the pods' veths are other interfaces: not put back
    assert.ok(!cmds.some((c) => c.argv.includes('cni0')));
  });

  it('a pod: its default route via the cni0 gateway', () => {
    const plan = planFor(join(ROOT, 'labs/k8s-flannel-host-gw/lab.yaml'));
    assert.deepEqual(shown(restoreOn(plan, 'nsl.k8s-flannel-host-gw.web-1', 'eth0')).map((l) => l.replace(/\d+\.\d+\.\d+\.\d+\/24/, 'A/24')), ['web-1: ip addr replace A/24 dev eth0', 'web-1: ip route replace default via 10.244.0.1']);
  });

  it('an interface the plan configured nothing on: nothing to put back', () => {
    assert.deepEqual(linkUpCommands(line, 'nsl.fl-line.a', 'eth9'), []);
    assert.equal(restoredText([]), 'nothing of the plan to restore');
  });

  it("the handout's exercise lists the commands that put them back after `ip link set … up`, in the nodes they run in", () => {
    const file = join(ROOT, 'test/unit/fixtures/fl-line.lab.yaml');
    const lab = labFor(file);
    const e = exercisesOf(lab, undefined, planFor(file, lab)).find((x) => x.test.type === 'link')!;
    assert.deepEqual(e.commands.map((c) => c.text), [
      'ip netns exec nsl.fl-line.a ip link set dev eth0 down',
      'ip netns exec nsl.fl-line.a ip link set dev eth0 up',
      'ip netns exec nsl.fl-line.a ip addr replace 10.31.1.1/24 dev eth0',
      'ip netns exec nsl.fl-line.a ip addr replace fd00:31:1::1/64 dev eth0 nodad',
      'ip netns exec nsl.fl-line.a ip route replace 10.31.2.0/24 via 10.31.1.2',
      'ip netns exec nsl.fl-line.a ip route replace fd00:31:2::/64 via fd00:31:1::2',
      'ip netns exec nsl.fl-line.r ip addr replace 10.31.1.2/24 dev eth0',
      'ip netns exec nsl.fl-line.r ip addr replace fd00:31:1::2/64 dev eth0 nodad',
    ]);
    assert.deepEqual(e.commands.slice(2).map((c) => c.node), ['a', 'a', 'a', 'a', 'r', 'r']);
    assert.match(e.doThis, /brings back only the kernel's own routes/);
    // without the plan: `ip link set up` alone
    assert.equal(exercisesOf(lab).find((x) => x.test.type === 'link')!.commands.length, 2);
  });

  it('a converge test bringing a link up: the check comes after the link up and what it puts back; for a flap, right after the down', () => {
    const file = join(ROOT, 'test/unit/fixtures/fl-line.lab.yaml');
    const head = readFileSync(file, 'utf8').split('\ntests:\n')[0];
    const tests = `  - link: { node: a, dev: eth0, state: down }
  - name: up
    converge:
      action: { link: { node: a, dev: eth0, state: up } }
      until: { ping: { from: a, to: 10.31.2.2, count: 1 } }
      within: 5s
  - name: flap
    converge:
      action: { link: { node: a, dev: eth0, state: flap, for: 1s } }
      until: { route: { node: a, to: 10.31.1.0/24, dev: eth0 } }
      within: 5s
`;
    const r = resolveLab(parseLabText(file, `${head}\ntests:\n${tests}`));
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
    const lab = r.lab!;
    const ex = exercisesOf(lab, undefined, planFor(file, lab));
    const up = ex.find((e) => e.test.name === 'up')!.commands.map((c) => c.text);
    assert.equal(up.length, 8);
    assert.match(up[0], /ip link set dev eth0 up$/);
    assert.match(up[6], /ip addr replace fd00:31:1::2\/64 dev eth0 nodad$/);
    assert.match(up[7], /ping .*10\.31\.2\.2$/);
    const flap = ex.find((e) => e.test.name === 'flap')!.commands.map((c) => c.text);
    assert.match(flap[0], /link set dev eth0 down$/);
    assert.match(flap[1], /nsl\.fl-line\.a ip .*route/); // the check, while the link is down
    assert.match(flap[2], /link set dev eth0 up$/);
    assert.equal(flap.length, 9);
  });
});
