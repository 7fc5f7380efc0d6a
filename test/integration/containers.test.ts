/** Container and pod nodes on real Docker: clean teardown by label, also after a crash or without state. */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { needFile } from '../needs.ts';
import { assertSameHost, CLI, expectOk, hostSnapshot, lab, labLeftovers, tempDir } from './helpers.ts';

async function containersOf(name: string): Promise<string[]> {
  const r = await execa('docker', ['ps', '-a', '--filter', `label=nslab.lab=${name}`, '--format', '{{.Names}}'], { reject: false });
  return String(r.stdout).split('\n').filter(Boolean);
}

function many(name: string, n: number): string {
  const nodes = Array.from({ length: n }, (_, i) => `  c${i + 1}: { kind: container }`).join('\n');
  const links = Array.from({ length: n }, (_, i) => `  - [c${i + 1}:eth0, sw]`).join('\n');
  return `name: ${name}\nnodes:\n${nodes}\nbridges:\n  sw: {}\nlinks:\n${links}\ntests:\n  - ping: { from: c1, to: c${n}, count: 1 }\n    within: 5s\n`;
}

describe('container nodes (root, real Docker)', function () {
  let dir: string;
  let snapshot: Record<string, string>;
  before(() => needFile('/var/run/docker.sock', 'Docker is not running here (`bash scripts/setup.sh --with-docker` installs and starts it)'));
  beforeEach(async () => {
    dir = tempDir();
    await lab(['down', '--all']);
    snapshot = await hostSnapshot();
  });
  afterEach(async () => {
    await lab(['down', '--all']);
    assertSameHost(snapshot, await hostSnapshot());
  });

  it('eight containers come up wired, pass, and leave nothing (containers, namespaces, state)', async () => {
    const f = join(dir, 'lab.yaml');
    writeFileSync(f, many('ctr8', 8));
    expectOk(await lab(['up', f, '--test']), 'up --test');
    assert.equal((await containersOf('ctr8')).length, 8);
    const st = JSON.parse((await lab(['status', 'ctr8', '--json'])).stdout) as { containers: { running: boolean }[] }[];
    assert.equal(st[0].containers.filter((c) => c.running).length, 8);
    expectOk(await lab(['down', 'ctr8']), 'down');
    assert.deepEqual(await containersOf('ctr8'), []);
    assert.deepEqual(labLeftovers('ctr8'), []);
  });

  it('`lab down` removes the containers of a `lab up` killed half-way, found by label', async () => {
    const f = join(dir, 'lab.yaml');
    writeFileSync(f, many('ctrkill', 12));
    const child = spawn(process.execPath, [CLI, 'up', f, '--quiet'], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
    const t0 = Date.now();
    while ((await containersOf('ctrkill')).length < 2 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.ok((await containersOf('ctrkill')).length > 0, 'the killed run left containers (else the test proves nothing)');
    expectOk(await lab(['down', 'ctrkill']), 'down after SIGKILL');
    assert.deepEqual(await containersOf('ctrkill'), []);
    assert.deepEqual(labLeftovers('ctrkill'), []);
  });

  it('a container whose command fails at once fails `lab up` with its output, and nothing is left', async () => {
    const f = join(dir, 'lab.yaml');
    writeFileSync(f, 'name: ctrfail\nnodes:\n  a:\n    kind: container\n    cmd: [sh, -c, "echo cannot start >&2; exit 7"]\n');
    const r = await lab(['up', f]);
    assert.equal(r.exitCode, 3, r.stderr);
    assert.match(r.stderr, /lab\.yaml:3:3: error: container nsl\.ctrfail\.a (of node a )?exited right after it started \((exit 7|Exited \(7\).*)\)/);
    assert.match(r.stderr, /cannot start/);
    assert.deepEqual(await containersOf('ctrfail'), []);
    assert.deepEqual(labLeftovers('ctrfail'), []);
  });
});
