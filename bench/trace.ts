/**
 * How long `lab trace` takes (issue 12; target: under 2 s) in
 *
 *   1. a 10-node lab: a chain of 10 namespaces joined by veth pairs, static routes, a trace from the first to the
 *      last (9 hops each way) — icmp, and tcp to a whoami port;
 *   2. a 3-node cluster (flannel-vxlan, kube-proxy iptables): a pod to a ClusterIP whose endpoints are on the other
 *      nodes (DNAT, VXLAN), and a pod to a pod on another node.
 *
 * Each flow is traced REPS times, as a whole `lab trace … --json` process (wall time, Node's start included) and as
 * the report's own durationMs (probe, tracing and prediction). `lab trace --predict` is timed too. The labs are
 * brought up once, and down at the end. Medians; the report goes to bench/REPORT-trace.md. Root; only its own labs
 * (bench-trace-*) are touched. Needs the kernel tracer (runner/trace/kernel.ts): before it, every trace is refused
 * and the report says so.
 *
 *   node bench/trace.ts [REPS]     (npm run bench:trace)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceReport } from '../runner/model/trace.ts';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/runner/cli/main.js');
const REPS = Number(process.argv[2] ?? 5);
const TARGET_MS = 2000;

/** n namespaces in a line: n_i and n_(i+1) share 10.80.i.0/24; every node routes each subnet towards it. */
export function chainYaml(n: number): string {
  const L = ['name: bench-trace-chain', 'nodes:'];
  for (let i = 1; i <= n; i++) {
    const ifs: string[] = [];
    if (i > 1) ifs.push(`left: { addresses: [10.80.${i - 1}.2/24] }`);
    if (i < n) ifs.push(`right: { addresses: [10.80.${i}.1/24] }`);
    const routes: string[] = [];
    for (let j = i + 1; j < n; j++) routes.push(`10.80.${j}.0/24 via 10.80.${i}.2`);
    for (let j = 1; j < i - 1; j++) routes.push(`10.80.${j}.0/24 via 10.80.${i - 1}.1`);
    L.push(`  n${i}:`, '    forwarding: true', `    interfaces: { ${ifs.join(', ')} }`);
    if (routes.length) L.push(`    routes: [${routes.map((r) => JSON.stringify(r)).join(', ')}]`);
    if (i === n) L.push('    whoami: [80]');
  }
  L.push('links:');
  for (let i = 1; i < n; i++) L.push(`  - [n${i}:right, n${i + 1}:left]`);
  return `${L.join('\n')}\n`;
}

export function clusterYaml(): string {
  return `name: bench-trace-cluster
cluster:
  cni: flannel-vxlan
  kube-proxy: iptables
  nodes: { node-1: {}, node-2: {}, node-3: {} }
  pods:
    web-a: { node: node-2, labels: { app: web } }
    web-b: { node: node-3, labels: { app: web } }
    client: { node: node-1 }
  services:
    web: { selector: { app: web }, ports: [{ port: 80 }] }
`;
}

function lab(args: string[]): { code: number; stdout: string; stderr: string; ms: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

interface Flow {
  readonly what: string;
  readonly lab: string;
  readonly from: string;
  readonly to: string;
  readonly extra?: readonly string[];
}

interface Row {
  readonly flow: Flow;
  readonly wall: number;
  readonly inside: number;
  readonly predict: number;
  readonly hops: string;
  readonly verdict: string;
  readonly failure?: string;
}

function measure(f: Flow): Row {
  const walls: number[] = [];
  const inside: number[] = [];
  let last: TraceReport | undefined;
  let failure: string | undefined;
  for (let i = 0; i < REPS; i++) {
    const r = lab(['trace', f.lab, f.from, f.to, ...(f.extra ?? []), '--json']);
    if (!r.stdout.trim()) {
      failure = `exit ${r.code}: ${r.stderr.trim().split('\n')[0]}`;
      break;
    }
    last = JSON.parse(r.stdout) as TraceReport;
    walls.push(r.ms);
    inside.push(last.durationMs);
    console.log(`${f.lab} ${f.from} → ${f.to} rep ${i + 1}: ${Math.round(r.ms)} ms wall, ${last.durationMs} ms traced, exit ${r.code}`);
  }
  const predicts = Array.from({ length: REPS }, () => lab(['trace', f.lab, f.from, f.to, ...(f.extra ?? []), '--predict', '--json']).ms);
  const k = last?.kernel;
  return {
    flow: f,
    wall: median(walls),
    inside: median(inside),
    predict: median(predicts),
    hops: k ? `${k.forward.hops.length}${k.reply ? ` + ${k.reply.hops.length}` : ''}` : '–',
    verdict: k ? `${k.forward.verdict.kind}${last!.differences.length ? `, ${last!.differences.length} difference(s)` : ''}` : '–',
    failure,
  };
}

const ms = (x: number): string => (Number.isFinite(x) ? String(Math.round(x)) : '–');

function main(): void {
const dir = mkdtempSync(join(tmpdir(), 'nslab-bench-trace-'));
const labs = [
  { name: 'bench-trace-chain', file: join(dir, 'chain.yaml'), yaml: chainYaml(10) },
  { name: 'bench-trace-cluster', file: join(dir, 'cluster.yaml'), yaml: clusterYaml() },
];
try {
  for (const l of labs) {
    writeFileSync(l.file, l.yaml);
    lab(['down', l.name]);
    const up = lab(['up', l.file]);
    if (up.code !== 0) throw new Error(`lab up ${l.file} failed:\n${up.stdout}${up.stderr}`);
  }
  const flows: Flow[] = [
    { what: '10-node chain, n1 → n10 (icmp, 9 routers each way)', lab: labs[0].file, from: 'n1', to: 'n10' },
    { what: '10-node chain, n1 → n10 port 80 (tcp)', lab: labs[0].file, from: 'n1', to: 'n10', extra: ['--port', '80'] },
    { what: '3-node cluster, client → Service web (ClusterIP, DNAT, VXLAN)', lab: labs[1].file, from: 'client', to: 'web' },
    { what: '3-node cluster, client → pod web-a on node-2 (icmp, VXLAN)', lab: labs[1].file, from: 'client', to: 'web-a' },
  ];
  const rows = flows.map(measure);
  const report = [
    '# `lab trace` timing (bench/trace.ts)',
    '',
    `\`node bench/trace.ts ${REPS}\` on ${new Date().toISOString().slice(0, 10)}: medians of ${REPS} traces per flow, on a lab that is up. "wall" is the`,
    'whole `lab trace … --json` process, Node\'s start included; "traced" is the report\'s own durationMs (the probe,',
    `the tracing in every namespace, the prediction and the comparison); "--predict" is \`lab trace --predict\` (nothing sent). Target: under ${TARGET_MS} ms.`,
    '',
    '| flow | hops (forward + reply) | ending | wall (ms) | traced (ms) | --predict wall (ms) | under 2 s |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.flow.what} | ${r.hops} | ${r.failure ? `not traced: ${r.failure.replace(/\|/g, '\\|')}` : r.verdict} | ${ms(r.wall)} | ${ms(r.inside)} | ${ms(r.predict)} | ${Number.isFinite(r.wall) ? (r.wall < TARGET_MS ? 'yes' : '**no**') : '–'} |`),
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'bench/REPORT-trace.md'), report);
  console.log(report);
} finally {
  for (const l of labs) lab(['down', l.name]);
  rmSync(dir, { recursive: true, force: true });
}
}

if (import.meta.main) main();
