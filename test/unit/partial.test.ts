/** Part of a lab (issue 15.4): which nodes --nodes/--exclude select, and the lab cut down to them. Pure: no root. */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compileContext, loadLab, planOf } from '../../runner/api.ts';
import { globRegex, selectNodes, splitNames, type Selection } from '../../runner/model/select.ts';
import { subsetLab } from '../../runner/model/subset.ts';
import { partOf, selectRequest } from '../../runner/lab/partial.ts';
import { LabError } from '../../runner/config/diagnostics.ts';

const LABS = 'labs';
const ebgp = loadLab(join(LABS, 'ebgp-triangle', 'lab.yaml'));
const k8s = loadLab(join(LABS, 'k8s-services-iptables', 'lab.yaml'));
const sel = (r: ReturnType<typeof selectNodes>): Selection => {
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r.selection;
};
const ctx = (name: string) => compileContext(name, ['lab'], { 'net.ipv4.ip_forward': '0', 'net.ipv6.conf.all.forwarding': '0' });

describe('part of a lab: selecting nodes', () => {
  it('globs and comma lists', () => {
    assert.ok(globRegex('h*').test('h12'));
    assert.ok(!globRegex('h*').test('rh1'));
    assert.ok(globRegex('r[12]').test('r2') && !globRegex('r[12]').test('r3'));
    assert.ok(globRegex('web-?').test('web-1') && !globRegex('web.1').test('webx1'));
    assert.deepEqual(splitNames(['r1, r2,,h*']), ['r1', 'r2', 'h*']);
  });
  it('--nodes keeps the lab order; --exclude takes away; both: the named ones minus the excluded', () => {
    assert.deepEqual(sel(selectNodes(ebgp.lab, { nodes: ['h1', 'r2', 'r1'] })).nodes, ['r1', 'r2', 'h1']);
    assert.deepEqual(sel(selectNodes(ebgp.lab, { exclude: ['r3', 'h*'] })).nodes, ['r1', 'r2']);
    assert.deepEqual(sel(selectNodes(ebgp.lab, { nodes: ['r*'], exclude: ['r2'] })).nodes, ['r1', 'r3']);
    assert.equal(sel(selectNodes(ebgp.lab, { nodes: ['r1'] })).of, 6);
  });
  it('a name that is no node: refused with a did-you-mean and the list', () => {
    const r = selectNodes(ebgp.lab, { nodes: ['r1', 'rr2'] });
    assert.ok(!r.ok);
    assert.equal(r.message, '--nodes names rr2, which is not a node of lab ebgp-triangle');
    assert.equal(r.hint, 'did you mean r2? nodes: r1, r2, r3, h1, h2, h3');
    const x = selectNodes(ebgp.lab, { exclude: ['q*'] });
    assert.ok(!x.ok && x.message === '--exclude q*: the pattern matches no node of lab ebgp-triangle');
  });
  it('a selection that leaves nothing is refused', () => {
    const r = selectNodes(ebgp.lab, { nodes: ['h*'], exclude: ['h1', 'h2', 'h3'] });
    assert.ok(!r.ok && r.message === '--nodes h* and --exclude h1,h2,h3 leave no node of lab ebgp-triangle to build', r.ok ? '' : r.message);
  });
  it('a pod brings its node, and says so; an excluded node takes its pods along', () => {
    const s = sel(selectNodes(k8s.lab, { nodes: ['web-2'] }));
    assert.deepEqual(s.nodes, ['node-2', 'web-2']);
    assert.deepEqual(s.said, ['pod web-2 needs its node node-2: node-2 is added']);
    const x = sel(selectNodes(k8s.lab, { exclude: ['node-2'] }));
    assert.ok(!x.nodes.includes('web-2') && x.nodes.includes('web-1'));
    assert.ok(x.said.includes('pod web-2 runs on node node-2, which is left out: web-2 is left out too'), x.said.join('\n'));
  });
  it('a pod whose node is excluded cannot be selected', () => {
    const r = selectNodes(k8s.lab, { nodes: ['web-2'], exclude: ['node-2'] });
    assert.ok(!r.ok && r.message === '--nodes selects web-2, but pod web-2 runs on node node-2, which --exclude leaves out', r.ok ? '' : r.message);
  });
  it('the lab layer: a bad selection is a LabError with exit 64 before anything; every node is the whole lab', () => {
    assert.throws(() => partOf(ebgp, selectRequest('r1,r4', undefined)), (e: unknown) => e instanceof LabError && e.exitCode === 64 && /did you mean r1\?/.test(e.diagnostics[0].hint ?? ''));
    assert.equal(partOf(ebgp, selectRequest('*', undefined)).part, undefined);
    assert.equal(partOf(ebgp, undefined).part, undefined);
  });
});

