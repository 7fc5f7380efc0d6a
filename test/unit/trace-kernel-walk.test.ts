/**
 * The kernel's walk (issue 12) from recorded traces: `nft monitor trace` lines parsed, followed along the lab's
 * topology, and filled with the recorded answers (routes, conntrack, vxlan devices, listeners). The fixtures in
 * test/unit/fixtures/trace/ were recorded on the real kernel with scripts/trace-kernel.ts --record.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLab } from '../../runner/api.ts';
import type { Hop, Walk } from '../../runner/model/trace.ts';
import { finishWalk, prepareWalk, type KernelRecord } from '../../runner/trace/kernel-build.ts';
import { endpoint, parseConntrack, parseListener, parsePacket, parseRouteGet, parseTraceLines, segmentsOf, summarize, tcpFlags } from '../../runner/trace/kernel-parse.ts';
import { bridgeTable, inetTable, loadScript, removeScript } from '../../runner/exec/trace-tables.ts';
import { splitBatch } from '../../runner/exec/trace-queries.ts';
import { traceUnavailable } from '../../runner/model/features.ts';

const FIXTURES = 'test/unit/fixtures/trace';

function walkOf(fixture: string, labDir: string): { walk: Walk; rec: KernelRecord } {
  const rec = JSON.parse(readFileSync(join(FIXTURES, `${fixture}.json`), 'utf8')) as KernelRecord;
  const { lab } = loadLab(join('labs', labDir, 'lab.yaml'));
  const prepared = prepareWalk(lab, rec);
  // the walk asks the same questions it asked when it was recorded
  assert.deepEqual(prepared.queries, rec.queries);
  return { walk: finishWalk(lab, prepared, rec.results ?? [], (pid) => `whoami-${pid}`), rec };
}

const hops = (hs: readonly Hop[]): string => hs.map((h) => `${h.type === 'bridge' ? 'bridge ' : ''}${h.at}[${h.in ?? ''}>${h.out ?? ''}]`).join(' ');

describe('kernel walk: parsing nft monitor trace', () => {
  const text = [
    'trace id 3c56b63d inet nsl_trace pre packet: iif "eth0" ether saddr d6:dc:19:db:cb:6c ip saddr 10.1.0.2 ip daddr 10.2.0.2 ip dscp 0x2b ip ttl 64 ip protocol tcp tcp sport 40000 tcp dport 80 tcp flags == syn',
    'trace id 3c56b63d inet nsl_trace pre unknown rule handle 8 (verdict continue)',
    'trace id 3c56b63d ip filter FORWARD rule iifname "eth0" counter packets 3 bytes 180 drop (verdict drop)',
    'trace id 3c56b63d ip filter INPUT policy accept ',
    'not a trace line',
  ].join('\n');

  it('reads packet, rule and policy lines (counters dropped from the rule text)', () => {
    const ev = parseTraceLines(text);
    assert.equal(ev.length, 5 - 1);
    assert.equal(ev[1].rule, 'unknown rule handle 8', 'a rule loaded after the monitor started');
    assert.deepEqual(ev[0].packet, { iif: 'eth0', src: '10.1.0.2', dst: '10.2.0.2', sport: 40000, dport: 80, ttl: 64, proto: 'tcp', tcpFlags: 'syn' });
    assert.deepEqual({ ...ev[2] }, { id: '3c56b63d', family: 'ip', table: 'filter', chain: 'FORWARD', kind: 'rule', rule: 'iifname "eth0" counter drop', verdict: 'drop' });
    assert.equal(ev[3].verdict, 'policy accept');
  });

  it('a segment that meets a drop verdict ends dropped, with the rule; the tracer\'s own rules are not listed', () => {
    const [seg] = segmentsOf('ns', parseTraceLines(text));
    const s = summarize(seg);
    assert.equal(s.end, 'dropped');
    assert.equal(s.drop?.chain, 'FORWARD');
    assert.deepEqual(s.rules.map((r) => r.chain), ['FORWARD', 'INPUT']);
  });

  it('tcp flags as names, icmp type and code, ipv6 addresses', () => {
    assert.equal(tcpFlags('0x12'), 'syn,ack');
    assert.equal(tcpFlags('0x14'), 'ack,rst');
    assert.equal(tcpFlags('syn'), 'syn');
    const p = parsePacket('oif "eth0" ip saddr 10.0.0.1 ip daddr 10.0.0.2 ip protocol icmp icmp type destination-unreachable icmp code port-unreachable');
    assert.equal(p.icmpType, 'destination-unreachable');
    assert.equal(p.icmpCode, 'port-unreachable');
    assert.equal(parsePacket('iif "eth0" ip6 saddr fd00::1 ip6 daddr fd00::2 ip6 hoplimit 63').dst, 'fd00::2');
  });

  it('conntrack tuples, route answers, listeners, endpoints', () => {
    const [e] = parseConntrack('tcp      6 117 SYN_SENT src=10.244.0.6 dst=10.96.0.11 sport=40000 dport=80 [UNREPLIED] src=10.244.1.2 dst=10.244.0.6 sport=80 dport=40000 mark=1 use=1');
    assert.deepEqual(e.orig, { src: '10.244.0.6', dst: '10.96.0.11', sport: 40000, dport: 80 });
    assert.deepEqual(e.reply, { src: '10.244.1.2', dst: '10.244.0.6', sport: 80, dport: 40000 });
    assert.deepEqual(parseRouteGet('', 'RTNETLINK answers: Network is unreachable\n'), { error: 'Network is unreachable' });
    assert.deepEqual(parseRouteGet('[{"dst":"10.2.0.0/24","dev":"eth1","protocol":"kernel","scope":"link","flags":[]}]', '').route, { dst: '10.2.0.0/24', table: 'main', dev: 'eth1', protocol: 'kernel' });
    assert.deepEqual(parseListener('LISTEN 0 511 *:80 *:* users:(("node",pid=42,fd=20))', () => 'node main.ts agent whoami'), { listening: true, process: 'node main.ts agent whoami (pid 42)', pid: 42 });
    assert.deepEqual(parseListener(''), { listening: false });
    assert.equal(endpoint('fd00::1', 80), '[fd00::1]:80');
  });
});

describe('kernel walk: the tracer\'s tables and questions', () => {
  it('one statement per line, no chain named fwd, the tag chain only with a tcp/udp probe', () => {
    const spec = { mark: 0x5e000001, tunnelPorts: [4789, 8472] };
    const text = loadScript(spec, true);
    assert.ok(text.startsWith(removeScript(true)));
    assert.ok(!/chain fwd\b/.test(text));
    assert.ok(!text.split('\n').some((l) => /;\s*}/.test(l)), 'no "…; }" on one line (a bridge table fails to parse it)');
    assert.ok(!inetTable(spec).includes('chain tag'));
    assert.match(inetTable({ ...spec, tag: { proto: 'tcp', sport: 40001 } }), /tcp sport 40001 tcp flags & \(syn \| ack\) == syn ip dscp set 0x2b/);
    assert.match(inetTable(spec), /ct mark 0x5e000001 ct direction reply/);
    assert.match(bridgeTable(spec), /udp dport \{ 4789, 8472 \} @th,248,6 0x2b meta nftrace set 1/);
    // an inner IPv6 packet (flannel-v6.1 in a dual-stack cluster): its DSCP sits 4 bits earlier, after the version
    assert.match(bridgeTable(spec), /udp dport \{ 4789, 8472 \} @th,240,4 6 @th,244,6 0x2b meta nftrace set 1/);
    assert.match(inetTable(spec), /@th,240,4 6 @th,244,6 0x2b meta nftrace set 1/);
  });

  it('splits an ip -batch answer: a failed line prints its error instead of JSON', () => {
    const out = '[{"dst":"a"}]\n[{"dst":"c"}]\n';
    const err = 'RTNETLINK answers: Network is unreachable\nCommand failed -:2\n';
    assert.deepEqual(splitBatch(3, out, err), [
      { stdout: '[{"dst":"a"}]', stderr: '' },
      { stdout: '', stderr: 'RTNETLINK answers: Network is unreachable' },
      { stdout: '[{"dst":"c"}]', stderr: '' },
    ]);
  });
});

describe('kernel walk: a kernel that cannot trace', () => {
  it('names the missing feature and what to do; nothing when every trace feature works', () => {
    const found = new Map([
      ['nftables', { ok: true, detail: 'works' }],
      ['nftrace', { ok: false, detail: 'nft -f -: Error: Could not process rule: Operation not supported', hint: 'this kernel lacks CONFIG_NF_TABLES' }],
    ]);
    const r = traceUnavailable(found);
    assert.match(r?.message ?? '', /^this machine cannot trace packets: the kernel feature nftrace is missing \(nft -f -: Error/);
    assert.match(r?.hint ?? '', /^this kernel lacks CONFIG_NF_TABLES; `lab trace --predict` shows the model's walk/);
    assert.equal(traceUnavailable(new Map([['nftables', { ok: true, detail: 'works' }], ['nftrace', { ok: true, detail: 'works' }]])), undefined);
  });
});

describe('kernel walk: verdicts from synthetic traces', () => {
  const { lab } = loadLab(join('labs', 'routed', 'lab.yaml'));
  const pkt = (dir: string, extra: string): string => `packet: ${dir} ${extra}`;
  const req = 'ip saddr 10.1.0.2 ip daddr 10.2.0.2 ip ttl 1 ip protocol icmp icmp type echo-request';
  const err = 'ip saddr 10.1.0.1 ip daddr 10.1.0.2 ip ttl 64 ip protocol icmp icmp type time-exceeded icmp code ttl-exceeded';
  const rec = (monitors: Record<string, string[]>): KernelRecord => ({
    flow: { from: 'a1', dst: '10.2.0.2', family: 4, proto: 'icmp', toText: 'b1', target: { kind: 'node', node: 'b1' } },
    sourceNs: 'nsl.routed.a1',
    mark: 1,
    tunnelPorts: [4789],
    monitors: Object.fromEntries(Object.entries(monitors).map(([ns, lines]) => [ns, lines.join('\n')])),
  });
  const walk = (r: KernelRecord, results: { stdout: string; stderr: string }[] = []): Walk => {
    const prepared = prepareWalk(lab, r);
    return finishWalk(lab, prepared, prepared.queries.map((_, i) => results[i] ?? { stdout: '', stderr: '' }));
  };

  it('the TTL runs out in r: r answers time exceeded, the reply comes back', () => {
    const w = walk(
      rec({
        'nsl.routed.a1': [`trace id 1 inet nsl_trace out ${pkt('oif "eth0"', req)}`, `trace id 1 inet nsl_trace post ${pkt('oif "eth0"', req)}`, `trace id 5 inet nsl_trace pre ${pkt('iif "eth0"', err)}`, `trace id 5 inet nsl_trace inp ${pkt('iif "eth0"', err)}`],
        'nsl.routed': [`trace id 2 bridge nsl_trace bfw ${pkt('iif "a1-eth0" oif "r-eth0"', req)}`, `trace id 4 bridge nsl_trace bfw ${pkt('iif "r-eth0" oif "a1-eth0"', err)}`],
        'nsl.routed.r': [`trace id 3 inet nsl_trace pre ${pkt('iif "eth0"', req)}`, `trace id 4 inet nsl_trace ctout ${pkt('oif "eth0"', err)}`, `trace id 4 inet nsl_trace post ${pkt('oif "eth0"', err)}`],
      }),
    );
    assert.equal(hops(w.forward.hops), 'a1[>eth0] bridge lan-a[a1-eth0>r-eth0] r[eth0>]');
    assert.deepEqual(w.forward.verdict, { kind: 'dropped', at: 'r', by: 'ttl', reason: 'the TTL ran out in r (it answered with ICMP time exceeded)' });
    assert.equal(hops(w.reply!.hops), 'r[>eth0] bridge lan-a[r-eth0>a1-eth0] a1[eth0>]');
    assert.deepEqual(w.reply!.verdict, { kind: 'returned', at: 'a1' });
  });

  it('seen entering r, then gone without a rule: no route there (the route lookup says why)', () => {
    const r = rec({
      'nsl.routed.a1': [`trace id 1 inet nsl_trace out ${pkt('oif "eth0"', req)}`, `trace id 1 inet nsl_trace post ${pkt('oif "eth0"', req)}`],
      'nsl.routed': [`trace id 2 bridge nsl_trace bfw ${pkt('iif "a1-eth0" oif "r-eth0"', req)}`],
      'nsl.routed.r': [`trace id 3 inet nsl_trace pre ${pkt('iif "eth0"', req)}`],
    });
    const prepared = prepareWalk(lab, r);
    const results = prepared.queries.map((q) => (q.kind === 'route' && q.ns === 'nsl.routed.r' ? { stdout: '', stderr: 'RTNETLINK answers: No route to host\n' } : { stdout: '', stderr: '' }));
    const w = finishWalk(lab, prepared, results);
    assert.deepEqual(w.forward.verdict, { kind: 'dropped', at: 'r', by: 'route', reason: 'r has no route to 10.2.0.2: No route to host' });
    assert.equal(w.reply, undefined);
  });

  it('seen entering r, then gone, and the route lookup from that source is refused: reverse-path filtering', () => {
    const r = rec({
      'nsl.routed.a1': [`trace id 1 inet nsl_trace out ${pkt('oif "eth0"', req)}`, `trace id 1 inet nsl_trace post ${pkt('oif "eth0"', req)}`],
      'nsl.routed': [`trace id 2 bridge nsl_trace bfw ${pkt('iif "a1-eth0" oif "r-eth0"', req)}`],
      'nsl.routed.r': [`trace id 3 inet nsl_trace pre ${pkt('iif "eth0"', req)}`],
    });
    const prepared = prepareWalk(lab, r);
    const w = finishWalk(lab, prepared, prepared.queries.map((q) => ({ stdout: '', stderr: q.kind === 'route' && q.ns === 'nsl.routed.r' ? 'RTNETLINK answers: Invalid cross-device link\n' : '' })));
    assert.equal(w.forward.verdict.kind === 'dropped' && w.forward.verdict.by, 'rp-filter');
  });

  it('sent and never seen again: unknown, last seen where it left', () => {
    const w = walk(rec({ 'nsl.routed.a1': [`trace id 1 inet nsl_trace out ${pkt('oif "eth0"', req)}`, `trace id 1 inet nsl_trace post ${pkt('oif "eth0"', req)}`] }));
    assert.deepEqual(w.forward.verdict, { kind: 'dropped', at: 'a1', by: 'unknown', reason: 'the packet was last seen in a1 leaving by eth0' });
  });
});

describe('kernel walk: recorded traces of the shipped labs', () => {
  it('routed: a1 → r → b1 across both bridges, and back', () => {
    const { walk } = walkOf('routed-ping', 'routed');
    assert.equal(hops(walk.forward.hops), 'a1[>eth0] bridge lan-a[a1-eth0>r-eth0] r[eth0>eth1] bridge lan-b[r-eth1>b1-eth0] b1[eth0>]');
    assert.deepEqual(walk.forward.verdict, { kind: 'delivered', at: 'b1', address: '10.2.0.2' });
    assert.equal(hops(walk.reply!.hops), 'b1[>eth0] bridge lan-b[b1-eth0>r-eth1] r[eth1>eth0] bridge lan-a[r-eth0>a1-eth0] a1[eth0>]');
    assert.deepEqual(walk.reply!.verdict, { kind: 'returned', at: 'a1' });
    const r = walk.forward.hops[2];
    assert.deepEqual(r.route, { dst: '10.2.0.0/24', table: 'main', dev: 'eth1', protocol: 'kernel' });
    assert.equal(walk.forward.hops[0].route?.via, '10.1.0.1');
    assert.equal(walk.forward.hops[0].packet?.what, 'icmp echo-request');
  });

  it('sidecar: the app\'s connection REDIRECTed to 127.0.0.1:15001 leaves by lo and comes back in by it: one hop, delivered to the proxy', () => {
    const { walk } = walkOf('sidecar-outbound', 'k8s-sidecar-interception');
    assert.equal(hops(walk.forward.hops), 'reviews[>]');
    const h = walk.forward.hops[0];
    assert.deepEqual(h.nat.map((n) => [n.type, n.before, n.after, n.object?.name]), [['dnat', '10.96.0.13:80', '127.0.0.1:15001', 'the sidecar of pod default/reviews (rules from istio-init)']]);
    assert.deepEqual(h.rules.filter((r) => r.chain.startsWith('ISTIO_')).map((r) => [r.chain, r.verdict, r.object?.kind]), [['ISTIO_OUTPUT', 'jump ISTIO_REDIRECT', 'sidecar'], ['ISTIO_REDIRECT', 'accept', 'sidecar']]);
    assert.equal(walk.forward.verdict.kind, 'delivered');
    assert.deepEqual([walk.forward.verdict.at, (walk.forward.verdict as { address: string }).address, (walk.forward.verdict as { port: number }).port], ['reviews', '127.0.0.1', 15001]);
    assert.deepEqual(walk.reply!.verdict, { kind: 'returned', at: 'reviews' });
  });

  it('sidecar: a connection arriving at the pod is REDIRECTed to 15006 by ISTIO_IN_REDIRECT', () => {
    const { walk } = walkOf('sidecar-inbound', 'k8s-sidecar-interception');
    const h = walk.forward.hops.at(-1)!;
    assert.equal(h.at, 'reviews');
    assert.deepEqual(h.nat.map((n) => [n.before, n.after]), [['10.244.0.3:80', '10.244.0.3:15006']]);
    assert.ok(h.rules.some((r) => r.chain === 'ISTIO_IN_REDIRECT' && r.object?.kind === 'sidecar'));
    assert.equal((walk.forward.verdict as { port: number }).port, 15006);
  });

  it('bridge-nat: the published port is DNATed in host (and undone on the way back), delivered to the listener', () => {
    const { walk } = walkOf('bridge-nat-dnat', 'bridge-nat');
    assert.equal(hops(walk.forward.hops), 'internet[>eth0] host[eth0>docker0] h1[eth0>]');
    const host = walk.forward.hops[1];
    assert.equal(host.outPort, 'h1-eth0', 'the bridge port behind docker0');
    assert.deepEqual(host.nat.map((n) => [n.type, n.before, n.after]), [['dnat', '203.0.113.2:8080', '172.17.0.2:80']]);
    assert.ok(host.rules.some((r) => r.table === 'nat' && r.chain === 'PREROUTING' && /dnat to 172\.17\.0\.2:80/.test(r.rule ?? '')));
    const v = walk.forward.verdict;
    assert.ok(v.kind === 'delivered' && v.address === '172.17.0.2' && v.port === 80 && /^whoami-\d+ \(pid \d+\)$/.test(v.process ?? ''), JSON.stringify(v));
    const back = walk.reply!.hops[1];
    assert.equal(back.inPort, 'h1-eth0');
    assert.deepEqual(back.nat.map((n) => [n.type, n.before, n.after]), [['dnat', '172.17.0.2:80', '203.0.113.2:8080']]);
    assert.equal(walk.reply!.hops[0].packet?.what, 'tcp syn,ack');
  });

  it('bridge-nat: a closed TCP port is answered with a RST (no listener); a closed UDP port with ICMP port unreachable', () => {
    const tcp = walkOf('bridge-nat-no-listener', 'bridge-nat').walk;
    assert.equal(hops(tcp.forward.hops), 'h2[>eth0] bridge docker0[h2-eth0>h1-eth0] h1[eth0>]');
    assert.equal(tcp.forward.verdict.kind === 'dropped' && tcp.forward.verdict.by, 'no-listener');
    assert.equal(tcp.reply!.hops[0].packet?.what, 'tcp ack,rst');
    const udp = walkOf('bridge-nat-udp-closed', 'bridge-nat').walk;
    assert.ok(udp.forward.verdict.kind === 'dropped' && udp.forward.verdict.by === 'no-listener' && udp.forward.verdict.at === 'internet');
    assert.deepEqual(udp.forward.hops[1].nat.map((n) => n.type), ['snat']);
    assert.deepEqual(udp.reply!.verdict, { kind: 'returned', at: 'h2' });
  });

  it('bridge-nat: no route from the internet host to the containers: dropped by route at FROM, nothing sent', () => {
    const { walk } = walkOf('bridge-nat-no-route', 'bridge-nat');
    assert.equal(hops(walk.forward.hops), 'internet[>]');
    assert.deepEqual(walk.forward.verdict, { kind: 'dropped', at: 'internet', by: 'route', reason: 'internet has no route to 172.17.0.2: Network is unreachable' });
    assert.equal(walk.reply, undefined);
  });

  it('k8s iptables: a ClusterIP to a pod on the other node, DNAT in node-1, VXLAN (VNI 1) over the fabric bridge', () => {
    const { walk } = walkOf('k8s-iptables-clusterip-vxlan', 'k8s-services-iptables');
    assert.equal(hops(walk.forward.hops), 'client[>eth0] node-1[cni0>flannel.1] bridge k8s-net[node-1-eth0>node-2-eth0] node-2[flannel.1>cni0] web-2[eth0>]');
    const [, n1, fabric, n2] = walk.forward.hops;
    assert.deepEqual(n1.encap, { type: 'vxlan', dev: 'flannel.1', vni: 1, local: '192.168.56.11', remote: '192.168.56.12', port: 8472 });
    assert.deepEqual(n2.decap, { type: 'vxlan', dev: 'flannel.1', vni: 1, local: '192.168.56.12', remote: '192.168.56.11', port: 8472 });
    assert.equal(fabric.packet?.src, '192.168.56.11', 'the underlay hop shows the outer packet');
    assert.deepEqual(n1.nat.map((n) => [n.type, n.before, n.after]), [['dnat', '10.96.0.11:80', '10.244.1.2:80']]);
    assert.ok(n1.rules.some((r) => r.chain.startsWith('KUBE-SEP-')), 'kube-proxy\'s endpoint chain is among the rules');
    assert.equal(n1.inPort !== undefined, true);
    assert.deepEqual(walk.reply!.verdict, { kind: 'returned', at: 'client' });
    assert.equal(walk.reply!.hops[3].decap?.vni, 1);
  });

  it('k8s iptables: a ClusterIP to a pod on the same node is switched by cni0, translated by br_netfilter', () => {
    const { walk } = walkOf('k8s-iptables-clusterip-same-node', 'k8s-services-iptables');
    const br = walk.forward.hops[1];
    assert.equal(br.type, 'bridge');
    assert.equal(br.at, 'cni0@node-1');
    assert.equal(br.nat[0]?.type, 'dnat');
    assert.equal(br.nat[0]?.before, '10.96.0.11:80');
    assert.equal(walk.forward.verdict.kind, 'delivered');
  });

  it('k8s iptables: a Service without endpoints is rejected in node-1 (KUBE-SERVICES), the ICMP error comes back', () => {
    const { walk } = walkOf('k8s-iptables-no-endpoints', 'k8s-services-iptables');
    const v = walk.forward.verdict;
    assert.ok(v.kind === 'dropped' && v.by === 'rule' && v.at === 'node-1' && v.rule?.chain === 'KUBE-SERVICES', JSON.stringify(v));
    assert.equal(hops(walk.reply!.hops), 'node-1[>cni0] client[eth0>]');
  });

  it('k8s NetworkPolicy: monitor → api dropped in node-2 by the policy chain', () => {
    const { walk } = walkOf('k8s-networkpolicy-drop', 'k8s-networkpolicy');
    const v = walk.forward.verdict;
    assert.ok(v.kind === 'dropped' && v.by === 'rule' && v.at === 'node-2' && /^NSL-POL-IN-/.test(v.rule?.chain ?? ''), JSON.stringify(v));
    assert.match(v.kind === 'dropped' ? v.reason : '', /^dropped in node-2, ip filter NSL-POL-IN-/);
    assert.equal(walk.reply, undefined);
  });

  it('vxlan-l2-overlay: br-a wraps the frame into VNI 42, r routes the outer packet, br-b unwraps it', () => {
    const { walk } = walkOf('vxlan-l2-overlay-ping', 'vxlan-l2-overlay');
    assert.equal(hops(walk.forward.hops), 'h-a[>eth0] bridge br-a[h-a-eth0>vx42] r[eth0>eth1] bridge br-b[vx42>h-b-eth0] h-b[eth0>]');
    assert.deepEqual(walk.forward.hops[1].encap, { type: 'vxlan', dev: 'vx42', vni: 42, local: '10.1.0.2', remote: '10.2.0.2', port: 4789 });
    assert.equal(walk.forward.hops[2].packet?.dst, '10.2.0.2', 'the underlay router sees the outer packet');
    assert.deepEqual(walk.forward.hops[3].decap, { type: 'vxlan', dev: 'vx42', vni: 42, local: '10.2.0.2', remote: '10.1.0.2', port: 4789 });
    assert.deepEqual(walk.reply!.verdict, { kind: 'returned', at: 'h-a' });
  });

  it('k8s-flannel-udp: the user-space tunnel: flannel0 in node-1, flannel0 in node-2, nothing listed in between', () => {
    const { walk } = walkOf('k8s-flannel-udp-pod', 'k8s-flannel-udp');
    assert.equal(hops(walk.forward.hops), 'client[>eth0] node-1[cni0>flannel0] node-2[flannel0>cni0] web-2[eth0>]');
    assert.deepEqual(walk.forward.hops[1].encap, { type: 'tun', dev: 'flannel0' });
    assert.deepEqual(walk.forward.hops[2].decap, { type: 'tun', dev: 'flannel0' });
    assert.deepEqual(walk.reply!.verdict, { kind: 'returned', at: 'client' });
  });

  it('ebgp-triangle after the r1–r3 link failed: h1 → r1 → r2 → r3 → h3 on BGP-learned routes', () => {
    const { walk } = walkOf('ebgp-after-failure', 'ebgp-triangle');
    assert.equal(hops(walk.forward.hops), 'h1[>eth0] r1[eth2>eth0] r2[eth0>eth1] r3[eth1>eth2] h3[eth0>]');
    assert.deepEqual(walk.forward.hops[1].route, { dst: '10.3.0.0/24', table: 'main', via: '10.0.12.2', dev: 'eth0', protocol: 'bird' });
    assert.equal(hops(walk.reply!.hops), 'h3[>eth0] r3[eth2>eth1] r2[eth1>eth0] r1[eth0>eth2] h1[eth0>]');
  });
});
