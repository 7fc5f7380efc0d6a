/**
 * `lab graph`: every lab in labs/ draws its golden Mermaid (`npm run goldens` rewrites them), with every node and link
 * in it, overlays and BGP sessions drawn apart from cables; the DOT and SVG pictures hold the same; labels are escaped.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLab } from '../../runner/api.ts';
import type { ResolvedLab } from '../../runner/model/types.ts';
import { dot, dotString } from '../../runner/graph/dot.ts';
import { mermaid, mermaidText } from '../../runner/graph/mermaid.ts';
import { boxesOf, buildGraph, type Graph, type GraphEdge } from '../../runner/graph/model.ts';
import { dotToSvg, standaloneSvg, svg } from '../../runner/graph/svg.ts';
import { formatOf } from '../../runner/cli/commands/graph.ts';
import { LabError } from '../../runner/config/diagnostics.ts';
import { needTools } from '../needs.ts';
import { expectGolden, expectNoStrayGoldens } from './golden.ts';

const LABS = 'labs';
const GOLDEN = 'test/unit/golden/graph';
const labs = readdirSync(LABS).filter((d) => existsSync(join(LABS, d, 'lab.yaml')));
const load = (dir: string): ResolvedLab => loadLab(join(LABS, dir, 'lab.yaml')).lab;

/** The edge lines of Mermaid text, parsed: `from ARROW|"label"| to`, in order (their index is linkStyle's). */
function mermaidEdges(text: string): { from: string; arrow: string; label: string; to: string }[] {
  return [...text.matchAll(/^ {2}(\w+) (---|-\.-)\|"([^"]*)"\| (\w+)$/gm)].map((m) => ({ from: m[1], arrow: m[2], label: m[3], to: m[4] }));
}

/** linkStyle lines: edge index → style text. */
function linkStyles(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const m of text.matchAll(/^ {2}linkStyle ([\d,]+) (.*)$/gm)) for (const k of m[1].split(',')) out.set(Number(k), m[2]);
  return out;
}

const between = (e: { from: string; to: string }, a: string, b: string): boolean => (e.from === a && e.to === b) || (e.from === b && e.to === a);

function sessions(g: Graph, cls: GraphEdge['cls']): GraphEdge[] {
  return g.edges.filter((e) => e.cls === cls);
}

