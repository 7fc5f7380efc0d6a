/**
 * A changed cluster keeps what the running one handed out (issue 15.1): pods stay on their nodes with their addresses,
 * Services keep their ClusterIPs and NodePorts; only what is new is allocated, around what is held.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseLabText } from '../../runner/config/load.ts';
import { checkLab } from '../../runner/resolve/load.ts';
import { compileContext, planOf } from '../../runner/api.ts';
import { appliedOf, diffPlans, placementOf } from '../../runner/plan/diff.ts';
import type { Placement } from '../../runner/config/load.ts';
import type { ResolvedLab } from '../../runner/model/types.ts';

const FIX = 'test/unit/fixtures/diff';

function resolve(file: string, placement?: Placement, edit: (t: string) => string = (t) => t): ResolvedLab {
  const path = join(FIX, file);
  const f = parseLabText(path, edit(readFileSync(path, 'utf8')));
  const r = checkLab(placement ? { ...f, placement } : f);
  assert.ok(r.lab, r.diagnostics.map((d) => d.message).join('\n'));
  return r.lab;
}

const pod = (lab: ResolvedLab, name: string) => lab.cluster!.pods.find((p) => p.name === name)!;
const svc = (lab: ResolvedLab, name: string) => lab.cluster!.services.find((s) => s.name === name)!;

describe('cluster placement kept across a change (issue 15.1)', () => {
  const before = resolve('k8s.lab.yaml');
  const held = placementOf(before.cluster!);

  it('afresh, a new replica renumbers the pods after it (what keeping the placement prevents)', () => {
    const fresh = resolve('k8s-add.lab.yaml');
    assert.notEqual(pod(fresh, 'client').ip, pod(before, 'client').ip);
  });

  it('every pod the file still has keeps its node and address; the new ones go around them', () => {
    const after = resolve('k8s-add.lab.yaml', held);
    for (const p of before.cluster!.pods) assert.deepEqual([pod(after, p.name).node, pod(after, p.name).ip], [p.node, p.ip], p.name);
    const ips = after.cluster!.pods.filter((p) => !p.hostNetwork).map((p) => p.ip);
    assert.equal(new Set(ips).size, ips.length, `addresses are unique: ${ips.join(', ')}`);
    assert.equal(pod(after, 'web-3').ip, '10.244.0.5', 'the next free host number on node-1 (client holds .4)');
  });

  it('Services keep their ClusterIPs even when a new one is written above them; the new one takes a free address', () => {
    const fresh = resolve('k8s-add.lab.yaml');
    assert.notEqual(svc(fresh, 'web').clusterIP, svc(before, 'web').clusterIP, 'afresh, api (written first) would take web\'s address');
    const after = resolve('k8s-add.lab.yaml', held);
    assert.equal(svc(after, 'web').clusterIP, svc(before, 'web').clusterIP);
    assert.notEqual(svc(after, 'api').clusterIP, svc(after, 'web').clusterIP);
  });

  it('a NodePort is kept, and a written clusterIP wins over a held one', () => {
    const np = (t: string): string => t.replace("    web:\n      selector: { app: web }\n", "    web:\n      type: NodePort\n      selector: { app: web }\n");
    const b = resolve('k8s.lab.yaml', undefined, np);
    const port = svc(b, 'web').ports[0].nodePort;
    assert.ok(port);
    const addFirst = (t: string): string => np(t).replace('  services:\n', '  services:\n    first:\n      type: NodePort\n      selector: { app: web }\n      ports: [{ port: 81 }]\n');
    const a = resolve('k8s.lab.yaml', placementOf(b.cluster!), addFirst);
    assert.equal(svc(a, 'web').ports[0].nodePort, port);
    assert.notEqual(svc(a, 'first').ports[0].nodePort, port);
    const written = resolve('k8s.lab.yaml', placementOf(b.cluster!), (t) => t.replace('      ports: [{ port: 80 }]\ntests', '      clusterIP: 10.96.0.99\n      ports: [{ port: 80 }]\ntests'));
    assert.equal(svc(written, 'web').clusterIP, '10.96.0.99');
  });

  it('the diff of a new replica and Service touches no running pod (no veth made again, no address changed)', () => {
    const ctx = compileContext('c4-k8s', ['lab'], { 'net.ipv4.ip_forward': '0', 'net.ipv6.conf.all.forwarding': '0' });
    const after = resolve('k8s-add.lab.yaml', held);
    const d = diffPlans(appliedOf(before, planOf(before, ctx)), appliedOf(after, planOf(after, ctx)), '/run/nslab/c4-k8s/apply');
    assert.deepEqual([...d.added].sort(), ['api', 'web-3']);
    assert.deepEqual(d.rebuilds, []);
    assert.ok(!d.changes.some((c) => /client|web-1|web-2/.test(c)), d.changes.join('\n'));
    // a new bridge port in a running node is left to the kernel's free index (the numbered one may be held)
    const adds = d.forward.steps.filter((s) => s.op.type === 'ip' && s.op.args[0] === 'link' && s.op.args[1] === 'add');
    assert.equal(adds.length, 2);
    for (const s of adds) assert.ok(s.op.type === 'ip' && !s.op.args.includes('index'), JSON.stringify(s.op));
  });
});

describe('a daemon that takes a changed configuration in place (issue 15.1)', () => {
  const ctx = compileContext('k8s-ingress', ['lab'], { 'net.ipv4.ip_forward': '0', 'net.ipv6.conf.all.forwarding': '0' });
  const lab = (edit: (t: string) => string = (t) => t): ResolvedLab => {
    const path = 'labs/k8s-ingress/lab.yaml';
    const r = checkLab(parseLabText(path, edit(readFileSync(path, 'utf8'))));
    assert.ok(r.lab, r.diagnostics.map((d) => d.message).join('\n'));
    return r.lab;
  };
  const before = lab();
  it('an Ingress rule added: nginx -s reload in its namespace, no restart of nginx', () => {
    const after = lab((t) => t.replace('        - host: blog.example\n', '        - host: news.example\n          http:\n            paths:\n              - { path: /, pathType: Prefix, backend: { service: { name: blog, port: { number: 80 } } } }\n        - host: blog.example\n'));
    const d = diffPlans(appliedOf(before, planOf(before, ctx)), appliedOf(after, planOf(after, ctx)), '/run/nslab/k8s-ingress/apply');
    assert.ok(d.changes.some((c) => /ingress-nginx: nginx's configuration changed: reloaded, not restarted/.test(c)), d.changes.join('\n'));
    assert.ok(!d.removals.some((r) => r.type === 'daemon' && r.name === 'nginx'), 'nginx is not stopped');
    const reload = d.forward.steps.find((s) => s.id === 'ingress-nginx.nginx.reload');
    assert.ok(reload && reload.op.type === 'exec' && reload.op.argv.slice(-2).join(' ') === '-s reload' && reload.op.argv[0] === 'nginx');
    assert.ok(!d.forward.steps.some((s) => s.op.type === 'daemon' && s.op.name === 'nginx'), 'no new nginx');
  });
});