describe('part of a lab: the lab cut down', () => {
  it('ebgp-triangle without r3 and h3: links to r3 left out and said, per node; the BGP sessions to r3 said', () => {
    const { lab, notes } = subsetLab(ebgp.lab, sel(selectNodes(ebgp.lab, { exclude: ['r3', 'h3'] })));
    assert.deepEqual(lab.nodes.map((n) => n.name), ['r1', 'r2', 'h1', 'h2']);
    assert.equal(lab.links.length, 3);
    assert.ok(lab.links.every((l) => l.a.node !== 'r3' && l.b.node !== 'r3'));
    assert.deepEqual(lab.nodes.find((n) => n.name === 'r1')!.interfaces.map((i) => i.name), ['eth0', 'eth2']);
    for (const n of ['r1: eth1 (to r3) left out', 'r2: eth1 (to r3) left out', 'r1: BGP session with r3 will stay down (not up)', 'r2: BGP session with r3 will stay down (not up)']) assert.ok(notes.includes(n), `${n}\n in ${notes.join('\n')}`);
    // the plan names no namespace of r3 or h3, and no address of r1's eth1
    const plan = planOf(lab, ctx(lab.name));
    const text = JSON.stringify(plan.steps);
    assert.ok(!text.includes('nsl.ebgp-triangle.r3') && !text.includes('nsl.ebgp-triangle.h3'));
    assert.ok(!text.includes('10.0.13.1/24'));
    assert.deepEqual(plan.namespaces.filter((n) => /\.(r3|h3)$/.test(n)), []);
  });
  it('a host whose router is left out loses its link and its default route, said', () => {
    const { lab, notes } = subsetLab(ebgp.lab, sel(selectNodes(ebgp.lab, { exclude: ['r3'] })));
    const h3 = lab.nodes.find((n) => n.name === 'h3')!;
    assert.deepEqual(h3.interfaces, []);
    assert.deepEqual(h3.routes, []);
    assert.ok(notes.includes('h3: route default via 10.3.0.1 left out (its way out is a link that is left out)'), notes.join('\n'));
  });
  it("a cluster without a node: its pods' endpoints leave every Service's rules, said", () => {
    const { lab, notes } = subsetLab(k8s.lab, sel(selectNodes(k8s.lab, { exclude: ['node-2'] })));
    const c = lab.cluster!;
    assert.deepEqual(c.nodes.map((n) => n.name), ['node-1']);
    assert.ok(c.pods.every((p) => p.node === 'node-1'));
    assert.ok(c.endpoints.every((e) => e.endpoints.every((x) => x.node === 'node-1')));
    assert.ok(notes.includes('service default/web port 80/TCP: endpoint web-2 (on node-2) left out of the rules (not up); 2 left'), notes.join('\n'));
    assert.ok(notes.includes('service default/echo port 53/UDP: endpoint echo (on node-2) left out of the rules (not up); none left: it answers no one'), notes.join('\n'));
    const text = JSON.stringify(planOf(lab, ctx(lab.name)).steps);
    assert.ok(!text.includes('10.244.1.') || !/web-2|api-1/.test(text.match(/KUBE-SEP[^"]*/g)?.join() ?? ''));
    assert.ok(!text.includes('nsl.k8s-services-iptables.node-2'));
  });
  it('the whole lab selected is the lab itself', () => {
    const all = sel(selectNodes(ebgp.lab, { nodes: ['*'] }));
    assert.equal(subsetLab(ebgp.lab, all).lab, ebgp.lab);
  });
  // every lab, each node left out in turn: the part compiles, and its plan touches only the part's namespaces
  for (const dir of readdirSync(LABS).filter((d) => existsSync(join(LABS, d, 'lab.yaml')))) {
    it(`labs/${dir}: every node left out in turn, the rest compiles to a plan within its own namespaces`, () => {
      const { lab } = loadLab(join(LABS, dir, 'lab.yaml'));
      for (const node of lab.nodes) {
        const r = selectNodes(lab, { exclude: [node.name] });
        if (!r.ok) continue; // the only node with everything on it (a one-node cluster)
        const part = subsetLab(lab, r.selection);
        const plan = planOf(part.lab, ctx(lab.name));
        const kept = new Set(part.lab.nodes.map((n) => n.netns));
        const gone = lab.nodes.filter((n) => !r.selection.nodes.includes(n.name) && !kept.has(n.netns)).map((n) => n.netns);
        for (const s of plan.steps) {
          const ns = 'ns' in s.op ? s.op.ns : undefined;
          assert.ok(!ns || plan.namespaces.includes(ns) || !gone.includes(ns), `${dir} without ${node.name}: step ${s.id} runs in ${ns}, which is not built`);
        }
        assert.deepEqual(plan.namespaces.filter((n) => gone.includes(n)), [], `${dir} without ${node.name}`);
      }
    });
  }
});

describe('part of a lab: which tests need which nodes', () => {
  it('ebgp-triangle with r1, r2, h1, h2 up: the tests that need r3 or h3 are skipped with the reason; those after a skipped action too', async () => {
    const { skippedTests, testNodes } = await import('../../runner/resolve/test-needs.ts');
    const lab = ebgp.lab;
    const byName = (n: string) => lab.tests.find((t) => t.name === n)!;
    assert.deepEqual(testNodes(byName('r1 and r2 are Established'), lab), ['r1', 'r2']);
    // sessions: 2 needs every neighbor; a BGP route needs the router announcing it; a link action, the link's peer
    assert.deepEqual(testNodes(byName('r1 has both sessions up'), lab), ['r1', 'r2', 'r3']);
    assert.deepEqual(testNodes(byName("and it is in r1's kernel table"), lab), ['r1', 'r3']);
    assert.deepEqual(testNodes(byName('the r1–r3 link goes down'), lab), ['r1', 'r3']);
    assert.deepEqual(testNodes(byName('h1 reaches h3 on the direct path'), lab), ['h1', 'h3']);
    const skip = skippedTests(lab, new Set(['r1', 'r2', 'h1', 'h2']));
    assert.deepEqual(lab.tests.filter((t) => !skip.has(t)).map((t) => t.name), ['r1 and r2 are Established', 'h2 reaches h1 and h3']);
    assert.equal(skip.get(byName('h1 reaches h3 on the direct path')), 'needs h3, which is not up (lab up --nodes)');
    assert.match(skip.get(byName('h1 still reaches h3, the long way round'))!, /^it comes after "the r1–r3 link flaps, and r1 fails over to r2", which was skipped/);
    assert.equal(skippedTests(lab, new Set(lab.nodes.map((n) => n.name))).size, 0);
  });
  it('every assertion type a lab uses says which nodes it needs (no test of any lab needs none)', async () => {
    const { testNodes } = await import('../../runner/resolve/test-needs.ts');
    for (const dir of readdirSync(LABS).filter((d) => existsSync(join(LABS, d, 'lab.yaml')))) {
      const { lab } = loadLab(join(LABS, dir, 'lab.yaml'));
      for (const t of lab.tests) assert.ok(testNodes(t, lab).length > 0, `${dir}: ${t.name} (${t.type}) needs no node?`);
    }
  });
  it('completion: --nodes/--exclude complete the node names of the lab named, after the ones written', async () => {
    const { completions, labNodeNames } = await import('../../runner/cli/completion.ts');
    assert.deepEqual(completions(['up', 'labs/ebgp-triangle', '--nodes', 'r1,r']), ['r1,r2', 'r1,r3']);
    assert.deepEqual(completions(['plan', 'labs/ebgp-triangle', '--exclude', 'h']), ['h1', 'h2', 'h3']);
    assert.deepEqual(labNodeNames('cluster:\n  nodes:\n    node-1: {}\n  pods:\n    web:\n      replicas: 2\n    client:\n      node: node-1\n'), ['node-1', 'web-1', 'web-2', 'client']);
  });
});

describe('part of a lab: the handout shows a skipped test as skipped', () => {
  it('resultWord: passed, failed, skipped', async () => {
    const { resultWord } = await import('../../runner/handout/results.ts');
    assert.equal(resultWord({ ok: true }).word, '✔ passed');
    assert.equal(resultWord({ ok: false, skipped: null }).word, '✘ failed');
    assert.deepEqual(resultWord({ ok: false, skipped: 'needs r3, which is not up (lab up --nodes)' }), { word: '– skipped', cls: 'skip' });
  });
});
