/**
 * `lab trace` end to end on the real kernel (issue 12), as a user runs it (the built CLI, as root): a routed lab
 * across its router and back; a closed port; a ClusterIP through kube-proxy to a pod on another node over
 * flannel's VXLAN (DNAT and the VNI shown); a packet dropped by a NetworkPolicy (the policy named). Every trace
 * leaves the lab's namespaces as they were (no nft table, no monitor left). --predict on the lab that is up and
 * after it is down. Copies of the shipped labs under names of their own (t12cli-*), brought down at the end.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceReport } from '../../runner/model/trace.ts';
import { needRoot, needTools } from '../needs.ts';
import { expectOk, lab, labLeftovers, ROOT, tempDir, type Run } from './helpers.ts';

/** A shipped lab copied to DIR/<name>/lab.yaml under another name. */
function copyLab(dir: string, shipped: string, name: string): string {
  const text = readFileSync(join(ROOT, 'labs', shipped, 'lab.yaml'), 'utf8').replace(/^name: .*$/m, `name: ${name}`);
  mkdirSync(join(dir, name));
  const file = join(dir, name, 'lab.yaml');
  writeFileSync(file, text);
  return file;
}

/** Every netfilter ruleset and the processes of a lab's namespaces: what a trace must leave as it found. */
function labNetfilter(name: string): Record<string, string> {
  const out: Record<string, string> = {};
  const all = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]);
  for (const ns of all.filter((n) => n.startsWith(`nsl.${name}.`) || n === `nsl.${name}`)) {
    out[`${ns} nft`] = execFileSync('ip', ['netns', 'exec', ns, 'nft', 'list', 'ruleset'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).replace(/counter packets \d+ bytes \d+/g, 'counter');
    const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean);
    out[`${ns} processes`] = pids
      .map((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
        } catch {
          return '';
        }
      })
      .filter(Boolean)
      .sort()
      .join('\n');
  }
  return out;
}

const json = (r: Run): TraceReport => {
  assert.ok(r.stdout.trim().startsWith('{'), `no JSON report: exit ${r.exitCode}\n${r.stderr}`);
  return JSON.parse(r.stdout) as TraceReport;
};

