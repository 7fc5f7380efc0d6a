/**
 * The handout's packet walks (`handout.traces`, issue 12): read with positions, FROM and TO checked against the lab,
 * a walk drawn as a Mermaid sequence diagram (inline SVG in the HTML) and a table, the `lab trace` command given to
 * the learner (and run by test/handout-commands), and the labs where the path is the lesson carry traces.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLab } from '../../runner/api.ts';
import { parseLabText } from '../../runner/config/load.ts';
import type { Walk } from '../../runner/model/trace.ts';
import { DNAT_WALK, DROP_WALK } from '../fixtures/trace-walks.ts';
import { readHandout } from '../../runner/resolve/handout-spec.ts';
import { checkTraces } from '../../runner/resolve/handout-traces.ts';
import { resolveFlow } from '../../runner/trace/flow.ts';
import { makeHandout } from '../../runner/handout/index.ts';
import { handoutHtml } from '../../runner/handout/html.ts';
import { handoutMarkdown } from '../../runner/handout/md.ts';
import { remoteReferences } from '../../runner/handout/offline.ts';
import { walkSequence, walkToMermaid } from '../../runner/handout/trace-mermaid.ts';
import { walkTable } from '../../runner/handout/trace-table.ts';
import { predictWalk } from '../../runner/trace/predict.ts';
import { traceCommand, type TraceDoc } from '../../runner/handout/traces.ts';
import { fromWalks } from '../handout-commands/extract.ts';

const NONE = { state: 'none' } as const;

/** The labs the issue names: their path is the lesson. */
const TRACED = ['bridge-nat', 'routed', 'vxlan-l2-overlay', 'k8s-flannel-vxlan', 'k8s-calico-bgp', 'k8s-services-iptables', 'k8s-services-nftables', 'k8s-nodeport-client-ip', 'k8s-networkpolicy', 'k8s-sidecar-interception', 'k8s-canary', 'k8s-ways-in'];

describe('handout traces: reading and checking', () => {
  it('reads each trace with its position, the verdict delivered unless it says dropped', () => {
    const file = parseLabText('x.yaml', 'name: x\nhandout:\n  goals: [g]\n  traces:\n    - { from: a, to: b }\n    - from: a\n      to: "b:80"\n      verdict: dropped\n      title: T\n');
    const spec = readHandout(file)!;
    assert.deepEqual(
      spec.traces.map((t) => [t.from, t.to, t.verdict, t.title, t.index, t.pos.line]),
      [
        ['a', 'b', 'delivered', undefined, 0, 5],
        ['a', 'b:80', 'dropped', 'T', 1, 6],
      ],
    );
  });

  it('a trace is checked by resolveFlow itself, so the handout and `lab trace` accept the same flows', () => {
    const nat = loadLab('labs/bridge-nat/lab.yaml').lab;
    const file = parseLabText('x.yaml', 'name: x\nhandout:\n  goals: [g]\n  traces:\n    - { from: h1, to: "hots:eth0" }\n    - { from: h1, to: host, port: 70000 }\n    - { from: h1, to: host }\n');
    const ds = checkTraces(file, nat, false);
    assert.deepEqual(ds.map((d) => [d.code, d.pos?.line]), [['handout.trace-to', 5], ['handout.trace-to', 6]]);
    const r = resolveFlow(nat, { from: 'h1', to: 'hots:eth0' });
    assert.equal(r.ok, false);
    assert.equal(ds[0].message, `handout trace 1: ${(r as { message: string }).message}`);
    assert.deepEqual(checkTraces(file, nat, true), [], 'not checked while the rest of the lab has errors');
  });

  it('every trace of every lab that has them names things of its lab (lab validate accepts them)', () => {
    for (const dir of TRACED) {
      const path = join('labs', dir, 'lab.yaml');
      const spec = readHandout(parseLabText(path, readFileSync(path, 'utf8')))!;
      assert.ok(spec.traces.length >= 1, `${dir} has no handout.traces`);
      const { lab } = loadLab(path); // throws (exit 2) on a trace that names nothing
      for (const t of spec.traces) {
        assert.ok(lab.nodes.some((n) => n.name === t.from), `${dir}: ${t.from}`);
        assert.ok(resolveFlow(lab, { from: t.from, to: t.to, ...(t.port !== undefined ? { port: t.port } : {}), ...(t.proto ? { proto: t.proto } : {}) }).ok, `${dir}: ${t.to}`);
        assert.ok((t.text ?? '').length > 80, `${dir}: trace ${t.index + 1} explains nothing`);
      }
    }
  });

  it("each traced lab's README mentions its traces and the lab trace command", () => {
    for (const dir of TRACED) {
      const readme = join('labs', dir, 'README.md');
      assert.ok(existsSync(readme), `${dir} has no README.md`);
      const text = readFileSync(readme, 'utf8');
      assert.match(text, /handout\.traces|packet walk/i, `${dir}: README says nothing of its traces`);
      assert.match(text, new RegExp(`lab trace ${dir}\\b`), `${dir}: README does not give the lab trace command`);
    }
  });
});

