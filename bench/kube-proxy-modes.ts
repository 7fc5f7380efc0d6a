/**
 * kube-proxy's modes compared (issue 14.5): userspace vs iptables vs nftables, in one run, on the same machine at the
 * same time. Writes bench/results/kube-proxy-modes-<timestamp>.json and bench/REPORT-kube-proxy-modes.md.
 *
 *   node bench/kube-proxy-modes.ts [--reps 3] [--seconds 4] [--conns 300] [--no-report]
 *   node bench/kube-proxy-modes.ts --from bench/results/kube-proxy-modes-<file>.json   rewrite the report
 *
 * Run as root, after `npm run build`. One lab per mode (u3-bench-kp-<mode>), all three up at once: a one-node
 * cluster (cni: bridge) with a `client` pod and a `srv` pod behind the Service `srv` (port 80: nslab's whoami;
 * port 5201: iperf3). Every rep, for every mode in turn (interleaved, after one untimed warm-up round):
 *
 * 1. Throughput: `iperf3 -s -1` in srv (started for this one test, it exits after it), `iperf3 -c <ClusterIP> -t S -J`
 *    in client: the receiver's bits per second. One TCP stream.
 * 2. Connections: `lab agent probe --count N` in client to the ClusterIP port 80: N new TCP connections one after
 *    another, each with one request and its answer; the median time of one, and the rate (N / the sum of their times).
 *
 * The figures are given as medians over the reps and as ratios to iptables mode. Processes are spawned as argv
 * arrays; the bench only takes down its own labs, by name, and only waits for the iperf3 servers it started.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cmdOut, eachArg, loadavgText, machineBasics, med, mustBeReady, NODE, progressLog, reportFrom, timed, writeResults } from './common.ts';

const MODES = ['userspace', 'iptables', 'nftables'] as const;
type Mode = (typeof MODES)[number];
const labName = (m: Mode): string => `u3-bench-kp-${m}`;
const CLUSTER_IP = '10.96.0.11';

interface Sample {
  readonly mode: Mode;
  readonly rep: number;
  readonly gbps?: number;
  readonly connMedianMs?: number;
  readonly connPerS?: number;
  readonly failed: number;
  readonly error?: string;
}

interface Result {
  readonly machine: ReturnType<typeof machineBasics> & { iptables: string; iperf3: string };
  readonly options: { reps: number; seconds: number; conns: number };
  readonly loadStart: string;
  readonly loadEnd: string;
  readonly durationS: number;
  readonly samples: readonly Sample[];
}

const USAGE = 'usage: node bench/kube-proxy-modes.ts [--reps N] [--seconds S] [--conns N] [--no-report] | --from FILE';

function labText(m: Mode): string {
  return `name: ${labName(m)}
description: nslab benchmark of kube-proxy's modes (bench/kube-proxy-modes.ts), ${m}
cluster:
  cni: bridge
  kube-proxy: ${m}
  nodes: { node-1: {} }
  pods:
    srv: { labels: { app: srv } }
    client: { labels: { app: client } }
  services:
    srv:                       # ${CLUSTER_IP}
      selector: { app: srv }
      ports: [{ name: http, port: 80 }, { name: iperf, port: 5201 }]
`;
}

const inNs = (m: Mode, node: string, argv: string[]): string[] => ['ip', 'netns', 'exec', `nsl.${labName(m)}.${node}`, ...argv];

async function throughput(m: Mode, seconds: number): Promise<number> {
  const server = spawn(inNs(m, 'srv', ['iperf3', '-s', '-1'])[0], inNs(m, 'srv', ['iperf3', '-s', '-1']).slice(1), { stdio: 'ignore' });
  const exited = new Promise<void>((r) => server.on('close', () => r()));
  await new Promise((r) => setTimeout(r, 300));
  const c = await timed(inNs(m, 'client', ['iperf3', '-c', CLUSTER_IP, '-p', '5201', '-t', String(seconds), '-J']));
  if (c.code !== 0) {
    server.kill('SIGTERM');
    await exited;
    throw new Error(`iperf3 -c in ${labName(m)} exited ${c.code}: ${c.stdout.slice(0, 300)}${c.stderr}`);
  }
  await exited;
  const j = JSON.parse(c.stdout) as { end: { sum_received: { bits_per_second: number } } };
  return j.end.sum_received.bits_per_second / 1e9;
}

async function connections(m: Mode, n: number): Promise<{ medianMs: number; perS: number; failed: number }> {
  const r = await timed(inNs(m, 'client', [NODE, CLI, 'agent', 'probe', '--to', CLUSTER_IP, '--port', '80', '--proto', 'tcp', '--count', String(n), '--timeout-ms', '2000']));
  const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { ok: boolean; ms: number });
  const ok = lines.filter((l) => l.ok).map((l) => l.ms);
  const sum = ok.reduce((a, b) => a + b, 0);
  return { medianMs: med(ok), perS: ok.length / (sum / 1000), failed: lines.length - ok.length };
}

async function measure(m: Mode, rep: number, o: Result['options']): Promise<Sample> {
  try {
    const gbps = await throughput(m, o.seconds);
    const c = await connections(m, o.conns);
    return { mode: m, rep, gbps, connMedianMs: c.medianMs, connPerS: c.perS, failed: c.failed };
  } catch (e) {
    return { mode: m, rep, failed: 0, error: e instanceof Error ? e.message : String(e) };
  }
}

const f = (x: number | undefined, d: number): string => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));

function report(r: Result, jsonRel: string): string {
  const by = (m: Mode, k: 'gbps' | 'connMedianMs' | 'connPerS'): number => med(r.samples.filter((s) => s.mode === m).map((s) => s[k]));
  const range = (m: Mode, k: 'gbps' | 'connMedianMs' | 'connPerS', d: number): string => {
    const xs = r.samples.filter((s) => s.mode === m).map((s) => s[k]).filter((x): x is number => x !== undefined && Number.isFinite(x));
    return xs.length ? `${f(Math.min(...xs), d)}–${f(Math.max(...xs), d)}` : '–';
  };
  const base = { gbps: by('iptables', 'gbps'), lat: by('iptables', 'connMedianMs'), rate: by('iptables', 'connPerS') };
  const rows = MODES.map((m) => {
    const g = by(m, 'gbps');
    const l = by(m, 'connMedianMs');
    const c = by(m, 'connPerS');
    return `| ${m} | ${f(g, 2)} (${range(m, 'gbps', 2)}) | ${f(g / base.gbps, 2)} | ${f(l, 2)} (${range(m, 'connMedianMs', 2)}) | ${f(l / base.lat, 2)} | ${f(c, 0)} (${range(m, 'connPerS', 0)}) | ${f(c / base.rate, 2)} |`;
  });
  const errors = r.samples.filter((s) => s.error || s.failed);
  const us = { g: by('userspace', 'gbps') / base.gbps, l: by('userspace', 'connMedianMs') / base.lat, c: by('userspace', 'connPerS') / base.rate };
  return `# kube-proxy's modes compared: userspace vs iptables vs nftables

Generated by \`node bench/kube-proxy-modes.ts\` on ${r.machine.date}, in ${r.durationS.toFixed(0)} s. Results: \`${jsonRel}\`.

Machine: ${r.machine.nproc} × ${r.machine.cpu}, ${r.machine.memTotalMiB} MiB, kernel ${r.machine.kernel}, Node ${r.machine.node}, ${r.machine.iptables}, ${r.machine.iperf3.split('\n')[0]}.
**Load average ${r.loadStart} at the start and ${r.loadEnd} at the end.** The machine is shared with other work (six
engineers' labs and tests), so absolute figures move between runs; the three modes were measured in the same run,
interleaved (${r.options.reps} reps, every mode once per rep, after an untimed warm-up round), so their ratios are
what to read.

## Method

One lab per mode, all three up at once: a one-node cluster (\`cni: bridge\`), a \`client\` pod and a \`srv\` pod behind
the Service \`srv\` (ClusterIP ${CLUSTER_IP}; port 80: nslab's whoami server; port 5201: iperf3). Per rep and mode:

- **throughput**: \`iperf3 -s -1\` in srv, \`iperf3 -c ${CLUSTER_IP} -t ${r.options.seconds} -J\` in client (one TCP stream):
  the receiver's rate. In userspace mode both of iperf3's connections end at the node's proxy, which copies every
  byte from one socket to the other in user space (nslab's proxy, Node.js streams);
- **connections**: ${r.options.conns} new TCP connections one after another from client to ${CLUSTER_IP}:80 (\`lab agent probe\`),
  each with one request and its answer: the median time of one connection, and the rate (connections / the sum of
  their times).

Each cell: median over the reps (min–max); the ratio is to iptables mode's median.

| mode | throughput Gbit/s | × iptables | connection ms | × iptables | connections/s | × iptables |
|---|---|---|---|---|---|---|
${rows.join('\n')}

${errors.length ? `Failures: ${errors.map((s) => `${s.mode} rep ${s.rep}: ${s.error ?? `${s.failed} failed connections`}`).join('; ')}.\n\n` : ''}## What it says

In this run, userspace mode moved **${f(us.g, 2)}×** iptables mode's throughput through a ClusterIP, took
**${f(us.l, 2)}×** its time per connection and managed **${f(us.c, 2)}×** its connections per second. nftables mode
is kernel-only like iptables mode, and its ratios stay near 1.

Note 004 (\`/work/shared/notes/004_334915c904706167.txt\`, on kube-proxy's modes) gives the reason userspace mode was
given up: 「与第1代的userspace模式相比，iptables模式完全工作在内核态，不用再经过用户态的kube-proxy中转，因而性能更强。」 —
*compared with the first-generation userspace mode, iptables mode works entirely in the kernel and no longer passes
through kube-proxy in user space, so it performs better.* The ratios above are that cost, measured: every byte and
every connection crosses into a process and back, and every connection is two (client → proxy, node → pod). The
other cost the note does not name shows in the lab k8s-services-userspace: the pod sees the node as its client.

Caveats: nslab's proxy is Node.js, not kube-proxy's Go; it is one process per node serving every Service; client,
proxy and server share the same two cores with each other and with other work, so the userspace figures include the
proxy's own CPU competing with iperf3's.
`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const o = { reps: 3, seconds: 4, conns: 300 };
  let withReport = true;
  let from: string | undefined;
  eachArg(argv, USAGE, (a, val) => {
    if (a === '--reps') o.reps = Number(val());
    else if (a === '--seconds') o.seconds = Number(val());
    else if (a === '--conns') o.conns = Number(val());
    else if (a === '--no-report') withReport = false;
    else if (a === '--from') from = val();
    else return false;
    return true;
  });
  const REPORT = 'bench/REPORT-kube-proxy-modes.md';
  if (from) {
    reportFrom<Result>(from, REPORT, report);
    return;
  }
  mustBeReady('kube-proxy-modes');
  const t0 = performance.now();
  const log = progressLog(t0);
  const loadStart = loadavgText();
  const dir = mkdtempSync(join(tmpdir(), 'nslab-bench-kp-'));
  const samples: Sample[] = [];
  try {
    for (const m of MODES) {
      const file = join(dir, `${m}.yaml`);
      writeFileSync(file, labText(m));
      const r = await timed([NODE, CLI, 'up', file, '--quiet']);
      if (r.code !== 0) throw new Error(`lab up ${labName(m)} exited ${r.code}: ${r.stderr || r.stdout}`);
      log(`up ${labName(m)}`);
    }
    for (const m of MODES) await measure(m, 0, o); // warm-up, untimed
    for (let rep = 1; rep <= o.reps; rep++) {
      for (const m of MODES) {
        const s = await measure(m, rep, o);
        samples.push(s);
        log(`rep ${rep} ${m}: ${f(s.gbps, 2)} Gbit/s, ${f(s.connMedianMs, 2)} ms, ${f(s.connPerS, 0)}/s${s.error ? ` (${s.error})` : ''}`);
      }
    }
  } finally {
    for (const m of MODES) await timed([NODE, CLI, 'down', labName(m)]);
  }
  const result: Result = {
    machine: { ...machineBasics(), iptables: await cmdOut(['iptables', '--version']), iperf3: await cmdOut(['iperf3', '--version']) },
    options: o,
    loadStart,
    loadEnd: loadavgText(),
    durationS: (performance.now() - t0) / 1000,
    samples,
  };
  writeResults(result, 'kube-proxy-modes-', log, withReport, REPORT, report);
}

await main();
