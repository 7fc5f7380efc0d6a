/**
 * nslab cluster benchmark (issue 5): a 3-node Kubernetes-style cluster with 30 pods and 10 services, per CNI backend
 * and kube-proxy mode. Writes bench/results/cluster-<timestamp>.json and bench/REPORT-cluster.md.
 *
 *   node bench/cluster.ts [--reps 3] [--backends flannel-vxlan,calico-bgp] [--modes iptables,nftables] [--no-report]
 *   node bench/cluster.ts --from bench/results/cluster-<file>.json   rewrite the report from earlier results
 *
 * Run as root, after `npm run build` (it times the built CLI, dist/runner/cli/main.js, as a whole process).
 *
 * The lab (one per backend × mode, named bench-k8s-<backend>-<mode>): nodes node-1…node-3 (bridge: node-1 only,
 * that CNI is single-node), deployments app-0…app-9 with 3 replicas each (30 pods, placed round-robin, so
 * app-K-1 is on node-1, app-K-2 on node-2, app-K-3 on node-3), plus a client pod on node-2 that no service selects
 * and the cluster DNS pod; services svc-0…svc-9,
 * svc-K selecting app-K on port 80, svc-0…svc-6 ClusterIP and svc-7…svc-9 NodePort. One test: a `delete-pod`
 * of app-0-1. Every rep of every configuration:
 *
 * 1. `lab up FILE --quiet`: wall time of the whole process.
 * 2. Serving: from the moment `lab up` exits, rounds of `lab agent probe` in the client pod (one process: 12 new TCP
 *    connections to each of the 10 ClusterIPs, the services side by side, 300 ms timeout) until every service has
 *    answered and every one of the 30 pods has answered through its service. Reported: the time until every
 *    service answered once, and until all 30 pods had; each is taken at the end of the round that saw it, so it is
 *    an upper bound by one round (the round's time is reported: most of it is starting Node in the pod).
 * 3. Endpoint removal: a client (probe in the client pod, one new TCP connection after another to svc-0's ClusterIP)
 *    runs while `lab test FILE` runs the delete-pod action: every node loads kube-proxy's rules without app-0-1's
 *    endpoint (all nodes at once), then app-0-1's eth0 goes down. Reported: the action's own time for the rule
 *    change on all nodes; the last answer the client got from app-0-1, in ms after the rule load began (each answer
 *    timed when its line reaches the bench); and the requests that failed meanwhile (0 expected: the rules change
 *    before the pod leaves the network, as Kubernetes removes endpoints before the kubelet stops the pod).
 * 4. `lab down NAME`: wall time of the process; then the bench waits for the kernel's namespace cleanup (settle).
 *
 * Reps are interleaved (every configuration once, then again), after one untimed warm-up round of the first
 * configuration. Processes are spawned as argv arrays, never through a shell. The bench only ever takes down its
 * own labs (bench-k8s-*), by name.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLab } from '../runner/api.ts';
import { CLI, cmdOut, eachArg, labNs, loadavgText, machineBasics, med, mustBeReady, NODE, progressLog, reportFrom, s3, settle, sleep, stat, timed, writeResults } from './common.ts';

// ───────────────────────────── setup

const BACKENDS = ['bridge', 'flannel-vxlan', 'flannel-host-gw', 'flannel-udp', 'calico-bgp'] as const;
const MODES = ['iptables', 'nftables'] as const;
type Backend = (typeof BACKENDS)[number];
type Mode = (typeof MODES)[number];
const SHORT: Record<Backend, string> = { bridge: 'bridge', 'flannel-vxlan': 'vxlan', 'flannel-host-gw': 'hostgw', 'flannel-udp': 'udp', 'calico-bgp': 'calico' };
const N_DEPLOY = 10;
const REPLICAS = 3;
const N_NODEPORT = 3;
const CLIENT = 'client';
const REMOVED = 'app-0-1';
const SERVE_TIMEOUT_MS = 60_000;
const PROBE_COUNT = 12;
const PROBE_TIMEOUT_MS = 300;

interface Options {
  reps: number;
  report: boolean;
  backends: Backend[];
  modes: Mode[];
  from?: string;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { reps: 3, report: true, backends: [...BACKENDS], modes: [...MODES] };
  const usage =
    'usage: node bench/cluster.ts [--reps 3] [--backends LIST] [--modes iptables,nftables] [--no-report]\n       node bench/cluster.ts --from bench/results/cluster-FILE.json   (only rewrite bench/REPORT-cluster.md)\n';
  eachArg(argv, usage, (a, val) => {
    if (a === '--reps') o.reps = Number(val());
    else if (a === '--no-report') o.report = false;
    else if (a === '--from') o.from = val();
    else if (a === '--backends') o.backends = val().split(',') as Backend[];
    else if (a === '--modes') o.modes = val().split(',') as Mode[];
    else return false;
    return true;
  });
  if (!Number.isInteger(o.reps) || o.reps < 1) throw new Error('--reps must be a positive integer');
  for (const b of o.backends) if (!BACKENDS.includes(b)) throw new Error(`unknown backend ${b}: ${BACKENDS.join(', ')}`);
  for (const m of o.modes) if (!MODES.includes(m)) throw new Error(`unknown mode ${m}: ${MODES.join(', ')}`);
  return o;
}

interface Config {
  readonly backend: Backend;
  readonly mode: Mode;
  readonly lab: string;
  readonly nodes: number;
}

const labName = (b: Backend, m: Mode): string => `bench-k8s-${SHORT[b]}-${m === 'iptables' ? 'ipt' : 'nft'}`;

function labYaml(c: Config): string {
  const nodes = Array.from({ length: c.nodes }, (_, i) => `node-${i + 1}: {}`).join(', ');
  const pods = Array.from({ length: N_DEPLOY }, (_, k) => `    app-${k}: { replicas: ${REPLICAS}, labels: { app: app-${k} } }`).join('\n');
  const svcs = Array.from({ length: N_DEPLOY }, (_, k) => `    svc-${k}: { ${k >= N_DEPLOY - N_NODEPORT ? 'type: NodePort, ' : ''}selector: { app: app-${k} }, ports: [{ port: 80 }] }`).join('\n');
  return `name: ${c.lab}
description: nslab cluster benchmark (bench/cluster.ts), ${c.backend}, kube-proxy ${c.mode}
cluster:
  cni: ${c.backend}
  kube-proxy: ${c.mode}
  nodes: { ${nodes} }
  pods:
${pods}
    ${CLIENT}: { node: node-${c.nodes === 1 ? 1 : 2}, labels: { app: ${CLIENT} } }
  services:
${svcs}
tests:
  - name: delete ${REMOVED}
    delete-pod: { pod: ${REMOVED} }
`;
}

// ───────────────────────────── results

interface Rep {
  readonly rep: number;
  upMs?: number;
  /** What `lab up` itself reports ("… is up: … in N ms"): the build, without starting Node and loading the lab. */
  upOwnMs?: number;
  /** After lab up exited: every service answered once / every pod answered through its service. */
  allServicesMs?: number;
  allPodsMs?: number;
  probeRounds?: number;
  probeRoundMs?: number;
  /** The delete-pod action's own time for the rule change on all nodes. */
  ruleChangeMs?: number;
  perNodeMs?: Record<string, number>;
  /** lab test (the whole process, with the action). */
  testMs?: number;
  /** The client's last answer from the deleted pod, ms after the rule load began (negative: before it). */
  lastAnswerMs?: number;
  /** Requests the client made while the action ran, and how many failed then or after it. */
  requestsDuring?: number;
  failedRequests?: number;
  answersAfterAction?: number;
  requestIntervalMs?: number;
  /** `ip netns exec NODE true` on every node at once: what starting the processes alone costs. */
  spawnBaselineMs?: number;
  downMs?: number;
  settleMs?: number;
  error?: string;
}

