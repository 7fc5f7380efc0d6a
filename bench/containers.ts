/**
 * nslab container benchmark: `lab up` / `lab down` of container nodes and of BIRD routers, against Docker's
 * own container start and against plain namespaces, in one run. Writes bench/results/containers-<timestamp>.json
 * and bench/REPORT-containers.md.
 *
 *   node bench/containers.ts [--reps 3] [--no-report]
 *   node bench/containers.ts --from bench/results/containers-<file>.json   rewrite the report from earlier results
 *
 * Run as root, after `npm run build` (it times the built CLI, dist/runner/cli/main.js, as a whole process),
 * with Docker and the images nslab/host and nslab/bird (`lab images list`).
 *
 * 1. 20 nodes on one bridge: lab bench-ctr20 (kind: container, nslab/host), the same as plain namespaces
 *    (lab bench-ns20), and the docker CLI alone: `docker run -d --network none` of 20 nslab/host containers
 *    (all 20 at once, and 8 at a time like nslab's executor), then one `docker rm -f` of all of them.
 * 2. A 10-router full-mesh iBGP lab bench-mesh10 (kind: bird, AS 64512, 9 sessions per router), with BIRD in
 *    containers (the default) and with `runtime: netns`: `lab up` time, then the time until every router has 9
 *    Established sessions and all 9 other routers' prefixes in its kernel table, then `lab down`.
 *
 * Reps are interleaved (ctr20, ns20, docker all at once, docker 8 at a time, mesh in containers, mesh in
 * namespaces, then again), after one untimed warm-up round. Everything it creates is named bench-* (labs) or
 * bench-raw-c* with the label nslab-bench=raw (plain docker containers); it only ever takes down those.
 * Processes are spawned as argv arrays, never through a shell.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, cmdOut, eachArg, labNs, loadavgText, machineBasics, med, must, mustBeReady, netnsList, NODE, type Proc, procEntries, progressLog, readProc, reportFrom, ROOT, s3, settle, sleep, stat, timed, writeResults } from './common.ts';

// ───────────────────────────── setup

const HOST_IMAGE = 'nslab/host';
const BIRD_IMAGE = 'nslab/bird';
const N_CTR = 20;
const N_MESH = 10;
const CTR_LAB = `bench-ctr${N_CTR}`;
const NS_LAB = `bench-ns${N_CTR}`;
const MESH_LAB = `bench-mesh${N_MESH}`;
const RAW_LABEL = 'nslab-bench=raw';
const RAW_NAME = 'bench-raw-c';
const NSLAB_LANES = 8; // runner/exec/executor.ts: CONCURRENCY
const POLL_MS = 50;
const CONVERGE_TIMEOUT_MS = 30_000;
const TARGET_CONVERGE_MS = 5_000;

interface Options {
  reps: number;
  report: boolean;
  from?: string;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { reps: 3, report: true };
  const usage = 'usage: node bench/containers.ts [--reps 3] [--no-report]\n       node bench/containers.ts --from bench/results/containers-FILE.json   (only rewrite bench/REPORT-containers.md)\n';
  eachArg(argv, usage, (a, val) => {
    if (a === '--reps') o.reps = Number(val());
    else if (a === '--no-report') o.report = false;
    else if (a === '--from') o.from = val();
    else return false;
    return true;
  });
  if (!Number.isInteger(o.reps) || o.reps < 1) throw new Error('--reps must be a positive integer');
  return o;
}

// ───────────────────────────── processes

const oneLine = (s: string): string => s.trim().replace(/\n/g, ' ⏎ ');

// ───────────────────────────── clocks

/** Wall-clock time in ms, sub-ms resolution. */
const wall = (): number => performance.timeOrigin + performance.now();

let clkTck = 100;
/** wall clock minus CLOCK_BOOTTIME (what /proc/PID/stat's starttime counts), in ms. */
let bootOffsetMs = NaN;

/** /proc/uptime has 10 ms steps: spin until it steps, then wall − uptime is the offset to well under a ms. */
function calibrateBootOffset(): number {
  const read = (): string => readFileSync('/proc/uptime', 'utf8').split(' ')[0];
  const u0 = read();
  const limit = performance.now() + 200;
  let u = u0;
  let w = wall();
  while (u === u0 && performance.now() < limit) {
    u = read();
    w = wall();
  }
  return w - Number(u) * 1000;
}

/** When process `pid` started, as wall-clock ms (10 ms resolution: clock ticks), or undefined if it is gone. */
function procStartWall(pid: number): number | undefined {
  const s = readProc(pid, 'stat');
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
  const ticks = Number(rest[22 - 3]);
  return Number.isFinite(ticks) && s ? bootOffsetMs + (ticks / clkTck) * 1000 : undefined;
}

/** Docker's RFC 3339 times with nanoseconds → wall-clock ms. */
function dockerTime(s: string): number | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(s.trim());
  if (!m) return undefined;
  return Date.parse(m[1] + m[3]) + (m[2] ? Number(m[2]) * 1000 : 0);
}

/** BIRD's "Since" (HH:MM:SS.mmm, the router's local time; UTC on this machine and in nslab/bird) → wall-clock ms near `ref`. */
function birdSince(s: string, ref: number): number | undefined {
  const m = /^(\d\d):(\d\d):(\d\d)\.(\d{3})$/.exec(s);
  if (!m || new Date(ref).getTimezoneOffset() !== 0) return undefined;
  const day = Math.floor(ref / 86_400_000) * 86_400_000;
  let t = day + ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]);
  if (t > ref + 3_600_000) t -= 86_400_000; // across midnight
  return t;
}

// ───────────────────────────── machine state

/** Processes whose command line mentions `needle` (by /proc, no pgrep). */
function procsMentioning(needle: string): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const p of procEntries()) {
    if (p === process.pid) continue;
    const c = readProc(p, 'cmdline');
    if (c.includes(needle)) out.push({ pid: p, cmd: c.split('\0').join(' ').trim() });
  }
  return out;
}

async function labContainers(lab: string): Promise<string[]> {
  const r = await timed(['docker', 'ps', '-a', '--filter', `label=nslab.lab=${lab}`, '--format', '{{.Names}}']);
  return r.stdout.split('\n').filter(Boolean);
}

interface StartTimes {
  /** Per container (docker inspect): Created and State.StartedAt, wall-clock ms. */
  created: number[];
  started: number[];
}

async function containerTimes(names: string[]): Promise<StartTimes> {
  const t: StartTimes = { created: [], started: [] };
  if (!names.length) return t;
  const r = await timed(['docker', 'inspect', '-f', '{{.Created}} {{.State.StartedAt}}', ...names]);
  for (const l of r.stdout.split('\n').filter(Boolean)) {
    const [c, s] = l.split(' ');
    const a = dockerTime(c);
    const b = dockerTime(s);
    if (a !== undefined) t.created.push(a);
    if (b !== undefined) t.started.push(b);
  }
  return t;
}

const minOf = (xs: number[]): number | undefined => (xs.length ? Math.min(...xs) : undefined);
const maxOf = (xs: number[]): number | undefined => (xs.length ? Math.max(...xs) : undefined);
const rel = (t: number | undefined, t0: number): number | undefined => (t === undefined ? undefined : t - t0);

// ───────────────────────────── lab files

