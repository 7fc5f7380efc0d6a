/**
 * Live labs (issue 15.2/15.3/15.5) on the real kernel, Docker and BIRD, in a copy of ebgp-triangle (tl-live): a link
 * flap and a router restart are survived with measured convergence; the restarted router's BIRD has a new PID and its
 * sessions come back; a restarted node is exactly as before (addresses, routes, links); stop/start; `lab down` leaves
 * nothing. Run alone (~60 s).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lab, labLeftovers, processesMatching, ROOT, testJson, type Run } from './helpers.ts';

const NAME = 'tl-live';

const ok = (r: Run, what: string): Run => {
  assert.equal(r.exitCode, 0, `${what} exited ${r.exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
};

/** The lab file with its tests replaced. */
function labFile(dir: string, file: string, tests: string): string {
  const text = readFileSync(join(ROOT, 'labs/ebgp-triangle/lab.yaml'), 'utf8').replace(/^name: .*$/m, `name: ${NAME}`);
  const [head] = text.split('\ntests:\n'); // the handout's notes name the lab's own tests: left out with them
  const path = join(dir, file);
  writeFileSync(path, `${head}\ntests:\n${tests}`);
  return path;
}

/** A node as the kernel shows it, without what changes with every link made (ifindexes, MACs, link-local addresses). */
function nodeView(node: string): string {
  const ns = `nsl.${NAME}.${node}`;
  const ip = (args: string[]): string => execFileSync('ip', ['-n', ns, ...args], { encoding: 'utf8' });
  const links = ip(['-br', 'link']).split('\n').map((l) => l.replace(/@if\d+/, '').split(/\s+/).filter((w, i) => i !== 2).join(' ')); // name, state (not the MAC)
  const addrs = ip(['-br', 'addr']).split('\n').map((l) => l.replace(/@if\d+/, '').replace(/\s+fe80::\S+/g, '').trim());
  const routes = ip(['route']).split('\n').filter((l) => !/proto bird/.test(l));
  return [...links, ...addrs, ...routes].filter(Boolean).sort().join('\n');
}

const birdPid = async (node: string): Promise<number> => {
  const [s] = JSON.parse(ok(await lab(['status', NAME, '--json']), 'lab status').stdout) as { daemons: { node: string; name: string; pid: number; running: boolean }[] }[];
  const d = s.daemons.find((x) => x.node === node && x.name === 'bird');
  assert.ok(d?.running, JSON.stringify(s.daemons));
  // the BIRD process itself (in the container), as the host sees it: the daemon's PID is docker exec's, and the pid
  // file's is the container's own numbering (the same in every new container)
  const pids = processesMatching(`/run/nslab/${NAME}/bird/${node}/bird.conf`, 'bird');
  assert.equal(pids.length, 1, `one BIRD of ${node}: ${pids.join(', ')}`);
  return pids[0];
};

