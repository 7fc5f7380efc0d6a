/** The engine on a real kernel: isolation, crashes, failures, reconciliation, and the printed plan. */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { assertSameHost, CLI, expectOk, hostSnapshot, lab, labLeftovers, ROOT, tempDir } from './helpers.ts';

const veth = readFileSync(join(ROOT, 'labs/netns-veth/lab.yaml'), 'utf8');

function write(dir: string, name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

/** A lab of n nodes on one bridge, addressed from the pool. */
function star(name: string, n: number): string {
  const nodes = Array.from({ length: n }, (_, i) => `  h${i + 1}: {}`).join('\n');
  const links = Array.from({ length: n }, (_, i) => `  - [h${i + 1}:eth0, sw]`).join('\n');
  return `name: ${name}\nnodes:\n${nodes}\nbridges:\n  sw: {}\nlinks:\n${links}\ntests:\n  - ping: { from: h1, to: h${n}, count: 1 }\n`;
}

/** Start `lab up`, and SIGKILL it as soon as namespace `marker` exists (so it dies half-way). */
async function upAndKill(file: string, marker: string): Promise<void> {
  const child = spawn(process.execPath, [CLI, 'up', file, '--quiet'], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  const t0 = Date.now();
  while (!existsSync(`/run/netns/${marker}`) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 2));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}

describe('engine robustness (root, real kernel)', function () {
  let dir: string;
  let before: Record<string, string>;
  beforeEach(async () => {
    dir = tempDir();
    await lab(['down', '--all']);
    before = await hostSnapshot();
  });
  afterEach(async () => {
    await lab(['down', '--all']);
    assertSameHost(before, await hostSnapshot());
  });

  it('two labs with the same node names run at once, isolated', async () => {
    const a = write(dir, 'a.yaml', veth.replace(/^name: .*$/m, 'name: twin-a'));
    const b = write(dir, 'b.yaml', veth.replace(/^name: .*$/m, 'name: twin-b').replace(/10\.0\.0\./g, '10.0.0.'));
    expectOk(await lab(['up', a]), 'up a');
    expectOk(await lab(['up', b]), 'up b');
    expectOk(await lab(['test', a]), 'test a');
    expectOk(await lab(['test', b]), 'test b');
    // the same address 10.0.0.2 exists in both labs; each c1 reaches its own c2 only
    const ex = await lab(['exec', 'twin-a', 'c1', '--', 'ip', '-o', 'link', 'show', 'eth0']);
    expectOk(ex, 'exec');
    expectOk(await lab(['down', 'twin-a']), 'down a');
    assert.deepEqual(labLeftovers('twin-a'), []);
    assert.ok(existsSync('/run/netns/nsl.twin-b.c1'), 'taking lab a down left lab b alone');
    expectOk(await lab(['test', b]), 'test b after a is down');
  });

  it('`lab down` cleans up after `lab up` was killed with SIGKILL half-way', async () => {
    const f = write(dir, 'big.yaml', star('crashy', 150));
    await upAndKill(f, 'nsl.crashy.h1');
    assert.ok(labLeftovers('crashy').length > 0, 'the killed run left something to clean (else the test proves nothing)');
    const down = await lab(['down', f]);
    expectOk(down, 'down after SIGKILL');
    assert.deepEqual(labLeftovers('crashy'), []);
  });

  it('`lab up` after a killed run removes the debris and builds the lab', async () => {
    const f = write(dir, 'big.yaml', star('crashy2', 40));
    await upAndKill(f, 'nsl.crashy2.h1');
    const up = await lab(['up', f, '--test']);
    expectOk(up, 'up after a killed run');
    assert.match(up.stderr, /removing what is left/);
  });

  it('a failing step is reported with its YAML line, and nothing is left', async () => {
    const f = write(dir, 'bad.yaml', `name: failing\nnodes:\n  a:\n    exec:\n      - ip link set nosuchdev up\n  b: {}\nlinks:\n  - [a:eth0, b:eth0]\n`);
    const r = await lab(['up', f]);
    assert.equal(r.exitCode, 3, r.stderr);
    assert.match(r.stderr, /bad\.yaml:5:9: error: step a\.exec0 failed/);
    assert.match(r.stderr, /command: ip netns exec nsl\.failing\.a ip link set nosuchdev up/);
    assert.match(r.stderr, /Cannot find device "nosuchdev"/);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
    assert.deepEqual(labLeftovers('failing'), []);
  });

  it('a daemon that dies at once fails `lab up` with its output, and nothing is left', async () => {
    const f = write(dir, 'd.yaml', `name: deadd\nnodes:\n  a:\n    daemons:\n      - { name: boom, run: [sh, -c, "echo it went boom; exit 1"] }\n`);
    const r = await lab(['up', f]);
    assert.equal(r.exitCode, 3, r.stderr);
    assert.match(r.stderr, /d\.yaml:5:\d+: error: daemon boom on node a exited right after it started/);
    assert.match(r.stderr, /it went boom/);
    assert.deepEqual(labLeftovers('deadd'), []);
  });

  it('a changed lab file changes the running lab in place (issue 15.1); --recreate rebuilds it', async () => {
    const f = write(dir, 'lab.yaml', veth.replace(/^name: .*$/m, 'name: changing'));
    expectOk(await lab(['up', f]), 'first up');
    const netnsId = (): string => execFileSync('ip', ['netns', 'exec', 'nsl.changing.c1', 'stat', '-L', '-c', '%i', '/proc/self/ns/net'], { encoding: 'utf8' }).trim();
    const c1 = netnsId();
    writeFileSync(f, readFileSync(f, 'utf8').replace('10.0.0.2/24', '10.0.0.3/24'));
    const r = await lab(['up', f]);
    expectOk(r, 'up of the changed file');
    assert.match(r.stdout + r.stderr, /lab changing changed in place in \d+ ms/);
    const ex = await lab(['exec', 'changing', 'c2', '--', 'ip', '-o', 'addr', 'show', 'eth0']);
    assert.match(ex.stdout + ex.stderr, /10\.0\.0\.3\/24/);
    assert.doesNotMatch(ex.stdout + ex.stderr, /10\.0\.0\.2\/24/, 'the old address is gone');
    assert.equal(netnsId(), c1, 'c1 is the same namespace: nothing was rebuilt');
    writeFileSync(f, readFileSync(f, 'utf8').replace('10.0.0.3/24', '10.0.0.4/24'));
    expectOk(await lab(['up', f, '--recreate']), 'up --recreate');
    assert.notEqual(netnsId(), c1, '--recreate made the namespaces anew');
    const ex2 = await lab(['exec', 'changing', 'c2', '--', 'ip', '-o', 'addr', 'show', 'eth0']);
    assert.match(ex2.stdout + ex2.stderr, /10\.0\.0\.4\/24/);
  });

  it('a lab name already used by a running lab from another file is refused with its line', async () => {
    const a = write(dir, 'a.yaml', veth.replace(/^name: .*$/m, 'name: clash'));
    const b = write(dir, 'b.yaml', veth.replace(/^name: .*$/m, 'name: clash'));
    expectOk(await lab(['up', a]), 'up a');
    const r = await lab(['up', b]);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /b\.yaml:\d+:7: error: lab name "clash" is already used by a running lab from .*a\.yaml/);
    // issue 18: validating the copy is fine (a copy being edited); only `lab up` refuses it
    const v = await lab(['validate', b]);
    assert.equal(v.exitCode, 0, v.stderr);
    assert.match(v.stderr + v.stdout, /warning: lab name "clash" is already used by a running lab from .*a\.yaml: `lab up` of this file is refused while it runs/);
  });

  it('a change to the tests only needs no --recreate; a change to the network is applied by lab up, not tested stale (issues 18, 15.1)', async () => {
    const f = write(dir, 'lab.yaml', veth.replace(/^name: .*$/m, 'name: retest'));
    expectOk(await lab(['up', f]), 'up');
    writeFileSync(f, readFileSync(f, 'utf8').replace(/^tests:\n/m, 'tests:\n  - name: added later\n    ping: { from: c1, to: c2, count: 1 }\n'));
    const again = await lab(['up', f, '--test']);
    expectOk(again, 'up after a tests-only change');
    assert.match(again.stdout + again.stderr, /changed only in what it tests or says, so nothing to rebuild/);
    assert.match(again.stdout, /✔ added later/);
    writeFileSync(f, readFileSync(f, 'utf8').replace('10.0.0.2/24', '10.0.0.20/24'));
    // the network changed: `lab test` does not judge the running lab by the new file; `lab up` changes it in place
    const stale = await lab(['test', f]);
    assert.equal(stale.exitCode, 4, stale.stderr);
    assert.match(stale.stderr, /lab retest is up from an earlier version of .*: what the file builds has changed since/);
    assert.match(stale.stderr, /lab plan --diff/);
    const changed = await lab(['up', f, '--test']);
    expectOk(changed, 'up of the changed network');
    assert.match(changed.stdout + changed.stderr, /lab retest changed in place/);
  });

  it('a failing assertion fails `lab test` with expected, seen and the command, also in JUnit', async () => {
    const f = write(dir, 'lab.yaml', veth.replace(/^name: .*$/m, 'name: failtest').replace(/^tests:\n/m, 'tests:\n  - name: must fail\n    ping: { from: c1, to: 10.0.0.99, count: 1 }\n'));
    expectOk(await lab(['up', f]), 'up');
    const report = join(dir, 'r.xml');
    const r = await lab(['test', f, '--reporter', 'junit', '--output', report]);
    assert.equal(r.exitCode, 1);
    assert.match(r.stdout, /must fail/);
    assert.match(r.stdout, /ip netns exec nsl\.failtest\.c1 ping/);
    const xml = readFileSync(report, 'utf8');
    assert.match(xml, /failures="1"/);
    assert.match(xml, /<failure [^>]*message="[^"]+"/);
  });

  it('the printed plan, run by hand with sh, builds a lab that passes its tests', async () => {
    const f = write(dir, 'lab.yaml', readFileSync(join(ROOT, 'labs/bridge-nat/lab.yaml'), 'utf8').replace(/^name: .*$/m, 'name: byhand'));
    const plan = await lab(['plan', f]);
    expectOk(plan, 'plan');
    const sh = await execa('sh', ['-e'], { input: plan.stdout, reject: false });
    assert.equal(sh.exitCode, 0, String(sh.stderr));
    const t = await lab(['test', f]);
    expectOk(t, 'test of the hand-built lab');
    const down = await lab(['down', f]);
    expectOk(down, 'down without state');
    assert.deepEqual(labLeftovers('byhand'), []);
  });

  it('every node forwards exactly as declared, whatever new namespaces inherit from the host', async () => {
    const f = write(dir, 'lab.yaml', readFileSync(join(ROOT, 'labs/routed/lab.yaml'), 'utf8').replace(/^name: .*$/m, 'name: fwd'));
    expectOk(await lab(['up', f]), 'up');
    for (const [node, want] of [['r', '1'], ['a1', '0'], ['b2', '0']]) {
      for (const key of ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding']) {
        const r = await lab(['exec', 'fwd', node, '--', 'sysctl', '-n', key]);
        assert.equal(r.stdout.trim(), want, `${key} on ${node}`);
      }
    }
  });

  it('an invalid lab is refused before anything is touched', async () => {
    const f = write(dir, 'bad.yaml', `name: invalid\nnodes:\n  a: {}\nlinks:\n  - [a:eth0, nobody:eth0]\n`);
    const r = await lab(['up', f]);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /bad\.yaml:5:14: error: unknown node "nobody"/);
    assert.deepEqual(labLeftovers('invalid'), []);
  });

  it('a container removed behind nslab\'s back: status says degraded (exit 4), test and exec name it, up rebuilds the lab', async () => {
    const f = write(dir, 'pp.yaml', readFileSync(join(ROOT, 'labs/pod-pause/lab.yaml'), 'utf8').replace(/^name: .*$/m, 'name: damaged'));
    expectOk(await lab(['up', f, '--quiet']), 'up');
    await execa('docker', ['rm', '-f', 'nsl.damaged.pod-b']);
    const st = await lab(['status', 'damaged']);
    assert.equal(st.exitCode, 4, st.stdout + st.stderr);
    assert.match(st.stdout, /lab damaged: degraded: node pod-b's container nsl\.damaged\.pod-b is gone/);
    const t = await lab(['test', f]);
    assert.equal(t.exitCode, 4, t.stdout + t.stderr);
    assert.match(t.stderr, /lab damaged is damaged: node pod-b's container nsl\.damaged\.pod-b is gone[^]*hint: run `lab up/);
    const ex = await lab(['exec', 'damaged', 'pod-b', '--', 'true']);
    assert.equal(ex.exitCode, 4, ex.stdout + ex.stderr);
    assert.match(ex.stderr, /node pod-b's container nsl\.damaged\.pod-b is gone/);
    const up = await lab(['up', f]);
    expectOk(up, 'up rebuilds');
    assert.match(up.stdout + up.stderr, /is up but damaged \(node pod-b's container nsl\.damaged\.pod-b is gone[^)]*\)\); rebuilding it/);
    expectOk(await lab(['status', 'damaged']), 'status after the rebuild');
    expectOk(await lab(['test', f]), 'test after the rebuild');
  });
});
