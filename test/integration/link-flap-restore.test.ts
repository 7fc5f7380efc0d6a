/**
 * Issue 15.2 on the real kernel: `ip link set dev X down` deletes the routes out of X (and X's IPv6 addresses), and
 * `ip link set dev X up` does not bring back the ones nslab wrote from the plan. A link action bringing X up puts
 * them back (runner/plan/link-up.ts). (a) three namespaces in a line with static routes both ways, IPv4 and IPv6
 * (fl-line): after a flap, end to end answers again and the static routes are back; (b) a copy of
 * k8s-flannel-host-gw (fl-hostgw): after a node's underlay interface flaps, pod to pod across nodes and the Service
 * answer again, with the time measured by a converge test. Run alone (~60 s).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lab, labLeftovers, ROOT, testJson, type Run } from './helpers.ts';

const ok = (r: Run, what: string): Run => {
  assert.equal(r.exitCode, 0, `${what} exited ${r.exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  return r;
};

const ip = (ns: string, args: string[]): string => execFileSync('ip', ['-n', ns, ...args], { encoding: 'utf8' });

describe('a link brought up gets back what nslab configured on it (issue 15.2)', function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'fl-flap-'));
  after(async () => {
    await lab(['down', 'fl-line']);
    await lab(['down', 'fl-hostgw']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('static routes in a line of three namespaces: after a flap of a:eth0, a reaches b again in both families, its static routes are back', async () => {
    const file = join(ROOT, 'test/unit/fixtures/fl-line.lab.yaml');
    await lab(['down', 'fl-line']);
    ok(await lab(['up', file]), 'lab up');
    const tests = await testJson(file);
    const flap = tests.find((t) => t.name === "flap a's link to r")!;
    // a's two addresses and two static routes, r's two addresses on the other end
    assert.equal(flap.seen, 'eth0 was down for 500ms, then up; 2 routes, 4 addresses restored');
    const routes = ip('nsl.fl-line.a', ['route']);
    assert.match(routes, /^10\.31\.2\.0\/24 via 10\.31\.1\.2 dev eth0/m);
    assert.match(ip('nsl.fl-line.a', ['-6', 'route']), /^fd00:31:2::\/64 via fd00:31:1::2 dev eth0/m);
    assert.match(ip('nsl.fl-line.a', ['-6', 'addr', 'show', 'dev', 'eth0']), /fd00:31:1::1\/64/);
    // a plain `link up` (no flap) puts them back too, after a `link down` took them
    const again = join(dir, 'down-up.lab.yaml');
    const text = readFileSync(file, 'utf8').split('\ntests:\n')[0];
    writeFileSync(again, `${text}\ntests:\n  - link: { node: b, dev: eth0, state: down }\n  - name: b lost its static routes\n    route: { node: b, to: 10.31.1.0/24, expect: absent }\n  - name: up\n    link: { node: b, dev: eth0, state: up }\n  - name: b reaches a\n    ping: { from: b, to: 10.31.1.1 }\n  - name: b reaches a (IPv6)\n    ping: { from: b, to: "fd00:31:1::1" }\n`);
    const t2 = await testJson(again);
    // b's addresses and its two static routes, then r's end (eth1): its addresses
    assert.equal(t2.find((t) => t.name === 'up')!.seen, 'eth0 up; 2 routes, 4 addresses restored');
    ok(await lab(['down', 'fl-line']), 'lab down');
    assert.deepEqual(labLeftovers('fl-line'), []);
  });

  it("flannel host-gw: a node's underlay interface flaps; pod to pod across nodes and the Service answer again, the time measured", async () => {
    const text = readFileSync(join(ROOT, 'labs/k8s-flannel-host-gw/lab.yaml'), 'utf8').replace(/^name: .*$/m, 'name: fl-hostgw');
    const [head] = text.split('\ntests:\n');
    const file = join(dir, 'hostgw.lab.yaml');
    writeFileSync(
      file,
      `${head}\ntests:
  - name: pod to pod across nodes
    ping: { from: web-1, to: web-2 }
  - name: node-1's underlay flaps, then web-1 reaches web-2 again
    converge:
      action: { link: { node: node-1, dev: eth0, state: flap, for: 1s } }
      until: { ping: { from: web-1, to: web-2, count: 1 } }
      within: 5s
  - name: node-1 routes node-2's pod block via node-2 again
    route: { node: node-1, to: 10.244.1.0/24, via: 192.168.56.12, dev: eth0 }
  - name: pod to pod across nodes, the other way
    ping: { from: web-2, to: web-1 }
  - name: a node reaches a pod on the other node
    ping: { from: node-2, to: web-1 }
  - name: the service answers from a pod, both pods behind it
    service: { service: web, from: client }
  - name: a pod's own eth0 flaps
    link: { node: web-1, dev: eth0, state: flap, for: 200ms }
  - name: the pod has its default route via its cni0 gateway again
    route: { node: web-1, to: default, via: 10.244.0.1 }
  - name: and reaches the pod on the other node
    ping: { from: web-1, to: web-2 }
`,
    );
    await lab(['down', 'fl-hostgw']);
    ok(await lab(['up', file]), 'lab up');
    const tests = await testJson(file);
    const flap = tests.find((t) => t.name.startsWith("node-1's underlay flaps"))!;
    assert.equal(typeof flap.convergeMs, 'number');
    assert.ok(flap.convergeMs! >= 1000, `the link was down for 1s: ${flap.convergeMs} ms`);
    assert.match(flap.seen, /eth0 was down for 1s, then up; 2 routes, 1 address restored/);
    // a pod: its address and default route; on node-1's end of its veth nothing of the plan's
    assert.equal(tests.find((t) => t.name === "a pod's own eth0 flaps")!.seen, 'eth0 was down for 200ms, then up; 1 route, 1 address restored');
    ok(await lab(['down', 'fl-hostgw']), 'lab down');
    assert.deepEqual(labLeftovers('fl-hostgw'), []);
  });
});
