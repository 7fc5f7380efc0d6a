/** The one process runner (runner/exec/process.ts), on real programs (no root needed). */
import { strict as assert } from 'node:assert';
import { ProcessError, runProcess, start } from '../../runner/exec/process.ts';

describe('exec: the process runner', () => {
  it('runs argv without a shell and gives exit code, stdout, stderr and the command as typed', async () => {
    const r = await runProcess(['sh', '-c', 'echo out; echo err >&2; exit 3', 'x y']);
    assert.deepEqual([r.exitCode, r.stdout, r.stderr, r.timedOut, r.canceled], [3, 'out\n', 'err\n', false, false]);
    assert.equal(r.command, `sh -c 'echo out; echo err >&2; exit 3' 'x y'`);
    assert.equal((await runProcess(['echo', '$HOME;', '|'])).stdout, '$HOME; |\n');
  });

  it('input goes to stdin; env is added to this process’s; cwd is honoured', async () => {
    assert.equal((await runProcess(['cat'], { input: 'from stdin' })).stdout, 'from stdin');
    const r = await runProcess(['sh', '-c', 'echo "$NSLAB_T:$PATH" && pwd'], { env: { NSLAB_T: 'v' }, cwd: '/' });
    assert.equal(r.stdout, `v:${process.env.PATH}\n/\n`);
  });

  it('a missing program: exit -1 and the start error, or a ProcessError with reject', async () => {
    const r = await runProcess(['no-such-program-nslab']);
    assert.deepEqual([r.exitCode, r.spawnError], [-1, 'ENOENT']);
    await assert.rejects(runProcess(['sh', '-c', 'exit 2'], { reject: true }), (e: unknown) => e instanceof ProcessError && e.result.exitCode === 2);
  });

  it('a time-out kills the process (124, timedOut); a signal gives 128+N', async () => {
    const t = await runProcess(['sleep', '30'], { timeoutMs: 50 });
    assert.deepEqual([t.exitCode, t.timedOut], [124, true]);
    const k = await runProcess(['sh', '-c', 'kill -9 $$']);
    assert.deepEqual([k.exitCode, k.signal], [137, 'SIGKILL']);
  });

  it('cancelling stops the process and says so; stop() ends a started one', async () => {
    const ac = new AbortController();
    const p = runProcess(['sleep', '30'], { signal: ac.signal });
    ac.abort();
    const r = await p;
    assert.equal(r.canceled, true);
    assert.match(r.stderr, /cancelled/);
    const s = start(['sleep', '30']);
    assert.ok(s.pid);
    assert.equal(s.ended(), false);
    const done = await s.stop();
    assert.deepEqual([done.signal, s.ended()], ['SIGTERM', true]);
  });
});
