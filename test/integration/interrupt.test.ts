/** Ctrl-C during `lab up`: the build stops between phases and what was built is removed (runner/lab/up.ts, the CLI's LabUi). */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, lab, labLeftovers, tempDir } from './helpers.ts';

// a name of this run only: other people's labs on the machine are never touched
const NAME = `int${process.pid % 100000}`;

describe('lab up interrupted (root, real kernel)', function () {
  after(async () => {
    if (labLeftovers(NAME).length) await lab(['down', NAME]);
  });

  it('SIGINT once the first namespace exists: exit 3, "interrupted", and nothing of the lab is left', async () => {
    const n = 30;
    const nodes = Array.from({ length: n }, (_, i) => `  h${i + 1}: {}`).join('\n');
    const links = Array.from({ length: n }, (_, i) => `  - [h${i + 1}:eth0, sw]`).join('\n');
    const file = join(tempDir(), 'lab.yaml');
    writeFileSync(file, `name: ${NAME}\nnodes:\n${nodes}\nbridges:\n  sw: {}\nlinks:\n${links}\n`);
    const child = spawn(process.execPath, [CLI, 'up', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t0 = Date.now();
    while (!existsSync(`/run/netns/nsl.${NAME}.h1`) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 1));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    assert.equal(code, 3, stderr);
    assert.match(stderr, new RegExp(`lab ${NAME}: bringing it up failed; removing what was built`));
    assert.match(stderr, /^lab: interrupted$/m);
    assert.deepEqual(labLeftovers(NAME), []);
  });
});
