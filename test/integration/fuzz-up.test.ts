/**
 * Issue 17: the fuzz test's root half. Mutated copies of small shipped labs that validate are brought up for real:
 * each comes up or fails cleanly (exit 3, everything removed), `lab down` removes the rest, and the host is left
 * exactly as it was. Seeded (NSLAB_FUZZ_SEED) so a failure can be reproduced.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLab } from '../../runner/api.ts';
import { mutate, rng } from '../unit/fuzz-mutate.ts';
import { assertSameHost, hostSnapshot, lab, labLeftovers, ROOT, tempDir } from './helpers.ts';

const SEED = Number(process.env.NSLAB_FUZZ_SEED ?? 20261204);
const WANTED = 8;
const BASES = ['netns-veth', 'routed', 'vxlan-l2-overlay', 'bridge-nat'];

describe(`fuzz, brought up (root, real kernel; seed ${SEED})`, function () {
  this.timeout(300_000);

  it(`${WANTED} mutated labs that validate come up or fail cleanly, and leave nothing behind`, async () => {
    const dir = tempDir();
    const rand = rng(SEED);
    await lab(['down', '--all']);
    const before = await hostSnapshot();
    const outcomes: string[] = [];
    for (let i = 0; outcomes.length < WANTED && i < 400; i++) {
      const base = BASES[i % BASES.length];
      const text = mutate(readFileSync(join(ROOT, 'labs', base, 'lab.yaml'), 'utf8'), rand);
      if (text === undefined) continue;
      const name = `fz${outcomes.length}`;
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, text.replace(/^name: .*$/m, `name: ${name}`));
      try {
        loadLab(file);
      } catch {
        continue; // refused by validation: the unit fuzz test judges those
      }
      const up = await lab(['up', file, '--quiet', '--no-wait']);
      assert.ok([0, 3, 4].includes(up.exitCode), `case ${i} (${base}): lab up exit ${up.exitCode}: ${up.stderr.slice(0, 400)}`);
      if (up.exitCode !== 0) assert.deepEqual(labLeftovers(name), [], `case ${i} (${base}): a failed lab up left parts behind`);
      assert.doesNotMatch(up.stderr, /this is a bug in nslab/, `case ${i} (${base})`);
      const down = await lab(['down', name]);
      assert.equal(down.exitCode, 0, `case ${i}: lab down: ${down.stderr}`);
      assert.deepEqual(labLeftovers(name), [], `case ${i} (${base}): lab down left parts behind`);
      outcomes.push(`${base}: up exit ${up.exitCode}`);
    }
    assert.equal(outcomes.length, WANTED, `only ${outcomes.length} mutated labs validated`);
    assertSameHost(before, await hostSnapshot());
  });
});