function ctrYaml(lab: string, container: boolean): string {
  const kind = container ? `{kind: container, image: ${HOST_IMAGE}}` : '{}';
  return [
    `name: ${lab}`,
    `description: generated by bench/containers.ts — ${N_CTR} ${container ? 'containers' : 'namespaces'} on one bridge`,
    'addressing: {ipv4: {pool: 10.252.0.0/16, prefix: 24}}',
    'nodes:',
    ...Array.from({ length: N_CTR }, (_, i) => `  c${i + 1}: ${kind}`),
    'bridges:',
    '  sw: {}',
    'links:',
    ...Array.from({ length: N_CTR }, (_, i) => `  - [c${i + 1}:eth0, sw]`),
    '',
  ].join('\n');
}

function meshYaml(runtime: 'container' | 'netns'): string {
  const L = [`name: ${MESH_LAB}`, `description: generated by bench/containers.ts — ${N_MESH} BIRD routers in a full iBGP mesh (AS 64512), runtime ${runtime}`, 'nodes:'];
  for (let i = 1; i <= N_MESH; i++) {
    const peers = Array.from({ length: N_MESH }, (_, j) => j + 1)
      .filter((j) => j !== i)
      .map((j) => `{peer: r${j}}`);
    L.push(`  r${i}:`, '    kind: bird', '    asn: 64512');
    if (runtime === 'netns') L.push('    runtime: netns');
    L.push('    interfaces:', `      eth0: {addresses: [10.10.0.${i}/24]}`, `      lo: {addresses: [10.11.${i}.1/32]}`, '    bgp:', `      neighbors: [${peers.join(', ')}]`, `      announce: [10.11.${i}.0/24]`);
  }
  L.push('bridges:', '  sw: {}', 'links:', ...Array.from({ length: N_MESH }, (_, i) => `  - [r${i + 1}:eth0, sw]`), '');
  return L.join('\n');
}

// ───────────────────────────── sanity helpers

interface PingResult {
  ok: boolean;
  rttMs?: number;
  out?: string;
}

async function pingFrom(ns: string, addr: string): Promise<PingResult> {
  const argv = ['nsenter', `--net=/run/netns/${ns}`, 'ping', '-n', '-c1', '-W2', addr];
  const r = await timed(argv);
  const rtt = /time=([\d.]+) ms/.exec(r.stdout);
  if (r.code === 0) return { ok: true, rttMs: rtt ? Number(rtt[1]) : undefined };
  return { ok: false, out: `${argv.join(' ')}: exit ${r.code}: ${oneLine(r.stdout + r.stderr)}` };
}

async function addrOf(ns: string): Promise<string> {
  const r = await must(['nsenter', `--net=/run/netns/${ns}`, 'ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
  const m = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(r.stdout);
  if (!m) throw new Error(`no IPv4 address on eth0 in ${ns}: ${r.stdout}`);
  return m[1];
}

const selfUp = (p: Proc): number | undefined => {
  const m = /is up: .* in (\d+) ms/.exec(p.stdout + p.stderr);
  return m ? Number(m[1]) : undefined;
};
const selfDown = (p: Proc): number | undefined => {
  const m = /removed in (\d+) ms/.exec(p.stdout + p.stderr);
  return m ? Number(m[1]) : undefined;
};

async function ensureDown(lab: string): Promise<void> {
  if (netnsList().some(labNs(lab)) || existsSync(`/run/nslab/${lab}`) || (await labContainers(lab)).length) {
    await timed([NODE, CLI, 'down', lab]);
    await settle(labNs(lab));
  }
}

// ───────────────────────────── 1. twenty nodes

interface CtrRep {
  upMs: number;
  upSelfMs?: number;
  downMs: number;
  downSelfMs?: number;
  /** Container runs only: from spawning `lab up` to the first / last container's Created and StartedAt (docker inspect). */
  firstCreatedMs?: number;
  firstStartedMs?: number;
  lastStartedMs?: number;
  ping: PingResult;
  leftovers: string[];
  settleMs: number;
  error?: string;
}

async function ctrRep(lab: string, file: string, container: boolean): Promise<CtrRep> {
  await ensureDown(lab);
  const t0 = wall();
  const up = await timed([NODE, CLI, 'up', file, '--quiet']);
  const rep: CtrRep = { upMs: up.ms, upSelfMs: selfUp(up), downMs: NaN, ping: { ok: false }, leftovers: [], settleMs: NaN };
  if (up.code !== 0) rep.error = `lab up ${file} --quiet exited ${up.code}: ${oneLine(up.stdout + up.stderr)}`;
  else {
    const target = await addrOf(`nsl.${lab}.c${N_CTR}`).catch((e: Error) => e.message);
    rep.ping = /^\d/.test(target) ? await pingFrom(`nsl.${lab}.c1`, target) : { ok: false, out: target };
    if (container) {
      const names = await labContainers(lab);
      if (names.length !== N_CTR) rep.error = `expected ${N_CTR} containers labelled nslab.lab=${lab}, found ${names.length}`;
      const t = await containerTimes(names);
      rep.firstCreatedMs = rel(minOf(t.created), t0);
      rep.firstStartedMs = rel(minOf(t.started), t0);
      rep.lastStartedMs = rel(maxOf(t.started), t0);
    }
  }
  const down = await timed([NODE, CLI, 'down', lab]);
  rep.downMs = down.ms;
  rep.downSelfMs = selfDown(down);
  if (down.code !== 0) rep.error = `${rep.error ?? ''} lab down ${lab} exited ${down.code}: ${oneLine(down.stdout + down.stderr)}`.trim();
  rep.leftovers = netnsList().filter(labNs(lab));
  if (existsSync(`/run/nslab/${lab}`)) rep.leftovers.push(`/run/nslab/${lab}`);
  for (const c of await labContainers(lab)) rep.leftovers.push(`container ${c} (docker ps -a --filter label=nslab.lab=${lab})`);
  rep.settleMs = await settle(labNs(lab));
  return rep;
}

// ───────────────────────────── 1b. the docker CLI alone

interface DockerRep {
  parallel: number;
  /** All `docker run -d` processes, from the first spawn to the last exit. */
  runMs: number;
  /** Each `docker run -d` process on its own (median over the 20). */
  runEachMedianMs: number;
  /** One `docker rm -f` of all 20. */
  rmMs: number;
  firstStartedMs?: number;
  lastStartedMs?: number;
  leftovers: string[];
  settleMs: number;
  error?: string;
}

async function rawContainers(): Promise<string[]> {
  const r = await timed(['docker', 'ps', '-a', '--filter', `label=${RAW_LABEL}`, '--format', '{{.Names}}']);
  return r.stdout.split('\n').filter(Boolean);
}

async function dockerRep(parallel: number): Promise<DockerRep> {
  const left = await rawContainers();
  if (left.length) await timed(['docker', 'rm', '-f', ...left]);
  const names = Array.from({ length: N_CTR }, (_, i) => `${RAW_NAME}${i + 1}`);
  // the same container nslab makes for a node, through the CLI: no network, its hostname, NET_ADMIN and NET_RAW
  const argv = (i: number): string[] => ['docker', 'run', '-d', '--network', 'none', '--name', names[i], '--hostname', `c${i + 1}`, '--label', RAW_LABEL, '--cap-add', 'NET_ADMIN', '--cap-add', 'NET_RAW', HOST_IMAGE];
  const each: Proc[] = [];
  let next = 0;
  const t0w = wall();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let i = next++; i < N_CTR; i = next++) each[i] = await timed(argv(i));
    }),
  );
  const runMs = performance.now() - t0;
  const rep: DockerRep = { parallel, runMs, runEachMedianMs: stat(each.map((p) => p.ms))?.median ?? NaN, rmMs: NaN, leftovers: [], settleMs: NaN };
  const failed = each.map((p, i) => (p.code === 0 ? '' : `${argv(i).join(' ')} exited ${p.code}: ${oneLine(p.stderr)}`)).filter(Boolean);
  if (failed.length) rep.error = failed.join('; ');
  const t = await containerTimes(names.filter((_, i) => each[i]?.code === 0));
  rep.firstStartedMs = rel(minOf(t.started), t0w);
  rep.lastStartedMs = rel(maxOf(t.started), t0w);
  const rm = await timed(['docker', 'rm', '-f', ...names]);
  rep.rmMs = rm.ms;
  if (rm.code !== 0 && !failed.length) rep.error = `docker rm -f … exited ${rm.code}: ${oneLine(rm.stderr)}`;
  rep.leftovers = await rawContainers();
  rep.settleMs = await settle(() => false);
  return rep;
}