describe('handout traces: a walk as a diagram and a table', () => {
  it("a walk that ends at a sidecar's proxy: the table goes on with the proxy's own connection (rows c2), the diagram names it", () => {
    const { lab } = loadLab(join('labs', 'k8s-sidecar-interception', 'lab.yaml'));
    const r = resolveFlow(lab, { from: 'reviews', to: 'svc/plain' });
    assert.ok(r.ok);
    const walk = predictWalk(lab, r.flow);
    const rows = walkTable(walk);
    const head = rows.find((x) => x.n === 'c2')!;
    assert.match(head.rules, /then the proxy \(uid 1337, on 15001\) opens a new connection to the original destination 10\.96\.0\.13:80; ISTIO_OUTPUT: -m owner --uid-owner 1337 -j RETURN lets it pass/);
    assert.deepEqual(rows.filter((x) => x.n.startsWith('c2.')).map((x) => x.hop), ['reviews', 'cni0@node-1 (bridge)', 'plain']);
    assert.match(walkToMermaid(walk), /Note over p_reviews: then the proxy \(uid 1337\) opens a new connection to 10\.96\.0\.13:80: rows c2 of the table/);
  });

  it('the Mermaid sequence diagram: a participant per place, an arrow per crossing (dashed back), notes for NAT, tunnels and the end', () => {
    const m = walkToMermaid(DNAT_WALK);
    assert.equal(m.split('\n')[0], 'sequenceDiagram');
    assert.deepEqual(
      m.split('\n').filter((l) => /participant/.test(l)),
      ['  participant p_internet as internet', '  participant p_host as host', '  participant p_h1 as h1'],
    );
    assert.ok(m.includes('  p_internet->>p_host: tcp 203.0.113.1:40000 → 203.0.113.2:8080 (eth0 → eth0)'), m);
    assert.ok(m.includes('  Note over p_host: DNAT 203.0.113.2:8080 → 172.17.0.2:80 (nat rule 2 of host)'), m);
    assert.ok(m.includes('  p_host->>p_h1: tcp 203.0.113.1:40000 → 172.17.0.2:80 (h1-eth0 → eth0)'), 'the bridge port the packet leaves docker0 by');
    assert.ok(m.includes('  Note over p_h1: ✔ delivered to 172.17.0.2:80 (whoami)'), m);
    assert.ok(m.includes('  p_h1-->>p_host:') && m.includes('  Note over p_internet: ✔ reply back at internet'), m);
    assert.doesNotMatch(m, /;|#/, 'nothing Mermaid would read as the end of a statement or an entity');

    const d = walkToMermaid(DROP_WALK);
    assert.ok(d.includes('participant p_cni0_node_1 as cni0@node-1 (bridge)'), d);
    assert.ok(d.includes('Note over p_node_1: encap vxlan VNI 1 on flannel.1, outer 192.168.56.11 → 192.168.56.12 udp/8472'), d);
    assert.ok(d.includes('Note over p_node_2: decap vxlan VNI 1'), d);
    assert.ok(d.includes('  p_node_1->>p_node_2: udp (VXLAN VNI 1) (flannel.1 → flannel.1)'), 'between the tunnel ends the wire carries UDP');
    assert.ok(d.includes('  p_a->>p_cni0_node_1: tcp (eth0 → veth-a)'), d);
    assert.ok(d.includes('Note over p_node_2: ✘ dropped: dropped in node-2, filter NSL-POL-IN-1: NetworkPolicy prod/default-deny-ingress'), d);
    assert.ok(!d.includes('-->>'), 'no reply, no dashed arrow');
  });

  it('the table: hop, in, out, route, NAT/tunnel and the deciding rules; a verdict row per direction', () => {
    const rows = walkTable(DNAT_WALK);
    assert.deepEqual(
      rows.map((r) => r.n),
      ['1', '2', '3', '', 'r1', 'r2', 'r3', ''],
    );
    const host = rows[1];
    assert.equal(host.in, 'eth0');
    assert.equal(host.out, 'docker0 (port h1-eth0)');
    assert.equal(host.route, '172.17.0.0/16 dev docker0 proto kernel');
    assert.equal(host.nat, 'DNAT 203.0.113.2:8080 → 172.17.0.2:80 (nat rule 2 of host)');
    assert.equal(host.rules, 'ip nat PREROUTING: iifname "eth0" tcp dport 8080 dnat to 172.17.0.2:80 → accept (nat rule 2 of host)', 'rules that only pass the packet on (a jump, a chain policy accept) are not shown');
    assert.equal(rows[3].rules, '✔ delivered to 172.17.0.2:80 (whoami)');
    assert.equal(rows[5].in, 'docker0 (port h1-eth0)');
    const drop = walkTable(DROP_WALK);
    assert.equal(drop[1].hop, 'cni0@node-1 (bridge)');
    assert.equal(drop.at(-1)!.rules, '✘ dropped: dropped in node-2, filter NSL-POL-IN-1: NetworkPolicy prod/default-deny-ingress', 'the dropping rule is in the row of its hop already');
    const hops = DROP_WALK.forward.hops.map((h) => ({ ...h, rules: [] }));
    const bare = walkTable({ ...DROP_WALK, forward: { ...DROP_WALK.forward, hops } });
    assert.match(bare.at(-1)!.rules, /^✘ dropped: .*\nip filter NSL-POL-IN-1: counter drop → drop$/, 'else the verdict row names it');
  });

  it('the sequence as data names every participant an event refers to, even a walk without hops', () => {
    const empty: Walk = { ...DROP_WALK, forward: { hops: [], verdict: { kind: 'dropped', at: 'a', by: 'unknown', reason: 'nothing seen' } } };
    const seq = walkSequence(empty);
    assert.deepEqual(seq.participants, [{ at: 'a', label: 'a' }]);
    assert.deepEqual(seq.events, [{ kind: 'note', at: 'a', text: '✘ dropped: nothing seen', bad: true }]);
  });
});

describe('handout traces: in the handout', () => {
  let doc: Awaited<ReturnType<typeof makeHandout>>['doc'];
  let withWalk: TraceDoc[];
  before(async () => {
    doc = (await makeHandout('labs/bridge-nat/lab.yaml', { svg: false, results: NONE })).doc;
    withWalk = doc.traces.map((t, i) => ({ ...t, walk: i ? DROP_WALK : DNAT_WALK, missing: undefined, mermaid: walkToMermaid(i ? DROP_WALK : DNAT_WALK), rows: walkTable(i ? DROP_WALK : DNAT_WALK) }));
  });

  it('a section per trace with the lab trace command; a walk the model cannot give yet is said so', () => {
    assert.deepEqual(
      doc.traces.map((t) => t.command),
      ['lab trace bridge-nat internet host:eth0 --port 8080', 'lab trace bridge-nat h2 internet --port 80', 'lab trace bridge-nat h2 host:eth0 --port 8080'],
    );
    const md = handoutMarkdown(doc);
    assert.ok(md.indexOf('## Packet walks') > md.indexOf('## Exercises') && md.indexOf('## Packet walks') < md.indexOf('## Latest results'));
    assert.ok(md.includes('### 1. a published port — DNAT on the way in, undone on the way back'));
    assert.ok(md.includes('Note 004, on Docker'), 'the text of the trace');
    for (const t of doc.traces) if (!t.walk) assert.ok(md.includes(`*The model could not predict this walk: ${t.missing}.*`));
  });

  it('Markdown: the mermaid block and the table of each walk', () => {
    const md = handoutMarkdown({ ...doc, traces: withWalk });
    const blocks = [...md.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]);
    assert.equal(blocks.length, 4, 'the network, then a diagram per walk');
    assert.equal(blocks[1], walkToMermaid(DNAT_WALK).trimEnd());
    assert.ok(md.includes('| # | hop | in | out | route | NAT / tunnel | deciding rules |'));
    assert.ok(md.includes('| 2 | host | eth0 | docker0 (port h1-eth0) | 172.17.0.0/16 dev docker0 proto kernel | DNAT 203.0.113.2:8080 → 172.17.0.2:80 (nat rule 2 of host) |'), 'the DNAT of the test walk (a fixture) as written');
    assert.ok(md.includes('| r2 | host | docker0 (port h1-eth0) | eth0 |'));
    assert.ok(md.includes('- a note of the model'));
    assert.ok(md.includes('**Expect:** the walk ends **delivered** at h1;'));
  });

  it('HTML: the diagram as inline SVG (no script), the Mermaid text folded, the table; nothing fetched from outside', () => {
    const html = handoutHtml({ ...doc, traces: withWalk });
    assert.equal((html.match(/<svg class="walk"/g) ?? []).length, 3);
    assert.ok(html.includes('<marker id="arrow-1"') && html.includes('<marker id="arrow-2"'), 'one arrow marker per diagram');
    assert.ok(html.includes('<a href="#walks">Packet walks</a>'));
    assert.ok(html.includes('<summary class="meta">Mermaid text</summary>'));
    assert.ok(html.includes('<pre><code>lab trace bridge-nat internet host:eth0 --port 8080</code></pre>'));
    assert.ok(html.includes('<th>NAT / tunnel</th>'));
    assert.ok(html.includes('<td class="pre mono">DNAT 203.0.113.2:8080 → 172.17.0.2:80 (nat rule 2 of host)</td>'));
    assert.ok(html.includes('dropped: dropped in node-2'));
    assert.ok(!/<script/i.test(html));
    assert.deepEqual(remoteReferences(html), []);
  });

  it('the handout-commands test runs each lab trace the handout gives, expecting the verdict it names', () => {
    const md = handoutMarkdown({ ...doc, traces: withWalk });
    assert.deepEqual(
      fromWalks(md, 'bridge-nat.md').map((s) => [s.command, s.expect.exit, s.expect.matching]),
      [
        ['lab trace bridge-nat internet host:eth0 --port 8080', 0, ['delivered']],
        ['lab trace bridge-nat h2 internet --port 80', 0, ['delivered']],
        ['lab trace bridge-nat h2 host:eth0 --port 8080', 0, ['delivered']],
      ],
    );
  });

  it('traceCommand quotes what a shell would split', () => {
    assert.equal(traceCommand('x', { from: 'a', to: 'prod/web', port: 80, proto: 'tcp', verdict: 'delivered', index: 0, pos: { file: 'f', line: 1, col: 1 } }), 'lab trace x a prod/web --port 80 --proto tcp');
  });
});
