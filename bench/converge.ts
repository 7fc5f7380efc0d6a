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
 * One lab (a copy of ebgp-triangle named NAME), REPS runs of `lab test` over those five tests (JSON reporter), then
 * `lab down`. Medians, min and max go to bench/REPORT-converge.md. Root; only its own lab is touched.
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

const SCENARIOS: { readonly name: string; readonly what: string; readonly yaml: string }[] = [
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

function lab(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function labFile(dir: string): string {
  const text = readFileSync(join(ROOT, 'labs/ebgp-triangle/lab.yaml'), 'utf8').replace(/^name: .*$/m, `name: ${NAME}`);
  const tests = [
    '  - name: sessions up',
    '    bgp: { node: r1, sessions: 2 }',
    '    within: 20s',
    ...SCENARIOS.flatMap((s) => [`  - name: ${s.name}`, s.yaml]),
  ];
  const file = join(dir, 'lab.yaml');
  writeFileSync(file, `${text.split('\ntests:\n')[0]}\ntests:\n${tests.join('\n')}\n`);
  return file;
}

const stats = (xs: number[]): { median: number; min: number; max: number } => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
};

const dir = mkdtempSync(join(tmpdir(), 'nslab-bench-converge-'));
try {
  const file = labFile(dir);
  lab(['down', NAME]);
  const up = lab(['up', file]);
  if (up.code !== 0) throw new Error(`lab up failed:\n${up.stderr}`);
  const got = new Map<string, number[]>(SCENARIOS.map((s) => [s.name, []]));
  const failed: string[] = [];
  for (let i = 0; i < REPS; i++) {
    const r = lab(['test', file, '-r', 'json']);
    const report = JSON.parse(r.stdout) as { tests: { name: string; ok: boolean; seen: string; convergeMs: number | null }[] };
    for (const t of report.tests) {
      if (!t.ok) failed.push(`rep ${i + 1}: ${t.name}: ${t.seen}`);
      if (t.convergeMs !== null) got.get(t.name)?.push(t.convergeMs);
    }
    console.log(`rep ${i + 1}: ${report.tests.filter((t) => t.convergeMs !== null).map((t) => `${t.name} ${t.convergeMs} ms`).join(', ')}`);
  }
  lab(['down', NAME]);
  const rows = SCENARIOS.map((s) => {
    const xs = got.get(s.name)!;
    const st = stats(xs);
    return `| ${s.what} | ${xs.length} | ${st.median} | ${st.min} | ${st.max} |`;
  });
  const report = [
    '# Failover times of the eBGP triangle (bench/converge.ts)',
    '',
    `\`node bench/converge.ts ${REPS}\` on ${new Date().toISOString().slice(0, 10)}, 2 vCPU VM shared with other work: ${REPS} runs of the`,
    "lab's five `converge` tests in one lab. Each time is from the start of the action until the end of the first probe",
    '(every 20 ms) that saw the condition hold — what `lab test` reports as "converged in".',
    '',
    '| failure → condition | runs | median (ms) | min (ms) | max (ms) |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    '## Why the numbers are what they are',
    '',
    'There is no BFD in the lab: BIRD\'s BGP timers and the kernel decide. nslab writes every session with `hold time 9`,',
    '`keepalive time 3`, `connect delay time 1`, `connect retry time 2`, `error wait time 1, 10` (BIRD\'s defaults: 240, 80,',
    '5, 120, 60–300 s), so that a lab comes up within seconds.',
    '',
    '- **Link down** is fast (tens of ms) because the failure is visible to BIRD at once: both ends of a veth lose carrier,',
    '  the kernel drops the connected route, BIRD\'s session to r3 loses its neighbor and goes down without waiting',
    '  for the hold timer, and r1 already holds the route through r2 (AS path 65002 65003) as a second choice. The time',
    '  is BIRD noticing the interface, recomputing, and writing the kernel route.',
    '- **Link up** waits for a new session: BIRD starts it after `connect delay time 1` / `connect retry time 2`, then',
    '  OPEN, KEEPALIVE and the UPDATEs; the direct route (shorter AS path) wins again — about 1–3 s.',
    '- **Restart** is `lab restart`: the container stops (its links go with it), starts, is wired again from the plan',
    '  (~1 s), then BIRD starts and its sessions come up (connect delay 1 s) and the routes arrive.',
    '- **Kill** (SIGKILL): r3\'s kernel closes BIRD\'s TCP sockets, so r1 and r2 see the sessions end at once and',
    '  withdraw r3\'s prefix; again no hold timer. A peer that went silent without closing its connection (a',
    '  failure beyond a switch, with the carrier still up) would be noticed only after the 9 s hold time: that is what',
    '  BFD would shorten, and this lab does not have it.',
    '',
    ...(failed.length ? ['Failed runs:', '', ...failed.map((f) => `- ${f}`), ''] : []),
  ].join('\n');
  writeFileSync(join(ROOT, 'bench/REPORT-converge.md'), report);
  console.log(report);
} finally {
  lab(['down', NAME]);
  rmSync(dir, { recursive: true, force: true });
}