// ───────────────────────────── 2. the iBGP full mesh

interface Protocols {
  established: number;
  /** BIRD's "Since" of the Established BGP sessions, wall-clock ms, by protocol (to_rJ). */
  since: { proto: string; t: number }[];
}

/**
 * `show protocols` over the router's control socket: the request birdc sends, without spawning birdc every
 * 50 ms. BIRD greets with `0001 …`; a reply's lines are `NNNN-text` or ` text`, and it ends with `NNNN text`.
 */
function birdQuery(sock: string, command: string, timeoutMs = 1000): Promise<string[] | undefined> {
  return new Promise((res) => {
    const s = createConnection(sock);
    let buf = '';
    let asked = false;
    const lines: string[] = [];
    const finish = (v: string[] | undefined): void => {
      clearTimeout(timer);
      s.destroy();
      res(v);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    s.on('error', () => finish(undefined));
    s.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!asked) {
          if (/^0001 /.test(line)) {
            asked = true;
            s.write(`${command}\n`);
          }
          continue;
        }
        lines.push(line.replace(/^\d{4}[- ]|^ /, ''));
        if (/^\d{4} /.test(line)) return finish(lines);
      }
    });
  });
}

async function birdProtocols(sock: string): Promise<Protocols | undefined> {
  const lines = await birdQuery(sock, 'show protocols');
  if (!lines) return undefined;
  const ref = wall();
  const p: Protocols = { established: 0, since: [] };
  for (const l of lines) {
    const f = l.trim().split(/\s+/);
    if (f[1] === 'BGP' && f[3] === 'up' && f.includes('Established')) {
      p.established++;
      const t = birdSince(f[4] ?? '', ref);
      if (t !== undefined) p.since.push({ proto: f[0], t });
    }
  }
  return p;
}

/** How many of the other routers' 10.11.J.0/24 are in router i's kernel table, via a neighbor. */
async function kernelPrefixes(lab: string, i: number): Promise<number> {
  const r = await timed(['nsenter', `--net=/run/netns/nsl.${lab}.r${i}`, 'ip', '-4', 'route', 'show']);
  let n = 0;
  for (let j = 1; j <= N_MESH; j++) if (j !== i && new RegExp(`^10\\.11\\.${j}\\.0/24 via 10\\.10\\.0\\.${j} `, 'm').test(r.stdout)) n++;
  return n;
}

interface MeshRep {
  runtime: 'container' | 'netns';
  upMs: number;
  upSelfMs?: number;
  converged: boolean;
  /** From the moment `lab up` returned (to the bench) to the poll that saw the last router complete. */
  convFromUpMs?: number;
  /** From the first / last container's State.StartedAt (docker inspect) to converged. */
  convFromFirstContainerMs?: number;
  convFromLastContainerMs?: number;
  /** From the daemons phase start (earliest start time, /proc/PID/stat, of the state file's daemons[].pid) to converged. */
  convFromDaemonsMs?: number;
  /** Timeline, ms after spawning `lab up`. */
  t: {
    firstCreated?: number;
    firstContainer?: number;
    lastContainer?: number;
    daemonsFirst?: number;
    daemonsLast?: number;
    birdFirst?: number;
    birdLast?: number;
    upReturned: number;
    lastEstablished?: number;
    converged?: number;
  };
  polls: number;
  pollMedianMs?: number;
  /** When not converged: routers and what they lacked at the last poll. */
  missing?: string[];
  /** Latest minus earliest "Since" of the 90 Established BGP protocols (BIRD's clock), ms. */
  establishedSpreadMs?: number;
  /** Sessions Established more than 500 ms after the median session (BIRD's clock), as "rI/to_rJ +ms". */
  lateSessions?: string[];
  /** Untimed cross-check with the real birdc on r1. */
  birdcR1Established?: number;
  ping: PingResult;
  downMs: number;
  downSelfMs?: number;
  leftovers: string[];
  settleMs: number;
  error?: string;
}

