/**
 * labs/l2-devices on the kernel (issue 16.6), as a copy under its own name: its lessons pass, and they are lessons —
 * a second copy without the short ageing_time and without the process holding tap1 fails exactly the tests that
 * say a learned MAC is forgotten and that a held tap has a carrier. Root. Brings down only what it brought up.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectOk, lab, labLeftovers, ROOT, tempDir } from './helpers.ts';

/** The names of the failed tests in `lab up --test`'s human report. */
function failed(stdout: string): string[] {
  return [...stdout.matchAll(/^✘ (.+?)  \(/gm)].map((m) => m[1]!);
}

describe('labs/l2-devices: bridge learning and ageing, tap carrier, macvlan children (issue 16.6)', function () {
  this.timeout(120_000);
  const dir = tempDir();
  const text = readFileSync(join(ROOT, 'labs/l2-devices/lab.yaml'), 'utf8');
  const brought: string[] = [];

  before(() => assert.equal(process.getuid?.(), 0, 'integration tests need root'));
  after(async () => {
    for (const n of brought) await lab(['down', n]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function upTest(name: string, yaml: string): Promise<string> {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, yaml.replace(/^name: .*$/m, `name: ${name}`));
    brought.push(name);
    const r = await lab(['up', file, '--test']);
    return r.stdout + r.stderr;
  }

  async function down(name: string): Promise<void> {
    expectOk(await lab(['down', name]), `lab down ${name}`);
    brought.splice(brought.indexOf(name), 1);
    assert.deepEqual(labLeftovers(name), []);
  }

  it('passes every test of the lab', async () => {
    const out = await upTest('td-l2-devices', text);
    assert.deepEqual(failed(out), [], out);
    assert.match(out, /13 passed, 0 failed/);
    await down('td-l2-devices');
  });

  it('without ageing_time 300 and without the process on tap1, exactly those lessons fail', async () => {
    const without = text
      .replace(/^ {6}- ip link set br0 type bridge ageing_time 300\n/m, '')
      .replace(/^ {4}daemons:\n(?: {6}.*\n)+/m, '')
      .replace(/^handout:[\s\S]*$/m, '');
    assert.ok(!without.includes('ageing_time 300\n') && !without.includes('tap1-reader'), 'the copy lost both');
    const out = await upTest('td-l2-without', without);
    assert.deepEqual(failed(out).sort(), [
      "a tap device a process holds has a carrier (LOWER_UP, state UP) and br0 forwards to it",
      "br0 learns a's MAC on a's port when a answers, and forgets it within 20 s of its last frame (ageing_time 3 s)",
      "br0's ageing_time is 3 s (300 hundredths of a second)",
      'the process holding tap1 is socat, through /dev/net/tun',
    ]);
    await down('td-l2-without');
  });
});
