/*
 * The capture assertion, judged on real tcpdump 4.99.3 output (test/unit/fixtures/tcpdump-*.txt).
 *
 * The fixtures were captured as root in namespaces nslcap-a/b/c: a veth underlay a:eth0 10.99.0.1 ↔ b:eth0 10.99.0.2,
 * VXLAN over it (vx0 VNI 42 and vx2 VNI 43 on UDP 4789, vx1 VNI 7 on UDP 8472), and a second underlay a:eth1 ↔ c
 * without VXLAN. tcpdump ran in nslcap-a with the flags tcpdumpArgv() uses (-v; -vv and none for two fixtures) while
 * nslcap-a pinged 3 times across an overlay (or the plain underlay, for tcpdump-empty), then got SIGINT:
 *   tcpdump-vxlan          udp port 4789, ping over VNI 42: 2 ARP + 6 ICMP packets, all VNI 42
 *   tcpdump-vxlan-plain    the same without -v (one line per header, no indentation): 6 ICMP + 1 IPv6 router solicitation
 *   tcpdump-vxlan-vv       -vv: "[bad udp cksum …!]" on every outer UDP line (an offload artefact): 6 × VNI 42, 1 × VNI 43
 *   tcpdump-vxlan-two-vni  pings over VNI 42 and then VNI 43: 6 × VNI 42, 8 × VNI 43
 *   tcpdump-vxlan-8472     udp port 8472, which tcpdump decodes as OTV: "OTV, flags [I] (0x08), overlay 0, instance 7"
 *   tcpdump-empty          udp port 4789 on the underlay without VXLAN: nothing captured
 *   tcpdump-limit          -c 4: tcpdump ended by itself after 4 packets
 *   tcpdump-no-device      -i nosuch0; tcpdump-bad-filter: "udp prot 4789"
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  capture,
  judgeCapture,
  packetLimit,
  parsePackets,
  parseTcpdumpStats,
  pingDuringArgv,
  SETTLE_MS,
  startState,
  STOP_RESERVE_MS,
  tcpdumpArgv,
  tcpdumpMessages,
  wrapperArgv,
  type CaptureParams,
  type CaptureRun,
} from '../../../assertions/capture.ts';
import type { Background, ExecOptions, ExecResult, RunContext } from '../../../assertions/types.ts';
import { parseLabText } from '../../../runner/config/load.ts';
import { resolveLab } from '../../../runner/resolve/resolve.ts';
import { errors, fixture, resolveCtx, result } from './helpers.ts';

const ping3 = { kind: 'ping', from: 'h1', to: 'h2', address: '10.0.0.2', count: 3 } as const;
const base: CaptureParams = { node: 'r', dev: 'eth0', filter: 'udp port 4789', during: ping3, min: 1, timeoutMs: 10_000 };
const p = (over: Partial<CaptureParams>): CaptureParams => ({ ...base, ...over });
const TCPDUMP = "ip netns exec ns-r tcpdump -n -l --immediate-mode -U -v -i eth0 -c 500 -- 'udp port 4789'";
const pingOk = (): ExecResult => ({ ...fixture('ping-ok'), command: 'ip netns exec ns-h1 ping -n -c 3 -i 0.2 -W 1 10.0.0.2' });
const pingLost = (): ExecResult => ({ ...fixture('ping-all-lost'), command: 'ip netns exec ns-h1 ping -n -c 3 -i 0.2 -W 1 10.0.0.2' });

/** What a run saw, from a tcpdump fixture. */
function seen(name: string, during: ExecResult = pingOk()): CaptureRun {
  const f = fixture(name);
  return { stdout: f.stdout, stderr: f.stderr, tcpdumpCommand: TCPDUMP, during };
}

/** What a run saw when tcpdump never began to capture (so the action did not run). */
function notStarted(name: string, notRun: string): CaptureRun {
  const f = fixture(name);
  return { stdout: f.stdout, stderr: f.stderr, tcpdumpCommand: TCPDUMP, notRun };
}

