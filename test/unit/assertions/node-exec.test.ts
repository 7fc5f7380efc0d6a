/** The node exec runner's pure parts; running commands in a real namespace is test/integration/node-exec.test.ts (root). */
import { strict as assert } from 'node:assert';
import { printable, toExecResult } from '../../../runner/exec/node-exec.ts';

const base = { command: 'c', stdout: '', stderr: '', all: '', timedOut: false, canceled: false };

describe('node-exec', () => {
  it('prints a command the way a shell user would type it', () => {
    assert.equal(printable('ip', ['netns', 'exec', 'nsl.lab.h1', 'sh', '-c', `echo "a b" 'c'`]), `ip netns exec nsl.lab.h1 sh -c 'echo "a b" '\\''c'\\'''`);
  });

  it('gives the runner’s result to assertions; a program that never started says why on stderr', () => {
    assert.deepEqual(toExecResult({ ...base, exitCode: 0, stdout: 'x' }), { exitCode: 0, stdout: 'x', stderr: '', command: 'c', timedOut: false });
    const never = toExecResult({ ...base, exitCode: -1, spawnError: 'ENOENT', spawnMessage: 'spawn ip ENOENT' });
    assert.deepEqual([never.exitCode, never.stderr], [-1, 'spawn ip ENOENT']);
    assert.equal(toExecResult({ ...base, exitCode: 124, timedOut: true }).timedOut, true);
  });
});