interface ConfigResult {
  readonly backend: Backend;
  readonly mode: Mode;
  readonly lab: string;
  readonly nodes: number;
  readonly pods: number;
  readonly labNodes: number;
  readonly reps: Rep[];
}

interface Results {
  machine: Record<string, string | number>;
  options: { reps: number; backends: string[]; modes: string[] };
  configs: ConfigResult[];
  yaml: string;
  durationS: number;
}

// ───────────────────────────── probing

interface ProbeOk {
  ok: true;
  to: string;
  node: string;
}
interface ProbeErr {
  ok: false;
  to: string;
  error: string;
}
type Line = (ProbeOk | ProbeErr) & { at: number };

const wall = (): number => performance.timeOrigin + performance.now();
const nsOf = (lab: string, node: string): string => `nsl.${lab}.${node}`;
const probeArgv = (lab: string, to: readonly string[], count: number, timeoutMs: number): string[] => [
  'ip',
  'netns',
  'exec',
  nsOf(lab, CLIENT),
  NODE,
  CLI,
  'agent',
  'probe',
  ...to.flatMap((t) => ['--to', t]),
  '--port',
  '80',
  '--count',
  String(count),
  '--timeout-ms',
  String(timeoutMs),
];

function parseLines(stdout: string, at: number): Line[] {
  const out: Line[] = [];
  for (const l of stdout.split('\n')) {
    if (!l.startsWith('{')) continue;
    try {
      out.push({ ...(JSON.parse(l) as ProbeOk | ProbeErr), at });
    } catch {
      /* not a probe line */
    }
  }
  return out;
}

