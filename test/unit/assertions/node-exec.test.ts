import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createRunContext, printable, toExecResult, type NodeRunContext } from '../../../runner/exec/node-exec.ts';

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

  describe('in a real namespace (root only)', function () {
    const ns = `nslunit-${process.pid}`;
    let ctx: NodeRunContext;
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };

    before(function () {
      if (process.getuid?.() !== 0) this.skip();
      try {
        execFileSync('ip', ['netns', 'add', ns], { stdio: 'ignore' });
      } catch {
        this.skip();
      }
      ctx = createRunContext({ nsOf: (n) => (n === 'h1' ? ns : `missing-${n}`), measurements: new Map([['underlay', 5]]) });
    });
    /** Kill what this test left in its namespace (by PID), then remove it. */
    const removeNs = (): void => {
      try {
        for (const pid of execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* no namespace, or nothing in it */
      }
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        /* was never made, or is gone */
      }
    };
    // also when mocha is stopped before `after` runs
    process.once('exit', removeNs);
    after(async () => {
      removeNs();
      await Promise.race([ctx?.stopAll(), new Promise((r) => setTimeout(r, 2000))]);
      process.removeListener('exit', removeNs);
    });

    it('runs argv inside the node’s namespace, no shell', async () => {
      const r = await ctx.exec('h1', ['ip', '-o', 'link', 'show']);
      assert.equal(r.exitCode, 0);
      assert.match(r.stdout, /^1: lo:/);
      assert.doesNotMatch(r.stdout, /^2:/m, 'only the namespace’s loopback');
      assert.equal(r.command, `ip netns exec ${ns} ip -o link show`);
      const e = await ctx.exec('h1', ['echo', '$HOME;', '|', 'x']);
      assert.equal(e.stdout, '$HOME; | x\n');
    });

    it('exit codes, stdin, and a missing program', async () => {
      assert.equal((await ctx.exec('h1', ['sh', '-c', 'exit 3'])).exitCode, 3);
      assert.equal((await ctx.exec('h1', ['cat'], { input: 'from stdin' })).stdout, 'from stdin');
      const m = await ctx.exec('h1', ['no-such-program-nslab']);
      assert.notEqual(m.exitCode, 0);
      assert.match(m.stderr, /exec of "no-such-program-nslab" failed/);
    });

    it('kills a command at its timeout and says so', async () => {
      const t0 = Date.now();
      const r = await ctx.exec('h1', ['sleep', '5'], { timeoutMs: 200 });
      assert.equal(r.timedOut, true);
      assert.ok(Date.now() - t0 < 2000);
    });

    it('a background process is stopped by its PID; SIGKILL follows when SIGTERM is ignored', async () => {
      const bg = await ctx.background('h1', ['sh', '-c', 'trap "" TERM; echo up; while :; do sleep 0.1; done']);
      await new Promise((r) => setTimeout(r, 200));
      const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
      assert.ok(pids.length >= 1);
      const t0 = Date.now();
      const out = await Promise.race([bg.stop(), new Promise<never>((_, no) => setTimeout(() => no(new Error('stop() did not end the process')), 4000))]);
      const took = Date.now() - t0;
      assert.ok(took >= 900 && took < 3000, `SIGKILL after about 1s (${took}ms)`);
      assert.equal(out.stdout, 'up\n');
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(pids.every((p) => !alive(p)), 'nothing left running in the namespace');
      assert.equal(bg.command, `ip netns exec ${ns} sh -c 'trap "" TERM; echo up; while :; do sleep 0.1; done'`);
    });

    it('stop() after the process ended gives its output; stopAll stops the rest', async () => {
      const done = await ctx.background('h1', ['echo', 'hello']);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(await done.stop(), { stdout: 'hello\n', stderr: '' });
      await ctx.background('h1', ['sleep', '30']);
      const t0 = Date.now();
      await ctx.stopAll();
      assert.ok(Date.now() - t0 < 900, 'sleep ends on SIGTERM');
      assert.equal(execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).trim(), '');
    });

    it('a cancelled run stops its commands', async () => {
      const ac = new AbortController();
      const c = createRunContext({ nsOf: () => ns, measurements: new Map(), signal: ac.signal });
      setTimeout(() => ac.abort(), 100);
      const t0 = Date.now();
      const r = await c.exec('h1', ['sleep', '5']);
      assert.ok(Date.now() - t0 < 2000);
      assert.notEqual(r.exitCode, 0);
      assert.match(r.stderr, /cancelled/);
    });

    it('measurements come from the map it was given', () => {
      assert.equal(ctx.measurement('underlay'), 5);
      assert.equal(ctx.measurement('other'), undefined);
    });
  });
});
