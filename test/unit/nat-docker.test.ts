/**
 * `nat: [{ docker: … }]` (issue 16.2): the rules nslab writes for Docker's layout are the rules a real dockerd
 * writes. test/unit/fixtures/docker/ holds `iptables-save` of Debian's dockerd 20.10.24 run on this machine in a
 * private namespace with `docker run -p 8080:80` (the container got 172.17.0.2, as bridge-nat's h1 has): the compiled
 * rules of bridge-nat's host are compared chain by chain, rule by rule, in order. The docker-proxy processes, the
 * model's listener and the objects the kernel's rules are traced to are checked too.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLab } from '../../runner/api.ts';
import type { ResolvedLab } from '../../runner/model/types.ts';
import { compile } from '../../runner/plan/compile.ts';
import { dockerProxies, natRules } from '../../runner/plan/nat.ts';
import { listens } from '../../runner/trace/predict-listener.ts';
import { objectIndex } from '../../runner/trace/objects.ts';

const FIXTURE = 'test/unit/fixtures/docker/iptables-save-20.10-userland-proxy.txt';
const FIXTURE_NO_PROXY = 'test/unit/fixtures/docker/iptables-save-20.10-no-userland-proxy.txt';

/** iptables-save or iptables-restore text as table → chain → its `-A` rules in order, and the built-in chains' policies. */
function tables(text: string): Map<string, { policies: Map<string, string>; chains: Map<string, string[]> }> {
  const out = new Map<string, { policies: Map<string, string>; chains: Map<string, string[]> }>();
  let t: { policies: Map<string, string>; chains: Map<string, string[]> } | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) out.set(line.slice(1), (t = { policies: new Map(), chains: new Map() }));
    const decl = /^:(\S+) (\S+)/.exec(line);
    if (decl && t) {
      if (decl[2] !== '-' && decl[2] !== 'ACCEPT') t.policies.set(decl[1]!, decl[2]!);
      if (decl[2] === '-') t.chains.set(decl[1]!, t.chains.get(decl[1]!) ?? []);
    }
    const rule = /^-A (\S+) /.exec(line);
    if (rule && t) t.chains.set(rule[1]!, [...(t.chains.get(rule[1]!) ?? []), line]);
  }
  return out;
}

function plain(m: ReturnType<typeof tables>): unknown {
  return Object.fromEntries([...m].map(([k, v]) => [k, { policies: Object.fromEntries(v.policies), chains: Object.fromEntries([...v.chains].sort(([a], [b]) => a.localeCompare(b))) }]));
}

