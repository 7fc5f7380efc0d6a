/**
 * `lab up` of a changed file on a running lab (issue 15.1), on the real kernel, Docker and BIRD:
 *  - a copy of ebgp-triangle (a5-tri): a host and a prefix added behind r3. r1's and r2's BIRD processes are the same
 *    PIDs, and r3's too (its configuration is reloaded with `birdc configure`); no BGP session went down (each one's
 *    "since" time is the same); r1 learns the new prefix, h1 reaches h4; `lab plan --diff` then says nothing to do;
 *  - the host removed again: nothing of it is left (namespace, /etc/netns, state), r3's BIRD still the same process;
 *  - a node's kind changed: it is rebuilt, and `lab up` says so at its file:line:col before changing anything;
 *  - `lab up` killed half-way through a change: `lab down` removes everything;
 *  - a cluster (a5-k8s): a new replica and a new Service. The running pods keep their processes and addresses, the
 *    old Service its ClusterIP; the new Service answers; a replica removed leaves the Service's rules.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, lab, labLeftovers, processesMatching, ROOT, type Run } from './helpers.ts';

const show = (r: Run): string => `exit ${r.exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
const ok = (r: Run, what: string): void => assert.equal(r.exitCode, 0, `${what}: ${show(r)}`);

/** ebgp-triangle without its tests (they flap links), under another name; `edit` changes the text. */
function triangle(name: string, edit: (t: string) => string = (t) => t): string {
  const src = readFileSync(join(ROOT, 'labs/ebgp-triangle/lab.yaml'), 'utf8').split('\ntests:')[0];
  return `${edit(src.replace(/^name: .*$/m, `name: ${name}`).replace(/\$schema=\S+/, ''))}\ntests:\n  - name: h1 reaches h3\n    ping: { from: h1, to: h3 }\n`;
}

/** r3 gets a fourth interface with host h4 behind it, and announces its LAN. */
const addH4 = (t: string): string =>
  t
    .replace('      eth2: { addresses: [10.3.0.1/24] }\n', '      eth2: { addresses: [10.3.0.1/24] }\n      eth3: { addresses: [10.4.0.1/24] }\n')
    .replace('announce: [10.3.0.0/24]', 'announce: [10.3.0.0/24, 10.4.0.0/24]')
    .replace('  h3: { interfaces', '  h4: { interfaces: { eth0: { addresses: [10.4.0.10/24] } }, routes: [default via 10.4.0.1] }\n  h3: { interfaces')
    .replace('  - [r3:eth2, h3:eth0]\n', '  - [r3:eth2, h3:eth0]\n  - [r3:eth3, h4:eth0]\n');

const birdPid = (labName: string, r: string): number[] => processesMatching(`/run/nslab/${labName}/bird/${r}/bird.conf`, 'bird');

/** Each BGP session of a router: name → "since" time (it changes when the session goes down and up again). */
function sessions(labName: string, r: string): Record<string, string> {
  const out = execFileSync('docker', ['exec', `nsl.${labName}.${r}`, 'birdc', '-s', `/run/nslab/${labName}/bird/${r}/bird.ctl`, 'show', 'protocols'], { encoding: 'utf8' });
  const s: Record<string, string> = {};
  for (const l of out.split('\n')) {
    const m = /^(\S+)\s+BGP\s+\S+\s+(\S+)\s+(\S+)\s+(\S+)/.exec(l);
    if (m) s[m[1]] = `${m[2]} ${m[3]} ${m[4]}`;
  }
  return s;
}

/**
 * The sessions stayed up: each one's "since" is the same moment. BIRD prints it converted from its monotonic clock, so
 * the same moment may read 1 ms apart; a session that went down and up again moves it by the time that took.
 */
function sameSince(now: Record<string, string>, was: Record<string, string>, r: string): void {
  const ms = (x: string | undefined): number => {
    const m = /(\d+):(\d+):(\d+\.\d+) Established$/.exec(x ?? '');
    return m ? (Number(m[1]) * 60 + Number(m[2])) * 60_000 + Number(m[3]) * 1000 : NaN;
  };
  assert.deepEqual(Object.keys(now).sort(), Object.keys(was).sort(), `${r}'s sessions`);
  for (const k of Object.keys(was)) assert.ok(Math.abs(ms(now[k]) - ms(was[k])) < 50, `${r}'s session ${k} stayed up: was "${was[k]}", now "${now[k]}"`);
}