async function meshRep(file: string, runtime: 'container' | 'netns'): Promise<MeshRep> {
  const lab = MESH_LAB;
  await ensureDown(lab);
  const t0 = wall();
  const up = await timed([NODE, CLI, 'up', file, '--quiet']);
  const tUp = wall();
  const rep: MeshRep = { runtime, upMs: up.ms, upSelfMs: selfUp(up), converged: false, t: { upReturned: tUp - t0 }, polls: 0, ping: { ok: false }, downMs: NaN, leftovers: [], settleMs: NaN };
  if (up.code !== 0) rep.error = `lab up ${file} --quiet exited ${up.code}: ${oneLine(up.stdout + up.stderr)}`;
  else {
    const routers = Array.from({ length: N_MESH }, (_, i) => i + 1);
    const sock = (i: number): string => `/run/nslab/${lab}/bird/r${i}/bird.ctl`;
    const done = new Set<number>();
    const last = new Map<number, { sessions: number; prefixes: number }>();
    const since: { router: number; proto: string; t: number }[] = [];
    const pollMs: number[] = [];
    let tConv: number | undefined;
    for (;;) {
      const tp = wall();
      await Promise.all(
        routers
          .filter((i) => !done.has(i))
          .map(async (i) => {
            const p = await birdProtocols(sock(i));
            const sessions = p?.established ?? 0;
            const prefixes = sessions === N_MESH - 1 ? await kernelPrefixes(lab, i) : 0;
            last.set(i, { sessions, prefixes });
            if (sessions === N_MESH - 1 && prefixes === N_MESH - 1) {
              done.add(i);
              since.push(...p!.since.map((x) => ({ router: i, ...x })));
            }
          }),
      );
      rep.polls++;
      const te = wall();
      pollMs.push(te - tp);
      if (done.size === N_MESH) {
        tConv = te;
        break;
      }
      if (te - tUp > CONVERGE_TIMEOUT_MS) break;
      await sleep(Math.max(0, POLL_MS - (te - tp)));
    }
    rep.pollMedianMs = stat(pollMs)?.median;
    rep.converged = tConv !== undefined;
    if (!rep.converged) rep.missing = routers.filter((i) => !done.has(i)).map((i) => `r${i}: ${last.get(i)?.sessions ?? 0}/${N_MESH - 1} sessions, ${last.get(i)?.prefixes ?? 0}/${N_MESH - 1} prefixes in the kernel`);
    // untimed: when things started
    let state: { daemons?: { pid: number }[] } = {};
    try {
      state = JSON.parse(readFileSync(`/run/nslab/${lab}/state.json`, 'utf8')) as typeof state;
    } catch {
      /* no state file */
    }
    const dStarts = (state.daemons ?? []).map((d) => procStartWall(d.pid)).filter((x): x is number => x !== undefined);
    const birds = procEntries().filter((p) => {
      const argv = readProc(p, 'cmdline').split('\0');
      return /(^|\/)bird$/.test(argv[0] ?? '') && argv.some((a) => a.startsWith(`/run/nslab/${lab}/`));
    });
    const bStarts = birds.map(procStartWall).filter((x): x is number => x !== undefined);
    if (dStarts.length !== N_MESH) rep.error = `state.json lists ${state.daemons?.length ?? 0} daemons with ${dStarts.length} alive, expected ${N_MESH}`;
    if (bStarts.length !== N_MESH) rep.error = `${rep.error ?? ''} found ${bStarts.length} bird processes of ${lab}, expected ${N_MESH}`.trim();
    rep.t.daemonsFirst = rel(minOf(dStarts), t0);
    rep.t.daemonsLast = rel(maxOf(dStarts), t0);
    rep.t.birdFirst = rel(minOf(bStarts), t0);
    rep.t.birdLast = rel(maxOf(bStarts), t0);
    if (runtime === 'container') {
      const names = await labContainers(lab);
      const ct = await containerTimes(names);
      rep.t.firstCreated = rel(minOf(ct.created), t0);
      rep.t.firstContainer = rel(minOf(ct.started), t0);
      rep.t.lastContainer = rel(maxOf(ct.started), t0);
    }
    const ts = since.map((x) => x.t);
    rep.t.lastEstablished = rel(maxOf(ts), t0);
    if (ts.length) {
      rep.establishedSpreadMs = maxOf(ts)! - minOf(ts)!;
      const mid = stat(ts)!.median;
      rep.lateSessions = since.filter((x) => x.t - mid > 500).map((x) => `r${x.router}/${x.proto} +${(x.t - mid).toFixed(0)} ms`);
    }
    if (tConv !== undefined) {
      rep.t.converged = tConv - t0;
      rep.convFromUpMs = tConv - tUp;
      if (rep.t.firstContainer !== undefined) rep.convFromFirstContainerMs = rep.t.converged - rep.t.firstContainer;
      if (rep.t.lastContainer !== undefined) rep.convFromLastContainerMs = rep.t.converged - rep.t.lastContainer;
      if (rep.t.daemonsFirst !== undefined) rep.convFromDaemonsMs = rep.t.converged - rep.t.daemonsFirst;
    }
    // untimed cross-checks: the real birdc, and traffic over a BGP route
    const bc = await timed(['birdc', '-s', sock(1), 'show', 'protocols']);
    rep.birdcR1Established = bc.stdout.split('\n').filter((l) => /^\S+\s+BGP\s+\S+\s+up\s.*Established/.test(l)).length;
    rep.ping = await pingFrom(`nsl.${lab}.r1`, `10.11.${N_MESH}.1`);
  }
  const down = await timed([NODE, CLI, 'down', lab]);
  rep.downMs = down.ms;
  rep.downSelfMs = selfDown(down);
  if (down.code !== 0) rep.error = `${rep.error ?? ''} lab down ${lab} exited ${down.code}: ${oneLine(down.stdout + down.stderr)}`.trim();
  rep.leftovers = netnsList().filter(labNs(lab));
  if (existsSync(`/run/nslab/${lab}`)) rep.leftovers.push(`/run/nslab/${lab}`);
  for (const p of procsMentioning(`/run/nslab/${lab}/`)) rep.leftovers.push(`pid ${p.pid}: ${p.cmd.slice(0, 100)}`);
  for (const c of await labContainers(lab)) rep.leftovers.push(`container ${c}`);
  rep.settleMs = await settle(labNs(lab));
  return rep;
}

// ───────────────────────────── machine description

async function machine(): Promise<Record<string, string | number>> {
  const dirty = await cmdOut(['git', '--no-optional-locks', '-C', ROOT, 'status', '--porcelain', '--untracked-files=no']);
  return {
    ...machineBasics(),
    docker: await cmdOut(['docker', 'version', '--format', 'server {{.Server.Version}}, client {{.Client.Version}}']),
    dockerInfo: await cmdOut(['docker', 'info', '--format', 'storage driver {{.Driver}}, cgroup driver {{.CgroupDriver}} (v{{.CgroupVersion}}), runtime {{.DefaultRuntime}}']),
    birdHost: (await cmdOut(['bird', '--version'])).split('\n')[0],
    birdImage: (await cmdOut(['docker', 'run', '--rm', '--network', 'none', BIRD_IMAGE, 'bird', '--version'])).split('\n').filter((l) => l.startsWith('BIRD')).join(' '),
    images: (await cmdOut(['docker', 'images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}', '--filter', 'reference=nslab/*']))
      .split('\n')
      .filter((l) => !l.includes(':latest'))
      .join('; '),
    iproute2: await cmdOut(['ip', '-V']),
    commit: await cmdOut(['git', '--no-optional-locks', '-C', ROOT, 'rev-parse', '--short', 'HEAD']),
    treeDirty: dirty && dirty !== 'n/a' ? dirty.split('\n').length : 0,
    loadavgStart: loadavgText(),
  };
}

// ───────────────────────────── main

interface Result {
  machine: Record<string, string | number>;
  options: Options;
  totalSeconds: number;
  bootOffsetDriftMs: number;
  ctr: CtrRep[];
  ns: CtrRep[];
  dockerAll: DockerRep[];
  docker8: DockerRep[];
  meshContainer: MeshRep[];
  meshNetns: MeshRep[];
  loadavgEnd: string;
}

