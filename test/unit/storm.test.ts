/**
 * `lab agent storm` (runner/agent/storm.ts, issue 14.4): its options, and a small storm against a server on
 * loopback — every connection made, from the fixed source ports asked for, counted; a closed port counted as
 * refused. No root needed.
 */
import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import { parseStormArgs, runStorm } from '../../runner/agent/storm.ts';

describe('lab agent storm', () => {
  it('reads --to, --count, --sport-base, --timeout and --start-at, and refuses what cannot work', () => {
    assert.deepEqual(parseStormArgs(['--to', '192.168.56.200:80', '--count', '500', '--sport-base', '20000', '--timeout=3000', '--start-at', '123']), { host: '192.168.56.200', port: 80, count: 500, sportBase: 20000, timeoutMs: 3000, startAt: 123 });
    assert.deepEqual(parseStormArgs(['--to', '[fd00::1]:8080']), { host: 'fd00::1', port: 8080, count: 100, sportBase: undefined, timeoutMs: 5000, startAt: undefined });
    assert.throws(() => parseStormArgs(['--count', '5']), /--to HOST:PORT/);
    assert.throws(() => parseStormArgs(['--to', 'a:1', '--count', '0']), /--count/);
    assert.throws(() => parseStormArgs(['--to', 'a:1', '--count', '100', '--sport-base', '65500']), /--sport-base/);
  });

  it('opens every connection at once from the source ports asked for, and counts refusals', async () => {
    const seen: number[] = [];
    const server = createServer((s) => {
      seen.push(s.remotePort!);
      s.on('error', () => undefined);
      s.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await runStorm({ host: '127.0.0.1', port, count: 20, sportBase: 47000 + (process.pid % 1000) * 10, timeoutMs: 5000 });
      assert.equal(r.ok, 20, JSON.stringify(r));
      assert.equal(r.count, 20);
      await new Promise((res) => setTimeout(res, 100));
      const base = 47000 + (process.pid % 1000) * 10;
      assert.deepEqual([...new Set(seen)].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => base + i));
    } finally {
      await new Promise((r) => server.close(() => r(undefined)));
    }
    const refused = await runStorm({ host: '127.0.0.1', port, count: 3, timeoutMs: 2000 });
    assert.equal(refused.refused, 3);
    assert.equal(refused.ok, 0);
  });

  it('--udp: one datagram from each source port asked for', async () => {
    const { createSocket } = await import('node:dgram');
    const server = createSocket('udp4');
    const seen = new Set<number>();
    server.on('message', (_m, rinfo) => seen.add(rinfo.port));
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', () => r()));
    const port = server.address().port;
    const base = 52000 + (process.pid % 1000) * 10;
    try {
      assert.equal(parseStormArgs(['--to', `127.0.0.1:${port}`, '--udp']).udp, true);
      const r = await runStorm({ host: '127.0.0.1', port, count: 10, sportBase: base, timeoutMs: 2000, udp: true });
      assert.equal(r.ok, 10, JSON.stringify(r));
      await new Promise((res) => setTimeout(res, 100));
      assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 10 }, (_, i) => base + i));
    } finally {
      server.close();
    }
  });
});
