import { strict as assert } from 'node:assert';
import { command, judgeCommand, type CommandParams } from '../../../assertions/command.ts';
import { errors, resolveCtx, result } from './helpers.ts';

const base: CommandParams = { node: 'h1', argv: ['curl', '-s', 'http://web/'], exit: 0, timeoutMs: 10_000 };
const p = (over: Partial<CommandParams>): CommandParams => ({ ...base, ...over });

describe('command', () => {
  describe('judge', () => {
    it('passes exit 0 by default, fails another exit code showing the output', () => {
      assert.equal(judgeCommand(base, result({ stdout: 'hello\n' })).ok, true);
      const o = judgeCommand(base, result({ exitCode: 7, stderr: 'curl: (7) Failed to connect\n' }));
      assert.equal(o.ok, false);
      assert.equal(o.expected, 'exit code 0');
      assert.equal(o.seen, 'exit code 7; output: curl: (7) Failed to connect');
      assert.equal(o.command, 'ip netns exec nsl.t.h1 true');
    });
    it('a chosen exit code', () => {
      assert.equal(judgeCommand(p({ exit: 1 }), result({ exitCode: 1 })).ok, true);
      assert.equal(judgeCommand(p({ exit: 1 }), result({ exitCode: 0 })).ok, false);
    });
    it('output must match stdout or stderr; lines anchor with ^ and $', () => {
      const r = result({ stdout: 'line one\nHTTP/1.1 200 OK\n', stderr: 'warn: slow\n' });
      assert.equal(judgeCommand(p({ output: '^HTTP/1.1 200' }), r).ok, true);
      assert.equal(judgeCommand(p({ output: '^warn: slow$' }), r).ok, true);
      const o = judgeCommand(p({ output: '404' }), r);
      assert.equal(o.ok, false);
      assert.match(o.expected, /output matching \/404\//);
      assert.match(o.seen, /does not match: line one \/ HTTP\/1.1 200 OK \/ warn: slow/);
    });
    it('not-output must not match, and the failure shows the line that did', () => {
      const r = result({ stdout: 'ok\nERROR: disk full\nbye\n' });
      assert.equal(judgeCommand(p({ notOutput: 'panic' }), r).ok, true);
      const o = judgeCommand(p({ notOutput: 'ERROR' }), r);
      assert.equal(o.ok, false);
      assert.match(o.seen, /matches at "ERROR: disk full"/);
    });
    it('a timeout or a missing program fails even when exit 1 is expected', () => {
      const t = judgeCommand(p({ exit: 124 }), result({ exitCode: 124, timedOut: true }));
      assert.equal(t.ok, false);
      assert.match(t.seen, /stopped after 10s/);
      const m = judgeCommand(p({ exit: 1 }), result({ exitCode: 1, stderr: 'exec of "curl" failed: No such file or directory\n' }));
      assert.equal(m.ok, false);
      assert.match(m.seen, /could not run curl/);
    });
  });

  describe('resolve', () => {
    it('splits a string into argv and reads every key', () => {
      const r = command.resolve({ node: 'h1', run: 'curl -s "http://web/a b"', exit: 0, output: 'OK', 'not-output': 'error', timeout: '3s' }, resolveCtx());
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.params, { node: 'h1', argv: ['curl', '-s', 'http://web/a b'], exit: 0, output: 'OK', notOutput: 'error', timeoutMs: 3000 });
    });
    it('takes an argv list', () => {
      assert.deepEqual(command.resolve({ node: 'h1', run: ['sh', '-c', 'echo $X | wc'] }, resolveCtx()).params?.argv, ['sh', '-c', 'echo $X | wc']);
    });
    it('a string that would need a shell is a diagnostic at run', () => {
      const r = command.resolve({ node: 'h1', run: 'cat /etc/hosts | grep web' }, resolveCtx());
      assert.equal(r.params, undefined);
      assert.equal(r.diagnostics[0].pos?.file, '<run>');
      assert.match(r.diagnostics[0].message, /would need a shell/);
    });
    it('an invalid regex is a diagnostic at its key', () => {
      const r = command.resolve({ node: 'h1', run: 'true', output: 'a(b', 'not-output': '[x' }, resolveCtx());
      assert.equal(r.params, undefined);
      const es = errors(r.diagnostics);
      assert.deepEqual(es.map((d) => d.pos?.file), ['<output>', '<not-output>']);
      assert.ok(es.every((d) => d.code === 'test.regex'));
    });
    it('an unknown node', () => {
      const r = command.resolve({ node: 'wb', run: 'true' }, resolveCtx());
      assert.equal(r.params, undefined);
      assert.match(r.diagnostics[0].hint ?? '', /web/);
    });
  });
});