function writeLab(text: string): { file: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-graph-'));
  const file = join(dir, 'lab.yaml');
  writeFileSync(file, text);
  return { file, done: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('lab graph: Mermaid', () => {
  it('there are labs to draw', () => assert.ok(labs.length >= 8, `found ${labs.length}`));
  it('every golden graph belongs to a lab', () => expectNoStrayGoldens(GOLDEN, '.mmd', labs.map((d) => `${d}.mmd`)));

  for (const dir of labs) {
    describe(`labs/${dir}`, () => {
      it('draws its golden Mermaid', () => {
        expectGolden(join(GOLDEN, `${dir}.mmd`), mermaid(load(dir)));
      });

      it('is deterministic', () => assert.equal(mermaid(load(dir)), mermaid(load(dir))));

      it('has every node, with its kind and addresses, and every bridge', () => {
        const lab = load(dir);
        const g = buildGraph(lab);
        const text = mermaid(lab);
        assert.match(text, /^---\ntitle: .*\n---\nflowchart LR\n/);
        for (const n of lab.nodes) {
          const id = g.nodeId.get(n.name)!;
          const line = text.split('\n').find((l) => l.trimStart().startsWith(`${id}`) && /^[[({]/.test(l.trimStart().slice(id.length)));
          assert.ok(line, `no box for node ${n.name} (${id})`);
          assert.ok(line.includes(`"${n.name} · ${n.kind === 'bird' ? 'bird' : n.kind}`), `box of ${n.name} does not say its name and kind: ${line}`);
          for (const i of n.interfaces) for (const a of i.addresses) assert.ok(line.includes(a), `box of ${n.name} lacks ${i.name}'s ${a}`);
          assert.ok(line.endsWith(`:::${n.kind}`), `box of ${n.name} has no class of its kind: ${line}`);
        }
        for (const b of lab.bridges) {
          const id = g.bridgeId.get(b.name)!;
          const line = text.split('\n').find((l) => l.trimStart().startsWith(`${id}[/"`));
          assert.ok(line, `no box for bridge ${b.name}`);
          assert.ok(line.includes(`${b.ifname} · bridge`));
          assert.ok(line.endsWith(b.node ? ':::bridge' : ':::fabric'), line);
          for (const a of b.addresses) assert.ok(line.includes(a));
        }
        // ids are unique and safe
        const ids = boxesOf(g.items).map((x) => x.id);
        assert.equal(new Set(ids).size, ids.length);
        for (const id of ids) assert.match(id, /^[a-z]_[A-Za-z0-9_]+$/);
      });

      it('has every link as a plain edge labelled with its interface names', () => {
        const lab = load(dir);
        const g = buildGraph(lab);
        const edges = mermaidEdges(mermaid(lab));
        for (const l of lab.links) {
          const id = (e: typeof l.a): string => (e.bridge ? g.bridgeId.get(e.bridge)! : g.nodeId.get(e.node!)!);
          const hit = edges.find((e) => e.arrow === '---' && between(e, id(l.a), id(l.b)) && [l.a, l.b].every((end) => end.bridge || e.label.includes(end.ifname)));
          assert.ok(hit, `link ${l.a.node ?? l.a.bridge}:${l.a.ifname} — ${l.b.node ?? l.b.bridge}:${l.b.ifname} is not drawn`);
        }
        assert.equal(edges.length, g.edges.length, 'every edge of the graph is one Mermaid edge line');
      });

      it('puts bridges of a node inside its subgraph, fabric bridges outside any', () => {
        const lab = load(dir);
        const g = buildGraph(lab);
        const text = mermaid(lab);
        for (const b of lab.bridges) {
          const id = g.bridgeId.get(b.name)!;
          const line = text.split('\n').find((l) => l.trimStart().startsWith(`${id}[/"`))!;
          if (b.node) {
            assert.ok(line.startsWith('    '), `${b.name} is not inside a subgraph`);
            const before = text.slice(0, text.indexOf(line));
            const opened = [...before.matchAll(/^ *subgraph (\w+) \["([^"]*)"\]$/gm)].pop();
            assert.equal(opened?.[2], b.node, `${b.name} is not in the subgraph of ${b.node}`);
          } else assert.ok(/^ {2}\S/.test(line), `fabric bridge ${b.name} is inside a subgraph`);
        }
      });

      it('draws the same graph as DOT', () => {
        const lab = load(dir);
        const g = buildGraph(lab);
        const text = dot(lab);
        assert.match(text, /^graph "[^"]+" \{\n/);
        assert.ok(text.endsWith('}\n'));
        for (const b of boxesOf(g.items)) assert.ok(text.includes(`"${b.id}" [label="${b.lines[0]}`), `DOT lacks box ${b.id}`);
        const edgeLines = text.split('\n').filter((l) => / -- /.test(l));
        assert.equal(edgeLines.length, g.edges.length);
      });
    });
  }

  it('vxlan-l2-overlay: the VXLAN overlay is one dashed edge between the VTEPs, styled apart from the cables', () => {
    const lab = load('vxlan-l2-overlay');
    const g = buildGraph(lab);
    const text = mermaid(lab);
    const edges = mermaidEdges(text);
    const vx = edges.map((e, k) => ({ ...e, k })).filter((e) => e.label === 'VXLAN 42');
    assert.equal(vx.length, 1, 'one VXLAN edge, though both VTEPs list each other');
    assert.ok(between(vx[0], g.nodeId.get('gw-a')!, g.nodeId.get('gw-b')!));
    assert.equal(vx[0].arrow, '-.-');
    const style = linkStyles(text).get(vx[0].k);
    assert.match(style ?? '', /stroke-dasharray:8 4/);
    // distinct from cables and from BGP's dots
    const cable = edges.findIndex((e) => e.arrow === '---');
    assert.doesNotMatch(linkStyles(text).get(cable) ?? '', /dasharray/);
    assert.match(dot(lab), /"n_gw_a" -- "n_gw_b" \[label="VXLAN 42", style="dashed"/);
    // the VTEP is a port of the site's bridge
    assert.ok(edges.some((e) => e.label === 'vx42' && between(e, g.nodeId.get('gw-a')!, g.bridgeId.get('br-a')!)));
  });

  it('ebgp-triangle: three eBGP sessions, each drawn once as a dotted edge', () => {
    const lab = load('ebgp-triangle');
    const g = buildGraph(lab);
    const text = mermaid(lab);
    const edges = mermaidEdges(text).map((e, k) => ({ ...e, k }));
    const bgp = edges.filter((e) => e.label === 'eBGP');
    assert.equal(bgp.length, 3);
    for (const [a, b] of [['r1', 'r2'], ['r1', 'r3'], ['r2', 'r3']]) assert.equal(bgp.filter((e) => between(e, g.nodeId.get(a)!, g.nodeId.get(b)!)).length, 1, `${a}–${b}`);
    for (const e of bgp) {
      assert.equal(e.arrow, '-.-');
      assert.match(linkStyles(text).get(e.k) ?? '', /stroke-dasharray:2 3/);
    }
    assert.equal(sessions(g, 'ibgp').length, 0);
    assert.ok(text.includes('n_r1{{"r1 · bird AS 65001<br/>eth0 10.0.12.1/24'), 'a router is a hexagon with its AS and addresses');
    assert.equal((dot(lab).match(/label="eBGP", style="dotted"/g) ?? []).length, 3);
  });

  it('ibgp-full-mesh-vs-rr: 10 full-mesh sessions and 9 route-reflector sessions, each once, all iBGP', () => {
    const g = buildGraph(load('ibgp-full-mesh-vs-rr'));
    const ibgp = sessions(g, 'ibgp');
    assert.equal(sessions(g, 'ebgp').length, 0);
    assert.equal(ibgp.length, 10 + 9);
    const keys = ibgp.map((e) => [e.from, e.to].sort().join(' '));
    assert.equal(new Set(keys).size, keys.length, 'no session twice');
    const m = (k: number): string => g.nodeId.get(`m${k}`)!;
    for (let a = 1; a <= 5; a++) for (let b = a + 1; b <= 5; b++) assert.ok(ibgp.some((e) => between(e, m(a), m(b))), `m${a}–m${b}`);
    const rr = ibgp.filter((e) => e.label.includes('RR client'));
    assert.equal(rr.length, 8, 'four clients of two reflectors');
    assert.ok(ibgp.some((e) => e.label === 'iBGP' && between(e, g.nodeId.get('rr1')!, g.nodeId.get('rr2')!)));
    const text = mermaid(load('ibgp-full-mesh-vs-rr'));
    for (const e of mermaidEdges(text).filter((x) => x.label.startsWith('iBGP'))) assert.equal(e.arrow, '-.-');
  });

  it('labs without overlays or BGP draw none', () => {
    for (const dir of ['netns-veth', 'routed', 'bridge-nat', 'pod-pause']) {
      const g = buildGraph(load(dir));
      assert.deepEqual(
        g.edges.filter((e) => e.cls !== 'veth' && e.cls !== 'port').map((e) => e.label),
        [],
        dir,
      );
    }
  });

  it('pod-pause: a pod groups its containers in a subgraph', () => {
    const text = mermaid(load('pod-pause'));
    const block = /subgraph g_pod_a \["pod pod-a"\]\n([\s\S]*?)\n {2}end/.exec(text)?.[1] ?? '';
    assert.match(block, /n_pod_a\[\["pod-a · pod \(pause\)<br\/>eth0 10\.244\.1\.2\/24"\]\]:::pod/);
    assert.match(block, /a_pod_a_server\(\["server · container<br\/>iperf3 -s -p 5201"\]\):::app/);
    assert.match(block, /a_pod_a_client\(\["client · container"\]\):::app/);
    assert.match(text, /class g_pod_a,g_pod_b podGroup/);
  });

  it('a cluster is one group of Kubernetes nodes, each holding its node, its cni0 and the pods placed on it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nslab-graph-'));
    const file = join(dir, 'lab.yaml');
    writeFileSync(file, 'name: g-k8s\ncluster:\n  cni: flannel-vxlan\n  nodes: { node-1: {}, node-2: {} }\n  pods:\n    web: { replicas: 2 }\n    client: { node: node-1 }\n');
    try {
      const g = buildGraph(loadLab(file).lab);
      const cluster = g.items.find((i) => i.type === 'group' && i.cls === 'cluster');
      assert.ok(cluster && cluster.type === 'group', 'a cluster group');
      assert.equal(cluster.label, 'cluster · flannel-vxlan · kube-proxy iptables');
      const nodes = cluster.members.map((m) => (m.type === 'group' ? [m.label, boxesOf(m.members).map((b) => (b.ref.type === 'node' ? b.ref.node : b.ref.type === 'bridge' ? b.ref.bridge : '?'))] : ['box']));
      assert.deepEqual(nodes, [
        ['k8s node node-1 · 192.168.56.11 · pods 10.244.0.0/24', ['node-1', 'cni0@node-1', 'coredns', 'web-1', 'client']],
        ['k8s node node-2 · 192.168.56.12 · pods 10.244.1.0/24', ['node-2', 'cni0@node-2', 'web-2']],
      ]);
      // the underlay bridge stays outside the cluster
      assert.ok(g.items.some((i) => i.type === 'box' && i.ref.type === 'bridge' && i.ref.bridge === 'k8s-net'));
      assert.match(mermaid(loadLab(file).lab), /subgraph c_cluster \["cluster · flannel-vxlan · kube-proxy iptables"\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('docker-network-modes: shared namespaces are edges to the namespace owner, none is said', () => {
    const lab = load('docker-network-modes');
    const g = buildGraph(lab);
    const shares = g.edges.filter((e) => e.cls === 'shares');
    assert.deepEqual(
      shares.map((e) => [e.from, e.label, e.to]),
      [
        [g.nodeId.get('hostmode'), 'host:dockerhost', g.nodeId.get('dockerhost')],
        [g.nodeId.get('sidecar'), 'container:web', g.nodeId.get('web')],
      ],
    );
    assert.match(mermaid(lab), /n_isolated\("isolated · container<br\/>network none"\):::container/);
  });

  it('tun tunnels are dashed `tun (udp)` edges; macvlan children, external BGP peers and clashing ids are handled', () => {
    const { file, done } = writeLab(`name: graph-odd
nodes:
  a-b:
    interfaces:
      eth0: { addresses: [10.0.0.1/24] }
      tun0: { type: tun, remote: a_b, addresses: [10.60.0.1/24] }
  a_b:
    interfaces:
      eth0: { addresses: [10.0.0.2/24] }
      tun0: { type: tun, remote: a-b, addresses: [10.60.0.2/24] }
  c:
    interfaces:
      eth0: { addresses: [10.0.1.1/24] }
      mv0: { type: macvlan, dev: eth0, addresses: [10.0.1.11/24] }
  end:
    kind: bird
    runtime: netns
    asn: 65010
    interfaces:
      eth0: { addresses: [10.0.1.3/24] }
    bgp:
      neighbors: [{ peer: 10.0.1.99, asn: 65099 }]
bridges:
  lan: {}
links:
  - [a-b:eth0, a_b:eth0]
  - [c:eth0, lan]
  - [end:eth0, lan]
`);
    try {
      const lab = loadLab(file).lab;
      const g = buildGraph(lab);
      assert.equal(g.nodeId.get('a-b'), 'n_a_b');
      assert.equal(g.nodeId.get('a_b'), 'n_a_b_2');
      assert.equal(g.nodeId.get('end'), 'n_end', 'a Mermaid keyword as a node name gets a prefix');
      const text = mermaid(lab);
      const edges = mermaidEdges(text).map((e, k) => ({ ...e, k }));
      const tun = edges.filter((e) => e.label === 'tun (udp)');
      assert.equal(tun.length, 1);
      assert.ok(between(tun[0], 'n_a_b', 'n_a_b_2'));
      assert.equal(tun[0].arrow, '-.-');
      assert.match(linkStyles(text).get(tun[0].k) ?? '', /stroke-dasharray:8 4/);
      assert.ok(text.includes('mv0 (macvlan on eth0) 10.0.1.11/24'));
      assert.ok(text.includes('x_10_0_1_99(("10.0.1.99 · AS 65099")):::external'));
      assert.ok(edges.some((e) => e.label === 'eBGP' && between(e, 'n_end', 'x_10_0_1_99')));
      assert.ok(text.includes('"end · bird (netns) AS 65010'));
    } finally {
      done();
    }
  });

  it('escapes labels: quotes, <, >, &, #, | and backticks become entity codes', () => {
    assert.equal(mermaidText('a "b" <c> & #d | `e`'), 'a #quot;b#quot; #lt;c#gt; #amp; #35;d #124; #96;e#96;');
    assert.equal(mermaidText('two\nlines'), 'two lines');
    assert.equal(dotString('say "hi" \\n'), '"say \\"hi\\" \\\\n"');
    const { file, done } = writeLab(`name: graph-escape
nodes:
  p:
    kind: pod
    containers:
      - name: x
        cmd: [sh, -c, 'echo "<b>#1 & |y|"']
`);
    try {
      const text = mermaid(loadLab(file).lab);
      const line = text.split('\n').find((l) => l.includes('a_p_x'))!;
      assert.ok(line.includes('sh -c echo #quot;#lt;b#gt;#35;1 #amp; #124;y#124;#quot;'), line);
      // inside the quotes of a label only entity codes appear, never a raw quote, bracket or pipe
      const inner = /\(\["(.*)"\]\)/.exec(line)![1];
      assert.doesNotMatch(inner.replace(/<br\/>/g, ''), /["<>|`]/);
    } finally {
      done();
    }
  });
});

describe('lab graph: SVG (Graphviz)', () => {

  it('standaloneSvg drops the DOCTYPE, comments and links to the web', () => {
    const raw = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"
 "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<!-- Generated by graphviz -->
<svg width="8pt" height="8pt" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">
<g><a xlink:href="https://example.com/x"><text>r&#45;1</text></a></g>
</svg>
`;
    const s = standaloneSvg(raw);
    assert.ok(s.startsWith('<?xml'));
    assert.doesNotMatch(s, /DOCTYPE|<!--|href|xmlns:xlink=/);
    assert.deepEqual(s.match(/https?:\/\/[^"\s<]*/g), ['http://www.w3.org/2000/svg']);
    assert.ok(s.includes('<text>r-1</text>'));
    // a link inside the document stays, and so does the xlink namespace it needs
    const local = standaloneSvg(raw.replace('https://example.com/x', '#node1'));
    assert.ok(local.includes('xlink:href="#node1"') && local.includes('xmlns:xlink='));
  });

  it('dot missing: a clear error with exit code 4 that says how to install it', async () => {
    await assert.rejects(dotToSvg('graph x {}', 'nslab-no-such-dot'), (e: unknown) => {
      assert.ok(e instanceof LabError);
      assert.equal(e.exitCode, 4);
      assert.match(e.diagnostics[0].hint ?? '', /apt-get install graphviz/);
      assert.match(e.diagnostics[0].hint ?? '', /lab doctor --fix/);
      return true;
    });
  });

  for (const dir of labs) {
    it(`labs/${dir}: a standalone SVG with every node, made by dot`, async function () {
      needTools(['dot'], 'apt-get install graphviz (or `bash scripts/setup.sh`)');
      this.timeout(30_000);
      const lab = load(dir);
      const text = await svg(lab);
      assert.ok(text.startsWith('<?xml') || text.startsWith('<svg'), text.slice(0, 80));
      assert.match(text, /<svg[\s\S]*<\/svg>\s*$/);
      for (const n of lab.nodes) assert.ok(text.includes(`>${n.name} · `), `SVG lacks node ${n.name}`);
      for (const b of lab.bridges) assert.ok(text.includes(`>${b.ifname} · bridge`), `SVG lacks bridge ${b.ifname}`);
      const web = (text.match(/https?:\/\/[^"'\s<>)]*/g) ?? []).filter((u) => u !== 'http://www.w3.org/2000/svg');
      assert.deepEqual(web, [], 'no reference to the web but the SVG namespace');
      assert.doesNotMatch(text, /<image|@import|@font-face|url\(/);
      // balanced tags: XML-ish enough to parse
      const open = (text.match(/<g[\s>]/g) ?? []).length;
      assert.equal(open, (text.match(/<\/g>/g) ?? []).length);
    });
  }
});

describe('lab graph: command line', () => {
  it('infers the format from --out and checks --format', () => {
    assert.equal(formatOf(undefined, undefined), 'mermaid');
    assert.equal(formatOf(undefined, 'x.svg'), 'svg');
    assert.equal(formatOf(undefined, 'x.SVG'), 'svg');
    assert.equal(formatOf(undefined, 'x.dot'), 'dot');
    assert.equal(formatOf(undefined, 'x.md'), 'mermaid');
    assert.equal(formatOf('dot', 'x.svg'), 'dot');
    assert.throws(() => formatOf('png', undefined), /--format must be one of mermaid, svg, dot/);
  });
});
