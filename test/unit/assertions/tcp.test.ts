import { strict as assert } from 'node:assert';
import { connectState, judgeTcp, tcp, tcpArgv, type TcpParams } from '../../../assertions/tcp.ts';
import { errors, fixture, resolveCtx, result } from './helpers.ts';

const open: TcpParams = { from: 'h1', to: 'h2', address: '10.99.0.2', family: 4, port: 5000, expect: 'open', timeoutMs: 2000 };
const closed: TcpParams = { ...open, expect: 'closed' };

describe('tcp', () => {
  it('builds an nc -z argv with the timeout in whole seconds', () => {
    assert.deepEqual(tcpArgv(open), ['nc', '-n', '-z', '-v', '-w', '2', '10.99.0.2', '5000']);
    assert.deepEqual(tcpArgv({ ...open, timeoutMs: 500 }).slice(4, 6), ['-w', '1']);
    assert.deepEqual(tcpArgv({ ...open, timeoutMs: 2500 }).slice(4, 6), ['-w', '3']);
  });

  it('tells open, refused, timed out and unreachable apart from real nc output', () => {
    assert.equal(connectState(fixture('nc-open')), 'open');
    assert.equal(connectState(fixture('nc-refused')), 'refused');
    assert.equal(connectState(fixture('nc-timeout')), 'timed out');
    assert.equal(connectState(fixture('nc-net-unreachable')), 'unreachable');
  });

  it('expect open: passes an accepted connection, fails a refused one with nc’s message', () => {
    assert.equal(judgeTcp(open, fixture('nc-open')).ok, true);
    const r = fixture('nc-refused');
    const o = judgeTcp(open, r);
    assert.equal(o.ok, false);
    assert.match(o.expected, /port 5000\/tcp from h1: open/);
    assert.match(o.seen, /closed: refused \(nc: connect to 10\.99\.0\.2 port 5001 \(tcp\) failed: Connection refused\)/);
    assert.equal(o.command, r.command);
  });

  it('expect closed: refused and timed out pass, open fails', () => {
    assert.equal(judgeTcp(closed, fixture('nc-refused')).ok, true);
    assert.equal(judgeTcp(closed, fixture('nc-timeout')).ok, true);
    assert.match(judgeTcp(closed, fixture('nc-timeout')).seen, /no answer within 2s/);
    assert.equal(judgeTcp(closed, fixture('nc-open')).ok, false);
  });

  it('a missing nc is a failure, not "closed"', () => {
    const o = judgeTcp(closed, result({ exitCode: 1, stderr: 'exec of "nc" failed: No such file or directory\n' }));
    assert.equal(o.ok, false);
    assert.match(o.seen, /could not run nc/);
    for (const r of [result({ exitCode: -1, stderr: 'spawn ip ENOENT' }), result({ exitCode: 127, stderr: 'sh: nc: not found' })]) {
      const x = judgeTcp(closed, r);
      assert.equal(x.ok, false, r.stderr);
      assert.match(x.seen, /could not run the command/);
    }
  });

  describe('resolve', () => {
    it('resolves with defaults', () => {
      const r = tcp.resolve({ from: 'h1', to: 'web', port: 80 }, resolveCtx());
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.params, { from: 'h1', to: 'web', address: '10.0.1.5', family: 4, port: 80, expect: 'open', timeoutMs: 2000 });
      assert.equal(tcp.describe(r.params!), 'tcp h1 → web:80');
    });
    it('reports an unknown node and a zero timeout, with hints', () => {
      const r = tcp.resolve({ from: 'hl', to: 'web', port: 80, timeout: 0 }, resolveCtx());
      assert.equal(r.params, undefined);
      assert.deepEqual(errors(r.diagnostics).map((d) => d.pos?.file).sort(), ['<from>', '<timeout>']);
      assert.match(r.diagnostics.find((d) => d.pos?.file === '<from>')!.hint ?? '', /h1/);
      assert.ok(r.diagnostics.every((d) => d.hint));
    });
    it('mistakes of shape make the test unusable with only shape diagnostics (dropped where the schema reports the test)', () => {
      for (const raw of [{ from: 'h1', to: 'web' }, { from: 'h1', to: 'web', port: 70000 }, { from: 'h1', to: 'web', port: 80, expect: 'opened' }, { from: 'h1', to: 'web', port: 80, timeout: 'soon' }]) {
        const r = tcp.resolve(raw, resolveCtx());
        assert.equal(r.params, undefined, JSON.stringify(raw));
        assert.deepEqual(r.diagnostics.map((d) => d.code), ['test.shape'], JSON.stringify(raw));
      }
    });
  });
});
