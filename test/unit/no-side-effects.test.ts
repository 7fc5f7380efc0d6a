/**
 * Validating a lab must not touch the machine. Nothing is stubbed: after every bad lab (and every shipped
 * lab) has been loaded, no new nsl.* namespace exists, nslab's state directory was not created, and no
 * child process was spawned (observed through node's `child_process` diagnostics channel, which sees
 * asynchronous spawns).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLab } from '../../runner/api.ts';
import { LabError } from '../../runner/config/diagnostics.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const NETNS_DIRS = ['/run/netns', '/var/run/netns'];

function ourNamespaces(): Set<string> {
  const out = new Set<string>();
  for (const d of NETNS_DIRS) {
    try {
      for (const n of readdirSync(d)) if (n.startsWith('nsl.')) out.add(n);
    } catch {
      /* no such directory: no namespaces */
    }
  }
  return out;
}

describe('validating labs has no side effects', () => {
  let stateDir: string;
  let savedStateEnv: string | undefined;
  const spawned: unknown[] = [];
  const onSpawn = (msg: unknown): void => {
    spawned.push(msg);
  };

  before(() => {
    savedStateEnv = process.env.NSLAB_STATE_DIR;
    stateDir = join(mkdtempSync(join(tmpdir(), 'nslab-nse-')), 'state');
    process.env.NSLAB_STATE_DIR = stateDir;
    subscribe('child_process', onSpawn);
  });

  after(() => {
    unsubscribe('child_process', onSpawn);
    if (savedStateEnv === undefined) delete process.env.NSLAB_STATE_DIR;
    else process.env.NSLAB_STATE_DIR = savedStateEnv;
    rmSync(dirname(stateDir), { recursive: true, force: true });
  });

  it('the watch sees a process started with spawn (control: else the checks below could not fail)', async () => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((r) => child.once('exit', r));
    assert.equal(spawned.length, 1, 'the child_process diagnostics channel saw no spawn: it has changed, and this test sees nothing');
    spawned.length = 0;
  });

  it('loading every bad lab creates no nsl.* namespace, no state and no process', () => {
    const before = ourNamespaces();
    const badDir = join(here, 'bad-labs');
    const files = readdirSync(badDir).filter((f) => f.endsWith('.lab.yaml'));
    assert.ok(files.length >= 26, `expected the bad labs of golden-errors.test.ts, found ${files.length}`);
    let rejected = 0;
    for (const f of files) {
      try {
        loadLab(join(badDir, f));
      } catch (e) {
        if (!(e instanceof LabError)) throw e;
        rejected++;
      }
    }
    assert.ok(rejected >= 26, `only ${rejected} of ${files.length} bad labs were rejected`); // which ones must fail is golden-errors.test.ts's job
    const created = [...ourNamespaces()].filter((n) => !before.has(n));
    assert.deepEqual(created, [], 'namespaces appeared while labs were only validated');
    assert.equal(existsSync(stateDir), false, `the state directory ${stateDir} was created`);
    assert.deepEqual(spawned, [], 'a child process was started while validating');
  });

  it('loading the shipped labs (which are valid) touches nothing either', () => {
    const before = ourNamespaces();
    const labsDir = join(root, 'labs');
    const files = readdirSync(labsDir).map((d) => join(labsDir, d, 'lab.yaml')).filter((f) => existsSync(f));
    assert.ok(files.length >= 3, `found ${files.length} shipped labs`);
    for (const f of files) loadLab(f);
    assert.deepEqual([...ourNamespaces()].filter((n) => !before.has(n)), []);
    assert.equal(existsSync(stateDir), false);
    assert.deepEqual(spawned, []);
  });
});
