/**
 * Failover times (issue 15.3): how long the eBGP triangle (labs/ebgp-triangle, BIRD in containers) takes to heal
 * after a failure, as its `converge` tests measure it — the time from the action until the condition first holds:
 *
 *   1. r1–r3 link down → r1's route to AS 65003's LAN moves to r2 (the long way round);
 *   2. that link up again → the route is back on the direct path;
 *   3. r1 restarted (`lab restart`: container and BIRD anew) → h1 reaches h3 again;
 *   4. r3's BIRD killed (SIGKILL) → r1 has no route to 10.3.0.0/24 left;
 *   5. r3 restarted → r1 learns 10.3.0.0/24 directly from r3 again.
 *
 * and the Calico labs (issue 15.3: "the ebgp-triangle and calico labs show their failover times"), BIRD as calico-node
 * runs it, in the nodes' namespaces:
 *
 *   k8s-calico-bgp (full mesh of 3): node-3's BIRD killed → node-1 withdraws its block; node-3 restarted → web-1
 *   reaches web-3 again;
 *   k8s-calico-rr (2 reflectors, 2 clients): reflector node-1's BIRD killed → node-3 takes node-4's block from
 *   reflector node-2; node-1 restarted → node-3 has its 3 sessions again.
 *
 * Per lab one copy (named NAME-<lab>), REPS runs of `lab test` over its tests (JSON reporter), then `lab down`.
 * Medians, min and max go to bench/REPORT-converge.md. Root; only its own labs are touched.
 *
 *   node bench/converge.ts [REPS] [NAME]     (npm run bench:converge; NAME defaults to bench-converge)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/runner/cli/main.js');
const REPS = Number(process.argv[2] ?? 5);
const NAME = process.argv[3] ?? 'bench-converge';

interface Scenario {
  readonly name: string;
  readonly what: string;
  readonly yaml: string;
  /** Tests run before this one in each run, not measured (a link taken down before the converge test brings it up). */
  readonly before?: readonly string[];
}

interface BenchLab {
  readonly dir: string;
  readonly title: string;
  /** The test that waits for the sessions before each run. */
  readonly ready: readonly string[];
  readonly scenarios: readonly Scenario[];
}

const TRIANGLE: Scenario[] = [
  {
    name: 'link down',
    what: 'r1–r3 link down → r1 routes 10.3.0.0/24 via r2',
    yaml: `    converge:
      action: { link: { node: r1, dev: eth1, state: down } }
      until: { route: { node: r1, to: 10.3.0.0/24, via: 10.0.12.2 } }
      within: 3s
      interval: 20ms`,
  },
  {
    name: 'link up',
    what: 'r1–r3 link up → back on the direct path via r3',
    yaml: `    converge:
      action: { link: { node: r1, dev: eth1, state: up } }
      until: { route: { node: r1, to: 10.3.0.0/24, via: 10.0.13.3 } }
      within: 15s
      interval: 20ms`,
  },
  {
    name: 'restart r1',
    what: '`lab restart` r1 → h1 reaches h3 again',
    yaml: `    converge:
      action: { restart: { node: r1 } }
      until: { ping: { from: h1, to: h3, count: 1 } }
      within: 15s
      interval: 20ms`,
  },
  {
    name: 'kill r3 bird',
    what: "r3's BIRD killed (SIGKILL) → r1 has no route to 10.3.0.0/24",
    yaml: `    converge:
      action: { kill: { node: r3, daemon: bird } }
      until: { bgp: { node: r1, prefix: 10.3.0.0/24, expect: absent } }
      within: 5s
      interval: 20ms`,
  },
  {
    name: 'restart r3',
    what: '`lab restart` r3 → r1 learns 10.3.0.0/24 from r3 again',
    yaml: `    converge:
      action: { restart: { node: r3 } }
      until: { bgp: { node: r1, prefix: 10.3.0.0/24, next-hop: 10.0.13.3 } }
      within: 15s
      interval: 20ms`,
  },
];