describe("nat: docker — Docker's layout", () => {
  const lab: ResolvedLab = loadLab('labs/bridge-nat/lab.yaml').lab;
  const host = lab.nodes.find((n) => n.name === 'host')!;

  it('bridge-nat resolves one docker rule for docker0, its subnet from the bridge, h1:80 published on 8080', () => {
    assert.deepEqual(
      host.nat.map((r) => (r.type === 'docker' ? { bridge: r.bridge, subnet: r.subnet, publish: r.publish } : r.type)),
      [{ bridge: 'docker0', subnet: '172.17.0.0/16', publish: [{ proto: 'tcp', port: 8080, toAddr: '172.17.0.2', toPort: 80 }] }],
    );
  });

  it("writes the rules the real dockerd 20.10 wrote, chain by chain and in order (filter and nat; FORWARD's policy DROP)", () => {
    const ours = tables(natRules(host)!);
    const docker = tables(readFileSync(FIXTURE, 'utf8'));
    assert.deepEqual(plain(ours), plain(docker));
    assert.equal(ours.get('filter')!.policies.get('FORWARD'), 'DROP');
  });

  it('userland-proxy: false writes what dockerd --userland-proxy=false wrote: no RETURN, the DNAT for every interface, the masquerade of local sources', () => {
    const noProxy = { ...host, nat: host.nat.map((r) => (r.type === 'docker' ? { ...r, userlandProxy: false } : r)) };
    assert.deepEqual(plain(tables(natRules(noProxy)!)), plain(tables(readFileSync(FIXTURE_NO_PROXY, 'utf8'))));
    assert.deepEqual(dockerProxies(noProxy), [], 'and starts no docker-proxy');
    assert.notDeepEqual(plain(tables(natRules(noProxy)!)), plain(tables(natRules(host)!)));
  });

  it('userland-proxy: false turns hairpin mode on for the bridge\'s ports and route_localnet on the bridge', () => {
    const full = readFileSync('labs/bridge-nat/lab.yaml', 'utf8').replace('          bridge: docker0\n', '          bridge: docker0\n          userland-proxy: false\n');
    const text = full.slice(0, full.indexOf('\nhandout:\n') + 1); // its handout names the docker-proxy step
    const dir = mkdtempSync(join(tmpdir(), 'nat-docker-'));
    try {
      writeFileSync(join(dir, 'lab.yaml'), text);
      const np = loadLab(join(dir, 'lab.yaml')).lab;
      assert.deepEqual(np.links.flatMap((l) => [l.a, l.b]).filter((e) => e.hairpin).map((e) => e.ifname), ['h1-eth0', 'h2-eth0', 'h3-eth0']);
      assert.deepEqual(lab.links.flatMap((l) => [l.a, l.b]).filter((e) => e.hairpin), [], 'not with the proxy');
      const plan = compile(np, { labDir: '/run/nslab/bridge-nat', selfArgv: ['lab'] } as Parameters<typeof compile>[1]);
      const step = plan.steps.find((s) => s.id === 'host.docker0.route_localnet')!;
      assert.deepEqual(step.op.type === 'sysctl' && step.op.values, [['net.ipv4.conf.docker0.route_localnet', '1']]);
      assert.equal(step.phase, 'firewall', 'after the bridge exists');
      assert.ok(!plan.steps.some((s) => s.id.includes('docker-proxy')));
      const pkt = { src: '172.17.0.3', dst: '203.0.113.2', family: 4 as const, proto: 'tcp' as const, dport: 8080, ttl: 64 };
      assert.equal(listens(np, undefined, 'host', pkt), false, 'nothing listens on the published port: the DNAT takes every packet');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the plain rules (masquerade, dnat) are written as before, and with a docker rule on the same node', () => {
    const plainNode = { ...host, nat: [{ type: 'masquerade' as const, out: 'eth0', from: '172.17.0.0/16', pos: host.pos }] };
    assert.equal(natRules(plainNode), '*nat\n-A POSTROUTING -s 172.17.0.0/16 -o eth0 -j MASQUERADE\nCOMMIT\n');
    const both = natRules({ ...host, nat: [...host.nat, { type: 'dnat' as const, in: 'eth0', proto: 'udp' as const, port: 53, toAddr: '172.17.0.3', toPort: 53, pos: host.pos }] })!;
    assert.match(both, /-A PREROUTING -i eth0 -p udp -m udp --dport 53 -j DNAT --to-destination 172\.17\.0\.3:53\n/);
    assert.match(both, /-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT/);
  });

  it('starts one docker-proxy per published port, as dockerd does (IPv4), with fd 3 open for its start-up report', () => {
    assert.deepEqual(dockerProxies(host).map((p) => p.argv.join(' ')), ['docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8080 -container-ip 172.17.0.2 -container-port 80']);
    const plan = compile(lab, { labDir: '/run/nslab/bridge-nat', selfArgv: ['lab'] } as Parameters<typeof compile>[1]);
    const step = plan.steps.find((s) => s.id === 'host.docker-proxy-tcp-8080')!;
    assert.equal(step.phase, 'daemons');
    assert.ok(step.op.type === 'daemon' && step.op.fd3 === true && step.op.ns === host.netns);
  });

  it("the model knows docker-proxy listens on the published port (and nothing else does on the host)", () => {
    const pkt = (dport: number) => ({ src: '172.17.0.3', dst: '203.0.113.2', family: 4 as const, proto: 'tcp' as const, dport, ttl: 64 });
    assert.equal(listens(lab, undefined, 'host', pkt(8080)), true);
    assert.equal(listens(lab, undefined, 'host', { ...pkt(8080), proto: 'udp' }), false);
    assert.equal(listens(lab, undefined, 'host', pkt(9090)), false);
  });

  it("the kernel's rules in Docker's chains are traced to the docker rule", () => {
    const idx = objectIndex(lab);
    const name = (chain: string, table: string, rule: string) => idx.ruleObject('host', { family: 'ip', table, chain, rule, verdict: 'accept' } as Parameters<typeof idx.ruleObject>[1])?.name;
    assert.equal(name('DOCKER-USER', 'filter', 'counter return'), 'nat rule 1 of host');
    assert.equal(name('DOCKER', 'nat', 'iifname != "docker0" tcp dport 8080 counter dnat to 172.17.0.2:80'), 'nat rule 1 of host');
    assert.equal(name('POSTROUTING', 'nat', 'oifname != "docker0" ip saddr 172.17.0.0/16 counter masquerade'), 'nat rule 1 of host');
    assert.equal(name('INPUT', 'filter', 'counter accept'), undefined);
    const fwd = (rule: string | undefined, verdict: string) => idx.ruleObject('host', { family: 'ip', table: 'filter', chain: 'FORWARD', ...(rule ? { rule } : {}), verdict } as Parameters<typeof idx.ruleObject>[1])?.name;
    assert.equal(fwd('counter jump DOCKER-USER', 'jump DOCKER-USER'), 'nat rule 1 of host');
    assert.equal(fwd('iifname "docker0" oifname != "docker0" counter accept', 'accept'), 'nat rule 1 of host');
    assert.equal(fwd(undefined, 'policy drop'), undefined);
  });
});