describe('capture', () => {
  describe('reading tcpdump', () => {
    it('a packet is a time-stamped line and the lines after it, indented (-v) or not (the inner packet)', () => {
      const pk = parsePackets(fixture('tcpdump-vxlan').stdout);
      assert.equal(pk.length, 8);
      assert.deepEqual(pk[2].lines, [
        '07:45:29.025181 IP (tos 0x0, ttl 64, id 11215, offset 0, flags [none], proto UDP (17), length 134)',
        '    10.99.0.1.38337 > 10.99.0.2.4789: VXLAN, flags [I] (0x08), vni 42',
        'IP (tos 0x0, ttl 64, id 58244, offset 0, flags [DF], proto ICMP (1), length 84)',
        '    10.98.0.1 > 10.98.0.2: ICMP echo request, id 24171, seq 1, length 64',
      ]);
      assert.deepEqual(pk[2].vxlan, { decodedAs: 'VXLAN', flags: 8, vni: 42 });
      const plain = parsePackets(fixture('tcpdump-vxlan-plain').stdout);
      assert.equal(plain.length, 7);
      assert.deepEqual(plain[0].lines, ['07:45:29.922217 IP 10.99.0.1.38337 > 10.99.0.2.4789: VXLAN, flags [I] (0x08), vni 42', 'IP 10.98.0.1 > 10.98.0.2: ICMP echo request, id 24228, seq 1, length 64']);
      assert.equal(parsePackets(fixture('tcpdump-empty').stdout).length, 0);
      assert.equal(parsePackets(fixture('tcpdump-limit').stdout).length, 4);
    });
    it('the "bad udp cksum" note of -vv is neither a packet nor in the way of the VNI', () => {
      const pk = parsePackets(fixture('tcpdump-vxlan-vv').stdout);
      assert.equal(pk.length, 7);
      assert.match(pk[0].lines[1], /\[bad udp cksum 0x1530 -> 0x1dde!\] VXLAN/);
      assert.deepEqual(
        pk.map((x) => x.vxlan?.vni),
        [43, 42, 42, 42, 42, 42, 42],
      );
    });
    it('UDP 8472 is decoded as OTV: its instance is the VNI', () => {
      const pk = parsePackets(fixture('tcpdump-vxlan-8472').stdout);
      assert.equal(pk.length, 8);
      assert.ok(pk.every((x) => x.vxlan?.decodedAs === 'OTV' && x.vxlan.vni === 7));
    });
    it('the final counts, and where tcpdump is while it starts', () => {
      assert.deepEqual(parseTcpdumpStats(fixture('tcpdump-vxlan').stderr), { captured: 8, receivedByFilter: 8, droppedByKernel: 0 });
      assert.deepEqual(parseTcpdumpStats(fixture('tcpdump-empty').stderr), { captured: 0, receivedByFilter: 0, droppedByKernel: 0 });
      assert.equal(parseTcpdumpStats(fixture('tcpdump-no-device').stderr), undefined);
      assert.equal(startState(fixture('tcpdump-vxlan').stderr), 'listening');
      assert.equal(startState(fixture('tcpdump-vxlan-plain').stderr), 'listening');
      assert.equal(startState(fixture('tcpdump-no-device').stderr), 'failed');
      assert.equal(startState(fixture('tcpdump-bad-filter').stderr), 'failed');
      assert.equal(startState(''), 'waiting');
      assert.equal(startState('tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n'), 'waiting');
      assert.equal(startState('sh: 1: exec: tcpdump: not found\n'), 'failed');
    });
    it('the wrapper puts the PID first, then the stderr of the program it becomes', () => {
      const dir = mkdtempSync(join(tmpdir(), 'nslab-capture-test-'));
      try {
        const file = join(dir, 'stderr');
        const [cmd, ...args] = wrapperArgv(file, ['sh', '-c', 'echo "mine $$" >&2; echo out']);
        const r = spawnSync(cmd, args, { encoding: 'utf8' });
        assert.equal(r.stdout, 'out\n');
        const m = tcpdumpMessages(readFileSync(file, 'utf8'));
        assert.equal(m.pid, r.pid);
        assert.equal(m.text, `mine ${r.pid}\n`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('judge', () => {
    it('counts the packets the filter caught (default: at least one)', () => {
      const o = judgeCapture(base, seen('tcpdump-vxlan'));
      assert.equal(o.ok, true);
      assert.equal(o.expected, "≥ 1 packet on r:eth0 matching 'udp port 4789', during ping h1 → h2 (10.0.0.2), 3 packets");
      assert.match(o.seen, /^8 packets; the ping got 3\/3 replies; the first that counts: 07:45:29\.025117 IP .*VXLAN, flags \[I\] \(0x08\), vni 42/);
      assert.equal(o.command, `${TCPDUMP}\nip netns exec ns-h1 ping -n -c 3 -i 0.2 -W 1 10.0.0.2`);
      assert.equal(judgeCapture(p({ min: 8 }), seen('tcpdump-vxlan')).ok, true);
      assert.equal(judgeCapture(p({ min: 9 }), seen('tcpdump-vxlan')).ok, false);
      assert.equal(judgeCapture(p({ max: 8 }), seen('tcpdump-vxlan')).ok, true);
      assert.equal(judgeCapture(p({ max: 7 }), seen('tcpdump-vxlan')).ok, false);
    });
    it('nothing on the wire: says so, and that the ping was answered elsewhere', () => {
      const o = judgeCapture(p({ min: 3, vni: 42 }), seen('tcpdump-empty'));
      assert.equal(o.ok, false);
      assert.equal(o.expected, "≥ 3 packets on r:eth0 matching 'udp port 4789' with VNI 42, during ping h1 → h2 (10.0.0.2), 3 packets");
      assert.equal(
        o.seen,
        '0 packets that count (tcpdump caught 0: 0 with VNI 42); the ping got 3/3 replies; the ping was answered, so its packets did not pass r:eth0 as the filter describes them; tcpdump caught nothing',
      );
      const lost = judgeCapture(p({ min: 3 }), seen('tcpdump-empty', pingLost()));
      assert.match(lost.seen, /^0 packets; the ping got 0\/3 replies; tcpdump caught nothing$/);
      // expecting silence
      const none = judgeCapture(p({ min: 0, max: 0 }), seen('tcpdump-empty'));
      assert.equal(none.ok, true);
      assert.match(none.expected, /^no packets on r:eth0/);
    });
    it('vni: only VXLAN packets with that VNI count; the others are named', () => {
      const two = seen('tcpdump-vxlan-two-vni');
      const o42 = judgeCapture(p({ vni: 42, min: 6, max: 6 }), two);
      assert.equal(o42.ok, true, o42.seen);
      assert.match(o42.seen, /^6 packets that count \(tcpdump caught 14: 6 with VNI 42, 8 with VNI 43\)/);
      assert.equal(judgeCapture(p({ vni: 43, min: 8, max: 8 }), two).ok, true);
      const o44 = judgeCapture(p({ vni: 44, min: 3 }), two);
      assert.equal(o44.ok, false);
      assert.match(o44.seen, /^0 packets that count \(tcpdump caught 14: 0 with VNI 44, 6 with VNI 42, 8 with VNI 43\); the ping got 3\/3 replies; the first lines:\n07:45:31\.\d+ IP \(tos/);
      assert.match(o44.seen, /\n {4}10\.99\.0\.1\.\d+ > 10\.99\.0\.2\.4789: VXLAN, flags \[I\] \(0x08\), vni 42\n/);
      assert.equal(judgeCapture(p({ vni: 44, min: 0, max: 0 }), two).ok, true);
    });
    it('vni on -vv output: the bad-checksum note changes nothing', () => {
      const vv = seen('tcpdump-vxlan-vv');
      assert.equal(judgeCapture(p({ vni: 42, min: 6, max: 6 }), vv).ok, true);
      assert.equal(judgeCapture(p({ vni: 43, min: 1, max: 1 }), vv).ok, true);
      assert.equal(judgeCapture(p({ min: 7, max: 7 }), vv).ok, true);
    });
    it('vni on UDP 8472 (OTV in tcpdump) and on packets tcpdump does not decode as VXLAN', () => {
      assert.equal(judgeCapture(p({ filter: 'udp port 8472', vni: 7, min: 8 }), seen('tcpdump-vxlan-8472')).ok, true);
      const o = judgeCapture(p({ filter: 'udp port 8472', vni: 42 }), seen('tcpdump-vxlan-8472'));
      assert.equal(o.ok, false);
      assert.match(o.seen, /0 with VNI 42, 8 with VNI 7\)/);
      // an underlay capture of plain ICMP: packets, but none is VXLAN
      const icmp = { ...seen('tcpdump-vxlan'), stdout: '07:45:29.025117 IP 10.99.0.1 > 10.99.0.2: ICMP echo request, id 1, seq 1, length 64\n' };
      const n = judgeCapture(p({ filter: 'icmp', vni: 42 }), icmp);
      assert.equal(n.ok, false);
      assert.match(n.seen, /1 not decoded as VXLAN\).*tcpdump decodes VXLAN only on UDP port 4789 \(and 8472, which it shows as OTV\)/);
    });
    it('match: only packets with a decoded line that matches count, inner lines included', () => {
      const v = seen('tcpdump-vxlan');
      const req = judgeCapture(p({ match: 'ICMP echo request', min: 3, max: 3 }), v);
      assert.equal(req.ok, true, req.seen);
      assert.match(req.seen, /^3 packets that count \(tcpdump caught 8: 3 matching \/ICMP echo request\/\)/);
      assert.match(req.seen, /the first that counts: .*10\.98\.0\.1 > 10\.98\.0\.2: ICMP echo request, id 24171, seq 1/);
      // vni and match together; too many shows the packets that counted
      const both = judgeCapture(p({ vni: 42, match: '^\\s+10\\.98\\.0\\.\\d+ > ', max: 5 }), v);
      assert.equal(both.ok, false);
      assert.match(both.expected, /with VNI 42 and a decoded line matching \/\^\\s\+10/);
      assert.match(both.seen, /^6 packets that count \(tcpdump caught 8: 8 with VNI 42, 6 matching/);
      assert.match(both.seen, /the first lines:\n07:45:29\.025181 IP/);
      assert.equal(judgeCapture(p({ match: 'who-has 10\\.98\\.0\\.2', min: 1, max: 1 }), v).ok, true);
      assert.equal(judgeCapture(p({ match: 'router solicitation', min: 1, max: 1 }), seen('tcpdump-vxlan-plain')).ok, true);
      assert.equal(judgeCapture(p({ match: 'TCP' }), v).ok, false);
    });
    it('tcpdump at its packet limit, and kernel drops, are said', () => {
      assert.equal(packetLimit({ min: 1 }), 500);
      assert.equal(packetLimit({ min: 600 }), 650);
      assert.equal(packetLimit({ min: 0, max: 0 }), 50);
      const many = Array.from({ length: 50 }, (_, i) => `07:45:29.${String(i).padStart(6, '0')} IP 10.99.0.1.1 > 10.99.0.2.4789: VXLAN, flags [I] (0x08), vni 42\n`).join('');
      const o = judgeCapture(p({ min: 0, max: 0 }), { ...seen('tcpdump-vxlan'), stdout: many, stderr: fixture('tcpdump-vxlan').stderr.replace('0 packets dropped', '3 packets dropped') });
      assert.equal(o.ok, false);
      assert.match(o.seen, /^50 packets; the ping got 3\/3 replies; the kernel dropped 3 packets before tcpdump saw them; tcpdump stopped at its limit of 50 packets; the first lines:/);
    });
    it('tcpdump that never captured: a missing interface, a bad filter, tcpdump missing', () => {
      const dev = judgeCapture(p({ dev: 'nosuch0' }), notStarted('tcpdump-no-device', 'tcpdump ended before it began to capture'));
      assert.equal(dev.ok, false);
      assert.equal(dev.seen, 'r has no interface nosuch0: tcpdump: nosuch0: No such device exists / (No such device exists)');
      assert.equal(dev.command, TCPDUMP);
      const bad = judgeCapture(p({ filter: 'udp prot 4789' }), notStarted('tcpdump-bad-filter', 'tcpdump ended before it began to capture'));
      assert.equal(bad.seen, "tcpdump rejected the filter 'udp prot 4789': tcpdump: can't parse filter expression: syntax error");
      const missing = judgeCapture(base, { stdout: '', stderr: 'sh: 1: exec: tcpdump: not found\n', tcpdumpCommand: TCPDUMP, notRun: 'x' });
      assert.match(missing.seen, /^tcpdump is not installed on this machine .*apt-get install tcpdump$/);
      const slow = judgeCapture(base, { stdout: '', stderr: '', tcpdumpCommand: TCPDUMP, notRun: 'tcpdump did not begin to capture within 3s' });
      assert.equal(slow.seen, 'tcpdump did not begin to capture within 3s: no message');
    });
    it('an action that could not run fails, whatever tcpdump saw', () => {
      const during = result({ exitCode: 1, stderr: 'exec of "nc" failed: No such file or directory\n', command: 'ip netns exec ns-h1 nc -z 10.0.0.2 80' });
      const o = judgeCapture(p({ during: { kind: 'run', node: 'h1', argv: ['nc', '-z', '10.0.0.2', '80'] } }), seen('tcpdump-vxlan', during));
      assert.equal(o.ok, false);
      assert.equal(o.seen, 'the action did not run: could not run nc: No such file or directory');
      assert.match(o.expected, /during h1: nc -z 10\.0\.0\.2 80$/);
      // a command that ran but failed is only reported
      const ran = judgeCapture(p({ during: { kind: 'run', node: 'h1', argv: ['false'] } }), seen('tcpdump-vxlan', result({ exitCode: 1 })));
      assert.equal(ran.ok, true);
      assert.match(ran.seen, /^8 packets; the command ended with exit code 1;/);
      assert.match(judgeCapture(p({ min: 0 }), seen('tcpdump-empty')).expected, /^any number of packets on r:eth0/);
    });
  });

  describe('run', () => {
    const DIR = '/tmp/nslab-capture.Ab12Cd';
    const ERR = `${DIR}/tcpdump.stderr`;
    interface Fake {
      ctx: RunContext;
      log: string[];
      opts: Map<string, ExecOptions | undefined>;
    }
    /** A node where tcpdump prints `stderrFixture` after `listenAfter` polls, and prints `stdoutFixture` when stopped. */
    function fake(name: string, o: { listenAfter?: number; never?: boolean; during?: () => Promise<ExecResult> } = {}): Fake {
      const log: string[] = [];
      const opts = new Map<string, ExecOptions | undefined>();
      const f = fixture(name);
      const pidLine = 'nslab-capture pid 4242\n';
      let polls = 0;
      const cmd = (node: string, argv: readonly string[]): string => `ip netns exec ns-${node} ${argv.join(' ')}`;
      const ctx: RunContext = {
        measurement: () => undefined,
        async background(node, argv): Promise<Background> {
          log.push(`bg ${node} ${argv.join(' ')}`);
          return {
            command: cmd(node, argv),
            stop: async () => {
              log.push('stop');
              return { stdout: f.stdout, stderr: '' };
            },
          };
        },
        async exec(node, argv, eo): Promise<ExecResult> {
          opts.set(argv[0], eo);
          const r = (over: Partial<ExecResult>): ExecResult => result({ command: cmd(node, argv), ...over });
          switch (argv[0]) {
            case 'mktemp':
              log.push(`mktemp ${node}`);
              return r({ stdout: `${DIR}\n` });
            case 'cat': {
              polls++;
              assert.deepEqual(argv, ['cat', '--', ERR]);
              if (polls === 1) return r({ exitCode: 1, stderr: `cat: ${ERR}: No such file or directory\n` });
              // what tcpdump has printed so far: up to "listening on" (or its error), without the final counts
              const lines = f.stderr.split('\n');
              const upTo = lines.findIndex((l) => /listening on/.test(l));
              const soFar = upTo >= 0 ? `${lines.slice(0, upTo + 1).join('\n')}\n` : f.stderr;
              return r({ stdout: !o.never && polls > (o.listenAfter ?? 1) ? pidLine + soFar : pidLine });
            }
            case 'kill':
              log.push(`kill ${argv.slice(1).join(' ')}`);
              return r({});
            case 'sh':
              log.push(`cleanup ${argv.slice(4).join(' ')}`);
              return r({ stdout: pidLine + f.stderr });
            default:
              log.push(`exec ${node} ${argv.join(' ')}`);
              return o.during ? o.during() : { ...pingOk(), command: cmd(node, argv) };
          }
        },
      };
      return { ctx, log, opts };
    }

    it('starts tcpdump, waits until it listens, pings, stops it by PID with SIGINT, removes its files, judges', async () => {
      const f = fake('tcpdump-vxlan', { listenAfter: 3 });
      const o = await capture.run(p({ vni: 42, min: 6 }), f.ctx);
      assert.equal(o.ok, true, o.seen);
      assert.deepEqual(f.log, [
        'mktemp r',
        `bg r ${wrapperArgv(ERR, tcpdumpArgv(p({ vni: 42, min: 6 }))).join(' ')}`,
        'exec h1 ping -n -c 3 -i 0.2 -W 1 10.0.0.2',
        'kill -INT 4242',
        'stop',
        `cleanup ${ERR} ${DIR}`,
      ]);
      assert.equal(o.command, `${TCPDUMP}\nip netns exec ns-h1 ping -n -c 3 -i 0.2 -W 1 10.0.0.2`);
      assert.match(o.seen, /^8 packets that count \(tcpdump caught 8: 8 with VNI 42\)/);
      // the action gets what is left of the timeout, less the pause and the time kept to stop tcpdump
      const t = f.opts.get('ping')?.timeoutMs ?? Infinity;
      assert.ok(t <= 10_000 - STOP_RESERVE_MS - SETTLE_MS && t > 7000, String(t));
    });
    it('tcpdump that fails to start: no action, and it is still stopped and cleaned up', async () => {
      const f = fake('tcpdump-no-device');
      const o = await capture.run(p({ dev: 'nosuch0' }), f.ctx);
      assert.equal(o.ok, false);
      assert.equal(o.seen, 'r has no interface nosuch0: tcpdump: nosuch0: No such device exists / (No such device exists)');
      assert.ok(!f.log.some((l) => l.startsWith('exec ')));
      assert.deepEqual(f.log.slice(-3), ['kill -INT 4242', 'stop', `cleanup ${ERR} ${DIR}`]);
    });
    it('tcpdump that never says it listens: gives up within the timeout, no action', async () => {
      const f = fake('tcpdump-vxlan', { never: true });
      const o = await capture.run(p({ timeoutMs: 3000 }), f.ctx);
      assert.equal(o.ok, false);
      // 3s less the 2s kept to stop tcpdump and the 300ms pause, less the few ms the fake's mktemp took
      // (how long the whole run takes is measured by bench/micro.ts, not asserted here)
      assert.match(o.seen, /^tcpdump did not begin to capture within (6[5-9]\d|700)ms: /);
      assert.ok(!f.log.some((l) => l.startsWith('exec ')));
      assert.ok(f.log.includes('stop'));
    });
    it('an action that throws still stops tcpdump and removes its files', async () => {
      const f = fake('tcpdump-vxlan', { during: () => Promise.reject(new Error('boom')) });
      await assert.rejects(capture.run(base, f.ctx), /boom/);
      assert.deepEqual(f.log.slice(-3), ['kill -INT 4242', 'stop', `cleanup ${ERR} ${DIR}`]);
    });
    it('a command as the action runs in its node', async () => {
      const f = fake('tcpdump-vxlan', { during: async () => result({ command: 'ip netns exec ns-h1 curl -s http://10.98.0.2/' }) });
      const o = await capture.run(p({ during: { kind: 'run', node: 'h1', argv: ['curl', '-s', 'http://10.98.0.2/'] } }), f.ctx);
      assert.equal(o.ok, true);
      assert.ok(f.log.includes('exec h1 curl -s http://10.98.0.2/'));
    });
  });

  describe('commands', () => {
    it('tcpdump: numeric, line-buffered, immediate, -v, bounded, the filter as one word after --', () => {
      assert.deepEqual(tcpdumpArgv(p({ filter: '-x or udp', max: 10 })), ['tcpdump', '-n', '-l', '--immediate-mode', '-U', '-v', '-i', 'eth0', '-c', '60', '--', '-x or udp']);
      assert.deepEqual(pingDuringArgv({ ...ping3, count: 5 }), ['ping', '-n', '-c', '5', '-i', '0.2', '-W', '1', '10.0.0.2']);
    });
  });

  describe('resolve', () => {
    const ok = { node: 'web', dev: 'eth0', filter: 'udp port 4789', during: { ping: { from: 'h1', to: 'h2' } } };
    const res = (over: Record<string, unknown>) => capture.resolve({ ...ok, ...over }, resolveCtx());
    const at = (r: ReturnType<typeof res>): (string | undefined)[] => errors(r.diagnostics).map((d) => d.pos?.file);

    it('reads every key; a ping target is resolved from its node', () => {
      const r = res({ dev: 'any', min: 2, max: 9, vni: 42, match: 'ICMP echo', timeout: '20s', during: { ping: { from: 'h1', to: 'h2:eth1', count: 5 } } });
      assert.deepEqual(r.diagnostics, []);
      assert.deepEqual(r.params, {
        node: 'web',
        dev: 'any',
        filter: 'udp port 4789',
        during: { kind: 'ping', from: 'h1', to: 'h2:eth1', address: 'fd00::2', count: 5 },
        min: 2,
        max: 9,
        vni: 42,
        match: 'ICMP echo',
        timeoutMs: 20_000,
      });
    });
    it('defaults: min 1, 3 pings, 10s; max: 0 alone means min 0', () => {
      const r = res({});
      assert.deepEqual(r.params, { node: 'web', dev: 'eth0', filter: 'udp port 4789', during: { kind: 'ping', from: 'h1', to: 'h2', address: '10.0.0.2', count: 3 }, min: 1, max: undefined, vni: undefined, match: undefined, timeoutMs: 10_000 });
      assert.equal(res({ max: 0 }).params?.min, 0);
    });
    it('a command as the action', () => {
      const r = res({ during: { node: 'h1', run: 'curl -s http://web/' } });
      assert.deepEqual(r.params?.during, { kind: 'run', node: 'h1', argv: ['curl', '-s', 'http://web/'] });
      const sh = res({ during: { node: 'h1', run: 'a | b' } });
      assert.deepEqual(at(sh), ['<during.run>']);
      assert.match(errors(sh.diagnostics)[0].message, /would need a shell/);
    });
    it('unknown nodes, each where it is written, with a did-you-mean', () => {
      const r = capture.resolve({ ...ok, node: 'wbe', during: { node: 'h3', run: 'true' } }, resolveCtx());
      assert.equal(r.params, undefined);
      assert.deepEqual(at(r), ['<node>', '<during.node>']);
      assert.match(errors(r.diagnostics)[0].hint ?? '', /web/);
      const q = res({ during: { ping: { from: 'h9', to: 'h2' } } });
      assert.deepEqual(at(q), ['<during.ping.from>']);
      const t = res({ during: { ping: { from: 'h1', to: 'nope' } } });
      assert.deepEqual(at(t), ['<during.ping.to>']);
      assert.equal(errors(t.diagnostics)[0].code, 'test.target');
    });
    it('an empty filter', () => {
      const r = res({ filter: '  ' });
      assert.equal(r.params, undefined);
      assert.deepEqual(at(r), ['<filter>']);
      assert.match(errors(r.diagnostics)[0].hint ?? '', /udp port 4789/);
    });
    it('min above max', () => {
      const r = res({ min: 5, max: 3 });
      assert.equal(r.params, undefined);
      assert.deepEqual(at(r), ['<min>']);
      assert.match(errors(r.diagnostics)[0].message, /capture\.min 5 is more than capture\.max 3/);
      assert.match(errors(res({ min: 1, max: 0 }).diagnostics)[0].hint ?? '', /leave min out/);
      assert.deepEqual(res({ min: 3, max: 3 }).diagnostics, []);
    });
    it('an invalid regex', () => {
      const r = res({ match: 'vni (42' });
      assert.equal(r.params, undefined);
      assert.deepEqual(at(r), ['<match>']);
      assert.equal(errors(r.diagnostics)[0].code, 'test.regex');
    });
    it('a during that is neither a command nor a ping', () => {
      for (const during of [{}, { node: 'h1', run: 'true', ping: { from: 'h1', to: 'h2' } }, { run: 'true' }, { node: 'h1' }, { pong: { from: 'h1' } }]) {
        const r = res({ during });
        assert.equal(r.params, undefined, JSON.stringify(during));
        const es = errors(r.diagnostics).filter((d) => d.code !== 'test.shape');
        assert.equal(es.length, 1, JSON.stringify(during));
        assert.match(es[0].pos?.file ?? '', /^<during(\.ping)?>$/);
        assert.match(es[0].hint ?? '', /during: \{ node: h1, run: "…" \}.*during: \{ ping: \{ from: h1, to: h2 \} \}/);
      }
      assert.match(errors(res({ during: {} }).diagnostics)[0].message, /neither a command \(\{ node, run \}\) nor a ping/);
      assert.match(errors(res({ during: { node: 'h1', run: 'x', ping: {} } }).diagnostics)[0].message, /both a ping and a command/);
      // missing, or not a mapping: the schema says so (required, type); resolve gives only shape diagnostics
      for (const during of [undefined, 'ping h2', { ping: 'h2' }]) {
        const r = res({ during });
        assert.equal(r.params, undefined, JSON.stringify(during));
        assert.deepEqual(r.diagnostics.map((d) => d.code), ['test.shape']);
      }
    });
    it('dev must look like an interface name', () => {
      for (const [dev, why] of [
        ['eth0:1', /contains ':'/],
        ['a-very-long-ifname0', /19 characters long and Linux allows at most 15/],
        ['eth 0', /white space/],
        ['-i', /must start with/],
      ] as const) {
        const r = res({ dev });
        assert.equal(r.params, undefined, dev);
        assert.deepEqual(at(r), ['<dev>']);
        assert.match(errors(r.diagnostics)[0].message, why);
      }
      for (const dev of ['eth0', 'vx0', 'flannel.1', 'br-lan_2', 'any']) assert.deepEqual(res({ dev }).diagnostics, [], dev);
    });
    it('a timeout too short for tcpdump, or for the ping', () => {
      assert.deepEqual(at(res({ timeout: '2s' })), ['<timeout>']);
      const long = res({ during: { ping: { from: 'h1', to: 'h2', count: 100 } } });
      assert.deepEqual(at(long), ['<during.ping.count>']);
      assert.match(errors(long.diagnostics)[0].message, /too short for a ping of 100 packets, which takes up to 20.8s/);
      assert.match(errors(long.diagnostics)[0].hint ?? '', /timeout: 24s or more/);
      assert.deepEqual(res({ timeout: '24s', during: { ping: { from: 'h1', to: 'h2', count: 100 } } }).diagnostics, []);
      assert.deepEqual(at(res({ timeout: '23s', during: { ping: { from: 'h1', to: 'h2', count: 100 } } })), ['<timeout>']);
    });
  });

  describe('in a lab file', () => {
    const lab = (test: string): ReturnType<typeof resolveLab> =>
      resolveLab(
        parseLabText(
          'lab.yaml',
          `name: cap
nodes:
  a: { interfaces: { eth0: { addresses: [10.99.0.1/24] } } }
  b: { interfaces: { eth0: { addresses: [10.99.0.2/24] } } }
links:
  - [a:eth0, b:eth0]
tests:
  - ${test}
`,
        ),
      );
    it('the schema knows the keys and the registry the type', () => {
      const r = lab('capture: { node: a, dev: eth0, filter: "udp port 4789", during: { ping: { from: a, to: b, count: 2 } }, min: 2, max: 10, vni: 42, match: "ICMP", timeout: 5s }');
      assert.deepEqual(errors(r.diagnostics), []);
      assert.equal(r.lab?.tests[0].type, 'capture');
      assert.equal(r.lab?.tests[0].name, "capture a:eth0 'udp port 4789' VNI 42 during ping a → b");
      assert.deepEqual((r.lab?.tests[0].params as unknown as CaptureParams).during, { kind: 'ping', from: 'a', to: 'b', address: '10.99.0.2', count: 2 });
      assert.deepEqual(errors(lab('capture: { node: a, dev: eth0, filter: icmp, during: { node: b, run: [ping, -c1, 10.99.0.1] } }').diagnostics), []);
    });
    it('mistakes point at their line and column', () => {
      const r = lab('capture: { node: a, dev: "eth0:1", filter: "", during: { node: b }, vni: 99999999, colour: red }');
      const es = errors(r.diagnostics);
      const byCode = es.map((d) => `${d.code}@${d.pos?.line}:${d.pos?.col}`);
      assert.ok(es.some((d) => d.code === 'test.capture' && /is not an interface name: it contains ':'/.test(d.message) && d.pos?.line === 8), byCode.join(' '));
      assert.ok(es.some((d) => d.code === 'test.capture' && /filter is empty/.test(d.message)), byCode.join(' '));
      assert.ok(es.some((d) => /nothing to run/.test(d.message)), byCode.join(' '));
      assert.ok(es.some((d) => d.code === 'schema.range' && /vni/.test(d.message)), byCode.join(' '));
      assert.ok(es.some((d) => d.code === 'schema.unknown-key' && /colour/.test(d.message)), byCode.join(' '));
      // the schema's own complaint about the interface name is left to resolve's clearer one
      assert.ok(!es.some((d) => d.code.startsWith('schema.pattern')), byCode.join(' '));
    });
    it('a during that is not a mapping is reported once, by the schema, with both forms in its hint', () => {
      const es = errors(lab('capture: { node: a, dev: eth0, filter: udp, during: "ping b" }').diagnostics);
      assert.equal(es.length, 1, es.map((d) => d.message).join(' | '));
      assert.equal(es[0].code, 'schema.type');
      assert.match(es[0].hint ?? '', /a command \(\{ node, run \}\) or a ping/);
    });
  });
});
