import { strict as assert } from 'node:assert';
import { globMatch, inOrder, judgePath, natAddress, path, pathFlow, type PathParams } from '../../../assertions/path.ts';
import type { ExerciseContext, ResolveContext, RunContext } from '../../../assertions/types.ts';
import type { FlowRequest } from '../../../runner/model/trace.ts';
import { exerciseExpect } from '../../handout-commands/extract.ts';
import { errors, resolveCtx } from './helpers.ts';
import { policyWalk, reportOf, routedWalk } from './walks.ts';

const labCtx = (): ResolveContext => ({
  ...resolveCtx({ nodes: { a1: { eth0: '10.1.0.2' }, r: { eth0: '10.1.0.1', eth1: '10.2.0.1' }, b1: { eth0: '10.2.0.2' }, 'web-1': { eth0: '10.244.1.5' }, 'web-2': { eth0: '10.244.2.5' } } }),
  bridgeNames: ['lan-a', 'lan-b'],
});

const resolve = (raw: Record<string, unknown>) => path.resolve(raw, labCtx());
const base: PathParams = { from: 'a1', to: 'b1', verdict: 'delivered' };

function runCtx(trace?: RunContext['trace']): RunContext {
  return { exec: () => Promise.reject(new Error('unused')), background: () => Promise.reject(new Error('unused')), measurement: () => undefined, ...(trace ? { trace } : {}) };
}

