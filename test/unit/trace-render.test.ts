/**
 * The packet walk's renderers (issue 12) on hand-built walks (test/unit/fixtures/trace-walks.ts): the human report
 * (runner/trace/render-text.ts), the Mermaid sequence diagram and the table (runner/trace/render-mermaid.ts).
 * Golden files in test/unit/golden/trace-render (`npm run goldens` rewrites them). Pure.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { TraceReport } from '../../runner/model/trace.ts';
import { renderTraceText } from '../../runner/trace/render-text.ts';
import { reportToMermaid, walkTable, walkToMermaid } from '../../runner/trace/render-mermaid.ts';
import { DELIVERED, DROPPED, FLOW, PREDICTED_APART } from './fixtures/trace-walks.ts';
import { expectGolden } from './golden.ts';

const GOLDEN = join(import.meta.dirname, 'golden', 'trace-render');

const agreeing: TraceReport = { flow: FLOW, kernel: DELIVERED, predicted: { ...DELIVERED, source: 'model' }, differences: [], durationMs: 412 };
const apart: TraceReport = {
  flow: FLOW,
  kernel: DELIVERED,
  predicted: PREDICTED_APART,
  differences: [{ direction: 'forward', hop: 2, what: 'out', kernel: 'flannel.1', model: 'eth0' }, { direction: 'forward', hop: 2, what: 'encap', kernel: 'vxlan 1', model: 'none' }],
  durationMs: 530,
};
const dropped: TraceReport = { flow: FLOW, kernel: DROPPED, predicted: { ...DROPPED, source: 'model' }, differences: [], durationMs: 1604 };
const predictedOnly: TraceReport = { flow: FLOW, predicted: { ...DELIVERED, source: 'model' }, differences: [], durationMs: 3 };

describe('trace: the text report', () => {
  it('first line: FROM → TO and what TO named; a numbered hop list per direction; how each ended', () => {
    const t = renderTraceText(agreeing);
    const lines = t.split('\n');
    assert.equal(lines[0], 'client (10.244.0.6) → web (Service shop/web, ClusterIP 10.96.0.11 port 80), tcp');
    assert.match(t, /^kernel, forward:$/m);
    assert.match(t, /^ {2}1\. client .*out eth0 .*10\.244\.0\.6:40312 → 10\.96\.0\.11:80 tcp SYN ttl 64$/m);
    assert.match(t, /^ {2}2\. cni0@node-1 \(bridge\)\s+veth1a2b3c → cni0$/m);
    assert.match(t, /^ {2}3\. node-1 .*cni0 \(veth1a2b3c\) → flannel\.1/m);
    assert.match(t, /route 10\.244\.1\.0\/24 via 10\.244\.1\.0 dev flannel\.1 \[static\]: flannel route to node-2 \(lab\.yaml:31:5\)/);
    assert.match(t, /rule ip nat KUBE-SERVICES: ip daddr 10\.96\.0\.11 tcp dport 80 counter jump KUBE-SVC-ABC → jump KUBE-SVC-ABC: Service shop\/web port 80 \(lab\.yaml:31:5\)/);
    assert.match(t, /DNAT 10\.96\.0\.11:80 → 10\.244\.1\.5:8080: Service shop\/web port 80 \(lab\.yaml:31:5\)/);
    assert.match(t, /encap vxlan flannel\.1 VNI 1, outer 192\.168\.56\.11 → 192\.168\.56\.12 port 8472/);
    assert.match(t, /decap vxlan flannel\.1 VNI 1/);
    assert.match(t, /^ {5}delivered to nslab whoami on 10\.244\.1\.5:8080 in web-2$/m);
    assert.match(t, /^kernel, reply:$/m);
    assert.match(t, /^ {5}returned to client$/m);
    assert.match(t, /^model's prediction: the same walk$/m);
    assert.match(renderTraceText({ ...agreeing, predicted: PREDICTED_APART }), /^model's prediction: the same walk\n {2}note: kube-proxy chooses an endpoint at random/m, "the model's notes under it");
    assert.match(t, /traced in 412 ms\n$/);
    assert.doesNotMatch(t, /\u001b\[/, 'no colour unless asked');
    const ping = renderTraceText({ ...predictedOnly, predicted: { ...DELIVERED, source: 'model', flow: { ...FLOW, proto: 'icmp' }, forward: { ...DELIVERED.forward, hops: [{ ...DELIVERED.forward.hops[0], packet: { src: '10.1.0.2', dst: '10.2.0.2', ttl: 64, what: 'icmp echo-request' } }] } }, flow: { ...FLOW, proto: 'icmp' } });
    assert.match(ping, /10\.1\.0\.2 → 10\.2\.0\.2 icmp echo-request ttl 64$/m, 'the protocol once, when the packet names it');
    expectGolden(join(GOLDEN, 'delivered.txt'), t);
  });

  it('a drop names the rule, the chain and the lab object behind it, with its YAML place; no reply', () => {
    const t = renderTraceText(dropped);
    assert.match(t, /rule ip filter KUBE-NWPLCY-WEB: counter drop → drop: NetworkPolicy shop\/web-only-client \(lab\.yaml:40:7\)/);
    assert.match(t, /^ {5}dropped in node-2, filter FORWARD, chain KUBE-NWPLCY-WEB: NetworkPolicy shop\/web-only-client allows no 10\.244\.0\.6 \(lab\.yaml:40:7\)$/m);
    assert.doesNotMatch(t, /reply/);
    expectGolden(join(GOLDEN, 'dropped.txt'), t);
  });

  it('where the model parts from the kernel: its walk, then one ≠ line per difference', () => {
    const t = renderTraceText(apart);
    assert.match(t, /^model's prediction, forward:$/m);
    assert.match(t, /^where the kernel and the model differ \(2\):$/m);
    assert.match(t, /^ {2}≠ forward hop 3 \(node-1\): out — kernel flannel\.1, model eth0$/m);
    assert.match(t, /^ {2}≠ forward hop 3 \(node-1\): encap — kernel vxlan 1, model none$/m);
    assert.match(t, /note: kube-proxy chooses an endpoint at random/);
    expectGolden(join(GOLDEN, 'apart.txt'), t);
  });

  it('--predict: only the model, said so; colour on a terminal', () => {
    const t = renderTraceText(predictedOnly);
    assert.match(t, /^model's prediction \(nothing was sent\), forward:$/m);
    assert.doesNotMatch(t, /^kernel/m);
    assert.match(t, /predicted in 3 ms\n$/);
    const counted = { ...DROPPED, forward: { ...DROPPED.forward, hops: [{ ...DROPPED.forward.hops[0], rules: [{ family: 'ip', table: 'nat', chain: 'KUBE-SERVICES', rule: 'meta l4proto tcp ip daddr 10.96.0.11  tcp dport 80 counter packets 1 bytes 60 jump KUBE-SVC-X', verdict: 'jump KUBE-SVC-X' }] }] } };
    assert.match(renderTraceText({ ...dropped, kernel: counted }), /rule ip nat KUBE-SERVICES: meta l4proto tcp ip daddr 10\.96\.0\.11 tcp dport 80 counter jump KUBE-SVC-X → jump KUBE-SVC-X$/m, "a rule without its counter's numbers");
    const c = renderTraceText(dropped, { color: true });
    assert.match(c, /\u001b\[1;31mdropped in node-2/);
    assert.equal(c.replace(/\u001b\[[0-9;]*m/g, ''), renderTraceText(dropped), 'the same text, painted');
  });
});

describe('trace: the Mermaid sequence diagram and the table', () => {
  it('participants are the hops; the packet the messages (the reply dashed); NAT, tunnels and the end notes', () => {
    const m = walkToMermaid(DELIVERED);
    const lines = m.split('\n');
    assert.equal(lines[0], 'sequenceDiagram');
    assert.deepEqual(lines.filter((l) => l.includes('participant')).map((l) => l.trim()), ['participant p0 as client', 'participant p1 as cni0@node-1', 'participant p2 as node-1', 'participant p3 as node-2', 'participant p4 as cni0@node-2', 'participant p5 as web-2']);
    assert.ok(lines.includes('  p0->>p1: eth0: 10.244.0.6:40312 → 10.96.0.11:80 tcp SYN ttl 64'), m);
    assert.ok(lines.includes('  Note over p2: DNAT 10.96.0.11:80 → 10.244.1.5:8080'), m);
    assert.ok(lines.some((l) => l.startsWith('  Note over p2: encap vxlan flannel.1 VNI 1')), m);
    assert.ok(lines.includes('  Note over p5: delivered to nslab whoami on 10.244.1.5:8080 in web-2'), m);
    assert.ok(lines.some((l) => /^ {2}p5-->>p3: /.test(l)), 'the reply is dashed');
    assert.ok(lines.includes('  Note over p0: returned to client'), m);
    expectGolden(join(GOLDEN, 'delivered.mmd'), m);
  });

  it('the drop is a note over where it happened; Mermaid\'s own characters are escaped', () => {
    const m = walkToMermaid(DROPPED);
    assert.ok(m.includes('  Note over p3: dropped in node-2, filter FORWARD, chain KUBE-NWPLCY-WEB: NetworkPolicy shop/web-only-client allows no 10.244.0.6 (lab.yaml:40:7)\n'), m);
    const odd = walkToMermaid({ ...DROPPED, forward: { ...DROPPED.forward, verdict: { kind: 'dropped', at: 'node-2', by: 'rule', reason: 'a; b #1' } } });
    assert.ok(odd.includes('(rule): a#59; b #35;1'), odd);
    expectGolden(join(GOLDEN, 'dropped.mmd'), m);
    assert.equal(reportToMermaid(dropped), m, "the report's diagram is the kernel's walk");
    assert.equal(reportToMermaid(predictedOnly), walkToMermaid(predictedOnly.predicted!));
  });

  it('the table: a row per hop (→ forward, ← reply), in, out, route, NAT/tunnel, the rules that decided', () => {
    const t = walkTable(DELIVERED);
    assert.deepEqual(t.columns, ['#', 'hop', 'in', 'out', 'route', 'NAT / tunnel', 'rules that decided']);
    assert.equal(t.rows.length, 6 + 4);
    const n1 = t.rows[2];
    assert.deepEqual(n1.slice(0, 4), ['→3', 'node-1', 'cni0 (veth1a2b3c)', 'flannel.1']);
    assert.match(n1[5], /^DNAT 10\.96\.0\.11:80 → 10\.244\.1\.5:8080: Service shop\/web port 80 \(lab\.yaml:31:5\); encap vxlan flannel\.1 VNI 1/);
    assert.doesNotMatch(n1[6], /continue/, 'a rule that only went on decided nothing');
    assert.match(n1[6], /policy accept/);
    assert.deepEqual(t.rows[6].slice(0, 2), ['←1', 'web-2']);
    assert.deepEqual(t.ends, ['forward: delivered to nslab whoami on 10.244.1.5:8080 in web-2', 'reply: returned to client']);
  });
});