/** Rounds of probes until every service and every backend pod answered: ms after t0 (an upper bound by one round). */
async function untilServing(lab: string, services: Map<string, string[]>, t0: number, r: Rep): Promise<void> {
  const ips = [...services.keys()];
  const pods = new Set([...services.values()].flat());
  const answered = new Set<string>();
  const seen = new Set<string>();
  const rounds: number[] = [];
  while (performance.now() - t0 < SERVE_TIMEOUT_MS) {
    const t = performance.now();
    const p = await timed(probeArgv(lab, ips, PROBE_COUNT, PROBE_TIMEOUT_MS));
    const now = performance.now();
    rounds.push(now - t);
    for (const l of parseLines(p.stdout, now)) {
      if (!l.ok) continue;
      answered.add(l.to);
      if (services.get(l.to)?.includes(l.node)) seen.add(l.node);
    }
    if (r.allServicesMs === undefined && answered.size === ips.length) r.allServicesMs = now - t0;
    if (r.allPodsMs === undefined && [...pods].every((x) => seen.has(x))) r.allPodsMs = now - t0;
    if (r.allServicesMs !== undefined && r.allPodsMs !== undefined) break;
    if (now - t < 100) await sleep(100 - (now - t));
  }
  r.probeRounds = rounds.length;
  r.probeRoundMs = med(rounds);
  if (r.allPodsMs === undefined) throw new Error(`not serving after ${SERVE_TIMEOUT_MS / 1000} s: ${answered.size}/${ips.length} services answered, ${seen.size}/${pods.size} pods seen`);
}

/** A client connecting to `ip` over and over, each answer timed as it arrives. */
function client(lab: string, ip: string): { lines: Line[]; stop(): Promise<void> } {
  const lines: Line[] = [];
  const argv = probeArgv(lab, [ip], 100_000, 500);
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    const at = wall();
    buf += d.toString();
    const cut = buf.lastIndexOf('\n');
    if (cut < 0) return;
    lines.push(...parseLines(buf.slice(0, cut), at));
    buf = buf.slice(cut + 1);
  });
  const closed = new Promise<void>((res) => child.on('close', () => res()));
  return {
    lines,
    async stop() {
      if (child.exitCode === null && child.pid !== undefined) child.kill('SIGTERM');
      await closed;
    },
  };
}

interface TestReport {
  tests: { name: string; ok: boolean; seen: string; startedAt: string; durationMs: number; details: { ruleChangeMs: number; perNodeMs: Record<string, number>; rulesStart: number; rulesEnd: number } | null }[];
}