const CALICO_BGP: Scenario[] = [
  {
    name: 'kill node-3 bird',
    what: "node-3's BIRD killed (SIGKILL) → node-1 has withdrawn node-3's block 10.244.0.128/26",
    yaml: `    converge:
      action: { kill: { node: node-3, daemon: bird } }
      until: { bgp: { node: node-1, prefix: 10.244.0.128/26, expect: absent } }
      within: 5s
      interval: 20ms`,
  },
  {
    name: 'restart node-3',
    what: '`lab restart` node-3 → web-1 reaches web-3 again',
    yaml: `    converge:
      action: { restart: { node: node-3 } }
      until: { ping: { from: web-1, to: web-3, count: 1 } }
      within: 20s
      interval: 20ms`,
  },  {
    name: 'node-3 eth0 up',
    what: "node-3's eth0 down, then up (a flap; the link action puts back nslab's routes on it) → web-1 reaches web-3 again",
    before: ['  - name: node-3 eth0 down', '    link: { node: node-3, dev: eth0, state: down }'],
    yaml: `    converge:
      action: { link: { node: node-3, dev: eth0, state: up } }
      until: { ping: { from: web-1, to: web-3, count: 1 } }
      within: 10s
      interval: 20ms`,
  },
];

const CALICO_RR: Scenario[] = [
  {
    name: 'kill reflector node-1 bird',
    what: "reflector node-1's BIRD killed → node-3 takes node-4's block 10.244.0.192/26 from reflector node-2",
    yaml: `    converge:
      action: { kill: { node: node-1, daemon: bird } }
      until: { bgp: { node: node-3, prefix: 10.244.0.192/26, peer: node-2, next-hop: 192.168.56.14 } }
      within: 5s
      interval: 20ms`,
  },
  {
    name: 'restart node-1',
    what: '`lab restart` node-1 → node-3 has its 3 sessions again',
    yaml: `    converge:
      action: { restart: { node: node-1 } }
      until: { bgp: { node: node-3, sessions: 3 } }
      within: 20s
      interval: 20ms`,
  },
];

const LABS: readonly BenchLab[] = [
  { dir: 'ebgp-triangle', title: 'labs/ebgp-triangle (eBGP, BIRD in containers)', ready: ['    bgp: { node: r1, sessions: 2 }'], scenarios: TRIANGLE },
  { dir: 'k8s-calico-bgp', title: 'labs/k8s-calico-bgp (Calico, iBGP full mesh of 3 nodes)', ready: ['    bgp: { node: node-1, sessions: 2 }'], scenarios: CALICO_BGP },
  { dir: 'k8s-calico-rr', title: 'labs/k8s-calico-rr (Calico, 2 route reflectors, 2 clients, ext)', ready: ['    bgp: { node: node-3, sessions: 3 }'], scenarios: CALICO_RR },
];

