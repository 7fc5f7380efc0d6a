/**
 * Issue 14.3 on the real kernel: the lab k8s-ways-in (NodePort Cluster/Local, hostPort, hostNetwork, LoadBalancer,
 * each with the client address it shows) passes its tests, and beyond them:
 *
 * - node-1's nat table holds the portmap plugin's layout exactly as nslab generates it: PREROUTING and OUTPUT jump
 *   to CNI-HOSTPORT-DNAT for local destinations after kube-proxy's KUBE-SERVICES, POSTROUTING's first rule is the
 *   jump to CNI-HOSTPORT-MASQ, and web's CNI-DN- chain is the one named from sha512(network name + container ID);
 *   node-2, with no hostPort, has none of it;
 * - hairpin: web connecting to its own node's hostPort comes back to itself masqueraded (CNI-HOSTPORT-SETMARK);
 * - the hostNetwork pod has no namespace of its own: its test server runs in node-2's;
 * - Ingress: through the controller's NodePort (externalTrafficPolicy Local) web's source address is the controller
 *   pod's own and ext's address is in X-Forwarded-For; node-2's rules for it are KUBE-SVL (no masquerade mark), and
 *   nginx's connection to web goes to web's pod address, not to the Service's ClusterIP;
 * - `lab down` leaves nothing behind.
 *
 * The lab runs under a name of its own (tw-it-ways), and the test brings down only what it brought up.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { dnChain, sandboxId } from '../../runner/cluster/hostport.ts';
import { expectOk, lab, labLeftovers, ROOT, tempDir } from './helpers.ts';

const NAME = 'tw-it-ways';

async function inNode(node: string, argv: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa('ip', ['netns', 'exec', `nsl.${NAME}.${node}`, ...argv], { reject: false });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const rules = (save: string, chain: string): string[] => save.split('\n').filter((l) => l.startsWith(`-A ${chain} `));

describe('k8s-ways-in: hostPort, hostNetwork and Ingress (root, real kernel)', function () {
  this.timeout(120_000);
  let up = false;

  before(async () => {
    const dir = tempDir();
    const text = readFileSync(join(ROOT, 'labs/k8s-ways-in/lab.yaml'), 'utf8').replace(/^name: .*$/m, `name: ${NAME}`);
    const file = join(dir, 'lab.yaml');
    writeFileSync(file, text);
    up = true;
    expectOk(await lab(['up', file, '--test']), `lab up ${NAME} --test`);
  });

  after(async () => {
    if (up) await lab(['down', NAME]);
  });

  it("node-1's nat table has the portmap plugin's layout: CNI-HOSTPORT-DNAT after KUBE-SERVICES, CNI-HOSTPORT-MASQ first in POSTROUTING, web's CNI-DN- chain", async () => {
    const save = (await inNode('node-1', ['iptables-save', '-t', 'nat'])).stdout;
    const pre = rules(save, 'PREROUTING');
    assert.ok(pre.findIndex((l) => l.endsWith('-j KUBE-SERVICES')) < pre.indexOf('-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT'), pre.join('\n'));
    assert.ok(pre.includes('-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT'), pre.join('\n'));
    assert.ok(rules(save, 'OUTPUT').includes('-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT'));
    assert.equal(rules(save, 'POSTROUTING')[0], '-A POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ');
    assert.deepEqual(rules(save, 'CNI-HOSTPORT-MASQ'), ['-A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE']);
    assert.deepEqual(rules(save, 'CNI-HOSTPORT-SETMARK'), ['-A CNI-HOSTPORT-SETMARK -m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark 0x2000/0x2000']);
    const id = sandboxId({ namespace: 'default', name: 'web' });
    const chain = dnChain('k8s-pod-network', id);
    assert.match(chain, /^CNI-DN-[0-9a-f]{21}$/);
    assert.deepEqual(rules(save, 'CNI-HOSTPORT-DNAT'), [`-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"k8s-pod-network\\" id: \\"${id}\\"" -m multiport --dports 8080 -j ${chain}`]);
    const dn = rules(save, chain);
    assert.equal(dn.length, 3, dn.join('\n'));
    assert.match(dn[0], /^-A CNI-DN-\w+ -s 10\.244\.0\.\d+\/32 -p tcp -m tcp --dport 8080 -j CNI-HOSTPORT-SETMARK$/);
    assert.match(dn[1], /^-A CNI-DN-\w+ -s 127\.0\.0\.1\/32 -p tcp -m tcp --dport 8080 -j CNI-HOSTPORT-SETMARK$/);
    assert.match(dn[2], /^-A CNI-DN-\w+ -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10\.244\.0\.\d+:80$/);
  });

  it('node-2, with no hostPort pod, has no portmap chains', async () => {
    const save = (await inNode('node-2', ['iptables-save', '-t', 'nat'])).stdout;
    assert.doesNotMatch(save, /CNI-HOSTPORT|CNI-DN-/);
  });

  it("hairpin: web reaching its own node's hostPort comes back to itself, masqueraded to node-1's address by CNI-HOSTPORT-MASQ", async () => {
    const r = await inNode('web', ['curl', '-sS', '--max-time', '5', 'http://192.168.56.11:8080/']);
    assert.equal(r.exitCode, 0, r.stderr);
    const body = JSON.parse(r.stdout) as { node: string; client: string };
    assert.equal(body.node, 'web');
    assert.notEqual(body.client, '10.244.0.2', `web saw its own address: the hairpin was not masqueraded (${r.stdout})`);
    const save = (await inNode('node-1', ['iptables-save', '-c', '-t', 'nat'])).stdout;
    const masq = save.split('\n').find((l) => l.includes('-A CNI-HOSTPORT-MASQ '));
    assert.ok(masq && !/^\[0:0\]/.test(masq), `CNI-HOSTPORT-MASQ matched nothing: ${masq}`);
  });

  it("the hostNetwork pod has no namespace of its own: its test server runs in node-2's", async () => {
    assert.ok(!existsSync(`/run/netns/nsl.${NAME}.web-hostnet`), 'web-hostnet has a namespace');
    const ss = await inNode('node-2', ['ss', '-Hltnp', 'sport', '=', ':8081']);
    assert.match(ss.stdout, /:8081\b/);
    const pid = /pid=(\d+)/.exec(ss.stdout)?.[1];
    assert.ok(pid, ss.stdout);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    assert.match(cmdline, /agent whoami --name web-hostnet --port 8081/);
    // lab exec finds the pod in its node's namespace
    const ex = await lab(['exec', NAME, 'web-hostnet', '--', 'ip', '-4', '-o', 'addr', 'show', 'eth0']);
    expectOk(ex, 'lab exec web-hostnet');
    assert.match(ex.stdout, /inet 192\.168\.56\.12\/24/);
  });

  it("Ingress: web sees the controller pod's address as its source; ext's address is in X-Forwarded-For (Local: no SNAT)", async () => {
    const addr = (await inNode('ingress-nginx', ['ip', '-4', '-o', 'addr', 'show', 'eth0'])).stdout;
    const controller = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(addr)?.[1];
    assert.ok(controller, addr);
    const r = await inNode('ext', ['curl', '-sS', '--max-time', '5', '-H', 'Host: web.example', 'http://192.168.56.12:30090/']);
    assert.equal(r.exitCode, 0, r.stderr);
    const body = JSON.parse(r.stdout) as Record<string, string>;
    assert.equal(body.node, 'web');
    assert.equal(body.client, controller, `web saw ${body.client}, not the controller ${controller}`);
    assert.equal(body['x-forwarded-for'], '192.168.56.100');
    assert.equal(body['x-real-ip'], '192.168.56.100');
    // kube-proxy on node-2: the controller's NodePort goes to KUBE-SVL (local endpoints); only the node's own traffic is marked for masquerade
    const save = (await inNode('node-2', ['iptables-save', '-t', 'nat'])).stdout;
    const chain = /^-A (KUBE-EXT-\w+) .*ingress-nginx\/ingress-nginx-controller:http external/m.exec(save)?.[1];
    assert.ok(chain, 'no KUBE-EXT chain for the controller');
    const ext = rules(save, chain);
    assert.ok(ext.filter((l) => /KUBE-MARK-MASQ/.test(l)).every((l) => /--src-type LOCAL/.test(l)), ext.join('\n'));
    assert.ok(ext.some((l) => /-j KUBE-SVL-/.test(l)), ext.join('\n'));
    // nginx's upstream is web's pod address (an endpoint of web-cluster), not its ClusterIP
    const conf = readFileSync(`/run/nslab/${NAME}/ingress/nginx.conf`, 'utf8');
    assert.match(conf, /server 10\.244\.0\.\d+:80/);
  });

  it('Ingress: node-1 has no controller pod, so its NodePort 30090 answers nothing (Local)', async () => {
    const r = await inNode('ext', ['curl', '-sS', '--max-time', '2', '-H', 'Host: web.example', 'http://192.168.56.11:30090/']);
    assert.notEqual(r.exitCode, 0, r.stdout);
  });

  it('lab down removes everything', async () => {
    expectOk(await lab(['down', NAME]), `lab down ${NAME}`);
    up = false;
    assert.deepEqual(labLeftovers(NAME), []);
  });
});
