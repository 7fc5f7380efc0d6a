/**
 * The conntrack SNAT race, measured (issue 14.4). The lab labs/conntrack-snat-race — eight pods on one node, one
 * server outside the cluster, the bridge plugin's MASQUERADE — is brought up twice: as it is (MASQUERADE without
 * --random-fully) and with `masquerade-random-fully: true`. In each, REPS repetitions of a storm: every pod opens
 * COUNT TCP connections to the server at the same moment (`lab agent storm`, all pods starting at one wall-clock
 * time), from the same fixed source ports in every pod (SPORT: base + i; each repetition its own range) — the worst
 * case for the masquerade, which must remap all but one of each port at once. Around each storm: node-1's
 * `conntrack -S` (summed over the CPUs: insert_failed, drop, clash_resolve, found, …), before and after; node-1's
 * conntrack table flushed before it. The clients report connected, slow (≥ 900 ms: a SYN was lost and sent again),
 * timed out, reset, refused. Median (min–max) over the repetitions, per mode; the report goes to
 * bench/REPORT-snat-race.md. Root; only its own lab (name: --name, default tw-snat-race-bench) is touched.
 *
 * `--udp`: one UDP datagram per socket instead (to srv port 9; nothing answers, node-1's conntrack is what counts:
 * UDP clashes are the kind the kernel may resolve, clash_resolve), report bench/REPORT-snat-race-udp.md.
 *
 *   node bench/snat-race.ts [--reps N] [--count N] [--ephemeral] [--udp] [--name LAB]      (npm run bench:snat-race)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, eachArg, loadavgText, machineBasics, must, NODE, progressLog, ROOT, s3, stat, timed, writeResults } from './common.ts';

const USAGE = 'usage: node bench/snat-race.ts [--reps N] [--count N] [--ephemeral] [--udp] [--name LAB]\n';
let reps = 5;
let count = 500;
let ephemeral = false;
let udp = false;
let name = 'tw-snat-race-bench';
eachArg(process.argv.slice(2), USAGE, (a, val) => {
  if (a === '--reps') reps = Number(val());
  else if (a === '--count') count = Number(val());
  else if (a === '--ephemeral') ephemeral = true;
  else if (a === '--udp') udp = true;
  else if (a === '--name') name = val();
  else return false;
  return true;
});

const PODS = 8;
const COUNTERS = ['insert_failed', 'drop', 'clash_resolve', 'found', 'insert', 'invalid', 'early_drop', 'error', 'search_restart'] as const;
type Counter = (typeof COUNTERS)[number];
const CLIENT = ['ok', 'slow', 'timeouts', 'resets', 'refused', 'other'] as const;
type ClientField = (typeof CLIENT)[number];

interface Rep {
  readonly kernel: Record<Counter, number>;
  /** TcpExt TCPSynRetrans summed over the pods' namespaces: SYNs sent again because the first got no answer. */
  readonly synRetrans: number;
  /** srv's TcpExt ListenDrops: SYNs the server itself dropped (a full accept queue), not the masquerade. */
  readonly serverListenDrops: number;
  readonly clients: Record<ClientField, number>;
  readonly medianConnectMs: number;
}
interface Mode {
  readonly mode: 'plain' | 'random-fully';
  readonly masquerade: string;
  readonly reps: Rep[];
}
interface Result {
  readonly machine: ReturnType<typeof machineBasics>;
  readonly loadavg: string;
  readonly pods: number;
  readonly count: number;
  readonly ephemeral: boolean;
  readonly udp?: boolean;
  readonly modes: Mode[];
}

/** `conntrack -S` summed over the CPUs. */
export function conntrackStats(text: string): Record<Counter, number> {
  const out = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>;
  for (const line of text.split('\n')) {
    for (const c of COUNTERS) {
      const m = new RegExp(`(?:^|\\s)${c}=(\\d+)`).exec(line);
      if (m) out[c] += Number(m[1]);
    }
  }
  return out;
}

const inNs = (node: string, argv: string[]): string[] => ['ip', 'netns', 'exec', `nsl.${name}.${node}`, ...argv];