function lab(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const nameOf = (l: BenchLab): string => `${NAME}-${l.dir.replace(/^k8s-/, '')}`;

function labFile(dir: string, l: BenchLab): string {
  const text = readFileSync(join(ROOT, 'labs', l.dir, 'lab.yaml'), 'utf8').replace(/^name: .*$/m, `name: ${nameOf(l)}`).replace(/\$schema=\.\.\/\.\.\//, `$schema=${ROOT}/`);
  const tests = [
    '  - name: sessions up',
    ...l.ready,
    '    within: 20s',
    ...l.scenarios.flatMap((s) => [...(s.before ?? []), `  - name: ${s.name}`, s.yaml]),
  ];
  const file = join(dir, `${l.dir}.yaml`);
  // the lab's own tests are left out; the handout section after them too
  writeFileSync(file, `${text.split('\ntests:\n')[0]}\ntests:\n${tests.join('\n')}\n`);
  return file;
}

const stats = (xs: number[]): { median: number; min: number; max: number } => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
};

const dir = mkdtempSync(join(tmpdir(), 'nslab-bench-converge-'));
const tables: string[] = [];
const failed: string[] = [];
try {
  for (const l of LABS) {
    const file = labFile(dir, l);
    const name = nameOf(l);
    lab(['down', name]);
    const up = lab(['up', file]);
    if (up.code !== 0) throw new Error(`lab up ${name} failed:\n${up.stderr}`);
    const got = new Map<string, number[]>(l.scenarios.map((s) => [s.name, []]));
    try {
      for (let i = 0; i < REPS; i++) {
        const r = lab(['test', file, '-r', 'json']);
        const report = JSON.parse(r.stdout) as { tests: { name: string; ok: boolean; seen: string; convergeMs: number | null }[] };
        for (const t of report.tests) {
          if (!t.ok) failed.push(`${l.dir} rep ${i + 1}: ${t.name}: ${t.seen}`);
          if (t.convergeMs !== null) got.get(t.name)?.push(t.convergeMs);
        }
        console.log(`${l.dir} rep ${i + 1}: ${report.tests.filter((t) => t.convergeMs !== null).map((t) => `${t.name} ${t.convergeMs} ms`).join(', ')}`);
      }
    } finally {
      lab(['down', name]);
    }
    tables.push(`### ${l.title}`, '', '| failure → condition | runs | median (ms) | min (ms) | max (ms) |', '|---|---|---|---|---|');
    for (const s of l.scenarios) {
      const xs = got.get(s.name)!;
      const st = stats(xs);
      tables.push(`| ${s.what} | ${xs.length} | ${st.median} | ${st.min} | ${st.max} |`);
    }
    tables.push('');
  }
  const report = [
    '# Failover times of the BGP labs (bench/converge.ts)',
    '',
    `\`node bench/converge.ts ${REPS}\` on ${new Date().toISOString().slice(0, 10)}, 2 vCPU VM shared with other work: ${REPS} runs of each`,
    "lab's `converge` tests in one copy of the lab. Each time is from the start of the action until the end of the first probe",
    '(every 20 ms) that saw the condition hold — what `lab test` reports as "converged in".',
    '',
    ...tables,
    '## Why the numbers are what they are',
    '',
    'There is no BFD in the labs: BIRD\'s BGP timers and the kernel decide. nslab writes every session with `hold time 9`,',
    '`keepalive time 3`, `connect delay time 1`, `connect retry time 2`, `error wait time 1, 10` (BIRD\'s defaults: 240, 80,',
    '5, 120, 60–300 s), so that a lab comes up within seconds. The Calico labs\' BIRD (calico-node\'s) gets the same timers.',
    '',
    '- **Link down** is fast (tens of ms) because the failure is visible to BIRD at once: both ends of a veth lose carrier,',
    '  the kernel drops the connected route, BIRD\'s session to r3 loses its neighbor and goes down without waiting',
    '  for the hold timer, and r1 already holds the route through r2 (AS path 65002 65003) as a second choice. The time',
    '  is BIRD noticing the interface, recomputing, and writing the kernel route.',
    '- **Link up** waits for a new session: BIRD starts it after `connect delay time 1` / `connect retry time 2`, then',
    '  OPEN, KEEPALIVE and the UPDATEs; the direct route (shorter AS path) wins again — about 1–3 s.',
    '- **Restart** is `lab restart`: the node stops (its links go with it), starts, is wired again from the plan,',
    '  then BIRD starts and its sessions come up (connect delay 1 s) and the routes arrive.',
    '- **Kill** (SIGKILL): the killed BIRD\'s kernel closes its TCP sockets, so its peers see the sessions end at once and',
    '  withdraw its prefixes; again no hold timer. A peer that went silent without closing its connection (a',
    '  failure beyond a switch, with the carrier still up) would be noticed only after the 9 s hold time: that is what',
    '  BFD would shorten, and these labs do not have it.',
    '- **Calico, a node\'s link flapped** (down, then up): taking eth0 down makes the kernel delete every route out of it —',
    '  BIRD\'s come back with the sessions, but not the ones nslab wrote at `lab up` (`169.254.1.1 dev eth0`, which the',
    '  node\'s proxy ARP needs to answer its pods for their gateway, and `10.96.0.0/12 dev eth0`). The link action that brings',
    '  it up puts them back from the plan (issue 15.2: `ip route replace`, as its handout exercise shows). The time is then',
    '  the sessions\' coming back: `connect delay time 1`, OPEN, the UPDATEs, and node-1\'s kernel route to node-3\'s block.',
    '- **Calico with route reflectors, one reflector killed**: every client holds the same route from both reflectors;',
    '  the one from the dead reflector is withdrawn when its session closes, the other becomes best, and the kernel',
    '  route (via the originating node, which a reflector does not change) is never removed, so pod traffic is not',
    '  interrupted — the reason a cluster runs two reflectors.',
    '',
    ...(failed.length ? ['Failed runs:', '', ...failed.map((f) => `- ${f}`), ''] : []),
  ].join('\n');
  writeFileSync(join(ROOT, 'bench/REPORT-converge.md'), report);
  console.log(report);
} finally {
  for (const l of LABS) lab(['down', nameOf(l)]);
  rmSync(dir, { recursive: true, force: true });
}
