/**
 * Issue 14.5 on the real kernel: `kube-proxy: userspace` (the lab k8s-services-userspace, under a name of its own).
 *
 * - every node runs nslab's proxy: a process in the node's namespace listening on the proxy ports and holding the
 *   NodePort, behind the KUBE-PORTALS-CONTAINER / KUBE-PORTALS-HOST / KUBE-NODEPORT-* rules;
 * - connections through each Service type (ClusterIP from a pod and from a node, NodePort from outside, UDP) are
 *   answered, round-robin across the pods (30 connections over 3 pods: exactly 10 each), and every pod sees an
 *   address of the proxying node as the client, never the client's own;
 * - the lab's own tests pass, delete-pod among them; afterwards each proxy is the same process (same PID) and
 *   serves the configuration without the deleted pod;
 * - `lab down` leaves no namespace, state file or proxy process behind;
 * - a node going NotReady and Ready again (k8s-node) changes every proxy's endpoints, the proxies keep their PIDs.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { CLI, expectOk, lab, labLeftovers, pidAlive, processesMatching, ROOT, tempDir } from './helpers.ts';

const NAME = 'u3-it-userspace';
const STATE = `/run/nslab/${NAME}/kube-proxy`;

async function inNode(node: string, argv: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa('ip', ['netns', 'exec', `nsl.${NAME}.${node}`, ...argv], { reject: false });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

interface Answer { ok: boolean; node?: string; client?: string; error?: string }

async function probe(from: string, to: string, port: number, count: number, proto = 'tcp'): Promise<Answer[]> {
  const r = await inNode(from, [process.execPath, CLI, 'agent', 'probe', '--to', to, '--port', String(port), '--proto', proto, '--count', String(count), '--timeout-ms', '2000']);
  return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Answer);
}

async function addrs(node: string): Promise<Set<string>> {
  const r = await inNode(node, ['ip', '-o', '-4', 'addr', 'show']);
  return new Set([...r.stdout.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1]));
}

const applied = (node: string): { pid: number; generation: string; services: { name: string; proxyPort: number; endpoints: string[] }[] } => JSON.parse(readFileSync(`${STATE}/${node}.applied.json`, 'utf8'));

function tally(answers: Answer[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of answers) if (a.ok && a.node) out[a.node] = (out[a.node] ?? 0) + 1;
  return out;
}

describe('kube-proxy userspace mode (root, real kernel)', function () {
  this.timeout(180_000);
  let up = false;
  const pids: Record<string, number> = {};

  before(async () => {
    const dir = tempDir();
    const text = readFileSync(join(ROOT, 'labs/k8s-services-userspace/lab.yaml'), 'utf8').replace(/^name: .*$/m, `name: ${NAME}`);
    const file = join(dir, 'lab.yaml');
    writeFileSync(file, text);
    up = true;
    expectOk(await lab(['up', file]), `lab up ${NAME}`);
    for (const n of ['node-1', 'node-2']) pids[n] = applied(n).pid;
  });

  after(async () => {
    if (up) await lab(['down', NAME]);
  });

  it('every node runs its proxy: listening on the proxy ports, holding the NodePort, behind the portal rules', async () => {
    for (const n of ['node-1', 'node-2']) {
      assert.ok(pidAlive(pids[n]), `${n}'s proxy runs`);
      const ss = (await inNode(n, ['ss', '-ltnp'])).stdout;
      const web = applied(n).services.find((s) => s.name === 'default/web')!;
      assert.match(ss, new RegExp(`0\\.0\\.0\\.0:${web.proxyPort} .*pid=${pids[n]},`), ss);
      assert.match(ss, new RegExp(`0\\.0\\.0\\.0:30080 .*pid=${pids[n]},`), ss);
      const save = (await inNode(n, ['iptables-save', '-t', 'nat'])).stdout;
      assert.ok(save.includes(`-A KUBE-PORTALS-CONTAINER -d 10.96.0.11/32 -p tcp -m comment --comment "default/web" -m tcp --dport 80 -j REDIRECT --to-ports ${web.proxyPort}`), save);
      assert.match(save, new RegExp(`-A KUBE-PORTALS-HOST -d 10\\.96\\.0\\.11/32 .* -j DNAT --to-destination 192\\.168\\.56\\.1[12]:${web.proxyPort}`));
      assert.doesNotMatch(save, /KUBE-SVC-|KUBE-SEP-/, 'no iptables-mode chain');
    }
  });

  it('ClusterIP from a pod: round-robin, exactly 10 of 30 per pod, and the pods see node-1, never the client', async () => {
    const answers = await probe('client', '10.96.0.11', 80, 30);
    assert.deepEqual(tally(answers), { 'web-1': 10, 'web-2': 10, 'web-3': 10 }, JSON.stringify(answers));
    const own = await addrs('node-1');
    const client = [...(await addrs('client'))];
    for (const a of answers) {
      assert.ok(own.has(a.client!), `client ${a.client} is not node-1's (${[...own].join(', ')})`);
      assert.ok(!client.includes(a.client!));
    }
  });

  it('ClusterIP from a node, NodePort from outside, UDP: answered, the pods see the proxying node', async () => {
    for (const [from, to, port, node, proto] of [['node-2', '10.96.0.11', 80, 'node-2', 'tcp'], ['ext', '192.168.56.11', 30080, 'node-1', 'tcp'], ['ext', '192.168.56.12', 30080, 'node-2', 'tcp'], ['client', '10.96.0.14', 53, 'node-1', 'udp']] as const) {
      const answers = await probe(from, to, port, 6, proto);
      assert.equal(answers.filter((a) => a.ok).length, 6, `${from} → ${to}:${port}/${proto}: ${JSON.stringify(answers)}`);
      const own = await addrs(node);
      for (const a of answers) assert.ok(own.has(a.client!), `${from} → ${to}:${port}: client ${a.client} is not ${node}'s`);
    }
  });

  it("the lab's own tests pass; delete-pod changed the proxies' endpoints without restarting them (same PID)", async () => {
    const before = applied('node-1').generation;
    const r = await lab(['test', NAME]);
    expectOk(r, `lab test ${NAME}`);
    for (const n of ['node-1', 'node-2']) {
      const a = applied(n);
      assert.equal(a.pid, pids[n], `${n}'s proxy is the same process`);
      assert.ok(pidAlive(a.pid));
      assert.equal(a.services.find((s) => s.name === 'default/cart')!.endpoints.length, 1, `${n}: cart has one endpoint left`);
    }
    assert.notEqual(applied('node-1').generation, before);
    const answers = await probe('client', '10.96.0.16', 80, 6);
    assert.deepEqual(tally(answers), { 'cart-1': 6 });
  });

  it('lab down removes the proxies, the rules and the files', async () => {
    expectOk(await lab(['down', NAME]), `lab down ${NAME}`);
    up = false;
    for (const n of ['node-1', 'node-2']) assert.ok(!pidAlive(pids[n]), `${n}'s proxy is gone`);
    assert.deepEqual(processesMatching(`/run/nslab/${NAME}/kube-proxy/`), []);
    assert.deepEqual(labLeftovers(NAME), []);
  });
});

describe('kube-proxy userspace mode: a node goes NotReady and Ready again (root, real kernel)', function () {
  this.timeout(180_000);
  const N2 = 'u3-it-us-node';
  let up = false;
  const text = `name: ${N2}
cluster:
  cni: flannel-vxlan
  kube-proxy: userspace
  nodes: { node-1: {}, node-2: {} }
  pods:
    web: { replicas: 2, labels: { app: web } }          # web-1 on node-1, web-2 on node-2
    client: { node: node-1, labels: { app: client } }
  services:
    web: { selector: { app: web }, ports: [{ port: 80 }] }
tests:
  - name: both pods answer
    service: { service: web, from: client, requests: 20, tolerance: 0 }
  - name: node-2 goes NotReady
    k8s-node: { node: node-2, state: NotReady }
  - name: only web-1 answers
    service: { service: web, from: client, requests: 10 }
  - name: node-2 is Ready again
    k8s-node: { node: node-2, state: Ready }
  - name: both answer again
    service: { service: web, from: client, requests: 20, tolerance: 0 }
`;

  after(async () => {
    if (up) await lab(['down', N2]);
  });

  it("the endpoints of node-2's pods leave every proxy and come back, the proxies keep running (same PIDs)", async () => {
    const dir = tempDir();
    const file = join(dir, 'lab.yaml');
    writeFileSync(file, text);
    up = true;
    expectOk(await lab(['up', file]), `lab up ${N2}`);
    const state = `/run/nslab/${N2}/kube-proxy`;
    const pidOf = (n: string): number => (JSON.parse(readFileSync(`${state}/${n}.applied.json`, 'utf8')) as { pid: number }).pid;
    const before = { 'node-1': pidOf('node-1'), 'node-2': pidOf('node-2') };
    expectOk(await lab(['test', N2]), `lab test ${N2}`);
    for (const n of ['node-1', 'node-2'] as const) {
      assert.equal(pidOf(n), before[n], `${n}'s proxy is the same process`);
      assert.ok(pidAlive(before[n]));
    }
    expectOk(await lab(['down', N2]), `lab down ${N2}`);
    up = false;
    assert.deepEqual(labLeftovers(N2), []);
  });
});