async function removal(lab: string, file: string, ip: string, dir: string, r: Rep): Promise<void> {
  const c = client(lab, ip);
  try {
    const t = performance.now();
    while (c.lines.filter((l) => l.ok && l.node === REMOVED).length < 3 && performance.now() - t < 10_000) await sleep(20);
    if (!c.lines.some((l) => l.ok && l.node === REMOVED)) throw new Error(`the client got no answer from ${REMOVED} through ${ip} before the removal`);
    const out = join(dir, `${lab}.report.json`);
    rmSync(out, { force: true });
    const test = await timed([NODE, CLI, 'test', file, '--reporter', 'json', '--output', out]);
    r.testMs = test.ms;
    await sleep(300);
    if (!existsSync(out)) throw new Error(`lab test exited ${test.code} without a report: ${(test.stderr || test.stdout).trim().split('\n').slice(-6).join(' ⏎ ')}`);
    const rep = JSON.parse(readFileSync(out, 'utf8')) as TestReport;
    const t0 = rep.tests[0];
    if (!t0?.ok || !t0.details) throw new Error(`delete-pod failed (lab test exit ${test.code}): ${t0?.seen ?? test.stderr.trim()}`);
    r.ruleChangeMs = t0.details.ruleChangeMs;
    r.perNodeMs = t0.details.perNodeMs;
    const start = t0.details.rulesStart;
    const end = Date.parse(t0.startedAt) + t0.durationMs;
    const fromRemoved = c.lines.filter((l) => l.ok && l.node === REMOVED);
    r.lastAnswerMs = fromRemoved.at(-1)!.at - start;
    const during = c.lines.filter((l) => l.at >= start - 50 && l.at <= end + 50);
    r.requestsDuring = during.length;
    r.failedRequests = c.lines.filter((l) => !l.ok && l.at >= start - 50).length;
    r.answersAfterAction = fromRemoved.filter((l) => l.at > end).length;
    const okTimes = c.lines.filter((l) => l.at < start).map((l) => l.at);
    if (okTimes.length > 1) r.requestIntervalMs = (okTimes.at(-1)! - okTimes[0]) / (okTimes.length - 1);
  } finally {
    await c.stop();
  }
}

// ───────────────────────────── one rep

async function oneRep(c: Config, file: string, dir: string, services: Map<string, string[]>, rep: number, log: (s: string) => void): Promise<Rep> {
  const r: Rep = { rep };
  try {
    const up = await timed([NODE, CLI, 'up', file, '--quiet']);
    if (up.code !== 0) throw new Error(`lab up exited ${up.code}: ${(up.stderr || up.stdout).trim().split('\n').slice(-6).join(' ⏎ ')}`);
    r.upMs = up.ms;
    const own = / is up: .* in (\d+) ms/.exec(up.stdout + up.stderr);
    if (own) r.upOwnMs = Number(own[1]);
    await untilServing(c.lab, services, performance.now(), r);
    await removal(c.lab, file, [...services.keys()][0], dir, r);
    const t = performance.now();
    await Promise.all(Array.from({ length: c.nodes }, (_, i) => timed(['ip', 'netns', 'exec', nsOf(c.lab, `node-${i + 1}`), 'true'])));
    r.spawnBaselineMs = performance.now() - t;
  } catch (e) {
    r.error = e instanceof Error ? e.message : String(e);
    log(`  ${c.lab} rep ${rep}: ${r.error}`);
  } finally {
    const down = await timed([NODE, CLI, 'down', c.lab]);
    if (down.code === 0) r.downMs = down.ms;
    else r.error = `${r.error ? `${r.error}; ` : ''}lab down exited ${down.code}: ${down.stderr.trim()}`;
    r.settleMs = await settle(labNs(c.lab));
  }
  log(
    `  ${c.lab} rep ${rep}: up ${fmt(r.upMs)} ms, services ${fmt(r.allServicesMs)} ms, pods ${fmt(r.allPodsMs)} ms, rules ${fmt(r.ruleChangeMs, 1)} ms, last answer ${fmt(r.lastAnswerMs)} ms, failed ${r.failedRequests ?? '–'}, down ${fmt(r.downMs)} ms`,
  );
  return r;
}

const fmt = (x: number | undefined, d = 0): string => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));

