import { strict as assert } from 'node:assert';
import { clientArgv, iperf3, judgeIperf3, listeningArgv, parseIperf3, parseThreshold, serverArgv, type Iperf3Params, type Iperf3Run } from '../../../assertions/iperf3.ts';
import type { Background, ExecResult, RunContext } from '../../../assertions/types.ts';
import { errors, fixture, resolveCtx, result } from './helpers.ts';

const base: Iperf3Params = { from: 'h1', to: 'h2', server: 'h2', address: '10.99.0.2', family: 4, protocol: 'tcp', durationS: 3, streams: 1, repeat: 1 };
const p = (over: Partial<Iperf3Params>): Iperf3Params => ({ ...base, ...over });
const none = (): undefined => undefined;
const G = 1e9;

describe('iperf3', () => {
  describe('commands', () => {
    it('server runs once on the port; client asks for JSON', () => {
      assert.deepEqual(serverArgv(5203), ['iperf3', '-s', '-1', '-p', '5203']);
      assert.deepEqual(clientArgv(base, 5203), ['iperf3', '-c', '10.99.0.2', '-p', '5203', '-J', '--connect-timeout', '3000', '-t', '3', '-P', '1']);
      assert.deepEqual(clientArgv(p({ protocol: 'udp', streams: 4, bitrateBps: 100e6 }), 5201).slice(11), ['4', '-u', '-b', '100000000']);
      assert.deepEqual(listeningArgv(5201), ['ss', '-H', '-l', '-t', '-n', 'sport', '=', ':5201']);
    });
  });

  describe('parse', () => {
    it('TCP: received rate and retransmits of a real run', () => {
      const r = parseIperf3(fixture('iperf3-tcp').stdout, 'tcp');
      assert.ok(r.ok);
      const j = JSON.parse(fixture('iperf3-tcp').stdout);
      assert.equal(r.run.bps, j.end.sum_received.bits_per_second);
      assert.equal(r.run.retransmits, j.end.sum_sent.retransmits);
      assert.equal(r.run.lostPercent, undefined);
    });
    it('UDP: rate and loss of real runs', () => {
      const ok = parseIperf3(fixture('iperf3-udp').stdout, 'udp');
      assert.ok(ok.ok);
      assert.ok(ok.run.bps > 40e6 && ok.run.bps < 60e6, `about 50M asked, saw ${ok.run.bps}`);
      assert.equal(ok.run.lostPercent, 0);
      const lossy = parseIperf3(fixture('iperf3-udp-loss').stdout, 'udp');
      assert.ok(lossy.ok);
      assert.ok(lossy.run.lostPercent! > 1 && lossy.run.lostPercent! < 30);
    });
    it('reports iperf3’s own error (exit code 0 with -J) and non-JSON', () => {
      const r = parseIperf3(fixture('iperf3-refused').stdout, 'tcp');
      assert.deepEqual(r, { ok: false, message: 'iperf3: unable to connect to server: Connection refused' });
      assert.equal(parseIperf3('', 'tcp').ok, false);
      assert.match((parseIperf3('iperf3: error', 'tcp') as { message: string }).message, /no JSON/);
    });
  });

  describe('thresholds', () => {
    it('absolute rates', () => {
      assert.deepEqual(parseThreshold('900 mbit'), { ok: true, threshold: { kind: 'rate', bps: 900e6, text: '900 mbit' } });
      assert.deepEqual(parseThreshold(1e9), { ok: true, threshold: { kind: 'rate', bps: 1e9, text: '1000000000' } });
    });
    it('every relative form', () => {
      for (const s of ['0.7 x underlay', '0.7 × underlay', '0.7 * underlay', '0.7x underlay', '70% of underlay', '70 % of underlay']) {
        const t = parseThreshold(s);
        assert.ok(t.ok && t.threshold.kind === 'relative', s);
        assert.equal(t.threshold.ref, 'underlay', s);
        assert.ok(Math.abs(t.threshold.factor - 0.7) < 1e-12, s);
      }
      const t = parseThreshold('0.5 x tcp underlay');
      assert.ok(t.ok && t.threshold.kind === 'relative' && t.threshold.ref === 'tcp underlay');
    });
    it('rejects nonsense', () => {
      for (const v of ['fast', '10 bytes', 'x underlay', '70% underlay', true]) assert.equal(parseThreshold(v).ok, false, String(v));
    });
  });

  describe('judge', () => {
    const runs = (...g: number[]): Iperf3Run[] => g.map((x) => ({ bps: x * G, retransmits: 0 }));
    it('judges the median against min and max; the measurement is the median', () => {
      const rs = runs(9.7, 10.1, 9.8);
      const o = judgeIperf3(p({ min: { kind: 'rate', bps: 9 * G, text: '9G' } }), rs, none, 'cmd');
      assert.equal(o.ok, true);
      assert.equal(o.measurement, 9.8 * G);
      assert.equal(judgeIperf3(p({ min: { kind: 'rate', bps: 9.9 * G, text: '' } }), rs, none, 'cmd').ok, false, 'the median, not the best');
      assert.equal(judgeIperf3(p({ max: { kind: 'rate', bps: 9.75 * G, text: '' } }), rs, none, 'cmd').ok, false);
      assert.equal(judgeIperf3(p({ max: { kind: 'rate', bps: 9.8 * G, text: '' } }), rs, none, 'cmd').ok, true);
    });
    it('relative: says the factor, the reference and both numbers', () => {
      const measurement = (n: string): number | undefined => (n === 'underlay' ? 18.9 * G : undefined);
      const params = p({ min: { kind: 'relative', factor: 0.7, ref: 'underlay', text: '0.7 x underlay' } });
      const o = judgeIperf3(params, runs(9.7, 9.8, 10.1), measurement, 'ip netns exec nsl.t.h1 iperf3 -c …');
      assert.equal(o.ok, false);
      assert.equal(o.expected, 'TCP h1 → h2: ≥ 13.23 Gbit/s (0.7 × underlay = 18.90 Gbit/s)');
      assert.equal(o.seen, '9.80 Gbit/s (median of 3: 9.70 Gbit/s, 9.80 Gbit/s, 10.10 Gbit/s), 0 retransmits');
      assert.equal(o.command, 'ip netns exec nsl.t.h1 iperf3 -c …');
      assert.equal(judgeIperf3(params, runs(14), measurement, '').ok, true);
    });
    it('relative to a test that measured nothing fails and says so', () => {
      const o = judgeIperf3(p({ min: { kind: 'relative', factor: 0.7, ref: 'underlay', text: '' } }), runs(14), none, '');
      assert.equal(o.ok, false);
      assert.match(o.seen, /underlay has no measurement/);
    });
    it('UDP loss and TCP retransmits', () => {
      const udp = p({ protocol: 'udp', maxLoss: 1 });
      assert.equal(judgeIperf3(udp, [{ bps: 1e6, lostPercent: 0.5 }], none, '').ok, true);
      const o = judgeIperf3(udp, [{ bps: 1e6, lostPercent: 11.36 }], none, '');
      assert.equal(o.ok, false);
      assert.match(o.seen, /loss 11\.36%/);
      assert.equal(judgeIperf3(p({ maxRetransmits: 10 }), [{ bps: G, retransmits: 11 }], none, '').ok, false);
      assert.equal(judgeIperf3(p({ maxRetransmits: 10 }), [{ bps: G, retransmits: 10 }], none, '').ok, true);
    });
    it('a real lossy UDP capture fails max-loss 1%', () => {
      const r = parseIperf3(fixture('iperf3-udp-loss').stdout, 'udp');
      assert.ok(r.ok);
      assert.equal(judgeIperf3(p({ protocol: 'udp', maxLoss: 1 }), [r.run], none, '').ok, false);
    });
    it('max-jitter on a real UDP run through a queue a TCP flow keeps filling: fails with the measured jitter', () => {
      const r = parseIperf3(fixture('iperf3-udp-jitter').stdout, 'udp');
      assert.ok(r.ok);
      const j = JSON.parse(fixture('iperf3-udp-jitter').stdout);
      assert.equal(r.run.jitterMs, j.end.sum.jitter_ms);
      const jitter = r.run.jitterMs!;
      assert.ok(jitter > 1 && jitter < 20, `a 5 mbit queue under load jitters by milliseconds, saw ${jitter}`);
      const udp = (maxJitterMs: number): Iperf3Params => p({ protocol: 'udp', maxJitterMs });
      const o = judgeIperf3(udp(1), [r.run], none, 'cmd');
      assert.equal(o.ok, false);
      assert.match(o.expected, /UDP h1 → h2: jitter ≤ 1 ms/);
      assert.match(o.seen, new RegExp(`jitter ${Number(jitter.toPrecision(3))} ms`));
      assert.equal(judgeIperf3(udp(jitter), [r.run], none, '').ok, true, 'the bound is inclusive');
      assert.equal(judgeIperf3(udp(20), [r.run], none, '').ok, true);
    });
    it('max-jitter: an unloaded link passes; runs without jitter fail; repeats use the median', () => {
      const clean = parseIperf3(fixture('iperf3-udp').stdout, 'udp');
      assert.ok(clean.ok);
      assert.ok(clean.run.jitterMs! < 0.1);
      assert.equal(judgeIperf3(p({ protocol: 'udp', maxJitterMs: 0.5 }), [clean.run], none, '').ok, true);
      const none_ = judgeIperf3(p({ protocol: 'udp', maxJitterMs: 0.5 }), [{ bps: G }], none, '');
      assert.equal(none_.ok, false);
      assert.match(none_.seen, /no jitter reported/);
      const runs = [1, 5, 2].map((jitterMs) => ({ bps: G, jitterMs }));
      assert.equal(judgeIperf3(p({ protocol: 'udp', maxJitterMs: 2 }), runs, none, '').ok, true);
      assert.equal(judgeIperf3(p({ protocol: 'udp', maxJitterMs: 1.9 }), runs, none, '').ok, false);
    });
  });

  describe('resolve', () => {
    const ctx = resolveCtx({ tests: ['underlay', 'overlay'], testName: 'overlay' });
    it('reads every key', () => {
      const r = iperf3.resolve({ from: 'h1', to: 'h2', protocol: 'udp', duration: '5s', streams: 2, bitrate: '100M', repeat: 3, min: '50 mbit', max: '0.9 x underlay', 'max-loss': '1%' }, ctx);
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.params, {
        from: 'h1', to: 'h2', server: 'h2', address: '10.0.0.2', family: 4, protocol: 'udp', durationS: 5, streams: 2, bitrateBps: 100e6, repeat: 3,
        min: { kind: 'rate', bps: 50e6, text: '50 mbit' }, max: { kind: 'relative', factor: 0.9, ref: 'underlay', text: '0.9 x underlay' }, maxLoss: 1, maxRetransmits: undefined, maxJitterMs: undefined,
      });
      assert.deepEqual(iperf3.dependsOn!(r.params!), ['underlay']);
      assert.equal(iperf3.exclusive, true);
    });
    it('a relative threshold to an unknown test: did you mean', () => {
      const r = iperf3.resolve({ from: 'h1', to: 'h2', min: '70% of underly' }, ctx);
      assert.equal(r.params, undefined);
      const [d] = errors(r.diagnostics);
      assert.equal(d.code, 'test.threshold');
      assert.equal(d.pos?.file, '<min>');
      assert.match(d.message, /"underly", which is not the name of a test/);
      assert.equal(d.hint, 'did you mean "underlay"?');
    });
    it('a test may not compare with itself', () => {
      const r = iperf3.resolve({ from: 'h1', to: 'h2', min: '0.5 x overlay' }, ctx);
      assert.equal(r.params, undefined);
      assert.match(r.diagnostics[0].message, /refers to this test itself/);
    });
    it('a bad threshold and a bad bitrate', () => {
      const r = iperf3.resolve({ from: 'h1', to: 'h2', min: 'quick', bitrate: 'lots' }, ctx);
      assert.equal(r.params, undefined);
      assert.deepEqual(errors(r.diagnostics).map((d) => d.pos?.file).sort(), ['<bitrate>', '<min>']);
    });
    it('max-jitter: read as a duration on UDP; refused without udp, at the key', () => {
      const r = iperf3.resolve({ from: 'h1', to: 'h2', protocol: 'udp', 'max-jitter': '0.5ms' }, ctx);
      assert.deepEqual(r.diagnostics, []);
      assert.equal(r.params!.maxJitterMs, 0.5);
      for (const raw of [{ from: 'h1', to: 'h2', 'max-jitter': '2ms' }, { from: 'h1', to: 'h2', protocol: 'tcp', 'max-jitter': '2ms' }]) {
        const t = iperf3.resolve(raw, ctx);
        assert.equal(t.params, undefined);
        const [d] = errors(t.diagnostics);
        assert.equal(d.pos?.file, '<max-jitter>');
        assert.match(d.message, /max-jitter needs protocol: udp/);
        assert.match(d.hint ?? '', /protocol: udp/);
      }
      const secs = iperf3.resolve({ from: 'h1', to: 'h2', protocol: 'udp', 'max-jitter': 2 }, ctx);
      assert.equal(secs.params!.maxJitterMs, 2000);
      assert.equal(secs.diagnostics[0].severity, 'warning');
      assert.match(secs.diagnostics[0].hint ?? '', /max-jitter: 2ms/);
    });
    it('min above max', () => {
      assert.match(iperf3.resolve({ from: 'h1', to: 'h2', min: '2G', max: '1G' }, ctx).diagnostics[0].message, /above/);
    });
    it('the target must be a node, since the server runs there', () => {
      const r = iperf3.resolve({ from: 'h1', to: '10.0.0.2' }, ctx);
      assert.equal(r.params, undefined);
      assert.match(r.diagnostics[0].message, /must name a node/);
    });
    it('an unknown node', () => {
      const r = iperf3.resolve({ from: 'h1', to: 'h3' }, ctx);
      assert.equal(r.params, undefined);
      assert.equal(r.diagnostics[0].pos?.file, '<to>');
    });
  });

  describe('run', () => {
    /** Plays iperf3: the server node answers ss; the client gets the given outputs in turn. */
    function fakeCtx(clientOutputs: ExecResult[], opts: { listenAfter?: number; index?: number } = {}) {
      const log: string[] = [];
      let ssCalls = 0;
      let stopped = 0;
      const ctx: RunContext = {
        test: { index: opts.index ?? 2, name: 't' },
        measurement: () => undefined,
        async background(node, argv): Promise<Background> {
          log.push(`bg ${node} ${argv.join(' ')}`);
          return { command: `ip netns exec ns-${node} ${argv.join(' ')}`, stop: async () => (stopped++, { stdout: '', stderr: '' }) };
        },
        async exec(node, argv): Promise<ExecResult> {
          if (argv[0] === 'ss') {
            ssCalls++;
            return result({ stdout: ssCalls > (opts.listenAfter ?? 0) ? 'LISTEN 0 4096 *:5203 *:*\n' : '' });
          }
          log.push(`exec ${node} ${argv.join(' ')}`);
          const r = clientOutputs.shift();
          if (!r) throw new Error('client ran too often');
          return { ...r, command: `ip netns exec ns-${node} ${argv.join(' ')}` };
        },
      };
      return { ctx, log, ssCalls: () => ssCalls, stopped: () => stopped };
    }

    it('starts the server on 5201 + test index in the target node, waits for it, runs the client, stops the server', async () => {
      const f = fakeCtx([fixture('iperf3-tcp')], { listenAfter: 2 });
      const o = await iperf3.run(base, f.ctx);
      assert.equal(o.ok, true);
      assert.deepEqual(f.log, ['bg h2 iperf3 -s -1 -p 5203', 'exec h1 iperf3 -c 10.99.0.2 -p 5203 -J --connect-timeout 3000 -t 3 -P 1']);
      assert.equal(f.ssCalls(), 3);
      assert.equal(f.stopped(), 1);
      assert.equal(o.measurement, JSON.parse(fixture('iperf3-tcp').stdout).end.sum_received.bits_per_second);
      assert.equal(o.command, 'ip netns exec ns-h2 iperf3 -s -1 -p 5203\nip netns exec ns-h1 iperf3 -c 10.99.0.2 -p 5203 -J --connect-timeout 3000 -t 3 -P 1');
    });

    it('retries the client while the server refuses', async () => {
      const f = fakeCtx([fixture('iperf3-refused'), fixture('iperf3-tcp')]);
      const o = await iperf3.run(base, f.ctx);
      assert.equal(o.ok, true);
      assert.equal(f.log.filter((l) => l.startsWith('exec')).length, 2);
    });

    it('repeat: one server per run, judged on the median', async () => {
      const tcp = (bps: number): ExecResult => result({ stdout: JSON.stringify({ end: { sum_sent: { retransmits: 1 }, sum_received: { bits_per_second: bps } } }) });
      const f = fakeCtx([tcp(3 * G), tcp(1 * G), tcp(2 * G)]);
      const o = await iperf3.run(p({ repeat: 3, min: { kind: 'rate', bps: 2.5 * G, text: '' } }), f.ctx);
      assert.equal(o.ok, false);
      assert.equal(o.measurement, 2 * G);
      assert.equal(f.stopped(), 3);
      assert.match(o.seen, /^2\.00 Gbit\/s \(median of 3: 3\.00 Gbit\/s, 1\.00 Gbit\/s, 2\.00 Gbit\/s\)/);
    });

    it('a run that measures nothing fails with iperf3’s message', async () => {
      const refused = fixture('iperf3-refused');
      const f = fakeCtx([refused, refused, refused, refused, refused]);
      const o = await iperf3.run(base, f.ctx);
      assert.equal(o.ok, false);
      assert.match(o.seen, /^no measurement: iperf3: unable to connect to server: Connection refused/);
      assert.equal(o.measurement, undefined);
      assert.equal(f.stopped(), 1);
    });
  });
});
