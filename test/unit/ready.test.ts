/**
 * Readiness (issue 11): what the model says must hold before `lab up` returns — BGP sessions and the routes each
 * router must learn (runner/kinds/bird/ready.ts), servers listening (runner/model/ready.ts) — judged on real captured
 * output (test/unit/fixtures/ready-*.txt: r1 of ebgp-triangle right after `lab up` and 4 s later), and the poller
 * (runner/lab/ready.ts) on a scripted exec. Pure: no root.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLab } from '../../runner/api.ts';
import { birdReadyProbe, birdReadyProbes, expectedRoutes, expectedSessions, matchesPattern } from '../../runner/kinds/bird/ready.ts';
import type { BirdPolicy, BirdSpec } from '../../runner/kinds/bird/types.ts';
import { listeningPorts, listenProbe, type ReadyOutput, type ReadyProbe } from '../../runner/model/ready.ts';
import { formatPending, waitReady } from '../../runner/lab/ready.ts';

const ROOT = join(import.meta.dirname, '../..');

function routers(lab: string): { specs: BirdSpec[]; addrs: Map<string, string[]> } {
  const { lab: l } = loadLab(join(ROOT, 'labs', lab, 'lab.yaml'));
  return {
    specs: l.nodes.filter((n) => n.kind === 'bird').map((n) => n.kindData as BirdSpec),
    addrs: new Map(l.nodes.map((n) => [n.name, n.interfaces.flatMap((i) => i.addresses.map(String))])),
  };
}

function expected(lab: string): Record<string, string> {
  const { specs, addrs } = routers(lab);
  const routes = expectedRoutes(specs, addrs);
  return Object.fromEntries(specs.map((s) => [s.node, `${expectedSessions(s, specs, addrs).map((n) => n.protocol).join(',')} | ${routes.get(s.node)!.map((r) => r.prefix + (r.kernel ? '' : ' (bird)')).join(' ')}`]));
}

function captured(name: string): ReadyOutput {
  const text = readFileSync(join(import.meta.dirname, 'fixtures', `${name}.txt`), 'utf8');
  const m = /^exit: (-?\d+)\ncommand: .*\n=== stdout ===\n([\s\S]*?)=== stderr ===\n([\s\S]*)$/.exec(text)!;
  return { exitCode: Number(m[1]), stdout: m[2], stderr: m[3] };
}

describe('readiness: derived from the model', () => {
  it('eBGP triangle: every router has two sessions and learns the two other networks, into the kernel', () => {
    assert.deepEqual(expected('ebgp-triangle'), {
      r1: 'to_r2,to_r3 | 10.2.0.0/24 10.3.0.0/24',
      r2: 'to_r1,to_r3 | 10.1.0.0/24 10.3.0.0/24',
      r3: 'to_r1,to_r2 | 10.1.0.0/24 10.2.0.0/24',
    });
  });

  it('iBGP: full mesh learns from everyone; route-reflector clients learn reflected routes, next hop kept', () => {
    const e = expected('ibgp-full-mesh-vs-rr');
    assert.equal(e.m1, 'to_m2,to_m3,to_m4,to_m5 | 10.11.2.0/24 10.11.3.0/24 10.11.4.0/24 10.11.5.0/24');
    assert.equal(e.rr1, 'to_c1,to_c2,to_c3,to_c4,to_rr2 | 10.21.1.0/24 10.21.2.0/24 10.21.3.0/24 10.21.4.0/24');
    assert.equal(e.c1, 'to_rr1,to_rr2 | 10.21.2.0/24 10.21.3.0/24 10.21.4.0/24');
  });

  it('calico with route reflectors and an outside eBGP peer: pod blocks everywhere, the LoadBalancer /32 at the peer only', () => {
    const e = expected('k8s-calico-rr');
    assert.equal(e.ext, 'to_node_1,to_node_2,to_node_3,to_node_4 | 10.244.0.0/26 172.30.0.1/32 10.244.0.64/26 10.244.0.128/26 10.244.0.192/26');
    assert.equal(e['node-3'], 'to_node_1,to_node_2,to_ext | 10.244.0.0/26 10.244.0.64/26 10.244.0.192/26');
  });

  it('issue 18: a policy that changes the matched routes and passes the others (others: accept) lets every route through', () => {
    const { specs, addrs } = routers('ebgp-triangle');
    const r1 = specs.find((s) => s.node === 'r1')!;
    const pref: BirdPolicy = { name: 'prefer', filter: 'p_prefer', prefixes: [{ text: '10.9.0.0/16+', family: 4 }], matchCommunities: [], addCommunities: [], localPref: 200, prepend: 0, action: 'accept', others: 'accept', pos: r1.pos };
    const onlyMatched: BirdPolicy = { ...pref, others: 'reject' };
    const via = (p: BirdPolicy): string[] => {
      const s: BirdSpec = { ...r1, policies: [p], neighbors: r1.neighbors.map((n) => ({ ...n, export: { type: 'policy' as const, name: p.name } })) };
      return expectedRoutes(specs.map((x) => (x.node === 'r1' ? s : x)), addrs).get('r2')!.map((r) => r.prefix).sort();
    };
    assert.deepEqual(via(pref), via({ ...pref, prefixes: [] }), 'every route reaches r2 whether matched or not');
    assert.ok(via(pref).length > via(onlyMatched).length, 'others: reject drops what the policy does not match');
  });

  it('policies: a reject policy keeps its prefixes from the peer, and what it cannot judge is not demanded', () => {
    const { specs, addrs } = routers('ebgp-triangle');
    const r1 = specs.find((s) => s.node === 'r1')!;
    const deny = { name: 'no-r1', filter: 'p_no_r1', prefixes: [{ text: '10.1.0.0/16+', family: 4 as const }], matchCommunities: [], addCommunities: [], prepend: 0, action: 'reject' as const, others: 'accept' as const, pos: r1.pos };
    const blocked: BirdSpec = { ...r1, policies: [deny], neighbors: r1.neighbors.map((n) => ({ ...n, export: { type: 'policy' as const, name: 'no-r1' } })) };
    const routes = expectedRoutes(specs.map((s) => (s.node === 'r1' ? blocked : s)), addrs);
    assert.deepEqual(routes.get('r2')!.map((r) => r.prefix), ['10.3.0.0/24']);
    const unknown: BirdSpec = { ...r1, neighbors: r1.neighbors.map((n) => ({ ...n, export: { type: 'policy' as const, name: 'nowhere' } })) };
    assert.deepEqual(expectedRoutes(specs.map((s) => (s.node === 'r1' ? unknown : s)), addrs).get('r3')!.map((r) => r.prefix), ['10.2.0.0/24']);
  });

  it('BIRD prefix patterns: exact, +, - and {a,b}', () => {
    assert.ok(matchesPattern('10.1.0.0/24', '10.1.0.0/24'));
    assert.ok(!matchesPattern('10.1.0.0/25', '10.1.0.0/24'));
    assert.ok(matchesPattern('10.1.2.0/24', '10.1.0.0/16+'));
    assert.ok(!matchesPattern('10.2.0.0/24', '10.1.0.0/16+'));
    assert.ok(matchesPattern('10.0.0.0/8', '10.1.0.0/16-'));
    assert.ok(matchesPattern('10.1.2.0/24', '10.1.0.0/16{20,24}'));
    assert.ok(!matchesPattern('10.1.2.128/25', '10.1.0.0/16{20,24}'));
  });
});

describe('readiness: judged on real output', () => {
  const { specs, addrs } = routers('ebgp-triangle');
  const probe = birdReadyProbes(specs, () => '/run/nslab/x/bird.ctl', addrs).find((p) => p.node === 'r1')!;

  it('right after `lab up`: BIRD not started yet — every item fails, saying why', () => {
    const items = probe.judge([captured('ready-r1-protocols-early'), captured('ready-r1-route-early'), captured('ready-r1-kernel-early')]);
    assert.equal(items.length, 4);
    assert.ok(items.every((i) => !i.ok));
    assert.match(items[0].detail!, /^birdc: Unable to connect to server control socket/);
    assert.equal(items[2].what, 'r1: route 10.2.0.0/24 in its kernel table');
    assert.equal(items[2].detail, '10.2.0.0/24 missing');
  });

  it('4 s later: both sessions Established, both routes in the kernel', () => {
    const items = probe.judge([captured('ready-r1-protocols'), captured('ready-r1-route'), captured('ready-r1-kernel')]);
    assert.deepEqual(items.map((i) => [i.what, i.ok]), [
      ['r1: BGP session to_r2 (r2, AS 65002) Established', true],
      ['r1: BGP session to_r3 (r3, AS 65003) Established', true],
      ['r1: route 10.2.0.0/24 in its kernel table', true],
      ['r1: route 10.3.0.0/24 in its kernel table', true],
    ]);
  });

  it('a session that is not up says its state and last error', () => {
    const stuck = readFileSync(join(import.meta.dirname, 'fixtures/birdc-protocols-all-stuck.txt'), 'utf8').split('=== stdout ===\n')[1].split('=== stderr ===')[0];
    const name = /^(\S+)\s+BGP\s+\S+\s+start\s/m.exec(stuck)![1];
    const p = birdReadyProbe(specs[0], 's', [{ ...specs[0].neighbors[0], protocol: name }], []);
    const [item] = p.judge([{ exitCode: 0, stdout: stuck, stderr: '' }, { exitCode: 0, stdout: '', stderr: '' }]);
    assert.equal(item.ok, false);
    assert.match(item.detail!, /^(Active|Connect|Idle|OpenSent|OpenConfirm|down)\b.*\(.+\)$/);
  });

  it('listening sockets from `ss -Hltun`', () => {
    const ss = ['tcp   LISTEN 0      511          0.0.0.0:80        0.0.0.0:*', 'udp   UNCONN 0      0        10.244.0.2:53        0.0.0.0:*', 'tcp   LISTEN 0      32      10.244.0.2:53        0.0.0.0:*', 'tcp   LISTEN 0      511             [::]:8080           [::]:*'].join('\n');
    const seen = listeningPorts(ss);
    assert.deepEqual([...seen.tcp].sort(), [53, 80, 8080]);
    assert.deepEqual([...seen.udp], [53]);
    const items = listenProbe('web', [{ port: 80, proto: 'tcp', what: 'test server' }, { port: 81, proto: 'tcp', what: 'test server' }]).judge([{ exitCode: 0, stdout: ss, stderr: '' }]);
    assert.deepEqual(items.map((i) => i.ok), [true, false]);
    assert.equal(items[1].detail, 'nothing listens on TCP 81');
  });
});

describe('readiness: the poller', () => {
  const probe = (id: string, okAfter: number, calls: Map<string, number>): ReadyProbe => ({
    id,
    node: id,
    commands: [{ argv: ['true'] }],
    judge: () => {
      const n = (calls.get(id) ?? 0) + 1;
      calls.set(id, n);
      return [{ what: `${id} holds`, ok: n >= okAfter, detail: n >= okAfter ? undefined : `try ${n}` }];
    },
  });
  const exec = async (): Promise<ReadyOutput> => ({ exitCode: 0, stdout: '', stderr: '' });

  it('polls each probe until it holds, and no longer', async () => {
    const calls = new Map<string, number>();
    const r = await waitReady([probe('a', 1, calls), probe('b', 3, calls)], exec, { timeoutMs: 5000, pollMs: 10 });
    assert.equal(r.ready, true);
    assert.deepEqual(Object.fromEntries(calls), { a: 1, b: 3 });
    assert.deepEqual(r.pending, []);
  });

  it('at the deadline: not ready, with what was last seen of each pending item', async () => {
    const calls = new Map<string, number>();
    const r = await waitReady([probe('a', 1, calls), probe('never', 1e9, calls)], exec, { timeoutMs: 200, pollMs: 20 });
    assert.equal(r.ready, false);
    assert.equal(r.pending.length, 1);
    assert.match(r.pending[0].detail!, /^try \d+$/);
    assert.ok((calls.get('never') ?? 0) >= 2, 'it kept trying');
    assert.match(formatPending(r, 200), /^1 of 2 readiness check\(s\) did not hold within 0\.2 s:\n  ✘ never holds — try \d+$/);
  });
});

describe("readiness: the lab's own checks (ready:)", () => {
  it('resolve to probes that wait for a port, or for a command that succeeds and prints what it must', async () => {
    const { parseLabText } = await import('../../runner/config/load.ts');
    const { resolveLab } = await import('../../runner/resolve/resolve.ts');
    const { readyProbes } = await import('../../runner/lab/ready.ts');
    const text = ['name: own', 'nodes: { h1: {}, h2: {} }', 'ready:', '  - { node: h1, listen: [80, 81], proto: udp }', '  - { node: h2, command: "birdc show protocols", output: "Established" }', ''].join('\n');
    const r = resolveLab(parseLabText('own.yaml', text));
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.lab!.ready!.map((x) => x.kind), ['listen', 'command']);
    const probes = readyProbes(r.lab!, '/run/nslab/own');
    assert.deepEqual(probes.map((p) => p.id), ['ready:0', 'ready:1']);
    const listen = probes[0].judge([{ exitCode: 0, stdout: 'udp UNCONN 0 0 0.0.0.0:80 0.0.0.0:*', stderr: '' }]);
    assert.deepEqual(listen.map((i) => [i.ok, i.pos?.line]), [[true, 4], [false, 4]]);
    assert.deepEqual(probes[1].commands[0].argv, ['birdc', 'show', 'protocols']);
    const [no] = probes[1].judge([{ exitCode: 0, stdout: 'to_r2 BGP --- start Connect', stderr: '' }]);
    assert.equal(no.ok, false);
    assert.match(no.detail!, /^exit 0: to_r2 BGP/);
    assert.equal(probes[1].judge([{ exitCode: 0, stdout: 'to_r2 BGP --- up Established', stderr: '' }])[0].ok, true);
    assert.equal(probes[1].judge([{ exitCode: 1, stdout: 'Established', stderr: '' }])[0].ok, false, 'the command must succeed too');
  });
});
