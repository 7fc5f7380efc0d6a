/** compareWalks (issue 12): identical walks agree; a different hop, NAT, tunnel or verdict is one difference each. */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { loadLab } from '../../runner/api.ts';
import type { Hop, Walk, WalkDirection } from '../../runner/model/trace.ts';
import { compareWalks } from '../../runner/trace/compare.ts';
import { predictWalk } from '../../runner/trace/predict.ts';

const lab = loadLab(join('labs', 'k8s-services-iptables', 'lab.yaml')).lab;
const model = predictWalk(lab, { from: 'client', dst: '10.96.0.11', family: 4, proto: 'tcp', port: 80, toText: 'web', target: { kind: 'service', namespace: 'default', name: 'web', via: 'cluster-ip' } }, { endpoint: '10.244.1.2' });

/** The model's walk as if the kernel had seen it, with `change` applied to one hop of the forward direction. */
function kernelWith(i: number, change: (h: Hop) => Hop): Walk {
  const hops = model.forward.hops.map((h, j) => (j === i ? change(h) : h));
  return { ...model, source: 'kernel', forward: { ...model.forward, hops } };
}

function withForward(d: Partial<WalkDirection>): Walk {
  return { ...model, source: 'kernel', forward: { ...model.forward, ...d } };
}

describe('compareWalks', () => {
  it('identical walks: no difference', () => {
    assert.deepEqual(compareWalks({ ...model, source: 'kernel' }, model), []);
  });

  it('rules, routes and packets other than the compared fields make no difference', () => {
    const k = kernelWith(1, (h) => ({ ...h, rules: [], route: undefined, packet: { src: 'x', dst: 'y' } }));
    assert.deepEqual(compareWalks(k, model), []);
  });

  it('a different hop: one difference at that hop, and no noise after it', () => {
    const d = compareWalks(kernelWith(2, (h) => ({ ...h, at: 'k8s-other', in: 'x' })), model);
    assert.equal(d.length, 1);
    assert.deepEqual([d[0]!.direction, d[0]!.hop, d[0]!.what], ['forward', 2, 'hop 3']);
    assert.match(d[0]!.kernel, /bridge k8s-other \(in x, out node-2-eth0\)/);
    assert.match(d[0]!.model, /bridge k8s-net \(in node-1-eth0, out node-2-eth0\)/);
  });

  it('a missing hop at the end is a difference', () => {
    const d = compareWalks(withForward({ hops: model.forward.hops.slice(0, -1) }), model);
    assert.deepEqual(d.map((x) => [x.hop, x.kernel]), [[4, '(no hop)']]);
  });

  it('a different NAT (another endpoint): one difference naming both translations', () => {
    const k = kernelWith(1, (h) => ({ ...h, nat: [{ type: 'dnat', before: '10.96.0.11:80', after: '10.244.0.3:80' }] }));
    const d = compareWalks(k, model);
    assert.equal(d.length, 1);
    assert.match(d[0]!.what, /^NAT in node node-1/);
    assert.match(d[0]!.kernel, /10\.244\.0\.3:80/);
    assert.match(d[0]!.model, /10\.244\.1\.2:80/);
  });

  it("a masquerade's source port is not compared, its address is", () => {
    const masq = { type: 'snat' as const, before: '10.244.0.6', after: '10.244.0.0' };
    const m = { ...model, forward: { ...model.forward, hops: model.forward.hops.map((h, j) => (j === 1 ? { ...h, nat: [...h.nat, masq] } : h)) } };
    const same = kernelWith(1, (h) => ({ ...h, nat: [...h.nat, { ...masq, after: '10.244.0.0:40123' }] }));
    assert.deepEqual(compareWalks(same, m), []);
    const other = kernelWith(1, (h) => ({ ...h, nat: [...h.nat, { ...masq, after: '192.168.56.11:40123' }] }));
    assert.equal(compareWalks(other, m).length, 1);
  });

  it('a different VNI: one difference', () => {
    const d = compareWalks(kernelWith(1, (h) => ({ ...h, encap: { ...h.encap!, vni: 2 } })), model);
    assert.deepEqual(d.map((x) => [x.what, x.kernel, x.model]), [['encapsulation in node node-1 (in cni0 port vetha7a3e029, out flannel.1)', 'vxlan vni 2', 'vxlan vni 1']]);
  });

  it('a different verdict: one difference', () => {
    const d = compareWalks(withForward({ verdict: { kind: 'dropped', at: 'web-2', by: 'no-listener', reason: 'RST' } }), model);
    assert.deepEqual(d.map((x) => [x.direction, x.hop, x.what, x.kernel, x.model]), [['forward', -1, 'verdict', 'dropped at web-2 by no-listener', 'delivered at web-2 (10.244.1.2 port 80)']]);
  });

  it("drops differ by the lab object's name only when both name one", () => {
    const drop = (name?: string): WalkDirection => ({ hops: model.forward.hops, verdict: { kind: 'dropped', at: 'node-2', by: 'rule', reason: 'x', ...(name ? { object: { kind: 'network-policy', name } } : {}) } });
    const m: Walk = { ...model, forward: drop('NetworkPolicy a/b'), reply: undefined };
    const k = (name?: string): Walk => ({ ...model, source: 'kernel', forward: drop(name), reply: undefined });
    assert.deepEqual(compareWalks(k(), m), []);
    assert.deepEqual(compareWalks(k('NetworkPolicy a/b'), m), []);
    assert.equal(compareWalks(k('NetworkPolicy a/c'), m).length, 1);
  });

  it('a reply on one side only is a difference', () => {
    const d = compareWalks({ ...model, source: 'kernel', reply: undefined }, model);
    assert.deepEqual(d.map((x) => [x.direction, x.what, x.kernel]), [['reply', 'reply', 'no reply']]);
  });

  it('the reply direction is compared too', () => {
    const reply = { ...model.reply!, hops: model.reply!.hops.map((h, j) => (j === 3 ? { ...h, nat: [] } : h)) };
    const d = compareWalks({ ...model, source: 'kernel', reply }, model);
    assert.deepEqual(d.map((x) => [x.direction, x.hop]), [['reply', 3]]);
  });
});