// ───────────────────────────── main

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  if (o.from) return reportFrom(o.from, 'bench/REPORT-cluster.md', report);
  mustBeReady('network namespaces and processes (labs bench-k8s-*)');
  const tStart = performance.now();
  const log = progressLog(tStart);
  const dir = mkdtempSync(join(tmpdir(), 'nslab-bench-k8s-'));
  const configs: Config[] = o.backends.flatMap((backend) => o.modes.map((mode) => ({ backend, mode, lab: labName(backend, mode), nodes: backend === 'bridge' ? 1 : 3 })));
  const files = new Map<string, string>();
  const services = new Map<string, Map<string, string[]>>();
  const results: ConfigResult[] = [];
  for (const c of configs) {
    const file = join(dir, `${c.lab}.yaml`);
    writeFileSync(file, labYaml(c));
    files.set(c.lab, file);
    const { lab } = loadLab(file);
    const cl = lab.cluster!;
    const m = new Map<string, string[]>();
    for (const e of cl.endpoints) if (e.service.namespace === 'default' && e.service.clusterIP) m.set(e.service.clusterIP, e.endpoints.map((x) => x.pod));
    services.set(c.lab, m);
    results.push({ backend: c.backend, mode: c.mode, lab: c.lab, nodes: c.nodes, pods: cl.pods.length, labNodes: lab.nodes.length, reps: [] });
    await timed([NODE, CLI, 'down', c.lab]); // leftovers of an earlier run of this bench, only its own labs
  }
  const machine: Record<string, string | number> = {
    ...machineBasics(),
    loadavgStart: loadavgText(),
    iptables: await cmdOut(['iptables', '-V']),
    nft: await cmdOut(['nft', '-v']),
  };
  log(`warm-up: ${configs[0].lab}`);
  await oneRep(configs[0], files.get(configs[0].lab)!, dir, services.get(configs[0].lab)!, 0, log);
  for (let rep = 1; rep <= o.reps; rep++) {
    for (const [i, c] of configs.entries()) {
      log(`rep ${rep}/${o.reps}: ${c.lab}`);
      results[i].reps.push(await oneRep(c, files.get(c.lab)!, dir, services.get(c.lab)!, rep, log));
    }
  }
  machine.loadavgEnd = loadavgText();
  const res: Results = { machine, options: { reps: o.reps, backends: o.backends, modes: o.modes }, configs: results, yaml: labYaml(configs.find((c) => c.nodes === 3) ?? configs[0]), durationS: Math.round((performance.now() - tStart) / 1000) };
  rmSync(dir, { recursive: true, force: true });
  writeResults(res, 'cluster-', log, o.report, 'bench/REPORT-cluster.md', report);
}

// ───────────────────────────── report

