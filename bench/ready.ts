/**
 * Time to ready (issue 11): how long `lab up` takes until the lab is ready — every BGP session Established, every
 * route the model predicts installed, every test server listening, the cluster DNS answering — for
 *
 *   1. a 3-node calico-bgp cluster (full iBGP mesh of BIRD in the nodes), 3 web replicas, a client, a NodePort;
 *   2. a 10-router full-mesh iBGP lab of BIRD in containers (kind: bird), each announcing a /24.
 *
 * Each rep: `lab up FILE` (it waits for readiness and prints "is ready in N ms: … held M ms after it was up"),
 * then an independent check that the lab really is converged at that moment (`lab test` of a lab whose tests
 * have no `within:` — the first try must pass), then `lab down`. Medians of REPS in one run; the report goes to
 * bench/REPORT-ready.md. Root; only its own labs (bench-ready-*) are touched.
 *
 *   node bench/ready.ts [REPS]     (npm run bench:ready)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/runner/cli/main.js');
const REPS = Number(process.argv[2] ?? 3);

function calicoYaml(): string {
  return `name: bench-ready-calico
cluster:
  cni: calico-bgp
  nodes: { node-1: {}, node-2: {}, node-3: {} }
  pods:
    web: { replicas: 3, labels: { app: web } }
    client: { node: node-1 }
  services:
    web: { type: NodePort, selector: { app: web }, ports: [{ port: 80, nodePort: 30080 }] }
tests:
  - k8s-network-model: {}
  - service: { service: web, from: client, requests: 30 }
  - dns: { from: client, name: web }
`;
}

function meshYaml(n: number): string {
  const L = ['name: bench-ready-mesh', 'nodes:'];
  for (let i = 1; i <= n; i++) {
    const peers = Array.from({ length: n }, (_, k) => k + 1).filter((k) => k !== i).map((k) => `{ peer: r${k} }`);
    L.push(`  r${i}:`, '    kind: bird', '    asn: 64512', `    interfaces: { eth0: { addresses: [10.77.0.${i}/24] }, lo: { addresses: [10.78.${i}.1/24] } }`, `    bgp: { announce: [10.78.${i}.0/24], neighbors: [${peers.join(', ')}] }`);
  }
  L.push('bridges:', '  sw: {}', 'links:');
  for (let i = 1; i <= n; i++) L.push(`  - [r${i}:eth0, sw]`);
  L.push('tests:');
  for (let i = 2; i <= n; i++) L.push(`  - route: { node: r1, to: 10.78.${i}.0/24, via: 10.77.0.${i} }`);
  L.push(`  - ping: { from: r1, to: 10.78.${n}.1 }`);
  return `${L.join('\n')}\n`;
}

interface Rep {
  upMs: number;
  readyMs?: number;
  afterUpMs?: number;
  checks?: number;
  testOk: boolean;
  testLine: string;
}

function lab(args: string[]): { code: number; out: string; ms: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`, ms: performance.now() - t0 };
}

function rep(file: string, name: string): Rep {
  lab(['down', name]);
  const up = lab(['up', file]);
  if (up.code !== 0) throw new Error(`lab up ${file} failed:\n${up.out}`);
  const m = /is ready in (\d+) ms: (\d+) check\(s\) held (\d+) ms after it was up/.exec(up.out);
  const test = lab(['test', name]);
  const line = test.out.trim().split('\n').filter((l) => /passed, \d+ failed/.test(l)).pop() ?? test.out.trim().split('\n').pop() ?? '';
  lab(['down', name]);
  return { upMs: up.ms, readyMs: m ? Number(m[1]) : undefined, afterUpMs: m ? Number(m[3]) : undefined, checks: m ? Number(m[2]) : undefined, testOk: test.code === 0, testLine: line };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

const dir = mkdtempSync(join(tmpdir(), 'nslab-bench-ready-'));
try {
  const labs = [
    { what: '3-node calico-bgp cluster (full mesh), 4 pods, a NodePort', name: 'bench-ready-calico', yaml: calicoYaml() },
    { what: '10-router full-mesh iBGP, BIRD in containers', name: 'bench-ready-mesh', yaml: meshYaml(10) },
  ];
  const rows: string[] = [];
  for (const l of labs) {
    const file = join(dir, `${l.name}.yaml`);
    writeFileSync(file, l.yaml);
    const reps: Rep[] = [];
    for (let i = 0; i < REPS; i++) {
      const r = rep(file, l.name);
      reps.push(r);
      console.log(`${l.name} rep ${i + 1}: up ${Math.round(r.upMs)} ms wall, ready ${r.readyMs} ms (${r.checks} checks, ${r.afterUpMs} ms after built), first lab test: ${r.testLine}`);
    }
    const ok = reps.filter((r) => r.testOk).length;
    rows.push(`| ${l.what} | ${reps[0].checks ?? '–'} | ${median(reps.map((r) => r.readyMs ?? NaN))} | ${median(reps.map((r) => r.afterUpMs ?? NaN))} | ${Math.round(median(reps.map((r) => r.upMs)))} | ${ok}/${reps.length} |`);
  }
  const report = [
    '# Time to ready (bench/ready.ts)',
    '',
    `\`node bench/ready.ts ${REPS}\` on ${new Date().toISOString().slice(0, 10)}: medians of ${REPS} reps, 2 vCPU VM. "ready" is from the start of`,
    "`lab up` until every readiness check held (what `lab up` prints); \"after built\" is the part spent waiting once the",
    'last command ran (BGP convergence, servers starting). "first test" counts reps whose `lab test` right after `lab up`',
    'passed on its first try, with no `within:`.',
    '',
    '| lab | checks | ready (ms) | after built (ms) | `lab up` wall (ms, incl. Node start) | first test passed |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'bench/REPORT-ready.md'), report);
  console.log(report);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