async function main(): Promise<void> {
  const opt = parseOptions(process.argv.slice(2));
  if (opt.from) {
    reportFrom(opt.from, 'bench/REPORT-containers.md', report);
    return;
  }
  mustBeReady('namespaces and containers');
  for (const img of [HOST_IMAGE, BIRD_IMAGE]) {
    const r = await timed(['docker', 'image', 'inspect', '-f', '{{.Id}}', img]);
    if (r.code !== 0) throw new Error(`image ${img} is missing: lab images build (${oneLine(r.stderr)})`);
  }
  clkTck = Number((await must(['getconf', 'CLK_TCK'])).stdout.trim()) || 100;
  bootOffsetMs = calibrateBootOffset();

  const tStart = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'nslab-bench-ctr-'));
  const log = progressLog(tStart);
  const mach = await machine();
  log(`machine: ${mach.nproc} CPUs, kernel ${mach.kernel}, node ${mach.node}, docker ${mach.docker}; reps ${opt.reps}`);

  const files = {
    ctr: join(work, 'ctr.yaml'),
    ns: join(work, 'ns.yaml'),
    meshC: join(work, 'mesh-container.yaml'),
    meshN: join(work, 'mesh-netns.yaml'),
  };
  writeFileSync(files.ctr, ctrYaml(CTR_LAB, true));
  writeFileSync(files.ns, ctrYaml(NS_LAB, false));
  writeFileSync(files.meshC, meshYaml('container'));
  writeFileSync(files.meshN, meshYaml('netns'));
  for (const f of Object.values(files)) await must([NODE, CLI, 'validate', f]);

  const res: Result = { machine: mach, options: opt, totalSeconds: NaN, bootOffsetDriftMs: NaN, ctr: [], ns: [], dockerAll: [], docker8: [], meshContainer: [], meshNetns: [], loadavgEnd: '' };
  const cleanup = async (): Promise<void> => {
    for (const lab of [CTR_LAB, NS_LAB, MESH_LAB]) await ensureDown(lab).catch(() => undefined);
    const left = await rawContainers().catch(() => []);
    if (left.length) await timed(['docker', 'rm', '-f', ...left]).catch(() => undefined);
  };
  try {
    await cleanup();
    log('warm-up (untimed): one round of everything');
    await ctrRep(CTR_LAB, files.ctr, true);
    await ctrRep(NS_LAB, files.ns, false);
    await dockerRep(N_CTR);
    await meshRep(files.meshC, 'container');
    await meshRep(files.meshN, 'netns');

    const f0 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '?' : x.toFixed(0));
    for (let r = 1; r <= opt.reps; r++) {
      const a = await ctrRep(CTR_LAB, files.ctr, true);
      res.ctr.push(a);
      log(`rep ${r} ${CTR_LAB}: up ${f0(a.upMs)} ms (self ${f0(a.upSelfMs)}), down ${f0(a.downMs)} ms, ping ${a.ping.ok ? 'ok' : 'FAILED'}${a.leftovers.length ? `, LEFT: ${a.leftovers.join(', ')}` : ''}${a.error ? `\n  ${a.error}` : ''}`);
      const b = await ctrRep(NS_LAB, files.ns, false);
      res.ns.push(b);
      log(`rep ${r} ${NS_LAB}: up ${f0(b.upMs)} ms, down ${f0(b.downMs)} ms, ping ${b.ping.ok ? 'ok' : 'FAILED'}${b.error ? `\n  ${b.error}` : ''}`);
      const c = await dockerRep(N_CTR);
      res.dockerAll.push(c);
      log(`rep ${r} docker run ×${N_CTR} at once: ${f0(c.runMs)} ms, rm -f ${f0(c.rmMs)} ms${c.error ? `\n  ${c.error}` : ''}`);
      const d = await dockerRep(NSLAB_LANES);
      res.docker8.push(d);
      log(`rep ${r} docker run ×${N_CTR}, ${NSLAB_LANES} at a time: ${f0(d.runMs)} ms, rm -f ${f0(d.rmMs)} ms${d.error ? `\n  ${d.error}` : ''}`);
      for (const [runtime, file, into] of [['container', files.meshC, res.meshContainer], ['netns', files.meshN, res.meshNetns]] as const) {
        const m = await meshRep(file, runtime);
        into.push(m);
        log(`rep ${r} ${MESH_LAB} (${runtime}): up ${f0(m.upMs)} ms, converged ${m.converged ? `${f0(m.convFromUpMs)} ms after up returned, ${f0(m.convFromFirstContainerMs ?? m.convFromDaemonsMs)} ms after ${runtime === 'container' ? 'the first container started' : 'the first daemon started'}` : `NOT within ${CONVERGE_TIMEOUT_MS / 1000} s: ${m.missing?.join('; ')}`}, down ${f0(m.downMs)} ms${m.lateSessions?.length ? `, late sessions: ${m.lateSessions.join(', ')}` : ''}${m.leftovers.length ? `, LEFT: ${m.leftovers.join(', ')}` : ''}${m.error ? `\n  ${m.error}` : ''}`);
      }
    }
  } finally {
    await cleanup();
    rmSync(work, { recursive: true, force: true });
  }
  res.bootOffsetDriftMs = calibrateBootOffset() - bootOffsetMs;
  res.totalSeconds = (performance.now() - tStart) / 1000;
  res.loadavgEnd = loadavgText();

  writeResults(res, 'containers-', log, opt.report, 'bench/REPORT-containers.md', report);
}

// ───────────────────────────── report

const S = (xs: readonly (number | undefined)[], digits = 0, scale = 1): string => s3(stat(xs), digits, scale);
const f = (x: number, d = 0): string => (Number.isFinite(x) ? x.toFixed(d) : '–');
const pct = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b ? `${((a / b) * 100).toFixed(0)} %` : '–');

