/** The diff from a running lab's plan to its changed file's (issue 15.1): golden diffs of small lab pairs, and its parts. */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { compileContext, loadLab, planOf } from '../../runner/api.ts';
import { appliedOf, diffPlans, iptablesReplace, nftReplace, withoutComments, type Applied } from '../../runner/plan/diff.ts';
import { printDiff } from '../../runner/plan/diff-print.ts';
import { expectGolden } from './golden.ts';

const FIX = 'test/unit/fixtures/diff';
const GOLDEN = 'test/unit/golden/diff';

function applied(file: string): Applied {
  const { lab } = loadLab(join(FIX, file));
  const ctx = compileContext(lab.name, ['lab'], { 'net.ipv4.ip_forward': '0', 'net.ipv6.conf.all.forwarding': '0' });
  return appliedOf(lab, planOf(lab, { ...ctx, labDir: '/run/nslab/c4-bgp' }));
}

const diff = (a: string, b: string): ReturnType<typeof diffPlans> => diffPlans(applied(a), applied(b), '/run/nslab/c4-bgp/apply');

describe('plan diff (lab up of a changed file)', () => {
  for (const [name, to] of [
    ['add-host', 'bgp-add-host.lab.yaml'],
    ['remove-host', 'bgp-remove-host.lab.yaml'],
    ['change', 'bgp-change.lab.yaml'],
  ] as const) {
    it(`bgp → ${name}: the golden diff`, () => {
      const d = diff('bgp.lab.yaml', to);
      expectGolden(join(GOLDEN, `bgp-${name}.diff.sh`), printDiff(d, { file: join(FIX, 'bgp.lab.yaml') }));
    });
  }

  it('the same file: nothing to do', () => {
    const d = diff('bgp.lab.yaml', 'bgp.lab.yaml');
    assert.ok(d.empty);
    assert.deepEqual(d.changes, []);
  });

  it('adding a host: only it and its router change; the other routers are not touched; r1 reloads its BIRD configuration', () => {
    const d = diff('bgp.lab.yaml', 'bgp-add-host.lab.yaml');
    assert.deepEqual(d.added, ['h4']);
    assert.deepEqual(d.removed, []);
    assert.deepEqual(d.rebuilds, []);
    assert.deepEqual(d.removals, []);
    const touched = new Set(d.forward.steps.map((s) => ('ns' in s.op ? s.op.ns : s.op.type === 'file' ? s.op.lane : undefined)).filter(Boolean));
    assert.ok(!touched.has('nsl.c4-bgp.r2') && !touched.has('nsl.c4-bgp.r3'), `touched ${[...touched].join(', ')}`);
    const reload = d.forward.steps.find((s) => s.id === 'r1.bird.configure');
    assert.ok(reload && reload.op.type === 'exec' && reload.op.argv.includes('configure'));
    assert.ok(!d.forward.steps.some((s) => s.op.type === 'daemon' && s.op.node !== 'h4'), 'no daemon but the new node\'s is started');
    assert.ok(!d.forward.steps.some((s) => s.op.type === 'container'), 'no container is made');
  });

  it('removing a host: its node goes whole, and its router\'s end of the link with it (no undo line for it)', () => {
    const d = diff('bgp.lab.yaml', 'bgp-remove-host.lab.yaml');
    assert.deepEqual(d.removed, ['h3']);
    const node = d.removals.find((r) => r.type === 'node');
    assert.ok(node && node.type === 'node' && node.ns === 'nsl.c4-bgp.h3');
    assert.ok(!d.removals.some((r) => r.type === 'ip' && r.lines.some((l) => l.includes('eth2'))), 'r3:eth2 goes with the link');
  });

  it('a node whose kind changed is rebuilt, with the reason and its links named', () => {
    const d = diff('bgp.lab.yaml', 'bgp-change.lab.yaml');
    assert.equal(d.rebuilds.length, 1);
    assert.equal(d.rebuilds[0].node, 'h3');
    assert.match(d.rebuilds[0].reason, /kind changed from netns to container/);
    assert.deepEqual(d.rebuilds[0].links, ['r3:eth2–h3:eth0']);
    // h1 changed in place: the old address deleted, the new one added, the new route added
    const undo = d.removals.find((r) => r.type === 'ip' && r.ns === 'nsl.c4-bgp.h1');
    assert.ok(undo && undo.type === 'ip' && undo.lines.includes('addr del 10.1.0.10/24 dev eth0'));
    assert.ok(d.forward.steps.some((s) => s.op.type === 'ip' && s.op.args.join(' ') === 'addr add 10.1.0.11/24 dev eth0'));
  });

  it('a link made again (its MTU changed): the routes of its namespaces are put back, those via a gateway too', () => {
    const d = diff('routed.lab.yaml', 'routed-mtu.lab.yaml');
    const lines = (ns: string): string[] => d.forward.steps.flatMap((s) => (s.op.type === 'ip' && s.op.ns === ns ? [s.op.args.join(' ')] : []));
    assert.ok(d.forward.steps.some((s) => s.op.type === 'ip' && s.op.args.includes('mtu') && s.op.args.includes('b1-eth0')), 'the link is made again with its MTU');
    assert.ok(lines('nsl.c4-routed.b1').includes('route replace default via 10.2.0.1'), `b1's default route is put back: ${lines('nsl.c4-routed.b1').join('; ')}`);
  });

  it('a sysctl no longer set (forwarding turned off) goes back to what a new namespace starts with, as a fresh up leaves it', () => {
    const d = diff('routed.lab.yaml', 'routed-fwd-off.lab.yaml');
    const set = d.forward.steps.flatMap((s) => (s.op.type === 'sysctl' && s.op.ns === 'nsl.c4-routed.r' ? s.op.values.map(([k, v]) => `${k}=${v}`) : []));
    assert.deepEqual(set.sort(), ['net.ipv4.ip_forward=0', 'net.ipv6.conf.all.forwarding=0']);
    assert.ok(d.changes.some((c) => /r: sysctl net\.ipv4\.ip_forward=0 \(no longer set: back to what a new namespace starts with\)/.test(c)), d.changes.join('\n'));
  });

  it('an interface\'s first IPv4 address removed: the kernel deletes its secondaries with it, so they are put back (addr replace), in order', () => {
    const d = diff('veth-addrs.lab.yaml', 'veth-addrs-first-gone.lab.yaml');
    const undo = d.removals.find((r) => r.type === 'ip' && r.ns === 'nsl.c4-veth.c1');
    assert.ok(undo && undo.type === 'ip' && undo.lines.includes('addr del 10.0.0.1/24 dev eth0'));
    const c1 = d.forward.steps.flatMap((s) => (s.op.type === 'ip' && s.op.ns === 'nsl.c4-veth.c1' ? [s.op.args.join(' ')] : []));
    assert.deepEqual(c1, ['addr replace 10.0.0.9/24 dev eth0', 'addr replace 10.0.0.10/24 dev eth0']);
  });

  it('the same IPv4 addresses in another order (another primary): deleted and put back in the new order', () => {
    const d = diff('veth-addrs.lab.yaml', 'veth-addrs-reordered.lab.yaml');
    assert.ok(!d.empty, 'a new primary is a change');
    const undo = d.removals.find((r) => r.type === 'ip' && r.ns === 'nsl.c4-veth.c1');
    assert.ok(undo && undo.type === 'ip' && undo.lines.includes('addr del 10.0.0.1/24 dev eth0'), JSON.stringify(d.removals));
    const c1 = d.forward.steps.flatMap((s) => (s.op.type === 'ip' && s.op.ns === 'nsl.c4-veth.c1' ? [s.op.args.join(' ')] : []));
    assert.deepEqual(c1, ['addr replace 10.0.0.9/24 dev eth0', 'addr replace 10.0.0.1/24 dev eth0', 'addr replace 10.0.0.10/24 dev eth0']);
    assert.ok(diff('veth-addrs.lab.yaml', 'veth-addrs.lab.yaml').empty);
  });

  it('a sysctl no longer set whose starting value is not known: its node is rebuilt (a new namespace starts from the kernel\'s value), and says why', () => {
    const d = diff('routed-sysctl.lab.yaml', 'routed.lab.yaml');
    assert.deepEqual(d.rebuilds.map((r) => r.node), ['b1']);
    assert.match(d.rebuilds[0].reason, /sysctl net\.ipv4\.conf\.all\.rp_filter, net\.ipv4\.conf\.eth0\.rp_filter no longer set/);
    // set, or changed to another value: in place
    const back = diff('routed.lab.yaml', 'routed-sysctl.lab.yaml');
    assert.deepEqual(back.rebuilds, []);
  });

  it('iptables: a built-in chain\'s policy the new set no longer declares goes back to ACCEPT (a new namespace\'s), as when the NAT is removed', () => {
    const old = '*filter\n:FORWARD DROP [0:0]\n:DOCKER - [0:0]\n-A FORWARD -o docker0 -j DOCKER\nCOMMIT\n';
    assert.equal(iptablesReplace(old, ''), '*filter\n:DOCKER - [0:0]\n:FORWARD ACCEPT [0:0]\n-D FORWARD -o docker0 -j DOCKER\n-X DOCKER\nCOMMIT\n');
    // declared by the new set: its policy is the new set's
    assert.ok(!iptablesReplace(old, '*filter\n:FORWARD DROP [0:0]\nCOMMIT\n').includes('ACCEPT'));
  });

  it('a rule set removed: its removal records nothing as made (the state drops it), and puts the FORWARD policy back', () => {
    const d = diff('nat.lab.yaml', 'nat-removed.lab.yaml');
    const rm = d.forward.steps.filter((s) => s.id.startsWith('remove.'));
    assert.ok(rm.length >= 1, d.changes.join('\n'));
    for (const s of rm) assert.equal(s.creates, undefined, `${s.id} creates nothing`);
    assert.ok(rm.some((s) => s.op.type === 'load' && s.op.input.includes(':FORWARD ACCEPT [0:0]')), 'FORWARD accepts again');
  });

  it('comments (which name lab-file lines) are not a change', () => {
    assert.equal(withoutComments('a # x\n# y\nb\n'), withoutComments('a # z\nb'));
  });

  it('nft: the old tables are replaced in the same transaction', () => {
    assert.equal(nftReplace('table inet f {\n chain c { }\n}\n', 'table inet f {\n chain d { }\n}\n'), 'add table inet f\ndelete table inet f\ntable inet f {\n chain d { }\n}\n');
    // a text that replaces its table already is left as it is
    assert.equal(nftReplace('add table ip kp\ndelete table ip kp\n', 'add table ip kp\ndelete table ip kp\nx\n'), 'add table ip kp\ndelete table ip kp\nx\n');
  });

  it('iptables: old rules of built-in chains deleted, chains re-declared, stale chains deleted, in one COMMIT per table', () => {
    const old = '*filter\n:KUBE-A - [0:0]\n:KUBE-OLD - [0:0]\n-A INPUT -j KUBE-A\n-A FORWARD -j KUBE-OLD\n-A KUBE-A -j ACCEPT\nCOMMIT\n';
    const next = '*filter\n:KUBE-A - [0:0]\n-A INPUT -j KUBE-A\n-A KUBE-A -j DROP\nCOMMIT\n';
    assert.equal(iptablesReplace(old, next), '*filter\n:KUBE-A - [0:0]\n:KUBE-OLD - [0:0]\n-D INPUT -j KUBE-A\n-D FORWARD -j KUBE-OLD\n-A INPUT -j KUBE-A\n-A KUBE-A -j DROP\n-X KUBE-OLD\nCOMMIT\n');
  });
});