describe('path', () => {
  describe('resolve', () => {
    it('resolves every key, and describes the test', () => {
      const r = resolve({ from: 'a1', to: 'web-1', proto: 'tcp', port: 8080, via: ['a1', 'lan-a', 'r', 'lan-b'], nat: { 'dnat-to': 'web-*', 'snat-to': '10.1.*' }, encap: 'vxlan', 'dropped-by': 'NetworkPolicy shop/web-only-client' });
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.params, {
        from: 'a1',
        to: 'web-1',
        proto: 'tcp',
        port: 8080,
        via: ['a1', 'lan-a', 'r', 'lan-b'],
        dnatTo: { text: 'web-*', addresses: ['10.244.1.5', '10.244.2.5'] },
        snatTo: { text: '10.1.*', addresses: [] },
        encap: 'vxlan',
        verdict: 'dropped',
        droppedBy: 'NetworkPolicy shop/web-only-client',
      });
      assert.equal(path.describe(r.params!), 'path a1 → web-1:8080/tcp (dropped)');
      assert.deepEqual(pathFlow(r.params!), { from: 'a1', to: 'web-1', proto: 'tcp', port: 8080 });
    });

    it('needs only from and to: the walk must then be delivered', () => {
      const r = resolve({ from: 'a1', to: 'b1' });
      assert.deepEqual(r.params, base);
      assert.deepEqual(pathFlow(r.params!), { from: 'a1', to: 'b1' });
    });

    it('takes TO as lab trace does: address:port and node:PORT too', () => {
      for (const to of ['10.2.0.2', '10.96.0.10:80', 'b1:30080', 'r:eth1']) assert.deepEqual(resolve({ from: 'a1', to }).diagnostics, [], to);
    });

    it('an unknown FROM or TO: a did-you-mean at its place', () => {
      const r = resolve({ from: 'a2', to: 'b3' });
      assert.equal(r.params, undefined);
      const e = errors(r.diagnostics);
      assert.deepEqual(e.map((d) => d.pos?.file), ['<from>', '<to>']);
      assert.match(e[0].hint ?? '', /"a1"/);
      assert.match(e[1].message, /^path\.to: unknown node "b3"/);
    });

    it('via names nodes and bridges of the lab (a * matches any characters)', () => {
      assert.deepEqual(resolve({ from: 'a1', to: 'b1', via: ['r', 'lan-*', 'web-?'] }).diagnostics, []);
      const r = resolve({ from: 'a1', to: 'b1', via: ['r', 'lan-c', 'x*'] });
      const e = errors(r.diagnostics);
      assert.deepEqual(e.map((d) => d.pos?.file), ['<via.1>', '<via.2>']);
      assert.match(e[0].message, /no node or bridge "lan-c"/);
      assert.match(e[0].hint ?? '', /did you mean "lan-a"/);
      assert.match(e[1].message, /no node or bridge matches "x\*"/);
      assert.match(e[1].hint ?? '', /lan-a, lan-b/);
    });

    it('a port needs tcp or udp; dropped-by only with a dropped verdict', () => {
      const r = resolve({ from: 'a1', to: 'b1', proto: 'icmp', port: 80, verdict: 'delivered', 'dropped-by': 'FORWARD' });
      assert.deepEqual(errors(r.diagnostics).map((d) => d.pos?.file), ['<port>', '<dropped-by>']);
      assert.ok(r.diagnostics.every((d) => d.hint));
      assert.equal(resolve({ from: 'a1', to: 'b1', verdict: 'dropped', 'dropped-by': 'FORWARD' }).params?.verdict, 'dropped');
    });

    it('a NAT target is an address (pattern) or names nodes', () => {
      const r = resolve({ from: 'a1', to: 'b1', nat: { 'dnat-to': 'wbe-1', 'snat-to': 'db-*' } });
      const e = errors(r.diagnostics);
      assert.deepEqual(e.map((d) => d.pos?.file), ['<nat.dnat-to>', '<nat.snat-to>']);
      assert.match(e[0].hint ?? '', /did you mean "web-1"/);
      assert.match(e[1].message, /pattern matching any node/);
      for (const t of ['10.244.1.5', '10.96.0.10:80', '[fd00::5]:80', '10.244.*', 'fd00::*']) assert.deepEqual(resolve({ from: 'a1', to: 'b1', nat: { 'dnat-to': t } }).diagnostics, [], t);
    });

    it('mistakes of shape make the test unusable with only shape diagnostics (dropped where the schema reports the test)', () => {
      for (const raw of [{ from: 'a1' }, { from: 'a1', to: 'b1', verdict: 'lost' }, { from: 'a1', to: 'b1', via: 'r' }, { from: 'a1', to: 'b1', encap: 'gre' }, { from: 'a1', to: 'b1', port: 0 }]) {
        const r = resolve(raw);
        assert.equal(r.params, undefined, JSON.stringify(raw));
        assert.ok(r.diagnostics.length >= 1 && r.diagnostics.every((d) => d.code === 'test.shape'), JSON.stringify(raw));
      }
    });
  });

  describe('judge (on the kernel walk)', () => {
    const routed = reportOf(routedWalk());
    const policy = reportOf(policyWalk());

    it('via: in this order, other hops (bridges) may come between', () => {
      const o = judgePath({ ...base, via: ['a1', 'r', 'b1'], encap: 'none' }, routed, 'lab trace a1 b1');
      assert.equal(o.ok, true, o.seen);
      assert.equal(o.seen, 'a1 → lan-a → r → lan-b → b1: delivered to 10.2.0.2; reply: b1 → r → a1: returned — delivered in b1 to 10.2.0.2, and answered');
      assert.equal(o.details?.trace, routed);
      const bad = judgePath({ ...base, via: ['r', 'a1'] }, routed, '');
      assert.equal(bad.ok, false);
      assert.match(bad.seen, /^did not pass a1 after r — a1 → lan-a/);
      assert.match(judgePath({ ...base, via: ['r2'] }, routed, '').seen, /^did not pass r2 — /);
    });

    it('a packet dropped by a NetworkPolicy: verdict, dropped-by (object or chain), DNAT and tunnel', () => {
      const ok = (p: Partial<PathParams>): boolean => judgePath({ ...base, verdict: 'dropped', ...p }, policy, '').ok;
      assert.ok(ok({ droppedBy: 'NetworkPolicy shop/web-only-client' }));
      assert.ok(ok({ droppedBy: 'NetworkPolicy shop/*' }));
      assert.ok(ok({ droppedBy: 'KUBE-NWPLCY-*' }));
      assert.ok(ok({ dnatTo: { text: 'web-*', addresses: ['10.244.1.5', '10.244.2.5'] }, encap: 'vxlan', via: ['client', 'node-1'] }));
      assert.ok(ok({ dnatTo: { text: '10.244.1.*', addresses: [] } }));
      assert.ok(ok({ dnatTo: { text: '10.244.1.5:8080', addresses: [] } }));
      const wrongBy = judgePath({ ...base, verdict: 'dropped', droppedBy: 'NetworkPolicy shop/other' }, policy, '');
      assert.equal(wrongBy.ok, false);
      assert.match(wrongBy.seen, /^dropped by NetworkPolicy shop\/web-only-client, not NetworkPolicy shop\/other — /);
      assert.match(wrongBy.seen, /dropped in node-1, filter FORWARD, chain KUBE-NWPLCY-ABC: NetworkPolicy shop\/web-only-client allows no 10\.244\.0\.9 \(lab\.yaml:40:7\)$/);
      const wrongNat = judgePath({ ...base, verdict: 'dropped', dnatTo: { text: '10.244.2.5', addresses: [] }, encap: 'tun' }, policy, '');
      assert.match(wrongNat.seen, /^DNAT to 10\.244\.1\.5:8080 in node-0, not 10\.244\.2\.5; wrapped in vxlan — /);
    });

    it('a verdict other than the one expected fails, naming what happened', () => {
      const o = judgePath(base, policy, '');
      assert.equal(o.ok, false);
      assert.match(o.seen, /^dropped — client → node-0 \(dnat 10\.96\.0\.10:80 → 10\.244\.1\.5:8080, vxlan vni 1 out flannel\.1\) → node-1 \(decap vxlan in flannel\.1\): dropped \(rule\)/);
      assert.match(judgePath({ ...base, verdict: 'dropped' }, routed, '').seen, /^not dropped: delivered/);
      assert.match(judgePath({ ...base, snatTo: { text: '10.1.0.1', addresses: [] }, encap: 'vxlan' }, routed, '').seen, /^no SNAT on the way; in no tunnel/);
    });

    it('a trace without a kernel walk fails', () => {
      const o = judgePath(base, { ...routed, kernel: undefined }, '');
      assert.equal(o.ok, false);
      assert.match(o.seen, /no kernel walk/);
    });

    it('helpers: glob, order, NAT address', () => {
      assert.ok(globMatch('web-*', 'web-12') && !globMatch('web-*', 'xweb-1') && globMatch('r?', 'r1') && !globMatch('a.b', 'axb'));
      assert.deepEqual(inOrder(['a', 'c'], ['a', 'b', 'c']), { ok: true });
      assert.deepEqual(inOrder(['c', 'a'], ['a', 'b', 'c']), { ok: false, missing: 'a', after: 'c' });
      assert.equal(natAddress('10.0.0.1:80'), '10.0.0.1');
      assert.equal(natAddress('[fd00::1]:80'), 'fd00::1');
      assert.equal(natAddress('fd00::1'), 'fd00::1');
    });
  });

  describe('run', () => {
    it('without a trace (no lab behind the run) it fails, saying the lab must be up', async () => {
      const o = await path.run(base, runCtx());
      assert.equal(o.ok, false);
      assert.match(o.seen, /the lab must be up/);
    });

    it('traces the flow once, the kernel only, and judges its walk', async () => {
      const asked: FlowRequest[] = [];
      const o = await path.run({ ...base, proto: 'tcp', port: 22, via: ['r'] }, runCtx(async (req, opts) => {
        asked.push(req);
        assert.equal(opts?.predict, false);
        return reportOf(routedWalk());
      }));
      assert.deepEqual(asked, [{ from: 'a1', to: 'b1', proto: 'tcp', port: 22 }]);
      assert.equal(o.ok, true, o.seen);
      assert.equal(o.command, 'lab trace a1 b1 --proto tcp --port 22');
    });

    it('a trace that cannot run fails with its message and hint', async () => {
      const err = Object.assign(new Error('the kernel cannot trace: nftables tracing is missing'), { hint: 'run `lab doctor`' });
      const o = await path.run(base, runCtx(() => Promise.reject(err)));
      assert.equal(o.ok, false);
      assert.equal(o.seen, 'the trace failed: the kernel cannot trace: nftables tracing is missing (run `lab doctor`)');
    });
  });

  it('as an exercise: lab trace LAB FROM TO, typed on the host', () => {
    const ctx: ExerciseContext = { inNode: () => assert.fail('a trace is typed on the host'), measurement: () => undefined, test: { index: 0, name: 'x' }, lab: 'a-routed' };
    const e = path.exercise!({ ...base, proto: 'udp', port: 53, via: ['r'] }, ctx);
    assert.deepEqual(e.commands.map((c) => [c.host, c.text]), [[true, 'lab trace a-routed a1 b1 --proto udp --port 53']]);
    assert.equal(e.expect, 'the walk a1 → b1:53/udp: via r, delivered');
    const dropped = path.exercise!({ ...base, verdict: 'dropped', droppedBy: 'FORWARD' }, ctx);
    assert.equal(dropped.expect, 'the command ends with exit code 1, as for every dropped packet — the walk a1 → b1: dropped by FORWARD');
    assert.deepEqual(exerciseExpect(dropped.expect), { exit: 1, output: [], matching: [], notMatching: [] });
    assert.deepEqual(exerciseExpect(e.expect).exit, 0);
  });
});

