/**
 * `lab plan` probes nothing: it starts no process (seen through node's child_process diagnostics channel), and
 * run as root it prints exactly what it prints as an unprivileged user (as root only: the comparison needs both).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HOOK = join(root, 'test/unit/fixtures/count-spawns.mjs');
const CLI = join(root, 'runner/cli/main.ts');

// impairments (netem), a VXLAN (a kernel feature): everything `lab up` would probe
const LAB = `name: plan-noproc
nodes:
  a:
    interfaces:
      eth0: { addresses: [10.0.0.1/24], impair: { rate: 10 mbit, loss: 1%, delay: 20ms } }
      vx0: { type: vxlan, vni: 42, local: 10.0.0.1, remote: 10.0.0.2, addresses: [10.9.0.1/24] }
  b:
    interfaces:
      eth0: { addresses: [10.0.0.2/24], impair: { loss: 5% } }
      vx0: { type: vxlan, vni: 42, local: 10.0.0.2, remote: 10.0.0.1, addresses: [10.9.0.2/24] }
links: [[a:eth0, b:eth0]]
`;

/** Count lines the hook printed, and the rest of stderr. */
export function spawnCount(stderr: string): { count: number; what: string } | undefined {
  const m = /^nslab-spawned: (\d+)(.*)$/m.exec(stderr);
  return m ? { count: Number(m[1]), what: m[2].trim() } : undefined;
}

function plan(file: string, asNobody: boolean): { stdout: string; stderr: string; status: number | null } {
  const argv = [process.execPath, '--import', HOOK, CLI, 'plan', file];
  const r = asNobody ? spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...argv], { encoding: 'utf8', cwd: '/' }) : spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', cwd: '/' });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe('lab plan starts no process', () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nslab-plan-'));
    chmodSync(dir, 0o755);
    file = join(dir, 'lab.yaml');
    writeFileSync(file, LAB, { mode: 0o644 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the spawn counter sees a process when one is started (the check can fail)', () => {
    const r = spawnSync(process.execPath, ['--import', HOOK, '-e', "require('node:child_process').spawn('true')"], { encoding: 'utf8' });
    assert.equal(spawnCount(r.stderr)?.count, 1, r.stderr);
  });

  it('no process, and the plan says which features it assumed', () => {
    const r = plan(file, false);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(spawnCount(r.stderr), { count: 0, what: '' }, r.stderr);
    assert.match(r.stdout, /^# assumes: netem, vxlan \(kernel features not probed here/m);
  });

  it('as root, the same text as an unprivileged user', function () {
    if (process.getuid?.() !== 0) this.skip(); // the comparison needs root for one side of it; the test above runs everywhere
    const mine = plan(file, false);
    const nobody = plan(file, true);
    assert.equal(nobody.status, 0, nobody.stderr);
    assert.equal(nobody.stdout, mine.stdout);
  });
});