describe('live labs: failure actions, converge, lab restart/stop/start (issue 15)', function () {
  this.timeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'tl-live-'));
  const sessions = `  - name: r1's sessions are up
    bgp: { node: r1, sessions: 2 }
    within: 20s
  - name: r3's sessions are up
    bgp: { node: r3, sessions: 2 }
    within: 20s
  - name: r1 holds the other two LANs from BGP (a prefix count)
    bgp: { node: r1, prefixes: 2 }
    within: 20s
`;
  const base = labFile(dir, 'lab.yaml', sessions);

  before(async () => {
    await lab(['down', NAME]);
    ok(await lab(['up', base]), 'lab up');
  });
  after(async () => {
    await lab(['down', NAME]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a link flap moves r1 to the long way round, measured; the route comes back', async () => {
    const file = labFile(
      dir,
      'flap.yaml',
      `${sessions}  - name: flap
    converge:
      action: { link: { node: r1, dev: eth1, state: flap, for: 3s } }
      until: { route: { node: r1, to: 10.3.0.0/24, via: 10.0.12.2 } }
      within: 3s
  - name: back on the direct path
    route: { node: r1, to: 10.3.0.0/24, via: 10.0.13.3 }
    within: 20s
`,
    );
    const tests = await testJson(file);
    const flap = tests.find((t) => t.name === 'flap')!;
    assert.equal(typeof flap.convergeMs, 'number');
    assert.ok(flap.convergeMs! <= 3000, flap.seen);
    assert.match(flap.seen, /converged in .*eth1 was down for 3s, then up/);
  });

  it('a router restart: new BIRD, sessions back, h1 reaches h3 again within the threshold, measured', async () => {
    const before = await birdPid('r1');
    const view = nodeView('r1');
    const file = labFile(
      dir,
      'restart.yaml',
      `${sessions}  - name: restart r1
    converge:
      action: { restart: { node: r1 } }
      until: { ping: { from: h1, to: h3, count: 1 } }
      within: 15s
  - name: r1's sessions are up again
    bgp: { node: r1, sessions: 2 }
    within: 20s
`,
    );
    const tests = await testJson(file);
    const r = tests.find((t) => t.name === 'restart r1')!;
    assert.ok(typeof r.convergeMs === 'number' && r.convergeMs <= 15000, r.seen);
    const after = await birdPid('r1');
    assert.notEqual(after, before, 'r1 has a new BIRD');
    assert.equal(nodeView('r1'), view, "r1's addresses, routes and links are as before");
  });

  it('lab restart of a plain node (h1) leaves it and its router exactly as before', async () => {
    const h1 = nodeView('h1');
    const r1 = nodeView('r1');
    const r = ok(await lab(['restart', NAME, 'h1']), 'lab restart');
    assert.match(r.stderr, /node h1 stopped in \d+ ms .* then started in \d+ ms/);
    assert.equal(nodeView('h1'), h1);
    assert.equal(nodeView('r1'), r1, "r1's end of the link (eth2) is back with its address");
  });

  it('lab stop takes r3 away (not damage); lab start brings it back with its sessions', async () => {
    ok(await lab(['stop', NAME, 'r3']), 'lab stop');
    const status = await lab(['status', NAME]);
    assert.equal(status.exitCode, 0, status.stdout); // stopped on purpose: not degraded
    assert.match(status.stdout, /r3 {2}STOPPED/);
    assert.throws(() => execFileSync('ip', ['-n', `nsl.${NAME}.r3`, 'link'], { stdio: 'pipe' }));
    assert.doesNotMatch(execFileSync('ip', ['-n', `nsl.${NAME}.r1`, '-br', 'link'], { encoding: 'utf8' }), /^eth1/m, "r1's link to r3 went with r3");
    const tested = await lab(['test', base]);
    assert.equal(tested.exitCode, 4, tested.stderr);
    assert.match(tested.stderr, /stopped on purpose \(lab stop\): r3/);
    const again = await lab(['stop', NAME, 'r3']);
    assert.notEqual(again.exitCode, 0);
    assert.match(again.stderr, /already stopped/);
    const started = await lab(['start', NAME, 'r3']);
    ok(started, 'lab start');
    // it returns once the lab is ready again, as lab up does: r1's route to r3's LAN is back already
    assert.match(started.stderr, /node r3 started in \d+ ms .*; the lab is ready again \d+ ms later \(\d+ check\(s\) held\)/);
    assert.match(execFileSync('ip', ['-n', `nsl.${NAME}.r1`, 'route', 'show', '10.3.0.0/24'], { encoding: 'utf8' }), /via 10\.0\.13\.3/);
    await testJson(base); // every session of r1 and r3 Established again
    const unknown = await lab(['restart', NAME, 'r9']);
    assert.equal(unknown.exitCode, 64, unknown.stderr);
    assert.match(unknown.stderr, /has no node r9/);
  });

  it("killing r2's BIRD withdraws its LAN from r1, measured; lab restart heals the lab", async () => {
    const file = labFile(
      dir,
      'kill.yaml',
      `  - name: kill r2's bird
    converge:
      action: { kill: { node: r2, daemon: bird } }
      until: { bgp: { node: r1, prefix: 10.2.0.0/24, expect: absent } }
      within: 5s
`,
    );
    const tests = await testJson(file);
    assert.match(tests[0].seen, /converged in .*bird on r2 killed \(SIGKILL, pid \d+/);
    const damaged = await lab(['status', NAME]);
    assert.notEqual(damaged.exitCode, 0, 'a killed daemon is damage');
    assert.match(damaged.stdout, /r2's bird .* is no longer running/);
    ok(await lab(['restart', NAME, 'r2']), 'lab restart r2');
    ok(await lab(['status', NAME]), 'lab status after the restart');
    await testJson(base);
  });

  it('lab down leaves nothing: namespaces, state, containers', async () => {
    ok(await lab(['down', NAME]), 'lab down');
    assert.deepEqual(labLeftovers(NAME), []);
    const containers = execFileSync('docker', ['ps', '-aq', '--filter', `label=nslab.lab=${NAME}`], { encoding: 'utf8' }).trim();
    assert.equal(containers, '');
  });
});

describe('a Kubernetes node goes NotReady and Ready again (issue 15.2), both kube-proxy modes', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'tl-k8s-'));
  after(async () => {
    await lab(['down', 'tl-k8s']);
    rmSync(dir, { recursive: true, force: true });
  });
  for (const mode of ['iptables', 'nftables']) {
    it(`${mode}: the endpoints of its pods leave the rules (the Service stops answering), and come back, measured`, async () => {
      const file = join(dir, `${mode}.yaml`);
      writeFileSync(
        file,
        `name: tl-k8s
cluster:
  cni: flannel-vxlan
  kube-proxy: ${mode}
  nodes: { node-1: {}, node-2: {} }
  pods:
    web: { node: node-2, labels: { app: web } }
    client: { node: node-1, labels: { app: client } }
  services:
    web: { selector: { app: web }, ports: [{ port: 80 }] }
tests:
  - name: web answers
    service: { service: web, from: client }
  - name: NotReady
    converge:
      action: { k8s-node: { node: node-2, state: NotReady } }
      until: { service: { service: web, from: client, expect: unreachable } }
      within: 5s
  - name: Ready
    converge:
      action: { k8s-node: { node: node-2, state: Ready } }
      until: { service: { service: web, from: client } }
      within: 5s
`,
      );
      await lab(['down', 'tl-k8s']);
      ok(await lab(['up', file]), 'lab up');
      const tests = await testJson(file);
      assert.match(tests[1].seen, /node-2 is NotReady: rules changed on 2 node\(s\)/);
      assert.ok(typeof tests[2].convergeMs === 'number', tests[2].seen);
      ok(await lab(['down', 'tl-k8s']), 'lab down');
      assert.deepEqual(labLeftovers('tl-k8s'), []);
    });
  }
});

