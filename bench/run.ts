/**
 * nslab benchmark: `lab up` / `lab down` against the same topology built with plain iproute2 and with
 * Mininet, side by side, in one run. Writes bench/results/<timestamp>.json and bench/REPORT.md.
 *
 *   node bench/run.ts [--reps 3] [--sizes 10,100,1000] [--skip-mininet] [--mininet-max 200] [--no-report]
 *   node bench/run.ts --from bench/results/<file>.json    rewrite bench/REPORT.md from earlier results
 *
 * Run as root, after `npm run build` (it times the built CLI, dist/runner/cli/main.js, as a whole process).
 * Topology for size N: N namespaces h1..hN, each with eth0 on one Linux bridge `sw` in a fabric
 * namespace, addresses from 10.251.0.0/16. Reps are interleaved (nslab, raw, raw without sysctl,
 * nslab's own plan run by sh, Mininet, then again) so machine noise spreads over every tool.
 * Everything it creates carries its own prefix: nsl.bench<N>* (nslab), nslbench* (raw), nbm* (Mininet).
 * Processes are only ever ended by PID. No shell strings: every process is an argv array; the raw
 * baseline is a bash script generated into a temp dir and run as `bash FILE`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CLI, cmdOut, eachArg, labNs, loadavgText, machineBasics, med, ms, must, mustBeReady, netnsList, NODE, type Proc, procEntries, progressLog, readProc, reportFrom, ROOT, s3, settle, stat, timed, writeResults } from './common.ts';

// ───────────────────────────── setup

const PY = '/usr/bin/python3'; // Debian's: it has the mininet module (the pyenv python3 on PATH does not)
const MN_SCRIPT = join(ROOT, 'bench/mininet_single.py');
const GNU_TIME = '/usr/bin/time';
const RAW = 'nslbench'; // raw baseline: fabric namespace nslbench, nodes nslbench.h1..N
const MN_PREFIX = 'nbm'; // Mininet: hosts nbmh1..N, bridge nbms1 (root namespace)
const POOL = [10, 251]; // 10.251.0.0/16

interface Options {
  reps: number;
  sizes: number[];
  skipMininet: boolean;
  mininetMax: number;
  report: boolean;
  /** Only write bench/REPORT.md again from an earlier results file. */
  from?: string;
}

function parseOptions(argv: string[]): Options {
  const o: Options = { reps: 3, sizes: [10, 100, 1000], skipMininet: false, mininetMax: 200, report: true };
  const usage = 'usage: node bench/run.ts [--reps 3] [--sizes 10,100,1000] [--skip-mininet] [--mininet-max 200] [--no-report]\n       node bench/run.ts --from bench/results/FILE.json   (only rewrite bench/REPORT.md from earlier results)\n';
  eachArg(argv, usage, (a, val) => {
    if (a === '--reps') o.reps = Number(val());
    else if (a === '--sizes') o.sizes = val().split(',').map(Number);
    else if (a === '--skip-mininet') o.skipMininet = true;
    else if (a === '--mininet-max') o.mininetMax = Number(val());
    else if (a === '--no-report') o.report = false;
    else if (a === '--from') o.from = val();
    else return false;
    return true;
  });
  if (!Number.isInteger(o.reps) || o.reps < 1) throw new Error('--reps must be a positive integer');
  for (const n of o.sizes) if (!Number.isInteger(n) || n < 2 || n > 1000) throw new Error(`size ${n}: must be 2..1000 (a Linux bridge takes at most 1024 ports)`);
  o.sizes = [...new Set(o.sizes)].sort((a, b) => a - b);
  return o;
}

// ───────────────────────────── machine state

interface Mem {
  /** MemAvailable. */
  avail: number;
  /** Kernel-side and shared memory: Slab + Percpu + VmallocUsed + KernelStack + PageTables + Shmem. Less noisy than MemAvailable, which moves with every other process on the machine. */
  kernel: number;
}

const KERNEL_FIELDS = ['Slab', 'Percpu', 'VmallocUsed', 'KernelStack', 'PageTables', 'Shmem'];

function mem(): Mem {
  const text = readFileSync('/proc/meminfo', 'utf8');
  const f = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { avail: f('MemAvailable'), kernel: KERNEL_FIELDS.reduce((a, k) => a + f(k), 0) };
}

function rootLinks(prefix: string): Promise<string[]> {
  return timed(['ip', '-o', 'link', 'show']).then((r) =>
    r.stdout
      .split('\n')
      .map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1] ?? '')
      .filter((n) => n.startsWith(prefix)),
  );
}

function mininetShells(): number[] {
  return procEntries().filter((p) => readProc(p, 'cmdline').split('\0').some((w) => w.startsWith(`mininet:${MN_PREFIX}`)));
}

function ipv4Of(i: number): string {
  // the address nslab's pool gives the i-th host on a /16 (the raw baseline uses the same plan)
  return `${POOL[0]}.${POOL[1]}.${Math.floor(i / 256)}.${i % 256}`;
}

