import { strict as assert } from 'node:assert';
import { judgePing, parsePingStats, ping, pingArgv, type PingParams } from '../../../assertions/ping.ts';
import type { ExecResult, RunContext } from '../../../assertions/types.ts';
import { errors, fixture, resolveCtx, result } from './helpers.ts';

const base: PingParams = { from: 'h1', to: 'h2', address: '10.99.0.2', family: 4, count: 3, intervalMs: 200, dontFragment: false, expect: 'reachable', maxLoss: 0 };
const p = (over: Partial<PingParams> = {}): PingParams => ({ ...base, ...over });

describe('ping', () => {
  describe('command', () => {
    it('builds the iputils argv with defaults', () => {
      assert.deepEqual(pingArgv(base), ['ping', '-n', '-c', '3', '-i', '0.2', '-W', '1', '10.99.0.2']);
    });
    it('adds size and dont-fragment', () => {
      assert.deepEqual(pingArgv(p({ size: 1472, dontFragment: true, count: 5, intervalMs: 50 })), ['ping', '-n', '-c', '5', '-i', '0.05', '-W', '1', '-s', '1472', '-M', 'do', '10.99.0.2']);
    });
  });

  describe('parse', () => {
    it('reads the summary and rtt of a real run', () => {
      const s = parsePingStats(fixture('ping-ok').stdout)!;
      assert.equal(s.transmitted, 3);
      assert.equal(s.received, 3);
      assert.equal(s.lossPercent, 0);
      assert.ok(s.rtt && s.rtt.avg > 0 && s.rtt.min <= s.rtt.avg && s.rtt.avg <= s.rtt.max);
    });
    it('reads errors and partial loss', () => {
      assert.equal(parsePingStats(fixture('ping-df-too-big').stdout)!.errors, 3);
      const s = parsePingStats(fixture('ping-partial-loss').stdout)!;
      assert.equal(s.transmitted, 20);
      assert.ok(s.received > 0 && s.received < 20);
      assert.equal(s.lossPercent, Math.round((100 * (20 - s.received)) / 20));
    });
    it('has no stats when ping sent nothing', () => {
      assert.equal(parsePingStats(fixture('ping-net-unreachable').stdout), undefined);
    });
  });

  describe('judge', () => {
    it('passes a clean run, v4 and v6', () => {
      assert.equal(judgePing(base, fixture('ping-ok')).ok, true);
      assert.equal(judgePing(p({ address: 'fd99::2', family: 6 }), fixture('ping6-ok')).ok, true);
    });
    it('fails full loss, saying what it saw and the command', () => {
      const r = fixture('ping-all-lost');
      const o = judgePing(base, r);
      assert.equal(o.ok, false);
      assert.match(o.expected, /reachable from h1: loss ≤ 0%/);
      assert.match(o.seen, /0\/3 replies \(100% loss\)/);
      assert.equal(o.command, r.command);
    });
    it('judges partial loss against max-loss', () => {
      const r = fixture('ping-partial-loss');
      const loss = parsePingStats(r.stdout)!.lossPercent;
      assert.equal(judgePing(base, r).ok, false);
      assert.equal(judgePing(p({ maxLoss: loss }), r).ok, true);
      assert.equal(judgePing(p({ maxLoss: loss - 1 }), r).ok, false);
      assert.equal(judgePing(p({ expect: 'unreachable' }), r).ok, false, 'some replies came back');
    });
    it('min-loss: an impaired link (nft drop of 20%, as a lab compiles loss: 20%) must show the loss', () => {
      const r = fixture('ping-impair-loss');
      const loss = parsePingStats(r.stdout)!.lossPercent;
      assert.ok(loss > 10 && loss < 30, `a 20% drop lost ${loss}% of 100 pings`);
      const o = judgePing(p({ count: 100, minLoss: 10, maxLoss: 100 }), r);
      assert.equal(o.ok, true);
      assert.match(o.expected, /loss ≥ 10%/);
      assert.equal(judgePing(p({ count: 100, minLoss: loss, maxLoss: 100 }), r).ok, true, 'the bound is inclusive');
      const low = judgePing(p({ count: 100, minLoss: loss + 1, maxLoss: 100 }), r);
      assert.equal(low.ok, false);
      assert.match(low.seen, new RegExp(`\\(${loss}% loss\\)`), 'the measured loss is in the failure');
      assert.equal(judgePing(p({ count: 100, minLoss: 10, maxLoss: loss - 1 }), r).ok, false, 'max-loss still holds');
      assert.match(judgePing(p({ minLoss: 10, maxLoss: 30 }), r).expected, /loss 10–30%/);
    });
    it('min-loss fails a link that lost nothing, and one that answered nothing', () => {
      const clean = judgePing(p({ minLoss: 5, maxLoss: 100 }), fixture('ping-ok'));
      assert.equal(clean.ok, false);
      assert.match(clean.seen, /3\/3 replies \(0% loss\)/);
      assert.equal(judgePing(p({ minLoss: 5, maxLoss: 100 }), fixture('ping-all-lost')).ok, false, '100% loss is not reachable');
    });
    it('judges the average rtt against max-rtt', () => {
      const r = fixture('ping-ok');
      const avg = parsePingStats(r.stdout)!.rtt!.avg;
      assert.equal(judgePing(p({ maxRttMs: avg + 0.001 }), r).ok, true);
      const o = judgePing(p({ maxRttMs: avg / 2 }), r);
      assert.equal(o.ok, false);
      assert.match(o.seen, new RegExp(`average rtt ${avg} ms`));
    });
    it('shows the local error of a too-big dont-fragment ping', () => {
      const o = judgePing(p({ size: 2000, dontFragment: true }), fixture('ping-df-too-big'));
      assert.equal(o.ok, false);
      assert.match(o.seen, /message too long, mtu=1500/);
    });
    it('expects unreachable: full loss and "Network is unreachable" pass, replies fail', () => {
      const un = p({ expect: 'unreachable' });
      assert.equal(judgePing(un, fixture('ping-all-lost')).ok, true);
      assert.equal(judgePing(un, fixture('ping-no-neighbour')).ok, true);
      const o = judgePing(un, fixture('ping-net-unreachable'));
      assert.equal(o.ok, true);
      assert.match(o.seen, /Network is unreachable/);
      assert.equal(judgePing(un, fixture('ping-ok')).ok, false);
    });
    it('a network that is unreachable fails a reachable test with the reason', () => {
      const o = judgePing(base, fixture('ping-net-unreachable'));
      assert.equal(o.ok, false);
      assert.match(o.seen, /no packet sent: ping: connect: Network is unreachable/);
    });
    it('a ping that could not run, or hung, is never a pass, even for unreachable', () => {
      const missing = result({ exitCode: 1, stderr: 'exec of "ping" failed: No such file or directory\n' });
      const hung = result({ exitCode: 124, timedOut: true });
      for (const r of [missing, hung]) {
        assert.equal(judgePing(base, r).ok, false);
        assert.equal(judgePing(p({ expect: 'unreachable' }), r).ok, false);
      }
      assert.match(judgePing(base, missing).seen, /could not run ping/);
      assert.match(judgePing(base, hung).seen, /stopped after/);
    });
  });

  describe('resolve', () => {
    it('resolves a target to its address, with defaults', () => {
      const r = ping.resolve({ from: 'h1', to: 'h2' }, resolveCtx());
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.params, { ...base, address: '10.0.0.2', size: undefined, minLoss: undefined, maxRttMs: undefined });
      assert.equal(ping.describe(r.params!), 'ping h1 → h2');
    });
    it('reads every key', () => {
      const r = ping.resolve({ from: 'h1', to: 'h2:eth1', count: 10, interval: '50ms', size: 100, 'dont-fragment': true, 'max-loss': '10%', 'max-rtt': '20ms' }, resolveCtx());
      assert.deepEqual(r.diagnostics, []);
      assert.equal(r.params!.address, 'fd00::2');
      assert.equal(r.params!.family, 6);
      assert.equal(r.params!.intervalMs, 50);
      assert.equal(r.params!.maxLoss, 10);
      assert.equal(r.params!.maxRttMs, 20);
      assert.equal(r.params!.dontFragment, true);
    });
    it('reports an unknown from node with did-you-mean', () => {
      const r = ping.resolve({ from: 'h3', to: 'h2' }, resolveCtx());
      assert.equal(r.params, undefined);
      assert.equal(errors(r.diagnostics).length, 1);
      assert.match(r.diagnostics[0].message, /unknown node "h3"/);
      assert.equal(r.diagnostics[0].pos?.file, '<from>');
    });
    it('reports an unknown target at to', () => {
      const r = ping.resolve({ from: 'h1', to: 'wbe' }, resolveCtx());
      assert.equal(r.params, undefined);
      assert.equal(r.diagnostics[0].pos?.file, '<to>');
      assert.match(r.diagnostics[0].hint ?? '', /web/);
    });
    it('rejects a bad max-loss and a too short interval, with hints', () => {
      const r = ping.resolve({ from: 'h1', to: 'h2', 'max-loss': '120%', interval: '1ms' }, resolveCtx());
      assert.equal(r.params, undefined);
      assert.deepEqual(r.diagnostics.map((d) => d.pos?.file).sort(), ['<interval>', '<max-loss>']);
      assert.ok(r.diagnostics.every((d) => d.hint));
    });
    it('a mistake of shape makes the test unusable with only shape diagnostics (dropped where the schema reports the test)', () => {
      const r = ping.resolve({ from: 'h1', to: 'h2', expect: 'reachabel', count: 0 }, resolveCtx());
      assert.equal(r.params, undefined);
      assert.deepEqual(r.diagnostics.map((d) => d.code), ['test.shape', 'test.shape']);
    });
    it('min-loss: max-loss then defaults to 100; above max-loss is an error at min-loss', () => {
      const r = ping.resolve({ from: 'h1', to: 'h2', count: 100, 'min-loss': '10%' }, resolveCtx());
      assert.deepEqual(r.diagnostics, []);
      assert.equal(r.params!.minLoss, 10);
      assert.equal(r.params!.maxLoss, 100);
      const bad = ping.resolve({ from: 'h1', to: 'h2', count: 100, 'min-loss': 20, 'max-loss': 10 }, resolveCtx());
      assert.equal(bad.params, undefined);
      assert.equal(bad.diagnostics[0].pos?.file, '<min-loss>');
      assert.match(bad.diagnostics[0].message, /min-loss \(20%\) is above ping.max-loss \(10%\)/);
    });
    it('min-loss with too few pings warns at count, with the chance of a wrong failure and the count needed', () => {
      const r = ping.resolve({ from: 'h1', to: 'h2', count: 3, 'min-loss': '5%' }, resolveCtx());
      assert.ok(r.params, 'a warning only');
      assert.equal(r.diagnostics.length, 1);
      const d = r.diagnostics[0];
      assert.equal(d.severity, 'warning');
      assert.equal(d.pos?.file, '<count>');
      assert.match(d.message, /count 3 is too few for min-loss 5%: a link that loses 10% still shows less than 5% in 3 pings 73% of the time/);
      assert.match(d.hint ?? '', /use count: 183 or more/);
      // the default count: the warning is at min-loss
      assert.equal(ping.resolve({ from: 'h1', to: 'h2', 'min-loss': 10 }, resolveCtx()).diagnostics[0].pos?.file, '<min-loss>');
      // enough pings: no warning
      assert.deepEqual(ping.resolve({ from: 'h1', to: 'h2', count: 183, 'min-loss': 5 }, resolveCtx()).diagnostics, []);
      assert.deepEqual(ping.resolve({ from: 'h1', to: 'h2', count: 100, 'min-loss': 10 }, resolveCtx()).diagnostics, []);
      // no count is enough for a tiny loss
      assert.match(ping.resolve({ from: 'h1', to: 'h2', count: 1000, 'min-loss': 0.5 }, resolveCtx()).diagnostics[0].hint ?? '', /no count up to 1000/);
    });
    it('warns about max-loss with expect: unreachable', () => {
      const r = ping.resolve({ from: 'h1', to: 'h2', expect: 'unreachable', 'max-loss': 5 }, resolveCtx());
      assert.ok(r.params);
      assert.equal(r.diagnostics.length, 1);
      assert.equal(r.diagnostics[0].severity, 'warning');
    });
  });

  it('run() executes the built argv in the from node and judges its output', async () => {
    const calls: { node: string; argv: readonly string[] }[] = [];
    const ctx: RunContext = {
      exec: async (node, argv): Promise<ExecResult> => {
        calls.push({ node, argv });
        return fixture('ping-ok');
      },
      background: () => Promise.reject(new Error('unused')),
      measurement: () => undefined,
    };
    const o = await ping.run(base, ctx);
    assert.equal(o.ok, true);
    assert.deepEqual(calls, [{ node: 'h1', argv: pingArgv(base) }]);
  });
});