/** One TcpExt counter of a node's namespace (/proc/net/netstat is per network namespace). */
export function tcpExt(text: string, field: string): number {
  const lines = text.split('\n').filter((l) => l.startsWith('TcpExt:'));
  const names = (lines[0] ?? '').split(/\s+/).slice(1);
  const values = (lines[1] ?? '').split(/\s+/).slice(1);
  const i = names.indexOf(field);
  return i < 0 ? NaN : Number(values[i]);
}

async function tcpExtOf(nodes: string[], field: string): Promise<number> {
  const outs = await Promise.all(nodes.map((n) => must(inNs(n, ['cat', '/proc/net/netstat']))));
  return outs.reduce((a, o) => a + tcpExt(o.stdout, field), 0);
}

const PODNAMES = Array.from({ length: PODS }, (_, i) => `client-${i + 1}`);

async function storm(rep: number): Promise<Rep> {
  await must(inNs('node-1', ['conntrack', '-F']));
  const before = conntrackStats((await must(inNs('node-1', ['conntrack', '-S']))).stdout);
  const synBefore = await tcpExtOf(PODNAMES, 'TCPSynRetrans');
  const dropsBefore = await tcpExtOf(['srv'], 'ListenDrops');
  const startAt = Date.now() + 2500; // every agent started and waiting
  const base = String(20000 + rep * 1000);
  const runs = await Promise.all(
    Array.from({ length: PODS }, (_, i) => timed(inNs(`client-${i + 1}`, [NODE, CLI, 'agent', 'storm', ...(udp ? ['--udp'] : []), '--to', `192.168.56.200:${udp ? 9 : 80}`, '--count', String(count), '--timeout', '5000', '--start-at', String(startAt), ...(ephemeral ? [] : ['--sport-base', base])]))),
  );
  if (udp) await new Promise((r) => setTimeout(r, 300)); // the last datagrams through node-1
  const after = conntrackStats((await must(inNs('node-1', ['conntrack', '-S']))).stdout);
  const synRetrans = (await tcpExtOf(PODNAMES, 'TCPSynRetrans')) - synBefore;
  const serverListenDrops = (await tcpExtOf(['srv'], 'ListenDrops')) - dropsBefore;
  const clients = Object.fromEntries(CLIENT.map((c) => [c, 0])) as Record<ClientField, number>;
  const medians: number[] = [];
  for (const r of runs) {
    if (r.code !== 0) throw new Error(`storm failed: ${r.stderr || r.stdout}`);
    const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
    for (const c of CLIENT) clients[c] += j[c];
    medians.push(j.medianMs);
  }
  const kernel = Object.fromEntries(COUNTERS.map((c) => [c, after[c] - before[c]])) as Record<Counter, number>;
  return { kernel, synRetrans, serverListenDrops, clients, medianConnectMs: stat(medians)!.median };
}