async function addrOf(ns: string): Promise<string> {
  const r = await must(['ip', '-n', ns, '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
  const m = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(r.stdout);
  if (!m) throw new Error(`no IPv4 address on eth0 in ${ns}: ${r.stdout}`);
  return m[1];
}

interface PingResult {
  ok: boolean;
  rttMs?: number;
  out?: string;
  /** When the one ping failed: whether a second one, right after, got an answer. */
  retryOk?: boolean;
}

async function ping(ns: string, addr: string): Promise<PingResult> {
  const once = (): Promise<Proc> => timed(['ip', 'netns', 'exec', ns, 'ping', '-n', '-c1', '-W2', addr]);
  const r = await once();
  const rtt = /time=([\d.]+) ms/.exec(r.stdout);
  if (r.code === 0) return { ok: true, rttMs: rtt ? Number(rtt[1]) : undefined };
  const again = await once();
  return { ok: false, out: `ip netns exec ${ns} ping -n -c1 -W2 ${addr}: exit ${r.code}: ${(r.stdout + r.stderr).trim()}`, retryOk: again.code === 0 };
}

/** Bridge ports in `fabric` that are not forwarding (e.g. still `disabled` while the kernel's linkwatch has not run). */
async function portsNotForwarding(fabric: string): Promise<string[]> {
  const r = await timed(['bridge', '-n', fabric, 'link', 'show']);
  return r.stdout
    .split('\n')
    .filter((l) => l.includes(' master ') && !l.includes('state forwarding'))
    .map((l) => {
      const m = /^\d+: ([^:@]+).*state (\S+)/.exec(l);
      return m ? `${m[1]} ${m[2]}` : l.trim();
    });
}

// ───────────────────────────── the three tools

interface NslabRep {
  upMs: number;
  upSelfMs?: number;
  downMs: number;
  downSelfMs?: number;
  peakRssKb?: number;
  memPerNodeKb: number;
  kernelPerNodeKb: number;
  /** Right after up, before the ping: bridge ports not yet forwarding. */
  notForwarding: string[];
  ping: PingResult;
  leftovers: string[];
  settleMs: number;
  error?: string;
}

function labYaml(n: number): string {
  const lines = [
    `name: bench${n}`,
    `description: generated by bench/run.ts — ${n} hosts on one bridge`,
    'addressing: {ipv4: {pool: 10.251.0.0/16, prefix: 16}}',
    'nodes:',
    ...Array.from({ length: n }, (_, i) => `  h${i + 1}: {}`),
    'bridges:',
    '  sw: {}',
    'links:',
    ...Array.from({ length: n }, (_, i) => `  - [h${i + 1}:eth0, sw]`),
  ];
  return `${lines.join('\n')}\n`;
}

async function nslabRep(n: number, file: string, work: string): Promise<NslabRep> {
  const lab = `bench${n}`;
  const mine = labNs(lab);
  if (netnsList().some(mine)) await timed([NODE, CLI, 'down', lab]);
  const timeOut = join(work, 'time.out');
  rmSync(timeOut, { force: true });
  const m0 = mem();
  const useTime = existsSync(GNU_TIME);
  const up = await timed(useTime ? [GNU_TIME, '-o', timeOut, '-f', '%M', NODE, CLI, 'up', file, '--quiet'] : [NODE, CLI, 'up', file, '--quiet']);
  const m1 = mem();
  const rep: NslabRep = { upMs: up.ms, downMs: NaN, memPerNodeKb: (m0.avail - m1.avail) / n, kernelPerNodeKb: (m1.kernel - m0.kernel) / n, notForwarding: [], ping: { ok: false }, leftovers: [], settleMs: NaN };
  if (useTime && existsSync(timeOut)) rep.peakRssKb = Number(readFileSync(timeOut, 'utf8').trim().split('\n').pop());
  const self = /is up: .* in (\d+) ms/.exec(up.stdout + up.stderr);
  if (self) rep.upSelfMs = Number(self[1]);
  if (up.code !== 0) {
    rep.error = `lab up ${file} --quiet exited ${up.code}\nstdout: ${up.stdout.trim()}\nstderr: ${up.stderr.trim()}`;
  } else {
    rep.notForwarding = await portsNotForwarding(`nsl.${lab}`);
    const target = await addrOf(`nsl.${lab}.h${n}`).catch((e: Error) => e.message);
    rep.ping = /^\d/.test(target) ? await ping(`nsl.${lab}.h1`, target) : { ok: false, out: target };
  }
  const down = await timed([NODE, CLI, 'down', lab]);
  rep.downMs = down.ms;
  const dself = /removed in (\d+) ms/.exec(down.stdout + down.stderr);
  if (dself) rep.downSelfMs = Number(dself[1]);
  if (down.code !== 0) rep.error = `${rep.error ?? ''}\nlab down ${lab} exited ${down.code}: ${(down.stdout + down.stderr).trim()}`.trim();
  rep.leftovers = netnsList().filter(mine);
  if (existsSync(`/run/nslab/${lab}`)) rep.leftovers.push(`/run/nslab/${lab}`);
  rep.settleMs = await settle(mine);
  return rep;
}

interface Probe {
  /** `ip -n NS -batch FILE` with `link set lo up` */
  ipNsMs: number;
  /** `ip netns exec NS sysctl -qw …` (the sysctl line of the batches) */
  netnsExecMs: number;
  /** `nsenter --net=/run/netns/NS ip -batch FILE`: the same without switching the mount namespace */
  nsenterIpMs: number;
  /** `nsenter --net=/run/netns/NS sysctl -qw …` */
  nsenterSysctlMs: number;
  mounts: number;
}

interface RawRep {
  upMs: number;
  phasesMs: Record<string, number>;
  downMs: number;
  memPerNodeKb: number;
  kernelPerNodeKb: number;
  notForwarding: string[];
  /** While up, untimed: what entering one namespace costs (ms, median of 5), and the mount count. */
  probe?: Probe;
  ping: PingResult;
  leftovers: string[];
  settleMs: number;
  error?: string;
}

/** Per-process cost of entering a namespace while `ns` and all its siblings exist: iproute2's way and nsenter's. */
async function probeNs(ns: string, loFile: string): Promise<Probe> {
  const sysctl = ['sysctl', '-qw', 'net.ipv4.ip_forward=0', 'net.ipv6.conf.all.forwarding=0'];
  const argvs: Record<keyof Omit<Probe, 'mounts'>, string[]> = {
    ipNsMs: ['ip', '-n', ns, '-batch', loFile],
    netnsExecMs: ['ip', 'netns', 'exec', ns, ...sysctl],
    nsenterIpMs: ['nsenter', `--net=/run/netns/${ns}`, 'ip', '-batch', loFile],
    nsenterSysctlMs: ['nsenter', `--net=/run/netns/${ns}`, ...sysctl],
  };
  const t: Record<string, number[]> = {};
  for (let i = 0; i < 5; i++) for (const [k, argv] of Object.entries(argvs)) (t[k] ??= []).push((await timed(argv)).ms);
  const m = (k: string): number => stat(t[k])?.median ?? NaN;
  return { ipNsMs: m('ipNsMs'), netnsExecMs: m('netnsExecMs'), nsenterIpMs: m('nsenterIpMs'), nsenterSysctlMs: m('nsenterSysctlMs'), mounts: readFileSync('/proc/self/mountinfo', 'utf8').split('\n').length - 1 };
}

/** Write the raw iproute2 baseline for size n into dir: batch files (not timed) and two create scripts. */
function writeRaw(n: number, dir: string): { create: string; createNoSysctl: string; del: string } {
  mkdirSync(dir, { recursive: true });
  const nodes = Array.from({ length: n }, (_, i) => i + 1);
  writeFileSync(join(dir, 'netns.txt'), [`netns add ${RAW}`, ...nodes.map((i) => `netns add ${RAW}.h${i}`)].join('\n') + '\n');
  writeFileSync(join(dir, 'veth.txt'), nodes.map((i) => `link add eth0 netns ${RAW}.h${i} type veth peer name h${i}-eth0 netns ${RAW}`).join('\n') + '\n');
  for (const i of nodes) {
    const cfg = ['link set lo up', `addr add ${ipv4Of(i)}/16 dev eth0`, 'link set eth0 up'];
    writeFileSync(join(dir, `h${i}.txt`), [`netns exec ${RAW}.h${i} sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0`, ...cfg].join('\n') + '\n');
    writeFileSync(join(dir, `h${i}.nosysctl.txt`), cfg.join('\n') + '\n');
  }
  writeFileSync(
    join(dir, 'fabric.txt'),
    ['link set lo up', 'link add sw type bridge', ...nodes.map((i) => `link set h${i}-eth0 master sw`), 'link set sw up', ...nodes.map((i) => `link set h${i}-eth0 up`)].join('\n') + '\n',
  );
  writeFileSync(join(dir, 'lo.txt'), 'link set lo up\n');
  writeFileSync(join(dir, 'del.txt'), [`netns del ${RAW}`, ...nodes.map((i) => `netns del ${RAW}.h${i}`)].join('\n') + '\n');
  const script = (suffix: string): string =>
    [
      '#!/bin/bash',
      `# Plain iproute2: ${n} namespaces on one bridge, the way a person would write it (cf. peers/mininet/ip_single.sh).`,
      '# Prints $EPOCHREALTIME (a bash builtin, no fork) after each stage.',
      'set -e',
      `D=${dir}`,
      'echo "start $EPOCHREALTIME"',
      'ip -batch $D/netns.txt',
      'echo "netns $EPOCHREALTIME"',
      'ip -batch $D/veth.txt',
      'echo "veth $EPOCHREALTIME"',
      `for i in $(seq 1 ${n}); do ip -n ${RAW}.h$i -batch $D/h$i${suffix}.txt; done`,
      'echo "nodes $EPOCHREALTIME"',
      `ip -n ${RAW} -batch $D/fabric.txt`,
      'echo "fabric $EPOCHREALTIME"',
      '',
    ].join('\n');
  writeFileSync(join(dir, 'create.sh'), script(''));
  writeFileSync(join(dir, 'create-nosysctl.sh'), script('.nosysctl'));
  return { create: join(dir, 'create.sh'), createNoSysctl: join(dir, 'create-nosysctl.sh'), del: join(dir, 'del.txt') };
}

const rawMine = (ns: string): boolean => ns === RAW || ns.startsWith(`${RAW}.`);

async function rawRep(n: number, script: string, del: string, probe = false): Promise<RawRep> {
  if (netnsList().some(rawMine)) {
    await timed(['ip', '-batch', del]);
    await settle(rawMine);
  }
  const m0 = mem();
  const up = await timed(['bash', script]);
  const m1 = mem();
  const rep: RawRep = { upMs: up.ms, phasesMs: {}, downMs: NaN, memPerNodeKb: (m0.avail - m1.avail) / n, kernelPerNodeKb: (m1.kernel - m0.kernel) / n, notForwarding: [], ping: { ok: false }, leftovers: [], settleMs: NaN };
  let last: number | undefined;
  for (const l of up.stdout.trim().split('\n')) {
    const [k, v] = l.split(' ');
    const t = Number(v) * 1000;
    if (last !== undefined) rep.phasesMs[k] = t - last;
    last = t;
  }
  if (up.code !== 0) rep.error = `bash ${script} exited ${up.code}: ${up.stderr.trim()}`;
  else {
    rep.notForwarding = await portsNotForwarding(RAW);
    rep.ping = await ping(`${RAW}.h1`, ipv4Of(n));
    if (probe) rep.probe = await probeNs(`${RAW}.h1`, join(dirname(script), 'lo.txt'));
  }
  const down = await timed(['ip', '-batch', del]);
  rep.downMs = down.ms;
  if (down.code !== 0) rep.error = `${rep.error ?? ''}\nip -batch ${del} exited ${down.code}: ${down.stderr.trim()}`.trim();
  rep.leftovers = netnsList().filter(rawMine);
  rep.settleMs = await settle(rawMine);
  return rep;
}

interface PlanShRep {
  upMs: number;
  downMs: number;
  leftovers: string[];
  settleMs: number;
  error?: string;
}

/** nslab's own commands (the output of `lab plan`) run by sh: what `lab up` costs without node. */
async function planShRep(n: number, planFile: string): Promise<PlanShRep> {
  const lab = `bench${n}`;
  const mine = labNs(lab);
  if (netnsList().some(mine)) await timed([NODE, CLI, 'down', lab]);
  const up = await timed(['sh', planFile]);
  const down = await timed([NODE, CLI, 'down', lab]); // finds the namespaces by prefix (no state file)
  const rep: PlanShRep = { upMs: up.ms, downMs: down.ms, leftovers: [], settleMs: NaN };
  if (up.code !== 0) rep.error = `sh ${planFile} exited ${up.code}: ${up.stderr.trim()}`;
  if (down.code !== 0) rep.error = `${rep.error ?? ''}\nlab down ${lab} exited ${down.code}: ${(down.stdout + down.stderr).trim()}`.trim();
  rep.leftovers = netnsList().filter(mine);
  if (existsSync(`/run/nslab/${lab}`)) rep.leftovers.push(`/run/nslab/${lab}`);
  rep.settleMs = await settle(mine);
  return rep;
}

interface MininetRep {
  upMs: number; // spawn → "up" line: python start, mininet import, build, start
  buildMs?: number;
  startMs?: number;
  downMs: number; // "stop" requested → process exit
  stopMs?: number; // net.stop() alone
  memPerNodeKb: number;
  kernelPerNodeKb: number;
  shellsRssKb?: number;
  shellsPssKb?: number;
  pyPeakRssKb?: number;
  ping: PingResult;
  leftovers: string[];
  settleMs: number;
  error?: string;
}

async function mininetCleanup(): Promise<string[]> {
  const found: string[] = [];
  for (const pid of mininetShells()) {
    found.push(`shell pid ${pid}`);
    try {
      process.kill(pid, 'SIGHUP');
    } catch {
      /* gone */
    }
  }
  for (const l of await rootLinks(MN_PREFIX)) {
    found.push(`link ${l}`);
    await timed(['ip', 'link', 'del', l]);
  }
  return found;
}

function mininetRep(n: number): Promise<MininetRep> {
  return new Promise((res) => {
    const rep: MininetRep = { upMs: NaN, downMs: NaN, memPerNodeKb: NaN, kernelPerNodeKb: NaN, ping: { ok: false }, leftovers: [], settleMs: NaN };
    const m0 = mem();
    const t0 = performance.now();
    const child = spawn(PY, [MN_SCRIPT, String(n)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let tStop = NaN;
    let tExit = NaN;
    let buf = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let ev: Record<string, number | string | boolean>;
        try {
          ev = JSON.parse(line) as typeof ev;
        } catch {
          continue;
        }
        if (ev.event === 'up') {
          rep.upMs = performance.now() - t0;
          const m1 = mem();
          rep.memPerNodeKb = (m0.avail - m1.avail) / n;
          rep.kernelPerNodeKb = (m1.kernel - m0.kernel) / n;
          rep.buildMs = Number(ev.build_s) * 1000;
          rep.startMs = Number(ev.start_s) * 1000;
          rep.shellsRssKb = Number(ev.shells_rss_kb);
          rep.shellsPssKb = Number(ev.shells_pss_kb);
          child.stdin!.write('\n');
        } else if (ev.event === 'ping') {
          rep.ping = { ok: ev.ok === true, rttMs: typeof ev.rtt_ms === 'number' ? ev.rtt_ms : undefined, out: ev.ok === true ? undefined : String(ev.out) };
          tStop = performance.now();
        } else if (ev.event === 'down') {
          rep.stopMs = Number(ev.stop_s) * 1000;
          rep.pyPeakRssKb = Number(ev.py_peak_rss_kb);
        }
      }
    });
    child.on('exit', () => {
      tExit = performance.now();
    });
    child.on('close', (code) => {
      void (async () => {
        rep.downMs = tExit - tStop;
        if (code !== 0) rep.error = `${PY} ${MN_SCRIPT} ${n} exited ${code}: ${err.trim()}`;
        rep.leftovers = await mininetCleanup();
        rep.settleMs = await settle(() => false);
        res(rep);
      })();
    });
  });
}

// ───────────────────────────── spawn cost and start-up

interface StartupCosts {
  bashTrueMs: number[]; // per /bin/true, bash loop
  nodeTrueMs: number[]; // per /bin/true, node spawn awaited one after another
  nodeEmptyMs: number[];
  labVersionMs: number[];
  labValidateMs: Record<number, number[]>;
  labPlanMs: Record<number, number[]>;
  pythonMininetImportMs: number[];
  ipBatchEmptyNsMs: number[]; // `ip -n NS -batch FILE` with one line, whole process
}

async function startupCosts(work: string, labFiles: Map<number, string>, reps: number, withMininet: boolean): Promise<StartupCosts> {
  const loops = join(work, 'true100.sh');
  const empty = join(work, 'empty.sh');
  writeFileSync(loops, 'for i in $(seq 1 100); do /bin/true; done\n');
  writeFileSync(empty, 'for i in $(seq 1 0); do /bin/true; done\n');
  const c: StartupCosts = { bashTrueMs: [], nodeTrueMs: [], nodeEmptyMs: [], labVersionMs: [], labValidateMs: {}, labPlanMs: {}, pythonMininetImportMs: [], ipBatchEmptyNsMs: [] };
  const nsFile = join(work, 'lo.txt');
  writeFileSync(nsFile, 'link set lo up\n');
  await must(['ip', 'netns', 'add', `${RAW}.probe`]);
  try {
    for (let r = 0; r < reps + 1; r++) {
      const warm = r === 0; // the first round only warms caches
      const a = await must(['bash', loops]);
      const b = await must(['bash', empty]);
      const t0 = performance.now();
      for (let i = 0; i < 100; i++) await must(['/bin/true']);
      const nodeTrue = (performance.now() - t0) / 100;
      const ne = await must([NODE, '-e', '']);
      const lv = await must([NODE, CLI, 'version']);
      const ipb = await must(['ip', '-n', `${RAW}.probe`, '-batch', nsFile]);
      const py = withMininet ? await must([PY, '-c', 'import mininet.net, mininet.nodelib']) : undefined;
      const val: Record<number, number> = {};
      const pl: Record<number, number> = {};
      for (const [n, f] of labFiles) {
        val[n] = (await must([NODE, CLI, 'validate', f])).ms;
        pl[n] = (await must([NODE, CLI, 'plan', f])).ms;
      }
      if (warm) continue;
      c.bashTrueMs.push((a.ms - b.ms) / 100);
      c.nodeTrueMs.push(nodeTrue);
      c.nodeEmptyMs.push(ne.ms);
      c.labVersionMs.push(lv.ms);
      c.ipBatchEmptyNsMs.push(ipb.ms);
      if (py) c.pythonMininetImportMs.push(py.ms);
      for (const n of labFiles.keys()) {
        (c.labValidateMs[n] ??= []).push(val[n]);
        (c.labPlanMs[n] ??= []).push(pl[n]);
      }
    }
  } finally {
    await timed(['ip', 'netns', 'del', `${RAW}.probe`]);
  }
  return c;
}

// ───────────────────────────── machine description

async function machine(): Promise<Record<string, string | number>> {
  const mn = await cmdOut(['dpkg-query', '-W', '-f', '${Version}', 'mininet']);
  const dirty = await cmdOut(['git', '-C', ROOT, 'status', '--porcelain', '--untracked-files=no']);
  return {
    ...machineBasics(),
    iproute2: await cmdOut(['ip', '-V']),
    bash: (await cmdOut(['bash', '--version'])).split('\n')[0],
    mininet: mn,
    python: await cmdOut([PY, '--version']),
    commit: await cmdOut(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD']),
    treeDirty: dirty ? dirty.split('\n').length : 0,
    loadavgStart: loadavgText(),
  };
}

// ───────────────────────────── main

interface SizeResult {
  n: number;
  nslab: NslabRep[];
  raw: RawRep[];
  rawNoSysctl: RawRep[];
  planSh: PlanShRep[];
  mininet: MininetRep[];
  loadavgAfter: string;
}

async function main(): Promise<void> {
  const opt = parseOptions(process.argv.slice(2));
  if (opt.from) {
    reportFrom(opt.from, 'bench/REPORT.md', report);
    return;
  }
  mustBeReady('namespaces');
  const withMininet = !opt.skipMininet && opt.sizes.some((n) => n <= opt.mininetMax);
  if (withMininet && !existsSync(PY)) throw new Error(`${PY} is missing (apt-get install mininet)`);
  const leftRaw = netnsList().filter(rawMine);
  if (leftRaw.length) throw new Error(`leftover raw-baseline namespaces from an earlier run: ${leftRaw.join(' ')} (ip netns del them)`);
  const leftMn = [...mininetShells(), ...(await rootLinks(MN_PREFIX))];
  if (leftMn.length) throw new Error(`leftover Mininet objects from an earlier run: ${leftMn.join(' ')}`);

  const tStart = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'nslab-bench-'));
  const log = progressLog(tStart);
  const mach = await machine();
  log(`machine: ${mach.nproc} CPUs, kernel ${mach.kernel}, node ${mach.node}; reps ${opt.reps}, sizes ${opt.sizes.join(',')}, mininet ${withMininet ? `up to N=${opt.mininetMax}` : 'skipped'}`);

  // inputs (not timed)
  const labFiles = new Map<number, string>();
  const raws = new Map<number, ReturnType<typeof writeRaw>>();
  const plans = new Map<number, string>();
  const nWarm = Math.min(opt.sizes[0], 10);
  for (const n of new Set([nWarm, ...opt.sizes])) {
    const d = join(work, `n${n}`);
    mkdirSync(d, { recursive: true });
    const f = join(d, 'lab.yaml');
    writeFileSync(f, labYaml(n));
    labFiles.set(n, f);
    raws.set(n, writeRaw(n, join(d, 'raw')));
    const p = join(d, 'plan.sh');
    writeFileSync(p, (await must([NODE, CLI, 'plan', f])).stdout);
    plans.set(n, p);
  }

  log('start-up and spawn costs');
  const startup = await startupCosts(work, new Map(opt.sizes.map((n) => [n, labFiles.get(n)!])), opt.reps, withMininet);

  // warm-up: one untimed round of every tool at a small size (page cache, node's compile cache)
  log(`warm-up at N=${nWarm}`);
  await nslabRep(nWarm, labFiles.get(nWarm)!, work);
  await rawRep(nWarm, raws.get(nWarm)!.create, raws.get(nWarm)!.del);
  await planShRep(nWarm, plans.get(nWarm)!);
  if (withMininet) await mininetRep(nWarm);

  const sizes: SizeResult[] = [];
  for (const n of opt.sizes) {
    const s: SizeResult = { n, nslab: [], raw: [], rawNoSysctl: [], planSh: [], mininet: [], loadavgAfter: '' };
    const mn = withMininet && n <= opt.mininetMax;
    for (let r = 1; r <= opt.reps; r++) {
      const a = await nslabRep(n, labFiles.get(n)!, work);
      s.nslab.push(a);
      log(`N=${n} rep ${r} nslab up ${a.upMs.toFixed(0)} ms (self ${a.upSelfMs ?? '?'}), down ${a.downMs.toFixed(0)} ms, ping ${a.ping.ok ? 'ok' : 'FAILED'}${a.error ? `\n${a.error}` : ''}`);
      const b = await rawRep(n, raws.get(n)!.create, raws.get(n)!.del, true);
      s.raw.push(b);
      log(`N=${n} rep ${r} raw up ${b.upMs.toFixed(0)} ms, down ${b.downMs.toFixed(0)} ms${b.error ? `\n${b.error}` : ''}`);
      const c = await rawRep(n, raws.get(n)!.createNoSysctl, raws.get(n)!.del);
      s.rawNoSysctl.push(c);
      log(`N=${n} rep ${r} raw (no sysctl) up ${c.upMs.toFixed(0)} ms${c.error ? `\n${c.error}` : ''}`);
      const d = await planShRep(n, plans.get(n)!);
      s.planSh.push(d);
      log(`N=${n} rep ${r} lab plan | sh up ${d.upMs.toFixed(0)} ms${d.error ? `\n${d.error}` : ''}`);
      if (mn) {
        const e = await mininetRep(n);
        s.mininet.push(e);
        log(`N=${n} rep ${r} mininet up ${e.upMs.toFixed(0)} ms, down ${e.downMs.toFixed(0)} ms${e.error ? `\n${e.error}` : ''}`);
      }
    }
    s.loadavgAfter = loadavgText();
    sizes.push(s);
  }
  const totalS = (performance.now() - tStart) / 1000;
  rmSync(work, { recursive: true, force: true });

  const result = { machine: mach, options: opt, totalSeconds: totalS, startup, sizes };
  writeResults(result, '', log, opt.report, 'bench/REPORT.md', report);
}