describe('lab trace on the real kernel', function () {
  this.timeout(300000);
  let dir: string;
  const up: string[] = [];

  before(async () => {
    needRoot('lab trace sends probes and reads netfilter traces in lab namespaces');
    needTools(['ip', 'nft'], 'apt-get install iproute2 nftables (or `bash scripts/setup.sh`)');
    dir = tempDir();
  });

  after(async () => {
    for (const n of up) await lab(['down', n]);
    for (const n of up) assert.deepEqual(labLeftovers(n), [], `lab ${n} left nothing behind`);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function bringUp(shipped: string, name: string): Promise<string> {
    const file = copyLab(dir, shipped, name);
    await lab(['down', name]);
    up.push(name);
    expectOk(await lab(['up', file]), `lab up ${shipped} as ${name}`);
    return file;
  }

  it('routed: a1 → b1 across the router and back; the model agrees; exit 0; nothing left behind', async () => {
    const file = await bringUp('routed', 't12cli-routed');
    const before = labNetfilter('t12cli-routed');
    const t = await lab(['trace', file, 'a1', 'b1']);
    expectOk(t, 'lab trace a1 b1');
    const lines = t.stdout.split('\n');
    assert.match(lines[0], /^a1 \(10\.1\.0\.\d+\) → b1 \(node b1, 10\.2\.0\.\d+\), icmp$/);
    assert.match(t.stdout, /^kernel, forward:$/m);
    assert.match(t.stdout, /^ {2}\d\. r +eth0 → eth1/m, 'r routes it from eth0 to eth1');
    assert.match(t.stdout, /^ {5}delivered to .*b1/m);
    assert.match(t.stdout, /^kernel, reply:$/m);
    assert.match(t.stdout, /^ {5}returned to a1$/m);
    assert.match(t.stdout, /^model's prediction: the same walk$/m);
    const r = json(await lab(['trace', file, 'a1', 'b1', '--json']));
    assert.deepEqual(r.kernel!.forward.hops.map((h) => h.at), ['a1', 'lan-a', 'r', 'lan-b', 'b1']);
    assert.deepEqual(r.kernel!.reply!.hops.map((h) => h.at), ['b1', 'lan-b', 'r', 'lan-a', 'a1']);
    assert.deepEqual(r.differences, []);
    assert.ok(r.durationMs < 2000, `traced in ${r.durationMs} ms (target: under 2 s)`);
    assert.deepEqual(labNetfilter('t12cli-routed'), before, 'no nft table, chain or monitor of the trace is left');
  });

  it('routed: a closed port ends at b1 with no listener (exit 1); --predict works on the lab that is up', async () => {
    const file = join(dir, 't12cli-routed', 'lab.yaml');
    const t = await lab(['trace', file, 'a1', 'b1', '--port', '9', '--json']);
    assert.equal(t.exitCode, 1, t.stderr);
    const v = json(t).kernel!.forward.verdict;
    assert.equal(v.kind, 'dropped');
    assert.equal(v.kind === 'dropped' && v.by, 'no-listener');
    assert.equal(v.at, 'b1');
    const p = await lab(['trace', file, 'a1', 'b1', '--predict']);
    expectOk(p, 'lab trace --predict');
    assert.match(p.stdout, /^model's prediction \(nothing was sent\), forward:$/m);
  });

  it('k8s-services-iptables: client → the web ClusterIP: DNAT in node-1, VXLAN with its VNI, delivered to a web pod', async () => {
    const file = await bringUp('k8s-services-iptables', 't12cli-svc');
    const before = labNetfilter('t12cli-svc');
    // web-2 is the one web pod on node-2: trace until kube-proxy picks it (it picks at random), at most 12 times
    let report: TraceReport | undefined;
    for (let i = 0; i < 12 && !report; i++) {
      const r = json(await lab(['trace', file, 'client', 'web', '--json']));
      if (r.kernel?.forward.hops.some((h) => h.at === 'node-2')) report = r;
    }
    assert.ok(report, 'in 12 traces kube-proxy chose web-2 (on node-2) at least once');
    const hops = report.kernel!.forward.hops;
    const n1 = hops.find((h) => h.at === 'node-1')!;
    assert.ok(n1.nat.some((n) => n.type === 'dnat' && n.before === '10.96.0.11:80' && /^10\.244\.\d+\.\d+:80$/.test(n.after)), JSON.stringify(n1.nat));
    assert.equal(n1.encap?.type, 'vxlan');
    assert.equal(typeof n1.encap?.vni, 'number');
    assert.ok(hops.find((h) => h.at === 'node-2')?.decap, 'node-2 decapsulates');
    assert.equal(report.kernel!.forward.verdict.kind, 'delivered');
    assert.equal(report.kernel!.forward.verdict.at, 'web-2');
    assert.deepEqual(report.differences, [], 'the model follows the endpoint the kernel chose');
    const t = await lab(['trace', file, 'client', 'web']);
    assert.match(t.stdout, /^client \(10\.244\.\d+\.\d+\) → web \(Service default\/web, ClusterIP 10\.96\.0\.11 port 80\), tcp$/m);
    assert.match(t.stdout, /DNAT 10\.96\.0\.11:80 → 10\.244\.\d+\.\d+:80/);
    assert.deepEqual(labNetfilter('t12cli-svc'), before, 'no nft table, chain or monitor of the trace is left');
  });

  it('k8s-networkpolicy: monitor → api port 80 is dropped in node-2 by a NetworkPolicy of prod, named (exit 1)', async () => {
    const file = await bringUp('k8s-networkpolicy', 't12cli-np');
    const t = await lab(['trace', file, 'monitor', 'api', '--port', '80']);
    assert.equal(t.exitCode, 1, `${t.stdout}\n${t.stderr}`);
    assert.match(t.stdout, /^ {5}dropped in node-2.*NetworkPolicy prod\//m);
    const r = json(await lab(['trace', file, 'monitor', 'api', '--port', '80', '--json']));
    const v = r.kernel!.forward.verdict;
    assert.equal(v.kind, 'dropped');
    assert.equal(v.at, 'node-2');
    assert.match(v.kind === 'dropped' ? (v.object?.name ?? '') : '', /^NetworkPolicy prod\//);
    assert.equal(r.kernel!.reply, undefined, 'no reply to a dropped packet');
  });

  it('after lab down: a kernel trace is refused (exit 4, naming --predict); --predict still works', async () => {
    const file = join(dir, 't12cli-routed', 'lab.yaml');
    await lab(['down', 't12cli-routed']);
    const t = await lab(['trace', file, 'a1', 'b1']);
    assert.equal(t.exitCode, 4);
    assert.match(t.stderr, /lab t12cli-routed is not up .*\n {2}hint: .*--predict/);
    const p = await lab(['trace', file, 'a1', 'b1', '--predict']);
    expectOk(p, 'lab trace --predict on a lab that is down');
  });
});