async function runMode(mode: Mode['mode'], dir: string, log: (s: string) => void): Promise<Mode> {
  let text = readFileSync(join(ROOT, 'labs/conntrack-snat-race/lab.yaml'), 'utf8').replace(/^name: .*$/m, `name: ${name}`);
  if (mode === 'random-fully') text = text.replace(/^ {2}# masquerade-random-fully: true.*$/m, '  masquerade-random-fully: true');
  if (!text.includes(`name: ${name}`) || (mode === 'random-fully' && !text.includes('\n  masquerade-random-fully: true'))) throw new Error('cannot make the lab variant');
  const file = join(dir, `${mode}.yaml`);
  writeFileSync(file, text);
  await must([NODE, CLI, 'up', file, '--recreate']);
  try {
    const save = (await must(inNs('node-1', ['iptables-save', '-t', 'nat']))).stdout;
    const masquerade = save.split('\n').find((l) => l.startsWith('-A CNI-MASQ') && l.includes('MASQUERADE')) ?? '(none)';
    log(`${mode}: ${masquerade}`);
    const out: Rep[] = [];
    for (let k = 0; k < reps; k++) {
      const r = await storm(k);
      log(`${mode} rep ${k + 1}/${reps}: kernel ${COUNTERS.slice(0, 4).map((c) => `${c}=${r.kernel[c]}`).join(' ')}; SYN retransmits ${r.synRetrans}; srv ListenDrops ${r.serverListenDrops}; clients ${CLIENT.map((c) => `${c}=${r.clients[c]}`).join(' ')}; median connect ${r.medianConnectMs} ms`);
      out.push(r);
    }
    return { mode, masquerade, reps: out };
  } finally {
    await timed([NODE, CLI, 'down', name]);
  }
}

function report(r: Result, jsonRel: string): string {
  const rows: string[] = [];
  const row = (what: string, get: (x: Rep) => number): void => {
    rows.push(`| ${what} | ${r.modes.map((m) => s3(stat(m.reps.map(get)))).join(' | ')} |`);
  };
  for (const c of ['insert_failed', 'drop', 'clash_resolve', 'found', 'search_restart', 'early_drop'] as const) row(`kernel: ${c}`, (x) => x.kernel[c]);
  if (r.udp) {
    row('clients: datagrams sent', (x) => x.clients.ok);
    row('clients: errors', (x) => x.clients.timeouts + x.clients.resets + x.clients.refused + x.clients.other);
  } else {
    row("pods: SYNs sent again (TcpExt TCPSynRetrans, all pods' namespaces)", (x) => x.synRetrans);
    row('srv: SYNs it dropped itself (TcpExt ListenDrops)', (x) => x.serverListenDrops);
    row('clients: connected', (x) => x.clients.ok);
    row('clients: connected after ≥ 900 ms (CPU-bound here: 8 clients on 2 CPUs; see SYN retransmits for losses)', (x) => x.clients.slow);
    row('clients: timed out (5 s)', (x) => x.clients.timeouts);
    row('clients: reset', (x) => x.clients.resets);
    row('clients: refused or other errors', (x) => x.clients.refused + x.clients.other);
    row('median connect time of the pods (ms)', (x) => x.medianConnectMs);
  }
  const m = r.machine;
  return `# The conntrack SNAT race, measured

\`npm run bench:snat-race\` (bench/snat-race.ts), ${m.date}: ${m.nproc} CPUs (${m.cpu}), kernel ${m.kernel}, Node ${m.node}; load average before: ${r.loadavg}.

Lab labs/conntrack-snat-race: ${r.pods} pods on node-1 each open ${r.count} ${r.udp ? 'UDP flows (one datagram each, to srv port 9, where nothing listens: only node-1\'s conntrack matters)' : 'TCP connections'} to srv (outside the cluster) at
the same moment — ${r.pods * r.count} per storm — ${r.ephemeral ? "from the kernel's ephemeral ports" : 'from the same fixed source ports in every pod (the worst case: the masquerade must remap all but one of each)'},
through node-1's MASQUERADE; ${r.modes[0]?.reps.length ?? 0} storms per mode. Kernel counters: node-1's \`conntrack -S\`, summed over the CPUs, after minus before
each storm (the table flushed before it). Each cell: median (min–max) over the storms.

| | ${r.modes.map((x) => `${x.mode === 'plain' ? 'MASQUERADE' : 'MASQUERADE --random-fully'}`).join(' | ')} |
|---|${r.modes.map(() => '---').join('|')}|
${rows.join('\n')}

The rules: ${r.modes.map((x) => `\`${x.masquerade}\``).join('; ')}.

Raw results: ${jsonRel}.
`;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: the bench brings a lab up');
  const log = progressLog(performance.now());
  const dir = mkdtempSync(join(tmpdir(), 'snat-race-'));
  const loadavg = loadavgText();
  try {
    const modes: Mode[] = [];
    for (const mode of ['plain', 'random-fully'] as const) modes.push(await runMode(mode, dir, log));
    const result: Result = { machine: machineBasics(), loadavg, pods: PODS, count, ephemeral, udp, modes };
    const variant = `${udp ? 'udp-' : ''}${ephemeral ? 'ephemeral-' : ''}`;
    writeResults(result, `snat-race-${variant}`, log, true, `bench/REPORT-snat-race${variant ? `-${variant.slice(0, -1)}` : ''}.md`, report);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
