/** The node exec runner's pure parts; running commands in a real namespace is test/integration/node-exec.test.ts (root). */
import { strict as assert } from 'node:assert';
import { printable, toExecResult } from '../../../runner/exec/node-exec.ts';

const base = { stdout: '', stderr: '', failed: true, isCanceled: false, timedOut: false, exitCode: undefined, signal: undefined };

describe('node-exec', () => {
  it('prints a command the way a shell user would type it', () => {
    assert.equal(printable('ip', ['netns', 'exec', 'nsl.lab.h1', 'sh', '-c', `echo "a b" 'c'`]), `ip netns exec nsl.lab.h1 sh -c 'echo "a b" '\\''c'\\'''`);
  });

  it('maps how a process ended to an exit code', () => {
    assert.equal(toExecResult({ ...base, failed: false, exitCode: 0, stdout: 'x' }, 'c').exitCode, 0);
    const t = toExecResult({ ...base, timedOut: true, signal: 'SIGTERM' }, 'c');
    assert.deepEqual([t.exitCode, t.timedOut], [124, true]);
    assert.equal(toExecResult({ ...base, signal: 'SIGKILL' }, 'c').exitCode, 137);
    const never = toExecResult({ ...base, originalMessage: 'spawn ip ENOENT' }, 'c');
    assert.deepEqual([never.exitCode, never.stderr], [-1, 'spawn ip ENOENT']);
    assert.match(toExecResult({ ...base, isCanceled: true, signal: 'SIGTERM' }, 'c').stderr, /cancelled/);
  });
});