async function until(what: string, f: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const t0 = Date.now();
  while (!(await f())) {
    if (Date.now() - t0 > ms) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const state = (name: string): { status: string; namespaces: string[]; objects: { kind: string; name: string; ns?: string }[]; daemons: { node: string }[] } => JSON.parse(readFileSync(`/run/nslab/${name}/state.json`, 'utf8'));

/**
 * A two-node cluster (flannel-vxlan) with web ×2 and client, Service web; and the change: a third web replica, a new
 * pod api on node-2 with its Service api (written above web), and tests of both.
 */
function smallCluster(name: string, kubeProxy: 'iptables' | 'nftables'): { base: string; added: string } {
  const base = `name: ${name}
cluster:
  cni: flannel-vxlan
  kube-proxy: ${kubeProxy}
  nodes:
    node-1: {}
    node-2: {}
  pods:
    web:
      replicas: 2
      labels: { app: web }
    client:
      node: node-1
      labels: { app: client }
  services:
    web:
      selector: { app: web }
      ports: [{ port: 80 }]
tests:
  - name: web answers
    service: { from: client, service: web }
`;
  const added = base
    .replace('replicas: 2', 'replicas: 3')
    .replace('  services:\n', '  services:\n    api:\n      selector: { app: api }\n      ports: [{ port: 8080 }]\n')
    .replace('    client:\n', '    api:\n      node: node-2\n      labels: { app: api }\n      ports: [{ port: 8080 }]\n    client:\n')
    .concat('  - name: api answers\n    service: { from: client, service: api }\n  - name: the cluster DNS knows the new Service\n    dns: { from: client, name: api, expect: { service: api } }\n');
  return { base, added };
}

describe('lab up of a changed file: the running lab changed in place (issue 15.1)', function () {
  this.timeout(600_000);
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'a5-apply-'));
    for (const n of ['a5-tri', 'a5-kind', 'a5-crash', 'a5-k8s']) await lab(['down', n]);
  });
  after(async () => {
    for (const n of ['a5-tri', 'a5-kind', 'a5-crash', 'a5-k8s']) await lab(['down', n]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a host and a prefix added to a 3-AS BGP lab: the same BIRD processes, no session reset, the prefix learned; removed again, nothing of it left', async () => {
    const file = join(dir, 'tri.lab.yaml');
    writeFileSync(file, triangle('a5-tri'));
    ok(await lab(['up', file]), 'up');
    for (const r of ['r1', 'r2', 'r3']) await until(`${r}'s sessions Established`, () => Object.values(sessions('a5-tri', r)).filter((x) => x.endsWith('Established')).length === 2);
    const pids = Object.fromEntries(['r1', 'r2', 'r3'].map((r) => [r, birdPid('a5-tri', r)]));
    for (const r of ['r1', 'r2', 'r3']) assert.equal(pids[r].length, 1, `one BIRD of ${r}: ${pids[r].join(' ')}`);
    const since = Object.fromEntries(['r1', 'r2', 'r3'].map((r) => [r, sessions('a5-tri', r)]));
    await new Promise((r) => setTimeout(r, 1100)); // a session reset from here on shows as a "since" a second later at least

    writeFileSync(file, triangle('a5-tri', addH4));
    const plan = await lab(['plan', '--diff', file]);
    ok(plan, 'plan --diff');
    assert.match(plan.stdout, /\+ node h4 added/);
    assert.match(plan.stdout, /birdc -s \/run\/nslab\/a5-tri\/bird\/r3\/bird\.ctl configure/);
    assert.doesNotMatch(plan.stdout, /bird\/r1\/|bird\/r2\/|nsl\.a5-tri\.r1\b|nsl\.a5-tri\.r2\b/, 'r1 and r2 are not touched');

    const up = await lab(['up', file]);
    ok(up, 'up of the changed file');
    assert.match(up.stdout + up.stderr, /changed in place/);
    for (const r of ['r1', 'r2', 'r3']) assert.deepEqual(birdPid('a5-tri', r), pids[r], `${r}'s BIRD is the same process`);
    await until('r1 learns 10.4.0.0/24 from r3', () => execFileSync('ip', ['-n', 'nsl.a5-tri.r1', 'route', 'show', '10.4.0.0/24'], { encoding: 'utf8' }).includes('via 10.0.13.3'));
    for (const r of ['r1', 'r2', 'r3']) sameSince(sessions('a5-tri', r), since[r], r);
    ok(await lab(['exec', 'a5-tri', 'h1', '--', 'ping', '-c', '1', '-W', '2', '10.4.0.10']), 'h1 reaches the new host h4');
    const again = await lab(['plan', '--diff', file]);
    assert.match(again.stdout, /nothing: the running lab already is this file's network/, show(again));
    const st = state('a5-tri');
    assert.equal(st.status, 'up');
    assert.ok(st.namespaces.includes('nsl.a5-tri.h4'), 'the state holds the new namespace');

    // removed again
    writeFileSync(file, triangle('a5-tri'));
    ok(await lab(['up', file]), 'up without h4');
    assert.ok(!existsSync('/run/netns/nsl.a5-tri.h4'), 'h4\'s namespace is gone');
    assert.ok(!existsSync('/etc/netns/nsl.a5-tri.h4'));
    const st2 = state('a5-tri');
    assert.deepEqual(JSON.stringify(st2).match(/h4/g), null, `the state names h4 no more: ${JSON.stringify(st2)}`);
    assert.doesNotMatch(execFileSync('ip', ['-n', 'nsl.a5-tri.r3', '-o', 'link'], { encoding: 'utf8' }), /eth3/, 'r3\'s end of the link went with it');
    for (const r of ['r1', 'r2', 'r3']) assert.deepEqual(birdPid('a5-tri', r), pids[r], `${r}'s BIRD is still the same process`);
    await until('r1 no longer has 10.4.0.0/24', () => execFileSync('ip', ['-n', 'nsl.a5-tri.r1', 'route', 'show', '10.4.0.0/24'], { encoding: 'utf8' }).trim() === '');
    ok(await lab(['test', file]), 'the lab\'s test');
    ok(await lab(['down', 'a5-tri']), 'down');
    assert.deepEqual(labLeftovers('a5-tri'), []);
  });

  it('the printed diff, run by hand with sh, makes the change (what `lab plan --diff` prints is what is run)', async () => {
    const file = join(dir, 'byhand.lab.yaml');
    writeFileSync(file, triangle('a5-hand'));
    await lab(['down', 'a5-hand']);
    try {
      ok(await lab(['up', file]), 'up');
      await until('r1 has both sessions', () => Object.values(sessions('a5-hand', 'r1')).filter((x) => x.endsWith('Established')).length === 2);
      const pids = birdPid('a5-hand', 'r3');
      writeFileSync(file, triangle('a5-hand', addH4));
      const plan = await lab(['plan', '--diff', file]);
      ok(plan, 'plan --diff');
      const sh = spawnSync('sh', ['-e'], { input: plan.stdout, encoding: 'utf8' });
      assert.equal(sh.status, 0, `sh: ${sh.stderr}`);
      assert.deepEqual(birdPid('a5-hand', 'r3'), pids, 'r3 reloaded, not restarted');
      await until('r1 learns 10.4.0.0/24 from r3', () => execFileSync('ip', ['-n', 'nsl.a5-hand.r1', 'route', 'show', '10.4.0.0/24'], { encoding: 'utf8' }).includes('via 10.0.13.3'));
      assert.equal(spawnSync('ip', ['netns', 'exec', 'nsl.a5-hand.h1', 'ping', '-c', '1', '-W', '2', '10.4.0.10']).status, 0, 'h1 reaches h4, made by hand');
    } finally {
      ok(await lab(['down', 'a5-hand']), 'down (h4 is not in the state: found by its name)');
    }
    assert.deepEqual(labLeftovers('a5-hand'), []);
  });

  it('a node stopped on purpose: lab up leaves it stopped, refuses a change that touches it, applies one that does not', async () => {
    const file = join(dir, 'stop.lab.yaml');
    writeFileSync(file, triangle('a5-stop'));
    await lab(['down', 'a5-stop']);
    try {
      ok(await lab(['up', file]), 'up');
      ok(await lab(['stop', 'a5-stop', 'r3']), 'stop r3');
      const same = await lab(['up', file]);
      ok(same, 'up of the same file');
      assert.match(same.stdout + same.stderr, /already up/, 'the stopped node is not a reason to rebuild');
      assert.ok(!existsSync('/run/netns/nsl.a5-stop.r3') || execFileSync('docker', ['inspect', '-f', '{{.State.Running}}', 'nsl.a5-stop.r3'], { encoding: 'utf8' }).trim() === 'false', 'r3 stays stopped');
      // a change behind r3: refused, nothing changed
      writeFileSync(file, triangle('a5-stop', addH4));
      const refused = await lab(['up', file]);
      assert.equal(refused.exitCode, 4, show(refused));
      const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.startsWith('  r3:')) + 1;
      assert.match(refused.stderr, new RegExp(`stop\\.lab\\.yaml:${line}:3: error: the change touches node r3 of lab a5-stop, stopped on purpose \\(lab stop\\): nothing was changed`));
      assert.match(refused.stderr, /lab start a5-stop r3/);
      assert.ok(!existsSync('/run/netns/nsl.a5-stop.h4'), 'nothing was changed');
      // a change behind r1: applied; r3's checks are not waited for
      const behindR1 = (t: string): string =>
        t
          .replace("      eth2: { addresses: [10.1.0.1/24] }    # h1's LAN\n", "      eth2: { addresses: [10.1.0.1/24] }    # h1's LAN\n      eth3: { addresses: [10.5.0.1/24] }\n")
          .replace('announce: [10.1.0.0/24]', 'announce: [10.1.0.0/24, 10.5.0.0/24]')
          .replace('  h3: { interfaces', '  h5: { interfaces: { eth0: { addresses: [10.5.0.10/24] } }, routes: [default via 10.5.0.1] }\n  h3: { interfaces')
          .replace('  - [r3:eth2, h3:eth0]\n', '  - [r3:eth2, h3:eth0]\n  - [r1:eth3, h5:eth0]\n');
      writeFileSync(file, triangle('a5-stop', behindR1));
      const applied = await lab(['up', file]);
      ok(applied, 'up of a change behind r1');
      assert.match(applied.stdout + applied.stderr, /r3 stopped \(lab stop\): left out of the readiness checks/);
      await until('h2 reaches h5 through r1', () => spawnSync('ip', ['netns', 'exec', 'nsl.a5-stop.h2', 'ping', '-c', '1', '-W', '1', '10.5.0.10']).status === 0);
      ok(await lab(['start', 'a5-stop', 'r3']), 'start r3');
      // (lab start returns once r3 runs; its sessions come up after, as after a router's restart)
      await until('r1 learns 10.3.0.0/24 from r3 again', () => execFileSync('ip', ['-n', 'nsl.a5-stop.r1', 'route', 'show', '10.3.0.0/24'], { encoding: 'utf8' }).includes('via 10.0.13.3'));
      ok(await lab(['test', file]), 'the whole lab once r3 is back');
    } finally {
      ok(await lab(['down', 'a5-stop']), 'down');
    }
    assert.deepEqual(labLeftovers('a5-stop'), []);
  });

  it('a node whose kind changed is rebuilt, and lab up says which and why, at its place, before changing anything', async () => {
    const file = join(dir, 'kind.lab.yaml');
    writeFileSync(file, triangle('a5-kind'));
    ok(await lab(['up', file]), 'up');
    const r1 = birdPid('a5-kind', 'r1');
    writeFileSync(file, triangle('a5-kind', (t) => t.replace('  h3: { interfaces', '  h3: { kind: container, interfaces')));
    const up = await lab(['up', file]);
    ok(up, 'up of the changed file');
    const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.startsWith('  h3:')) + 1;
    assert.match(up.stderr + up.stdout, new RegExp(`kind\\.lab\\.yaml:${line}:3: warning: node h3 will be rebuilt: its kind changed from netns to container`));
    assert.match(up.stderr + up.stdout, /its links go down and come back with it: r3:eth2–h3:eth0|h3:eth0/);
    assert.equal(execFileSync('docker', ['inspect', '-f', '{{.State.Running}}', 'nsl.a5-kind.h3'], { encoding: 'utf8' }).trim(), 'true', 'h3 is a container now');
    assert.deepEqual(birdPid('a5-kind', 'r1'), r1, 'r1 untouched');
    ok(await lab(['test', file]), 'h1 reaches h3, now a container');
    ok(await lab(['down', 'a5-kind']), 'down');
    assert.deepEqual(labLeftovers('a5-kind'), []);
    assert.equal(execFileSync('docker', ['ps', '-aq', '--filter', 'label=nslab.lab=a5-kind'], { encoding: 'utf8' }).trim(), '');
  });

  it('lab up killed half-way through a change: lab down removes everything', async () => {
    const star = (n: number): string => `name: a5-crash\nnodes:\n${Array.from({ length: n }, (_, i) => `  h${i + 1}: {}`).join('\n')}\nbridges:\n  sw: {}\nlinks:\n${Array.from({ length: n }, (_, i) => `  - [h${i + 1}:eth0, sw]`).join('\n')}\ntests:\n  - ping: { from: h1, to: h2, count: 1 }\n`;
    const file = join(dir, 'crash.lab.yaml');
    writeFileSync(file, star(3));
    ok(await lab(['up', file]), 'up');
    writeFileSync(file, star(150));
    const child = spawn(process.execPath, [CLI, 'up', file, '--quiet'], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
    const t0 = Date.now();
    while (!existsSync('/run/netns/nsl.a5-crash.h40') && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    assert.ok(existsSync('/run/netns/nsl.a5-crash.h40'), 'the change had begun');
    assert.ok(!existsSync('/run/netns/nsl.a5-crash.h150') || state('a5-crash').status !== 'up', 'killed before the change was over');
    ok(await lab(['down', 'a5-crash']), 'down after the killed change');
    assert.deepEqual(labLeftovers('a5-crash'), []);
  });

  it('a cluster: a new replica and Service change only what is new; the running pods keep their processes and addresses', async () => {
    const { base, added } = smallCluster('a5-k8s', 'iptables');
    const file = join(dir, 'k8s.lab.yaml');
    writeFileSync(file, base);
    ok(await lab(['up', file]), 'up');
    // the processes in each running pod's namespace (its whoami agent)
    const agentsOf = (): Record<string, string[]> => Object.fromEntries(['web-1', 'web-2', 'client'].map((p) => [p, execFileSync('ip', ['netns', 'pids', `nsl.a5-k8s.${p}`], { encoding: 'utf8' }).split('\n').filter(Boolean).sort()]));
    const before = agentsOf();
    for (const [p, v] of Object.entries(before)) assert.ok(v.length >= 1, `${p} runs its agent`);
    const addr = (pod: string): string => execFileSync('ip', ['-n', `nsl.a5-k8s.${pod}`, '-4', '-o', 'addr', 'show', 'eth0'], { encoding: 'utf8' }).split(/\s+/)[3];
    const clientIP = addr('client');
    const status0 = await lab(['status', 'a5-k8s']);
    const webIP = /service default\/web \(ClusterIP\) ClusterIP (\S+)/.exec(status0.stdout)?.[1];
    assert.ok(webIP, status0.stdout);

    writeFileSync(file, added);
    const up = await lab(['up', file]);
    ok(up, 'up of the changed file');
    assert.match(up.stdout + up.stderr, /changed in place/);
    assert.deepEqual(agentsOf(), before, 'the running pods\' processes are the same');
    assert.equal(addr('client'), clientIP, 'client keeps its address');
    const status1 = await lab(['status', 'a5-k8s']);
    assert.match(status1.stdout, new RegExp(`service default/web \\(ClusterIP\\) ClusterIP ${webIP.replace(/\./g, '\\.')} `), 'web keeps its ClusterIP');
    const t = await lab(['test', file]);
    ok(t, 'web and the new api answer');
    assert.match(execFileSync('ip', ['netns', 'exec', 'nsl.a5-k8s.node-2', 'iptables-save', '-t', 'nat'], { encoding: 'utf8' }), /10\.244\.0\.5:80/, 'web-3 (10.244.0.5, around client\'s .4) is an endpoint on every node');

    // one replica less: its endpoint leaves the rules, the Service still answers
    writeFileSync(file, added.replace('replicas: 3', 'replicas: 2'));
    ok(await lab(['up', file]), 'up with web-3 removed');
    assert.ok(!existsSync('/run/netns/nsl.a5-k8s.web-3'), 'web-3 is gone');
    const nat = execFileSync('ip', ['netns', 'exec', 'nsl.a5-k8s.node-1', 'iptables-save', '-t', 'nat'], { encoding: 'utf8' });
    const web3 = /10\.244\.0\.5\b/;
    assert.doesNotMatch(nat, web3, 'web-3\'s endpoint left the rules');
    assert.match(nat, /-j KUBE-SEP-/);
    ok(await lab(['test', file]), 'the Services answer from what is left');
    assert.deepEqual(agentsOf(), before, 'still the same processes');
    ok(await lab(['down', 'a5-k8s']), 'down');
    assert.deepEqual(labLeftovers('a5-k8s'), []);
  });
  it('kube-proxy nftables: a change is one transaction of only what changed (rules of untouched chains keep their handles), and ends where a full load ends', async () => {
    const { base, added } = smallCluster('a5-nft', 'nftables');
    const file = join(dir, 'nft.lab.yaml');
    writeFileSync(file, base);
    await lab(['down', 'a5-nft']);
    try {
      ok(await lab(['up', file]), 'up');
      const table = (): string => execFileSync('ip', ['netns', 'exec', 'nsl.a5-nft.node-1', 'nft', '-a', 'list', 'table', 'ip', 'kube-proxy'], { encoding: 'utf8' });
      /** The rules of one chain with their handles. */
      const chainOf = (t: string, part: string): string => {
        const m = new RegExp(`chain (\\S*${part}\\S*) \\{[^}]*\\}`).exec(t);
        assert.ok(m, `a chain with ${part} in its name:\n${t}`);
        return m[0];
      };
      const before = table();
      const web1Chain = chainOf(before, '__10.244.0.3/80');
      /** What a full load of the recorded rule set of node-1 lists, in a scratch namespace of the test's own. */
      const fullLoad = (): string => {
        const applied = JSON.parse(readFileSync('/run/nslab/a5-nft/applied-plan.json', 'utf8')) as { plan: { steps: { id: string; op: { type: string; input?: string } }[] } };
        const step = applied.plan.steps.find((x) => x.id === 'node-1.kube-proxy');
        assert.ok(step?.op.input, 'node-1.kube-proxy is in the recorded plan');
        execFileSync('ip', ['netns', 'add', 'nsl.a5-nft-scratch']);
        try {
          execFileSync('ip', ['netns', 'exec', 'nsl.a5-nft-scratch', 'nft', '-f', '-'], { input: step.op.input });
          return execFileSync('ip', ['netns', 'exec', 'nsl.a5-nft-scratch', 'nft', 'list', 'table', 'ip', 'kube-proxy'], { encoding: 'utf8' });
        } finally {
          execFileSync('ip', ['netns', 'del', 'nsl.a5-nft-scratch']);
        }
      };
      const sorted = (t: string): string => t.replace(/ # handle \d+/g, '').split('\n').map((l) => l.trim()).filter(Boolean).sort().join('\n');

      writeFileSync(file, added);
      const plan = await lab(['plan', '--diff', file]);
      ok(plan, 'plan --diff');
      assert.match(plan.stdout, /node-1: rule set node-1\.kube-proxy changed in one transaction, only what changed \(3 chains added, 1 refilled, 2 elements added\)/);
      assert.doesNotMatch(plan.stdout, /delete table ip kube-proxy/, 'the table is not replaced');
      ok(await lab(['up', file]), 'up of the changed file');
      const after = table();
      assert.equal(chainOf(after, '__10.244.0.3/80'), web1Chain, 'web-1\'s endpoint chain was not touched (its rules keep their handles)');
      assert.equal(sorted(after), sorted(fullLoad()), 'the rules are those a full load of the new rule set makes');
      ok(await lab(['test', file]), 'web (3 endpoints) and api answer');

      writeFileSync(file, base);
      const back = await lab(['plan', '--diff', file]);
      assert.match(back.stdout, /\(1 refilled, 3 deleted, 2 elements deleted\)/, back.stdout);
      ok(await lab(['up', file]), 'up with api and web-3 removed');
      const last = table();
      assert.equal(chainOf(last, '__10.244.0.3/80'), web1Chain, 'still untouched');
      assert.equal(sorted(last), sorted(fullLoad()));
      assert.doesNotMatch(last, /api|10\.96\.0\.12/, 'api\'s chains and elements are gone');
      ok(await lab(['test', file]), 'web answers');
    } finally {
      ok(await lab(['down', 'a5-nft']), 'down');
    }
    assert.deepEqual(labLeftovers('a5-nft'), []);
    assert.ok(!existsSync('/run/netns/nsl.a5-nft-scratch'));
  });
  /** A shipped lab's copy under another name, its tests replaced by `tests` (YAML lines), `edit` applied to the rest. */
  function shipped(from: string, name: string, tests: string, edit: (t: string) => string = (t) => t): string {
    const src = readFileSync(join(ROOT, 'labs', from, 'lab.yaml'), 'utf8').split('\ntests:')[0];
    return `${edit(src.replace(/^name: .*$/m, `name: ${name}`).replace(/\$schema=\S+/, ''))}\ntests:\n${tests}`;
  }
  /** The command lines of the processes in a namespace, by PID. */
  const procsIn = (ns: string): Map<string, string> =>
    new Map(
      execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .flatMap((pid) => {
          try {
            return [[pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()] as [string, string]];
          } catch {
            return [];
          }
        }),
    );

  it('an Ingress rule added: nginx reloads gracefully (the same master process); a Service added under kube-proxy userspace: the proxies re-read their configuration (the same processes)', async () => {
    const ing = join(dir, 'ing.lab.yaml');
    const newsRule = (t: string): string => t.replace('        - host: blog.example\n', '        - host: news.example\n          http:\n            paths:\n              - { path: /, pathType: Prefix, backend: { service: { name: blog, port: { number: 80 } } } }\n        - host: blog.example\n');
    writeFileSync(ing, shipped('k8s-ingress', 'a5-ing', '  - http: { from: api, url: "http://blog.example/", expect: { body: \'"node":"blog"\' } }\n'));
    const us = join(dir, 'us.lab.yaml');
    const web2 = (t: string): string => t.replace('  services:\n', '  services:\n    web2:\n      selector: { app: web }\n      ports: [{ port: 8080, targetPort: 80 }]\n');
    writeFileSync(us, shipped('k8s-services-userspace', 'a5-us', '  - service: { from: client, service: web }\n'));
    await lab(['down', 'a5-ing']);
    await lab(['down', 'a5-us']);
    try {
      ok(await lab(['up', ing]), 'up the ingress lab');
      const master = (): string[] => [...procsIn('nsl.a5-ing.ingress-nginx').entries()].filter(([, c]) => c.startsWith('nginx: master')).map(([p]) => p);
      const m0 = master();
      assert.equal(m0.length, 1, 'one nginx master');
      writeFileSync(ing, shipped('k8s-ingress', 'a5-ing', '  - http: { from: api, url: "http://blog.example/", expect: { body: \'"node":"blog"\' } }\n  - http: { from: api, url: "http://news.example/", expect: { body: \'"node":"blog"\' } }\n', newsRule));
      const plan = await lab(['plan', '--diff', ing]);
      assert.match(plan.stdout, /ingress-nginx: nginx's configuration changed: reloaded, not restarted \(-s reload\)/, plan.stdout);
      ok(await lab(['up', ing]), 'up with the new rule');
      assert.deepEqual(master(), m0, 'the same nginx master (reloaded, not restarted)');
      ok(await lab(['test', ing]), 'news.example answers through the reloaded nginx');

      ok(await lab(['up', us]), 'up the userspace lab');
      const proxies = (): string[] => ['node-1', 'node-2'].flatMap((n) => [...procsIn(`nsl.a5-us.${n}`).entries()].filter(([, c]) => c.includes('kube-proxy-userspace')).map(([p]) => `${n}:${p}`));
      const p0 = proxies();
      assert.equal(p0.length, 2, p0.join(' '));
      writeFileSync(us, shipped('k8s-services-userspace', 'a5-us', '  - service: { from: client, service: web }\n  - service: { from: client, service: web2 }\n', web2));
      const plan2 = await lab(['plan', '--diff', us]);
      assert.match(plan2.stdout, /node-1: kube-proxy re-reads its changed configuration by itself/, plan2.stdout);
      ok(await lab(['up', us]), 'up with web2');
      assert.deepEqual(proxies(), p0, 'the same proxies');
      ok(await lab(['test', us]), 'web and the new web2 answer through the proxies');
    } finally {
      ok(await lab(['down', 'a5-ing']), 'down a5-ing');
      ok(await lab(['down', 'a5-us']), 'down a5-us');
    }
    assert.deepEqual([...labLeftovers('a5-ing'), ...labLeftovers('a5-us')], []);
  });
});