// ───────────────────────────── report

interface Result {
  machine: Record<string, string | number>;
  options: Options;
  totalSeconds: number;
  startup: StartupCosts;
  sizes: SizeResult[];
}

function report(r: Result, jsonRel: string): string {
  const m = r.machine;
  const L: string[] = [];
  const sz = (n: number): SizeResult | undefined => r.sizes.find((s) => s.n === n);
  const med = (xs: readonly (number | undefined)[]): number | undefined => stat(xs)?.median;
  L.push('# nslab benchmark', '');
  L.push(`Generated by \`node bench/run.ts\` (${r.options.reps} reps, sizes ${r.options.sizes.join(', ')}${r.options.skipMininet ? ', Mininet skipped' : `, Mininet up to N=${r.options.mininetMax}`}) in ${r.totalSeconds.toFixed(0)} s. Raw data: \`${jsonRel}\` (not committed).`, '');
  L.push('## Machine', '');
  L.push('| | |', '|---|---|');
  L.push(`| date | ${m.date} |`, `| CPUs (nproc) | ${m.nproc} × ${m.cpu} |`, `| memory | ${m.memTotalMiB} MiB |`, `| kernel | ${m.kernel} |`, `| Node | ${m.node} |`);
  L.push(`| iproute2 | ${m.iproute2} |`, `| bash | ${m.bash} |`, `| Mininet | ${m.mininet} (${m.python}) |`, `| nslab commit | ${m.commit}${m.treeDirty ? ` (+${m.treeDirty} modified tracked files in the work tree)` : ''} |`);
  L.push(`| load average | ${m.loadavgStart} at start; after each size: ${r.sizes.map((s) => `N=${s.n}: ${s.loadavgAfter}`).join('; ')} |`, '');

  L.push('## Method', '');
  L.push(
    'Topology for size N: N network namespaces h1..hN, each with `eth0` (a veth) on one Linux bridge `sw` that lives in a fabric namespace; IPv4 addresses from 10.251.0.0/16 (one /16 holds 1000 hosts); forwarding set to 0 explicitly on every node. No tests, no daemons.',
    '',
    '- **nslab**: a generated lab file (`bridges: {sw: {}}`, links `[hI:eth0, sw]`, `addressing: {ipv4: {pool: 10.251.0.0/16, prefix: 16}}`). Timed: `node dist/runner/cli/main.js up FILE --quiet` and `… down bench<N>` as whole processes spawned by the bench (node start-up included: that is what a user waits for). `up` runs under `/usr/bin/time -f %M` for its peak RSS (adds one fork+exec, ~1 ms). "self" is the time `lab up` prints itself (from the start of its command function, so without node start-up and module loading).',
    '- **raw ip -batch**: a bash script (`bash FILE`) doing what a person would write: one `ip -batch` with all `netns add` (fabric + N), one `ip -batch` with all `link add eth0 netns hI type veth peer name hI-eth0 netns FABRIC`, then a `for` loop running one `ip -n hI -batch` per namespace, one after another (`netns exec … sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0`, `link set lo up`, `addr add`, `link set eth0 up`), then one `ip -n FABRIC -batch` (lo up, `link add sw type bridge`, every port `master sw`, bridge up, ports up). Batch files are generated before the timer starts, as in `peers/mininet/ip_single.sh`. "raw, no sysctl" is the same without the sysctl line. Teardown: `ip -batch` of `netns del` (fabric first).',
    '- **lab plan | sh**: the exact commands `lab up` runs (the output of `lab plan`, which runs per-namespace batches 4 at a time through one `xargs -P 4 -L 1 nsenter` as `nsenter --net=… ip -batch FILE`, and a forwarding sysctl only on nodes that need another value than they inherit from the host), run by `sh`: nslab\'s kernel and iproute2 work without node (sh also runs one `cat` per namespace to write its batch file). Teardown by `lab down` (no state file: by prefix).',
    '- **Mininet** (Debian package, `/usr/bin/python3`): `Mininet(topo=single switch, N hosts, switch=LinuxBridge, controller=None)` + `net.start()`, then `net.stop()` (`bench/mininet_single.py`). "up" is from spawning python to the moment it reports the network started (python start-up and `import mininet` included, like node\'s for nslab); "down" from asking it to stop to the process\'s exit. In-process build+start and stop times are shown too. Only up to N=' + r.options.mininetMax + '. Never `mn -c`; leftovers would be removed by PID.',
    '- Reps interleaved per size: nslab, raw, raw without sysctl, plan|sh, Mininet, then again; one untimed warm-up round first. After every teardown the bench waits until the namespaces are gone and the kernel\'s netns cleanup worker (`kworker/…-netns`) has been idle for 60 ms, then 0.5 s more ("settle").',
    '- Memory per node: drop of `MemAvailable` (/proc/meminfo) from before to after up, divided by N (kernel objects, nslab\'s batch files on tmpfs; for Mininet also its python process and one bash per node, measured while they run), and, less noisy, the growth of Slab + Percpu + VmallocUsed + KernelStack + PageTables + Shmem divided by N. Slab pages freed by one teardown are reused by the next build, so later reps at a size read lower than the first (usually the max).',
    '- Sanity (untimed): after up, h1 pings hN once (`ping -c1 -W2`); after every teardown nothing of the run is left (namespaces, nslab\'s /run/nslab/<lab>, Mininet links and shells).',
    '- Times are milliseconds, **median (min–max)** over the reps.',
    '',
  );

  L.push('## Start-up and spawn costs on this machine', '');
  const su = r.startup;
  L.push('| what | ms, median (min–max) |', '|---|---|');
  L.push(`| fork+exec of /bin/true from bash (100 in a loop, per process) | ${s3(stat(su.bashTrueMs), 2)} |`);
  L.push(`| spawn of /bin/true from node (child_process.spawn, awaited, per process) | ${s3(stat(su.nodeTrueMs), 2)} |`);
  L.push(`| \`ip -n NS -batch FILE\` with one line, whole process | ${s3(stat(su.ipBatchEmptyNsMs), 1)} |`);
  L.push(`| \`node -e ''\` | ${s3(stat(su.nodeEmptyMs))} |`);
  L.push(`| \`lab version\` (node + CLI entry) | ${s3(stat(su.labVersionMs))} |`);
  for (const n of Object.keys(su.labValidateMs).map(Number)) L.push(`| \`lab validate\` N=${n} (load, schema, resolve) | ${s3(stat(su.labValidateMs[n]))} |`);
  for (const n of Object.keys(su.labPlanMs).map(Number)) L.push(`| \`lab plan\` N=${n} (load, compile, print) | ${s3(stat(su.labPlanMs[n]))} |`);
  if (su.pythonMininetImportMs.length) L.push(`| \`/usr/bin/python3 -c 'import mininet.net, mininet.nodelib'\` | ${s3(stat(su.pythonMininetImportMs))} |`);
  L.push('');

  L.push('## Up (create), ms', '');
  L.push('| N | nslab `lab up` | nslab self-reported | lab plan \\| sh | raw ip -batch | raw, no sysctl | Mininet (whole process) | Mininet build+start (in-process) |', '|---|---|---|---|---|---|---|---|');
  for (const s of r.sizes) {
    L.push(
      `| ${s.n} | ${s3(stat(s.nslab.map((x) => x.upMs)))} | ${s3(stat(s.nslab.map((x) => x.upSelfMs)))} | ${s3(stat(s.planSh.map((x) => x.upMs)))} | ${s3(stat(s.raw.map((x) => x.upMs)))} | ${s3(stat(s.rawNoSysctl.map((x) => x.upMs)))} | ${s3(stat(s.mininet.map((x) => x.upMs)))} | ${s3(stat(s.mininet.map((x) => (x.buildMs ?? NaN) + (x.startMs ?? NaN))))} |`,
    );
  }
  L.push('');
  L.push('Raw script by stage (ms, median): `netns add` batch / `link add … veth` batch / per-namespace batches (N `ip` processes, sequential) / fabric batch.', '');
  L.push('| N | variant | netns | veth | per-namespace batches | per namespace | fabric |', '|---|---|---|---|---|---|---|');
  for (const s of r.sizes) {
    for (const [name, reps] of [
      ['with sysctl', s.raw],
      ['no sysctl', s.rawNoSysctl],
    ] as const) {
      const p = (k: string): number | undefined => med(reps.map((x) => x.phasesMs[k]));
      L.push(`| ${s.n} | ${name} | ${ms(p('netns'))} | ${ms(p('veth'))} | ${ms(p('nodes'))} | ${ms((p('nodes') ?? NaN) / s.n, 2)} | ${ms(p('fabric'))} |`);
    }
  }
  L.push('');

  L.push(
    'Entering a namespace while the raw topology is up (untimed probe; ms, median over reps of a median of 5; whole processes). iproute2 (`ip -n`, `ip netns exec`) also unshares the mount namespace and remounts /sys on every entry, and the mount table holds one bind mount per named namespace; `nsenter --net=` only switches the network namespace (/proc/sys/net follows the network namespace, so sysctl works the same).',
    '',
  );
  L.push('| N | mounts | `ip -n NS -batch` (1 line) | `nsenter --net=… ip -batch` (same line) | `ip netns exec NS sysctl -qw …` | `nsenter --net=… sysctl -qw …` |', '|---|---|---|---|---|---|');
  for (const s of r.sizes) {
    const pr = s.raw.map((x) => x.probe).filter((x) => x !== undefined);
    const p = (k: keyof Probe, d = 1): string => ms(med(pr.map((x) => x[k])), d);
    L.push(`| ${s.n} | ${p('mounts', 0)} | ${p('ipNsMs')} | ${p('nsenterIpMs')} | ${p('netnsExecMs')} | ${p('nsenterSysctlMs')} |`);
  }
  L.push('');

  L.push('## Down (delete), ms', '');
  L.push('| N | nslab `lab down` | nslab self-reported | raw `ip -batch` netns del | Mininet (whole process, from stop request) | Mininet net.stop() | settle after nslab down | settle after raw |', '|---|---|---|---|---|---|---|---|');
  for (const s of r.sizes) {
    L.push(
      `| ${s.n} | ${s3(stat(s.nslab.map((x) => x.downMs)))} | ${s3(stat(s.nslab.map((x) => x.downSelfMs)))} | ${s3(stat(s.raw.map((x) => x.downMs)))} | ${s3(stat(s.mininet.map((x) => x.downMs)))} | ${s3(stat(s.mininet.map((x) => x.stopMs)))} | ${s3(stat(s.nslab.map((x) => x.settleMs)))} | ${s3(stat(s.raw.map((x) => x.settleMs)))} |`,
    );
  }
  L.push('', 'Settle = after the teardown command returned, until the namespaces are gone and the kernel netns worker is idle (the kernel frees namespaces asynchronously). Not part of the down time.', '');

  L.push('## Memory', '');
  L.push(
    'Per node, KiB: the drop of MemAvailable divided by N (as asked; it moves with every other process on this shared machine, so at small N it is mostly noise), and the growth of kernel-side memory (Slab + Percpu + VmallocUsed + KernelStack + PageTables + Shmem from /proc/meminfo) divided by N, which is what the namespaces, devices and tmpfs files actually hold.',
    '',
  );
  L.push('| N | nslab MemAvailable drop | nslab kernel | raw MemAvailable drop | raw kernel | Mininet MemAvailable drop | Mininet kernel | `lab up` peak RSS MiB | Mininet python peak RSS MiB | Mininet shells RSS / PSS MiB (all nodes) |', '|---|---|---|---|---|---|---|---|---|---|');
  for (const s of r.sizes) {
    const mn = s.mininet;
    L.push(
      `| ${s.n} | ${s3(stat(s.nslab.map((x) => x.memPerNodeKb)))} | ${s3(stat(s.nslab.map((x) => x.kernelPerNodeKb)))} | ${s3(stat(s.raw.map((x) => x.memPerNodeKb)))} | ${s3(stat(s.raw.map((x) => x.kernelPerNodeKb)))} | ${s3(stat(mn.map((x) => x.memPerNodeKb)))} | ${s3(stat(mn.map((x) => x.kernelPerNodeKb)))} | ${s3(stat(s.nslab.map((x) => x.peakRssKb)), 1, 1 / 1024)} | ${s3(stat(mn.map((x) => x.pyPeakRssKb)), 1, 1 / 1024)} | ${mn.length ? `${ms((med(mn.map((x) => x.shellsRssKb)) ?? NaN) / 1024, 1)} / ${ms((med(mn.map((x) => x.shellsPssKb)) ?? NaN) / 1024, 1)}` : '–'} |`,
    );
  }
  L.push('');

  L.push('## Sanity', '');
  const problems: string[] = [];
  for (const s of r.sizes) {
    const all: [string, { ping?: PingResult; leftovers: string[]; error?: string }[]][] = [
      ['nslab', s.nslab],
      ['raw', s.raw],
      ['raw, no sysctl', s.rawNoSysctl],
      ['lab plan | sh', s.planSh],
      ['Mininet', s.mininet],
    ];
    for (const [name, reps] of all) {
      reps.forEach((x, i) => {
        if (x.error) problems.push(`N=${s.n} ${name} rep ${i + 1}: error: ${x.error.replace(/\n/g, ' ⏎ ')}`);
        if (x.ping && !x.ping.ok) problems.push(`N=${s.n} ${name} rep ${i + 1}: h1 → hN ping failed${x.ping.out ? `: ${x.ping.out.replace(/\n/g, ' ⏎ ')}` : ''}${x.ping.retryOk === undefined ? '' : x.ping.retryOk ? ' (a second ping right after got an answer)' : ' (a second ping failed too)'}`);
        if (x.leftovers.length) problems.push(`N=${s.n} ${name} rep ${i + 1}: left after teardown: ${x.leftovers.join(', ')}`);
      });
    }
  }
  L.push('| N | h1 → hN ping ok (nslab / raw / Mininet) | first-ping RTT ms, median (nslab / raw / Mininet) | bridge ports not forwarding right after up (nslab / raw), per rep |', '|---|---|---|---|');
  for (const s of r.sizes) {
    const ok = (xs: { ping: PingResult }[]): string => (xs.length ? `${xs.filter((x) => x.ping.ok).length}/${xs.length}` : '–');
    const rtt = (xs: { ping: PingResult }[]): string => ms(med(xs.map((x) => x.ping.rttMs)), 1);
    const nf = (xs: { notForwarding: string[] }[]): string => xs.map((x) => (x.notForwarding.length ? x.notForwarding.slice(0, 3).join(', ') + (x.notForwarding.length > 3 ? ` +${x.notForwarding.length - 3}` : '') : 'none')).join('; ');
    L.push(`| ${s.n} | ${ok(s.nslab)} / ${ok([...s.raw, ...s.rawNoSysctl])} / ${ok(s.mininet)} | ${rtt(s.nslab)} / ${rtt([...s.raw, ...s.rawNoSysctl])} / ${rtt(s.mininet)} | ${nf(s.nslab)} / ${nf([...s.raw, ...s.rawNoSysctl])} |`);
  }
  const late = r.sizes.flatMap((s) => [...s.nslab, ...s.raw, ...s.rawNoSysctl]).filter((x) => x.notForwarding.length).length;
  const runs = r.sizes.flatMap((s) => [...s.nslab, ...s.raw, ...s.rawNoSysctl]).length;
  if (late) {
    L.push(
      '',
      `In ${late} of ${runs} nslab/raw runs a bridge port was not yet forwarding when up returned (listed above). Almost always it is h1-eth0, shown as NO-CARRIER and \`disabled\` although its peer is up: it is the one port whose ifindex equals its peer's (both are 2, the first device after lo in their namespaces). The kernel's linkwatch treats a carrier change on a device whose ifindex equals its iflink as non-urgent (net/core/link_watch.c, linkwatch_urgent_event) and applies it up to a second later; the bridge keeps the port disabled until then. So the first ARP request from h1 is dropped and the first ping is answered after the ARP retry (≈1 s RTT). At N=1000 tens to hundreds more ports (the last ones brought up) are still disabled when up returns, as linkwatch works through a bounded number of devices per run, and the ping can fail within -W2 twice in a row. Mininet does not show it: its veths are up long before its bridge is started.`,
    );
  }
  L.push('', problems.length ? `Problems:\n\n${problems.map((p) => `- ${p}`).join('\n')}` : 'Every teardown left nothing behind, and every run reported no error.', '');

  L.push('## Ratios by size (medians)', '');
  L.push('| N | nslab up ÷ raw up | nslab up ÷ raw up (no sysctl) | nslab up ÷ lab plan\\|sh | Mininet up ÷ nslab up | nslab down ÷ raw down | Mininet down ÷ nslab down |', '|---|---|---|---|---|---|---|');
  for (const s of r.sizes) {
    const q = (a: number | undefined, b: number | undefined): string => ms((a ?? NaN) / (b ?? NaN), 2);
    const up = med(s.nslab.map((x) => x.upMs));
    const down = med(s.nslab.map((x) => x.downMs));
    L.push(
      `| ${s.n} | ${q(up, med(s.raw.map((x) => x.upMs)))} | ${q(up, med(s.rawNoSysctl.map((x) => x.upMs)))} | ${q(up, med(s.planSh.map((x) => x.upMs)))} | ${q(med(s.mininet.map((x) => x.upMs)), up)} | ${q(down, med(s.raw.map((x) => x.downMs)))} | ${q(med(s.mininet.map((x) => x.downMs)), down)} |`,
    );
  }
  L.push('');

  L.push('## Targets', '');
  L.push('| target | measured | |', '|---|---|---|');
  const target = (label: string, value: number | undefined, fmt: (v: number) => string, ok: (v: number) => boolean, missingWhy: string): void => {
    if (value === undefined || !Number.isFinite(value)) L.push(`| ${label} | not measured (${missingWhy}) | – |`);
    else L.push(`| ${label} | ${fmt(value)} | ${ok(value) ? '**met**' : '**missed**'} |`);
  };
  const s100 = sz(100);
  const s1000 = sz(1000);
  const nsUp100 = s100 && med(s100.nslab.map((x) => x.upMs));
  const rawUp100 = s100 && med(s100.raw.map((x) => x.upMs));
  const rawNs100 = s100 && med(s100.rawNoSysctl.map((x) => x.upMs));
  const mnUp100 = s100 && med(s100.mininet.map((x) => x.upMs));
  const mnIn100 = s100 && med(s100.mininet.map((x) => (x.buildMs ?? NaN) + (x.startMs ?? NaN)));
  // nslab sets a forwarding sysctl only where a node needs another value than a new namespace inherits; where the
  // host's ip_forward is 0, no node here needs one, so the raw script that builds the same state has no sysctl line
  const inherits0 = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() === '0';
  const fairRaw = inherits0 ? rawNs100 : rawUp100;
  target(
    'nslab up ÷ raw up (the raw variant that builds the same state) at N=100 ≤ 1.3',
    nsUp100 !== undefined && fairRaw !== undefined ? nsUp100 / fairRaw : undefined,
    (v) => `${v.toFixed(2)} (${ms(nsUp100)} / ${ms(fairRaw)} ms, raw ${inherits0 ? 'without' : 'with'} the sysctl line, as this host's ip_forward is ${inherits0 ? 0 : 1}; vs the other raw variant: ${ms((nsUp100 ?? NaN) / ((inherits0 ? rawUp100 : rawNs100) ?? NaN), 2)})`,
    (v) => v <= 1.3,
    'N=100 not run',
  );
  target('Mininet up ÷ nslab up at N=100 ≥ 5', mnUp100 !== undefined && nsUp100 !== undefined ? mnUp100 / nsUp100 : undefined, (v) => `${v.toFixed(2)} (${ms(mnUp100)} / ${ms(nsUp100)} ms, whole processes; Mininet in-process build+start only: ${ms((mnIn100 ?? NaN) / (nsUp100 ?? NaN), 2)})`, (v) => v >= 5, 'Mininet not run at N=100');
  const down100 = s100 && med(s100.nslab.map((x) => x.downMs));
  target('nslab down at N=100 ≤ 0.2 s', down100, (v) => `${(v / 1000).toFixed(3)} s`, (v) => v <= 200, 'N=100 not run');
  const up1000 = s1000 && med(s1000.nslab.map((x) => x.upMs));
  target('nslab up at N=1000 ≤ 5 s', up1000, (v) => `${(v / 1000).toFixed(2)} s`, (v) => v <= 5000, 'N=1000 not run');
  L.push('');

  L.push('## What dominates', '');
  L.push(...dominates(r).map((p) => `${p}\n`));
  return L.join('\n');
}