function report(r: Result, jsonRel: string): string {
  const m = r.machine;
  const L: string[] = [];
  const reps = r.options.reps;
  L.push('# nslab container benchmark', '');
  L.push(`Generated by \`node bench/containers.ts\` (${reps} reps) in ${r.totalSeconds.toFixed(0)} s. Raw data: \`${jsonRel}\` (not committed).`, '');
  L.push('## Machine', '');
  L.push('| | |', '|---|---|');
  L.push(`| date | ${m.date} |`, `| CPUs (nproc) | ${m.nproc} × ${m.cpu} |`, `| memory | ${m.memTotalMiB} MiB |`, `| kernel | ${m.kernel} |`, `| Node | ${m.node} |`);
  L.push(`| Docker | ${m.docker}; ${m.dockerInfo} |`, `| BIRD | host: ${m.birdHost}; in nslab/bird: ${m.birdImage} |`, `| images | ${m.images} |`, `| iproute2 | ${m.iproute2} |`);
  L.push(`| nslab commit | ${m.commit}${m.treeDirty ? ` (+${m.treeDirty} modified tracked files in the work tree)` : ''}; the CLI timed is \`dist/runner/cli/main.js\` |`);
  L.push(`| load average | ${m.loadavgStart} at start, ${r.loadavgEnd} at the end (both include the bench's own load) |`, '');

  L.push('## Method', '');
  L.push(
    `- **${N_CTR} container nodes** (\`${CTR_LAB}\`): a generated lab with ${N_CTR} nodes \`c1..c${N_CTR}\` of \`kind: container\` (image ${HOST_IMAGE}, its default command: wait forever), each with \`eth0\` on one bridge (\`bridges: {sw: {}}\`, links \`[cI:eth0, sw]\`), addresses from \`addressing: {ipv4: {pool: 10.252.0.0/16, prefix: 24}}\`, no tests. Timed: \`node dist/runner/cli/main.js up FILE --quiet\` and \`… down ${CTR_LAB}\`, each as a whole process (node start-up included). "self" is the time the command prints itself. Untimed, while up: \`docker inspect\` of the lab's containers for their Created/StartedAt times, relative to the spawn of \`lab up\`.`,
    `- **${N_CTR} netns nodes** (\`${NS_LAB}\`): the same file without \`kind\`.`,
    `- **Docker alone**: \`docker run -d --network none --name ${RAW_NAME}I --hostname cI --label ${RAW_LABEL} --cap-add NET_ADMIN --cap-add NET_RAW ${HOST_IMAGE}\` (the container nslab starts for a node, minus nslab's labels), ${N_CTR} of them through the docker CLI (argv arrays, no shell), timed from the first spawn to the last exit; once all ${N_CTR} at once, once ${NSLAB_LANES} at a time (nslab's executor runs at most ${NSLAB_LANES} lanes of a phase at once, \`runner/exec/executor.ts\`). Then one \`docker rm -f\` of all ${N_CTR}, timed. nslab itself talks to the Engine API (dockerode: create, start, inspect, then a symlink under /run/netns), not the CLI.`,
    `- **${N_MESH}-router full-mesh iBGP** (\`${MESH_LAB}\`): ${N_MESH} \`kind: bird\` routers r1..r${N_MESH} in AS 64512 on one bridge, rI with eth0 10.10.0.I/24, lo 10.11.I.1/32, \`neighbors\` all ${N_MESH - 1} others, \`announce: [10.11.I.0/24]\` (45 sessions). Once with the default runtime (BIRD in a container from ${BIRD_IMAGE}, started by \`docker exec\` in the daemons phase), once with \`runtime: netns\` (the host's BIRD in plain namespaces, \`ip netns exec\`). nslab's generated bird.conf sets \`connect delay time 1\`, \`connect retry time 2\`, \`error wait time 1, 10\`.`,
    `  - (a) \`lab up FILE --quiet\`, whole process.`,
    `  - (b) convergence: from the moment \`lab up\` returned, a poll every ~${POLL_MS} ms (at most ${CONVERGE_TIMEOUT_MS / 1000} s) until every router has ${N_MESH - 1} BGP protocols \`up\`/\`Established\` in \`show protocols\` AND its kernel table (\`nsenter --net=/run/netns/nsl.${MESH_LAB}.rI ip -4 route show\`) holds all ${N_MESH - 1} other \`10.11.J.0/24 via 10.10.0.J\`. \`show protocols\` is sent over the router's control socket \`/run/nslab/${MESH_LAB}/bird/rI/bird.ctl\` directly (birdc's request and reply format, without spawning ${N_MESH} birdc processes every ${POLL_MS} ms on a ${m.nproc}-CPU machine); the real \`birdc -s … show protocols\` is run once per rep afterwards as a cross-check. A router found complete is not asked again. The converged time is the end of the poll that found the last router complete (so it is late by up to one poll interval plus the poll's own time).`,
    `  - (c) the same end point measured from the start: for containers, from the **first container's \`State.StartedAt\`** (\`docker inspect\`, ns resolution), which is what the target counts from; also from the last container's start, and, for both runtimes, from the **daemons phase start** = the earliest start time of the processes in \`/run/nslab/${MESH_LAB}/state.json\` \`daemons[].pid\` (field 22 of /proc/PID/stat, in clock ticks of 10 ms, turned into wall-clock time with an offset calibrated against /proc/uptime; drift over the run ${f(r.bootOffsetDriftMs, 1)} ms). For containers those PIDs are the \`docker exec\` clients; the BIRD processes themselves (found by their command line) start later, and are shown in the timeline. No constant was subtracted from anything.`,
    `  - Also from BIRD's own clock: the latest "Since" of the Established sessions (ms resolution), i.e. when the last session came up, independent of the poll.`,
    `  - Untimed sanity: r1 pings 10.11.${N_MESH}.1 (r${N_MESH}'s lo, over the BGP route). \`lab down ${MESH_LAB}\` is timed; afterwards no process whose /proc/PID/cmdline contains \`/run/nslab/${MESH_LAB}/\`, no container labelled \`nslab.lab=${MESH_LAB}\`, no namespace and no /run/nslab/${MESH_LAB} may be left.`,
    `- Sanity for the ${N_CTR}-node labs (untimed): c1 pings c${N_CTR} once (\`ping -c1 -W2\`, through \`nsenter --net\`); after down no namespace, no /run/nslab/<lab> and no container labelled \`nslab.lab=<lab>\` (\`docker ps -a --filter label=…\`) is left.`,
    `- Reps interleaved: ${CTR_LAB}, ${NS_LAB}, docker all at once, docker ${NSLAB_LANES} at a time, ${MESH_LAB} in containers, ${MESH_LAB} in namespaces, then again; one untimed warm-up round first. After every teardown the bench waits until the lab's namespaces are gone and the kernel's netns cleanup worker is idle, then 0.5 s (as bench/run.ts).`,
    '- Times are milliseconds, **median (min–max)** over the reps.',
    '',
  );

  // ── 20 nodes
  L.push(`## ${N_CTR} nodes on one bridge, ms`, '');
  L.push('| what | up | up, self-reported | down | down, self-reported |', '|---|---|---|---|---|');
  L.push(`| nslab, ${N_CTR} \`kind: container\` (\`${CTR_LAB}\`) | ${S(r.ctr.map((x) => x.upMs))} | ${S(r.ctr.map((x) => x.upSelfMs))} | ${S(r.ctr.map((x) => x.downMs))} | ${S(r.ctr.map((x) => x.downSelfMs))} |`);
  L.push(`| nslab, ${N_CTR} netns nodes (\`${NS_LAB}\`) | ${S(r.ns.map((x) => x.upMs))} | ${S(r.ns.map((x) => x.upSelfMs))} | ${S(r.ns.map((x) => x.downMs))} | ${S(r.ns.map((x) => x.downSelfMs))} |`);
  L.push(`| docker CLI: ${N_CTR} × \`docker run -d --network none\`, all at once; one \`docker rm -f\` | ${S(r.dockerAll.map((x) => x.runMs))} | – | ${S(r.dockerAll.map((x) => x.rmMs))} | – |`);
  L.push(`| docker CLI: the same, ${NSLAB_LANES} at a time | ${S(r.docker8.map((x) => x.runMs))} | – | ${S(r.docker8.map((x) => x.rmMs))} | – |`);
  L.push('');
  L.push('When the containers started, ms after the spawn of `lab up` / of the first `docker run` (docker inspect):', '');
  L.push('| what | first container created | first container started | last container started | up returned | one `docker run -d` process (median of the 20) |', '|---|---|---|---|---|---|');
  L.push(`| nslab \`${CTR_LAB}\` | ${S(r.ctr.map((x) => x.firstCreatedMs))} | ${S(r.ctr.map((x) => x.firstStartedMs))} | ${S(r.ctr.map((x) => x.lastStartedMs))} | ${S(r.ctr.map((x) => x.upMs))} | – |`);
  L.push(`| docker, all at once | – | ${S(r.dockerAll.map((x) => x.firstStartedMs))} | ${S(r.dockerAll.map((x) => x.lastStartedMs))} | ${S(r.dockerAll.map((x) => x.runMs))} | ${S(r.dockerAll.map((x) => x.runEachMedianMs))} |`);
  L.push(`| docker, ${NSLAB_LANES} at a time | – | ${S(r.docker8.map((x) => x.firstStartedMs))} | ${S(r.docker8.map((x) => x.lastStartedMs))} | ${S(r.docker8.map((x) => x.runMs))} | ${S(r.docker8.map((x) => x.runEachMedianMs))} |`);
  L.push('');

  // ── mesh
  const mc = r.meshContainer;
  const mn = r.meshNetns;
  L.push(`## ${N_MESH}-router full-mesh iBGP, ms`, '');
  L.push('| | BIRD in containers (default) | BIRD in namespaces (`runtime: netns`) |', '|---|---|---|');
  L.push(`| converged (of reps) | ${mc.filter((x) => x.converged).length}/${mc.length} | ${mn.filter((x) => x.converged).length}/${mn.length} |`);
  L.push(`| (a) \`lab up\`, whole process | ${S(mc.map((x) => x.upMs))} | ${S(mn.map((x) => x.upMs))} |`);
  L.push(`| \`lab up\`, self-reported | ${S(mc.map((x) => x.upSelfMs))} | ${S(mn.map((x) => x.upSelfMs))} |`);
  L.push(`| (b) converged, after \`lab up\` returned | ${S(mc.map((x) => x.convFromUpMs))} | ${S(mn.map((x) => x.convFromUpMs))} |`);
  L.push(`| (c) converged, after the first container started | **${S(mc.map((x) => x.convFromFirstContainerMs))}** | – |`);
  L.push(`| converged, after the last container started | ${S(mc.map((x) => x.convFromLastContainerMs))} | – |`);
  L.push(`| converged, after the daemons phase started (first daemons[].pid) | ${S(mc.map((x) => x.convFromDaemonsMs))} | **${S(mn.map((x) => x.convFromDaemonsMs))}** |`);
  L.push(`| converged, after \`lab up\` was spawned | ${S(mc.map((x) => x.t.converged))} | ${S(mn.map((x) => x.t.converged))} |`);
  L.push(`| spread of the ${N_MESH * (N_MESH - 1)} session ends' Established times (BIRD's "Since", last − first) | ${S(mc.map((x) => x.establishedSpreadMs))} | ${S(mn.map((x) => x.establishedSpreadMs))} |`);
  L.push(`| polls until converged / one poll's duration | ${S(mc.map((x) => x.polls))} / ${S(mc.map((x) => x.pollMedianMs), 1)} | ${S(mn.map((x) => x.polls))} / ${S(mn.map((x) => x.pollMedianMs), 1)} |`);
  L.push(`| \`lab down\`, whole process | ${S(mc.map((x) => x.downMs))} | ${S(mn.map((x) => x.downMs))} |`);
  L.push(`| \`lab down\`, self-reported | ${S(mc.map((x) => x.downSelfMs))} | ${S(mn.map((x) => x.downSelfMs))} |`);
  L.push('');
  L.push('Timeline of one `lab up`, ms after its spawn (median, min–max):', '');
  L.push('| event | BIRD in containers | BIRD in namespaces |', '|---|---|---|');
  const tl = (k: keyof MeshRep['t']): [string, string] => [S(mc.map((x) => x.t[k])), S(mn.map((x) => x.t[k]))];
  for (const [k, label] of [
    ['firstCreated', 'first container created (Created)'],
    ['firstContainer', 'first container started (StartedAt)'],
    ['lastContainer', 'last container started'],
    ['daemonsFirst', 'daemons phase: first daemon process started (`docker exec` client / `ip netns exec`)'],
    ['daemonsLast', 'last daemon process started'],
    ['birdFirst', 'first `bird` process started'],
    ['birdLast', 'last `bird` process started'],
    ['upReturned', '`lab up` returned'],
    ['lastEstablished', 'last session Established (BIRD\'s "Since")'],
    ['converged', 'converged (poll saw every session and every kernel route)'],
  ] as const) {
    const [a, b] = tl(k);
    L.push(`| ${label} | ${a} | ${b} |`);
  }
  L.push('');

  const late = [...mc.map((x, i) => [`containers rep ${i + 1}`, x] as const), ...mn.map((x, i) => [`netns rep ${i + 1}`, x] as const)].filter(([, x]) => x.lateSessions?.length);
  L.push(
    late.length
      ? `Sessions that came up more than 500 ms after the median session of their rep (BIRD's clock; both ends of a session are listed): ${late.map(([n, x]) => `${n}: ${x.lateSessions!.join(', ')}`).join('; ')}. The bench cannot see why from outside (nslab's bird.conf logs no protocol events); the size fits one failed first attempt followed by BIRD's \`error wait time 1\` or \`connect retry time 2\`.`
      : 'In every rep all sessions came up within 500 ms of the median session.',
    '',
  );

  // ── targets
  const convMax = stat(mc.map((x) => x.convFromFirstContainerMs));
  const allConv = mc.length > 0 && mc.every((x) => x.converged);
  L.push('## Targets', '');
  L.push('| target | measured | |', '|---|---|---|');
  L.push(`| ${N_CTR} container nodes: \`lab up\` (no fixed target) | ${f(med(r.ctr.map((x) => x.upMs)) / 1000, 2)} s up, ${f(med(r.ctr.map((x) => x.downMs)) / 1000, 2)} s down (median) | reported |`);
  L.push(
    `| ${N_MESH}-router full mesh in containers: all sessions Established and all routes in every kernel table ≤ ${TARGET_CONVERGE_MS / 1000} s after the containers start | ${convMax ? `${f(convMax.median / 1000, 2)} s median, ${f(convMax.max / 1000, 2)} s worst, from the first container's start` : 'not measured'}${allConv ? '' : `; ${mc.filter((x) => !x.converged).length} rep(s) did not converge within ${CONVERGE_TIMEOUT_MS / 1000} s`} | **${allConv && convMax && convMax.max <= TARGET_CONVERGE_MS ? 'met' : 'missed'}** |`,
  );
  const nConv = stat(mn.map((x) => x.convFromDaemonsMs));
  L.push(`| (for comparison) the same with \`runtime: netns\`, from the daemons phase start | ${nConv ? `${f(nConv.median / 1000, 2)} s median, ${f(nConv.max / 1000, 2)} s worst` : '–'} | ${nConv && nConv.max <= TARGET_CONVERGE_MS ? 'within' : 'over'} ${TARGET_CONVERGE_MS / 1000} s |`);
  L.push('');

  // ── what dominates
  const cUp = med(r.ctr.map((x) => x.upMs));
  const nUp = med(r.ns.map((x) => x.upMs));
  const dAll = med(r.dockerAll.map((x) => x.runMs));
  const d8 = med(r.docker8.map((x) => x.runMs));
  const cFirstCreated = med(r.ctr.map((x) => x.firstCreatedMs));
  const cLast = med(r.ctr.map((x) => x.lastStartedMs));
  const cSpan = med(r.ctr.map((x) => (x.lastStartedMs ?? NaN) - (x.firstCreatedMs ?? NaN)));
  const cAfter = med(r.ctr.map((x) => x.upMs - (x.lastStartedMs ?? NaN)));
  const cDown = med(r.ctr.map((x) => x.downMs));
  const cDownSelf = med(r.ctr.map((x) => x.downSelfMs));
  const nDown = med(r.ns.map((x) => x.downMs));
  const rmAll = med(r.dockerAll.map((x) => x.rmMs));
  const mcUp = med(mc.map((x) => x.upMs));
  const mnUp = med(mn.map((x) => x.upMs));
  const d = (k1: keyof MeshRep['t'], k0: keyof MeshRep['t'], xs = mc): number => med(xs.map((x) => (x.t[k1] ?? NaN) - (x.t[k0] ?? NaN)));
  const conv = med(mc.map((x) => x.convFromFirstContainerMs));
  L.push('## What dominates', '');
  L.push(
    `**${N_CTR} containers: Docker's container start.** \`lab up\` takes ${f(cUp)} ms for ${N_CTR} container nodes against ${f(nUp)} ms for the same lab as plain namespaces, so the containers add ${f(cUp - nUp)} ms. The docker CLI alone needs ${f(dAll)} ms to start the same ${N_CTR} containers all at once and ${f(d8)} ms ${NSLAB_LANES} at a time (nslab's bound): ${pct(dAll, cUp)} and ${pct(d8, cUp)} of nslab's whole \`lab up\`. Inside \`lab up\` the first container is created ${f(cFirstCreated)} ms after the spawn (node start-up, loading and checking the file, the image check), the last one is running at ${f(cLast)} ms (${f(cSpan)} ms of creating and starting containers, ${pct(cSpan, cUp)} of \`lab up\`), and only ${f(cAfter)} ms remain after that for nslab's wiring (veths into ${N_CTR + 1} namespaces, addresses, the bridge, waiting until its ports forward) and the exit. Docker starts containers largely one after another on this ${m.nproc}-CPU machine: all ${N_CTR} at once is hardly faster than ${NSLAB_LANES} at a time, and one \`docker run -d\` takes ${S(r.dockerAll.map((x) => x.runEachMedianMs))} ms when ${N_CTR} run at once against ${S(r.docker8.map((x) => x.runEachMedianMs))} ms when ${NSLAB_LANES} do.`,
    '',
    `**Down.** \`lab down\` takes ${f(cDown)} ms (${f(cDownSelf)} ms self-reported) with containers against ${f(nDown)} ms without; one \`docker rm -f\` of ${N_CTR} containers takes ${f(rmAll)} ms by itself, so removing the containers is most of it.`,
    '',
    `**The mesh: BIRD's connect delay, then Docker.** \`lab up\` of the ${N_MESH} routers takes ${f(mcUp)} ms with BIRD in containers and ${f(mnUp)} ms in namespaces. From the first container's start to convergence (${f(conv)} ms, medians of the differences): the ${N_MESH} containers start within ${f(d('lastContainer', 'firstContainer'))} ms of each other (Docker), nslab's wiring takes ${f(d('daemonsFirst', 'lastContainer'))} ms until the daemons phase, \`docker exec\` gets the first \`bird\` running ${f(d('birdFirst', 'daemonsFirst'))} ms later, the last session is Established ${f(d('lastEstablished', 'birdFirst'))} ms after the first BIRD started, and the poll sees the last kernel route ${f(d('converged', 'lastEstablished'))} ms after that (this includes the poll interval). The biggest part is BIRD's \`connect delay time 1\` (nslab's bird.conf): no router opens a session in its first second, and once the first router's delay is over it connects to all the others, which accept at once. With BIRD's default of 5 s every session would come up about 4 s later, about ${f((conv + 4000) / 1000, 1)} s after the first container's start, over the ${TARGET_CONVERGE_MS / 1000} s target. In namespaces the same step takes ${f(d('lastEstablished', 'birdFirst', mn))} ms. The daemons phase itself lasts from ${f(med(mc.map((x) => x.t.daemonsFirst)))} to ${f(med(mc.map((x) => x.t.upReturned)))} ms after the spawn in containers, mostly nslab's check that each daemon is still alive 150 ms after it started (${N_MESH} daemons in lanes of ${NSLAB_LANES}); BIRD is already connecting while it runs, so it delays \`lab up\` returning, not convergence.`,
    '',
  );

  // ── sanity
  const problems: string[] = [];
  const each = <T extends { error?: string; leftovers: string[] }>(name: string, xs: T[], extra?: (x: T) => string | undefined): void =>
    xs.forEach((x, i) => {
      if (x.error) problems.push(`${name} rep ${i + 1}: ${x.error}`);
      if (x.leftovers.length) problems.push(`${name} rep ${i + 1}: left after teardown: ${x.leftovers.join(', ')}`);
      const e = extra?.(x);
      if (e) problems.push(`${name} rep ${i + 1}: ${e}`);
    });
  each(CTR_LAB, r.ctr, (x) => (x.ping.ok ? undefined : `c1 → c${N_CTR} ping failed: ${x.ping.out ?? ''}`));
  each(NS_LAB, r.ns, (x) => (x.ping.ok ? undefined : `c1 → c${N_CTR} ping failed: ${x.ping.out ?? ''}`));
  each('docker all at once', r.dockerAll);
  each(`docker ${NSLAB_LANES} at a time`, r.docker8);
  for (const [name, xs] of [[`${MESH_LAB} (containers)`, mc], [`${MESH_LAB} (netns)`, mn]] as const)
    each(name, xs, (x) =>
      [
        x.converged ? '' : `did not converge within ${CONVERGE_TIMEOUT_MS / 1000} s: ${x.missing?.join('; ')}`,
        x.birdcR1Established === undefined || x.birdcR1Established === N_MESH - 1 ? '' : `birdc on r1 shows ${x.birdcR1Established} Established sessions, expected ${N_MESH - 1}`,
        x.ping.ok || x.error ? '' : `r1 → 10.11.${N_MESH}.1 ping failed: ${x.ping.out ?? ''}`,
      ]
        .filter(Boolean)
        .join('; ') || undefined,
    );
  L.push('## Sanity', '');
  L.push('| check | result |', '|---|---|');
  L.push(`| c1 → c${N_CTR} ping (${CTR_LAB} / ${NS_LAB}) | ${r.ctr.filter((x) => x.ping.ok).length}/${r.ctr.length} / ${r.ns.filter((x) => x.ping.ok).length}/${r.ns.length}; first-ping RTT ms ${S(r.ctr.map((x) => x.ping.rttMs), 2)} / ${S(r.ns.map((x) => x.ping.rttMs), 2)} |`);
  L.push(`| containers labelled nslab.lab=${CTR_LAB} after \`lab down\` | ${r.ctr.map((x) => x.leftovers.filter((l) => l.startsWith('container')).length).join(', ')} (per rep) |`);
  L.push(`| real \`birdc -s …/r1/bird.ctl show protocols\`: Established BGP sessions (containers / netns) | ${mc.map((x) => x.birdcR1Established ?? '–').join(', ')} / ${mn.map((x) => x.birdcR1Established ?? '–').join(', ')} |`);
  L.push(`| r1 → 10.11.${N_MESH}.1 ping over BGP routes (containers / netns) | ${mc.filter((x) => x.ping.ok).length}/${mc.length} / ${mn.filter((x) => x.ping.ok).length}/${mn.length} |`);
  L.push(`| processes with \`/run/nslab/${MESH_LAB}/\` in their command line after \`lab down\` (containers / netns) | ${mc.map((x) => x.leftovers.filter((l) => l.startsWith('pid')).length).join(', ')} / ${mn.map((x) => x.leftovers.filter((l) => l.startsWith('pid')).length).join(', ')} (per rep) |`);
  L.push('');
  L.push(problems.length ? `Problems:\n\n${problems.map((p) => `- ${p}`).join('\n')}` : 'Every run reported no error, every ping answered, every mesh converged, and every teardown left nothing behind.', '');
  return `${L.join('\n')}\n`;
}

main().catch((e: Error) => {
  process.stderr.write(`bench/containers.ts: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