describe('impair: rate and loss of a running link changed between tests and in a converge (issue 15.2)', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'tl-imp-'));
  after(async () => {
    await lab(['down', 'tl-imp']);
    rmSync(dir, { recursive: true, force: true });
  });
  it('a rate limit slows iperf3 to it; 100 % loss stops ping, measured; both removed, the link is fast again', async () => {
    const file = join(dir, 'lab.yaml');
    writeFileSync(
      file,
      `name: tl-imp
nodes:
  a: { interfaces: { eth0: { addresses: [10.9.0.1/24] } } }
  b: { interfaces: { eth0: { addresses: [10.9.0.2/24] } } }
links: [[a:eth0, b:eth0]]
tests:
  - impair: { node: a, dev: eth0, rate: 20mbit }
  - name: slow
    iperf3: { from: a, to: b, duration: 2s, max: 25 mbit, min: 10 mbit }
  - name: lossy
    converge:
      action: { impair: { node: a, dev: eth0, loss: 100% } }
      until: { ping: { from: a, to: b, count: 1, expect: unreachable } }
      within: 3s
  - impair: { node: a, dev: eth0, loss: 0, rate: none }
  - name: fast again
    iperf3: { from: a, to: b, duration: 2s, min: 200 mbit }
`,
    );
    await lab(['down', 'tl-imp']);
    ok(await lab(['up', file]), 'lab up');
    const tests = await testJson(file);
    assert.ok(typeof tests[2].convergeMs === 'number', tests[2].seen);
    assert.equal(execFileSync('ip', ['netns', 'exec', 'nsl.tl-imp.b', 'nft', 'list', 'tables'], { encoding: 'utf8' }).trim(), '', 'the loss table is gone');
    ok(await lab(['down', 'tl-imp']), 'lab down');
    assert.deepEqual(labLeftovers('tl-imp'), []);
  });
});