/** The "what dominates" paragraphs, from the numbers of this run. */
function dominates(r: Result): string[] {
  const su = r.startup;
  const out: string[] = [];
  const nodeE = med(su.nodeEmptyMs);
  const ver = med(su.labVersionMs);
  const bashT = med(su.bashTrueMs);
  const nodeT = med(su.nodeTrueMs);
  const ipb = med(su.ipBatchEmptyNsMs);
  out.push(
    `**Process start-up.** On this ${r.machine.nproc}-CPU VM a fork+exec of /bin/true costs ${bashT.toFixed(2)} ms from bash and ${nodeT.toFixed(2)} ms from node; an \`ip -n NS -batch\` of one line costs ${ipb.toFixed(1)} ms as a whole process. Starting node costs ${nodeE.toFixed(0)} ms (\`node -e ''\`), the lab CLI entry ${ver.toFixed(0)} ms (\`lab version\`).`,
  );
  for (const s of r.sizes) {
    const up = med(s.nslab.map((x) => x.upMs));
    const self = med(s.nslab.map((x) => x.upSelfMs));
    const sh = med(s.planSh.map((x) => x.upMs));
    const raw = med(s.raw.map((x) => x.upMs));
    const rawNo = med(s.rawNoSysctl.map((x) => x.upMs));
    const val = med(su.labValidateMs[s.n] ?? []);
    const p = (k: string): number => med(s.raw.map((x) => x.phasesMs[k]));
    const sysctlPer = (raw - rawNo) / s.n;
    const parts = [
      `**N=${s.n}.** \`lab up\` takes ${up.toFixed(0)} ms: ${(up - self).toFixed(0)} ms before its command function starts (node start-up and module loading), ${self.toFixed(0)} ms inside it.`,
      up >= sh
        ? `Its own commands run by sh (\`lab plan | sh\`) take ${sh.toFixed(0)} ms, so node adds ${(up - sh).toFixed(0)} ms (${((100 * (up - sh)) / up).toFixed(0)} %) over them (\`lab validate\` alone, i.e. start-up and loading the file, is ${val.toFixed(0)} ms).`
        : `Its own commands run by sh (\`lab plan | sh\`) take ${sh.toFixed(0)} ms, ${(sh - up).toFixed(0)} ms more than \`lab up\` itself (sh also forks a \`cat\` per namespace to write the batch files, which node writes itself), so node's own cost (\`lab validate\` alone is ${val.toFixed(0)} ms) is lost in the kernel and iproute2 work.`,
      `The raw script takes ${raw.toFixed(0)} ms: ${p('netns').toFixed(0)} ms \`netns add\`, ${p('veth').toFixed(0)} ms veths, ${p('nodes').toFixed(0)} ms for the ${s.n} per-namespace batches (${(p('nodes') / s.n).toFixed(2)} ms each, of which the \`netns exec … sysctl\` line is ${sysctlPer.toFixed(2)} ms: without it the script takes ${rawNo.toFixed(0)} ms), ${p('fabric').toFixed(0)} ms for the bridge batch.`,
    ];
    const mnUp = med(s.mininet.map((x) => x.upMs));
    if (Number.isFinite(mnUp)) {
      const b = med(s.mininet.map((x) => x.buildMs));
      const st = med(s.mininet.map((x) => x.startMs));
      parts.push(`Mininet needs ${mnUp.toFixed(0)} ms (${b.toFixed(0)} ms building: it starts a bash shell per node and configures every interface with commands run one after another; ${st.toFixed(0)} ms starting the bridge with brctl), and ${med(s.mininet.map((x) => x.downMs)).toFixed(0)} ms to stop.`);
    }
    out.push(parts.join(' '));
  }
  const first = r.sizes[0];
  const last = r.sizes[r.sizes.length - 1];
  if (first && last && first !== last) {
    const per = (x: SizeResult, reps: RawRep[]): number => med(reps.map((y) => y.phasesMs.nodes)) / x.n;
    const pr = (x: SizeResult, k: keyof Probe): number => med(x.raw.map((y) => y.probe?.[k]));
    const upPer = (x: SizeResult): number => med(x.nslab.map((y) => y.upMs)) / x.n;
    out.push(
      `**Growth with N.** One per-namespace batch costs ${per(first, first.raw).toFixed(2)} ms at N=${first.n} and ${per(last, last.raw).toFixed(2)} ms at N=${last.n} (without the sysctl line ${per(first, first.rawNoSysctl).toFixed(2)} → ${per(last, last.rawNoSysctl).toFixed(2)} ms); entering a namespace alone costs ${pr(first, 'ipNsMs').toFixed(1)} → ${pr(last, 'ipNsMs').toFixed(1)} ms (\`ip -n … -batch\`) and ${pr(first, 'netnsExecMs').toFixed(1)} → ${pr(last, 'netnsExecMs').toFixed(1)} ms (\`ip netns exec … sysctl\`), with ${pr(first, 'mounts').toFixed(0)} → ${pr(last, 'mounts').toFixed(0)} mounts; the same through \`nsenter --net=\`, which leaves the mount namespace alone, costs ${pr(first, 'nsenterIpMs').toFixed(1)} → ${pr(last, 'nsenterIpMs').toFixed(1)} ms and ${pr(first, 'nsenterSysctlMs').toFixed(1)} → ${pr(last, 'nsenterSysctlMs').toFixed(1)} ms. ${per(last, last.raw) > 1.2 * per(first, first.raw) ? 'The per-node work grows with the number of namespaces that exist' : 'The per-node work stays about constant'}; \`lab up\` costs ${upPer(first).toFixed(1)} ms per node at N=${first.n} and ${upPer(last).toFixed(1)} ms at N=${last.n} (node's fixed start-up spread over more nodes).${
        pr(last, 'ipNsMs') > 1.5 * pr(last, 'nsenterIpMs')
          ? ` At N=${last.n} most of the cost of entering a namespace is iproute2's mount-namespace switch (${pr(last, 'ipNsMs').toFixed(1)} ms with \`ip -n\` against ${pr(last, 'nsenterIpMs').toFixed(1)} ms with \`nsenter --net=\`), and every batch with the sysctl line pays it twice (\`ip -n\`, then \`netns exec\`).`
          : ''
      }`,
    );
    // the one-paragraph summary, first
    const s0 = r.sizes.find((x) => x.n === 100) ?? first;
    const fixed = med(s0.nslab.map((y) => y.upMs)) - med(s0.nslab.map((y) => y.upSelfMs));
    out.unshift(
      `**In short.** For small labs the gap to the raw script is mostly fixed cost: at N=${s0.n} \`lab up\` takes ${med(s0.nslab.map((y) => y.upMs)).toFixed(0)} ms against ${med(s0.raw.map((y) => y.upMs)).toFixed(0)} ms for the raw script, and ${fixed.toFixed(0)} ms of it pass before its command function even starts (node start-up and module loading; \`lab validate\`, which also loads the file, takes ${med(su.labValidateMs[s0.n] ?? []).toFixed(0)} ms in all). For large labs the per-namespace batches dominate (${med(last.raw.map((y) => y.phasesMs.nodes)).toFixed(0)} of ${med(last.raw.map((y) => y.upMs)).toFixed(0)} ms of the raw script at N=${last.n}): each is one process that enters its namespace, and the cost of entering grows with the number of named namespaces; the explicit forwarding sysctl (a second entry plus an exec of sysctl) is ${((100 * (med(last.raw.map((y) => y.upMs)) - med(last.rawNoSysctl.map((y) => y.upMs)))) / med(last.raw.map((y) => y.upMs))).toFixed(0)} % of the raw script at N=${last.n}. Process spawn itself is cheap here (${bashT.toFixed(2)} ms from bash, ${nodeT.toFixed(2)} ms from node).`,
    );
  }
  return out;
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