function report(res: Results, jsonRel: string): string {
  const m = res.machine;
  const col = (c: ConfigResult, k: keyof Rep, digits = 0): string => s3(stat(c.reps.map((r) => r[k] as number | undefined)), digits);
  const errs = res.configs.flatMap((c) => c.reps.filter((r) => r.error).map((r) => `- ${c.lab} rep ${r.rep}: ${r.error}`));
  const up = res.configs.map(
    (c) => `| ${c.backend} | ${c.mode} | ${c.nodes} | ${c.pods} | ${c.labNodes} | ${col(c, 'upMs')} | ${col(c, 'upOwnMs')} | ${col(c, 'allServicesMs')} | ${col(c, 'allPodsMs')} | ${col(c, 'probeRoundMs')} | ${col(c, 'downMs')} |`,
  );
  const rm = res.configs.map(
    (c) =>
      `| ${c.backend} | ${c.mode} | ${col(c, 'ruleChangeMs', 1)} | ${col(c, 'spawnBaselineMs', 1)} | ${col(c, 'lastAnswerMs')} | ${c.reps.map((r) => r.failedRequests ?? '–').join(', ')} | ${c.reps.map((r) => r.answersAfterAction ?? '–').join(', ')} | ${col(c, 'requestIntervalMs', 1)} | ${col(c, 'testMs')} |`,
  );
  const byMode = (mode: Mode): string => {
    const all = res.configs.filter((c) => c.mode === mode).flatMap((c) => c.reps.map((r) => r.ruleChangeMs));
    return s3(stat(all), 1);
  };
  return `# Cluster benchmark: bringing up a 3-node cluster with 30 pods and 10 services, and removing an endpoint

Generated by \`node bench/cluster.ts\` (\`npm run bench:cluster\`) on ${m.date}, in ${res.durationS} s. Results: \`${jsonRel}\`.

Machine: ${m.nproc} × ${m.cpu}, ${m.memTotalMiB} MiB, kernel ${m.kernel}, Node ${m.node}, ${m.iptables}, ${m.nft}.
Load average ${m.loadavgStart} at the start and ${m.loadavgEnd} at the end. The machine is shared with other work, so
the figures move between runs; the medians of ${res.options.reps} interleaved reps (after one untimed warm-up) and their ranges are given.

Each cell is \`median (min–max)\` over the reps, in ms.

## The cluster

One lab per CNI backend and kube-proxy mode: 3 nodes (\`bridge\` is a single-node CNI: 1 node there, all 30 pods on it),
10 deployments \`app-0\`…\`app-9\` of 3 replicas each (30 pods, round-robin over the nodes), a \`${CLIENT}\` pod on node-2
that no service selects (on node-1 with \`bridge\`), and the cluster DNS pod; and
10 services \`svc-0\`…\`svc-9\` on port 80 (7 ClusterIP, 3 NodePort), each selecting one deployment. Every pod runs
nslab's whoami server (a Node process); every node loads kube-proxy's rules. The lab (the 3-node ones differ only in
\`cni\` and \`kube-proxy\`):

\`\`\`yaml
${res.yaml.trimEnd()}
\`\`\`

## Bring-up, serving, teardown

- **lab up**: the wall time of the \`lab up FILE --quiet\` process (Node start, validation, the plan, every step);
  **of which building**: the time \`lab up\` itself reports (\`… is up: … in N ms\`), from the first step to the last.
- **all services answer** / **all 30 pods answer**: after \`lab up\` exits, rounds of \`lab agent probe\` in pod
  \`${CLIENT}\` (${PROBE_COUNT} new TCP connections to each of the 10 ClusterIPs, the services side by side, ${PROBE_TIMEOUT_MS} ms timeout), until every
  service has answered once, and until each of the 30 pods has answered through its service. Taken at the end of
  the round that saw it: an upper bound by one round. A round (next column) is mostly Node starting inside the
  pod. \`lab up\` returns once the pods' servers are started, not once they listen: the serving time is how long the
  30 servers take to come up on this machine, plus, for calico-bgp, BIRD's routes between the nodes.
- **lab down**: the wall time of \`lab down NAME\` (it stops every process and deletes every namespace); the bench
  then waits for the kernel's namespace cleanup before the next lab.

| backend | kube-proxy | k8s nodes | pods (with client and DNS) | lab nodes | lab up | of which building | all services answer | all 30 pods answer | probe round | lab down |
|---|---|---|---|---|---|---|---|---|---|---|
${up.join('\n')}

## Removing an endpoint

The lab's one test is the \`delete-pod\` action (\`delete-pod: { pod: ${REMOVED} }\`, runner/cluster/assertions/delete-pod.ts): every node
loads kube-proxy's rules without the deleted pod's endpoint, all nodes at once (iptables mode: \`iptables-restore
--noflush\` declaring the chains, refilling them and deleting the pod's KUBE-SEP chain with \`-X\`, as kube-proxy does;
nftables mode: one \`nft -f -\` transaction that replaces the \`ip kube-proxy\` table), then the pod's eth0 goes down.
While \`lab test\` runs it, a client in \`${CLIENT}\` opens one TCP connection after another to \`svc-0\`'s ClusterIP
(served by \`app-0-1\`, \`app-0-2\`, \`app-0-3\`), and the bench timestamps each answer as it arrives.

- **rule change**: the action's own time for loading the new rules on every node (in parallel; each load is an
  \`ip netns exec … iptables-restore\` or \`nft\` process).
- **process start alone**: \`ip netns exec NODE true\` on every node at once, timed by the bench right after: the
  part of the rule change that is only starting processes on this machine.
- **last answer from the deleted pod**: when the client's last answer from \`${REMOVED}\` arrived, in ms after the rule
  load began. Negative: the client's last hit on it came before (each request has a 1-in-3 chance of landing there).
  Within "rule change" means the client stopped reaching the pod as soon as the rules changed; its resolution is the
  request interval.
- **failed requests**: requests of the client that failed from the rule load on (per rep); 0 means no client saw an
  error — the endpoint left the rules before the pod left the network. **answers after**: answers from the deleted pod
  after the action ended (per rep; must be 0).
- **lab test**: the whole \`lab test\` process (Node start, loading the lab, the action, the report).

| backend | kube-proxy | rule change (all nodes) | process start alone | last answer from the deleted pod | failed requests | answers after | request interval | lab test |
|---|---|---|---|---|---|---|---|---|
${rm.join('\n')}

Over all backends: rule change ${byMode('iptables')} ms with iptables, ${byMode('nftables')} ms with nftables.

What the rule change is not: in a real cluster the endpoint leaves the rules only after the API server, the
EndpointSlice controller and each node's kube-proxy have seen the deletion, and kube-proxy rate-limits its syncs
(\`minSyncPeriod\`). None of that is modelled: the lab knows the change at once, so the figure is the kernel and tool
side only — how long rewriting kube-proxy's rules for this cluster takes on every node.

${errs.length ? `## Errors\n\n${errs.join('\n')}\n` : 'Every rep of every configuration completed.\n'}`;
}

await main();
