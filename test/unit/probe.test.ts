/**
 * nslab's probe agent against its whoami server, on the loopback (no root): TCP and UDP, fresh source ports or
 * one fixed one, refused ports, and the `lab agent probe` / `lab agent whoami --udp-port` command lines.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseProbeArgs, parseProbeOutput, probeArgv, runProbe, type ProbeLine } from '../../runner/agent/probe.ts';
import { startWhoami, type WhoamiServers } from '../../runner/agent/whoami.ts';

const MAIN = fileURLToPath(new URL('../../runner/cli/main.ts', import.meta.url));
const run = promisify(execFile);

/** A free port for TCP and UDP alike (asked of the kernel, then released). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const oks = (ls: readonly ProbeLine[]): Extract<ProbeLine, { ok: true }>[] => ls.flatMap((l) => (l.ok ? [l] : []));

describe('probe agent', () => {
  it('parses its command line, and probeArgv writes what it parses', () => {
    const o = parseProbeArgs(['--to', '10.96.0.20', '--port', '80', '--count', '5', '--proto', 'udp', '--timeout-ms=300', '--source-port', '4000']);
    assert.deepEqual(o, { to: ['10.96.0.20'], port: 80, proto: 'udp', count: 5, timeoutMs: 300, sourcePort: 4000 });
    assert.deepEqual(parseProbeArgs(probeArgv(o).slice(2)), o);
    assert.deepEqual(parseProbeArgs(['--to', '::1', '--to', '10.0.0.1', '--port', '1']), { to: ['::1', '10.0.0.1'], port: 1, proto: 'tcp', count: 1, timeoutMs: 1000 });
    assert.throws(() => parseProbeArgs(['--port', '80']), /--to and --port are required/);
    assert.throws(() => parseProbeArgs(['--to', 'web', '--port', '80']), /--to must be an IP address/);
    assert.throws(() => parseProbeArgs(['--to', '10.0.0.1', '--port', '0']), /--port must be a whole number from 1 to 65535/);
    assert.throws(() => parseProbeArgs(['--to', '10.0.0.1', '--port', '80', '--proto', 'sctp']), /--proto must be tcp or udp/);
    assert.throws(() => parseProbeArgs(['--to', '10.0.0.1', '--port', '80', '--fast']), /unknown argument "--fast"/);
  });

  it('keeps only the JSON lines of a probe’s output', () => {
    const out = `noise\n${JSON.stringify({ ok: false, to: '1.2.3.4', seq: 1, error: 'timeout', ms: 5 })}\n{bad json\n{"x":1}\n`;
    assert.deepEqual(parseProbeOutput(out), [{ ok: false, to: '1.2.3.4', seq: 1, error: 'timeout', ms: 5 }]);
  });

  describe('against whoami on 127.0.0.1', () => {
    let who: WhoamiServers;
    before(async () => {
      who = await startWhoami({ name: 'w1', tcpPorts: [0], udpPorts: [0], host: '127.0.0.1' });
    });
    after(() => who.close());

    it('TCP: one new connection per request, each answered with node, client and port', async () => {
      const seen: ProbeLine[] = [];
      const lines = await runProbe({ to: ['127.0.0.1'], port: who.tcpPorts[0], proto: 'tcp', count: 3, timeoutMs: 2000 }, (l) => seen.push(l));
      assert.deepEqual(seen, lines);
      assert.equal(oks(lines).length, 3);
      assert.deepEqual(lines.map((l) => l.seq), [1, 2, 3]);
      for (const l of oks(lines)) {
        assert.equal(l.node, 'w1');
        assert.equal(l.client, '127.0.0.1');
        assert.equal(l.port, who.tcpPorts[0]);
        assert.ok(l.ms >= 0 && l.ms < 2000);
      }
      assert.equal(new Set(oks(lines).map((l) => l.clientPort)).size, 3, 'a fresh source port per connection');
    });

    it('UDP: a fresh socket per datagram, or one source port with --source-port', async () => {
      const fresh = await runProbe({ to: ['127.0.0.1'], port: who.udpPorts[0], proto: 'udp', count: 3, timeoutMs: 2000 });
      assert.equal(oks(fresh).length, 3, JSON.stringify(fresh));
      assert.equal(new Set(oks(fresh).map((l) => l.clientPort)).size, 3);
      assert.equal(oks(fresh)[0].port, who.udpPorts[0]);
      const src = await freePort();
      const fixed = await runProbe({ to: ['127.0.0.1'], port: who.udpPorts[0], proto: 'udp', count: 3, timeoutMs: 2000, sourcePort: src });
      assert.deepEqual(oks(fixed).map((l) => l.clientPort), [src, src, src]);
    });

    it('a closed port: TCP and UDP are refused; several targets are probed side by side', async () => {
      const closed = await freePort();
      const tcp = await runProbe({ to: ['127.0.0.1'], port: closed, proto: 'tcp', count: 1, timeoutMs: 2000 });
      assert.deepEqual(tcp.map((l) => !l.ok && l.error), ['refused']);
      const udp = await runProbe({ to: ['127.0.0.1'], port: closed, proto: 'udp', count: 2, timeoutMs: 1000 });
      assert.deepEqual(udp.map((l) => !l.ok && l.error), ['refused', 'refused']);
      const two = await runProbe({ to: ['127.0.0.1', '127.0.0.2'], port: who.tcpPorts[0], proto: 'tcp', count: 2, timeoutMs: 2000 });
      assert.equal(two.length, 4);
      assert.deepEqual(two.filter((l) => l.to === '127.0.0.1').map((l) => l.ok), [true, true]);
    });

    it('--max-failures: the series to an address stops at its N-th failure, answered ones do not count', async () => {
      const closed = await freePort();
      const stopped = await runProbe({ to: ['127.0.0.1'], port: closed, proto: 'tcp', count: 60, timeoutMs: 2000, maxFailures: 3 });
      assert.deepEqual(stopped.map((l) => l.seq), [1, 2, 3]);
      const good = await runProbe({ to: ['127.0.0.1'], port: who.tcpPorts[0], proto: 'tcp', count: 5, timeoutMs: 2000, maxFailures: 1 });
      assert.equal(oks(good).length, 5);
      assert.deepEqual(parseProbeArgs(['--to', '10.0.0.1', '--port', '80', '--max-failures', '3']).maxFailures, 3);
      assert.deepEqual(probeArgv({ to: ['10.0.0.1'], port: 80, proto: 'tcp', count: 9, timeoutMs: 100, maxFailures: 2 }).slice(-2), ['--max-failures', '2']);
    });

    it('a silent address times out after --timeout-ms', async () => {
      // a UDP socket that never answers
      const { createSocket } = await import('node:dgram');
      const mute = createSocket('udp4');
      await new Promise<void>((r) => mute.bind(0, '127.0.0.1', () => r()));
      const l = await runProbe({ to: ['127.0.0.1'], port: mute.address().port, proto: 'udp', count: 1, timeoutMs: 200 });
      mute.close();
      assert.deepEqual(l.map((x) => !x.ok && x.error), ['timeout']);
      // how long it takes is measured by bench/micro.ts (`npm run bench:micro`), not asserted here
    });
  });

  describe('the command line', () => {
    let child: ChildProcess | undefined;
    after(() => {
      if (child?.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
    });

    it('lab agent whoami --udp-port and lab agent probe work together', async function () {
      this.timeout(20000);
      const port = await freePort();
      child = spawn(process.execPath, [MAIN, 'agent', 'whoami', '--name', 'cli', '--port', String(port), '--udp-port', String(port)], { stdio: 'ignore' });
      const probe = (proto: string) => run(process.execPath, [MAIN, 'agent', 'probe', '--to', '127.0.0.1', '--port', String(port), '--proto', proto, '--count', '2', '--timeout-ms', '1000']);
      let lines: ProbeLine[] = [];
      for (let i = 0; i < 50 && oks(lines).length < 2; i++) {
        lines = parseProbeOutput((await probe('tcp')).stdout);
        if (oks(lines).length < 2) await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(oks(lines).map((l) => [l.node, l.port]), [['cli', port], ['cli', port]]);
      const udp = parseProbeOutput((await probe('udp')).stdout);
      assert.deepEqual(oks(udp).map((l) => [l.node, l.client, l.port]), [['cli', '127.0.0.1', port], ['cli', '127.0.0.1', port]]);
      await assert.rejects(run(process.execPath, [MAIN, 'agent', 'probe', '--to', 'nowhere', '--port', '1']), (e: { code?: number; stderr?: string }) => e.code === 64 && /--to must be an IP address/.test(e.stderr ?? ''));
    });
  });
});
