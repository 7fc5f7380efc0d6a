/**
 * The Kubernetes service, DNS and policy labs on the real kernel, beyond "up --test passes" (labs.test.ts does that):
 * what kube-proxy's rules look like in a node's namespace (iptables chains and their probabilities, the nftables
 * table), that only the chosen mode's rules exist, that a pod's resolv.conf is the cluster's, and that `lab down`
 * removes the /etc/netns files too.
 *
 * Each lab runs under a name of its own (it-k8s-…), so the test neither clashes with the same lab brought up by
 * hand nor touches any other lab: it brings down only what it brought up (never `lab down --all`).
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { expectOk, lab, labLeftovers, ROOT, tempDir } from './helpers.ts';

interface Lab {
  readonly name: string;
  readonly file: string;
}

const up: Lab[] = [];

/** A lab of labs/ under another name, written to a temporary directory. */
function copyLab(dir: string, from: string, name: string): Lab {
  const text = readFileSync(join(ROOT, 'labs', from, 'lab.yaml'), 'utf8').replace(/^name: .*$/m, `name: ${name}`);
  assert.match(text, new RegExp(`^name: ${name}$`, 'm'));
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return { name, file };
}

async function bringUp(l: Lab): Promise<void> {
  up.push(l);
  expectOk(await lab(['up', l.file, '--test']), `lab up ${l.name} --test`);
}

async function bringDown(l: Lab): Promise<void> {
  expectOk(await lab(['down', l.name]), `lab down ${l.name}`);
  up.splice(up.indexOf(l), 1);
}

/** Run a command inside one node of a lab: `ip netns exec nsl.<lab>.<node> …`. */
async function inNode(l: Lab, node: string, argv: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa('ip', ['netns', 'exec', `nsl.${l.name}.${node}`, ...argv], { reject: false });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** What is left of a lab under /etc/netns (the pods' resolv.conf). */
function etcNetns(name: string): string[] {
  if (!existsSync('/etc/netns')) return [];
  return readdirSync('/etc/netns').filter((n) => n === `nsl.${name}` || n.startsWith(`nsl.${name}.`));
}

/** The rules of one chain in `iptables-save` output, in order. */
function chainRules(save: string, chain: string): string[] {
  return save.split('\n').filter((l) => l.startsWith(`-A ${chain} `));
}

/** The KUBE-SVC chain KUBE-SERVICES sends `ip:port` to. */
function svcChainOf(save: string, ip: string, port: number): string {
  const line = chainRules(save, 'KUBE-SERVICES').find((l) => l.includes(` -d ${ip}/32 `) && l.includes(` --dport ${port} `) && / -j KUBE-SVC-/.test(l));
  assert.ok(line, `KUBE-SERVICES has no rule for ${ip}:${port}:\n${chainRules(save, 'KUBE-SERVICES').join('\n')}`);
  return / -j (KUBE-SVC-[A-Z2-7]{16})$/.exec(line)![1];
}

describe('Kubernetes services, DNS and policy labs (root, real kernel)', function () {
  this.timeout(240_000);
  let dir: string;

  before(() => {
    dir = tempDir();
  });

  after(async () => {
    for (const l of [...up]) await lab(['down', l.name]);
  });

  it('iptables mode: KUBE-SERVICES → KUBE-SVC (1/3, 1/2, rest) → KUBE-SEP (DNAT) for 3 endpoints, the same on every node, and no nftables table', async () => {
    const l = copyLab(dir, 'k8s-services-iptables', 'it-k8s-ipt');
    await bringUp(l);
    const chains: string[] = [];
    for (const node of ['node-1', 'node-2']) {
      const r = await inNode(l, node, ['iptables-save', '-t', 'nat']);
      assert.equal(r.exitCode, 0, r.stderr);
      const save = r.stdout;
      const svc = svcChainOf(save, '10.96.0.11', 80);
      chains.push(svc);
      const rules = chainRules(save, svc);
      // first the masquerade of traffic from outside the pod CIDR, then one jump per endpoint
      assert.match(rules[0], /! -s 10\.244\.0\.0\/16 .*-j KUBE-MARK-MASQ$/);
      const jumps = rules.filter((x) => / -j KUBE-SEP-/.test(x));
      assert.equal(jumps.length, 3, `three endpoint jumps in ${svc}:\n${rules.join('\n')}`);
      // iptables keeps the probability as a 31-bit fraction: 1/3 prints back as 0.33333333349, 1/2 as 0.50000000000
      assert.match(jumps[0], /-m statistic --mode random --probability 0\.3333333334\d -j KUBE-SEP-/);
      assert.match(jumps[1], /-m statistic --mode random --probability 0\.5000000000\d -j KUBE-SEP-/);
      assert.doesNotMatch(jumps[2], /statistic/, 'the last endpoint takes whatever is left');
      // each KUBE-SEP chain: hairpin masquerade for its own pod, then the DNAT to it
      const targets = jumps.map((j) => {
        const sep = / -j (KUBE-SEP-[A-Z2-7]{16})$/.exec(j)![1];
        const sepRules = chainRules(save, sep);
        const dnat = sepRules.find((x) => x.includes('-j DNAT'));
        assert.ok(dnat, `${sep} has a DNAT rule:\n${sepRules.join('\n')}`);
        const to = / --to-destination (\S+)$/.exec(dnat)![1];
        assert.ok(sepRules.some((x) => x.startsWith(`-A ${sep} -s ${to.split(':')[0]}/32 `) && x.endsWith('-j KUBE-MARK-MASQ')), `${sep} masquerades its own pod (hairpin)`);
        return to;
      });
      assert.deepEqual(targets, ['10.244.0.3:80', '10.244.0.4:80', '10.244.1.2:80']);
      // the masquerade machinery: mark 0x4000, and KUBE-POSTROUTING masquerades what carries it
      assert.match(save, /^-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000\/0x4000$/m);
      assert.match(save, /^-A KUBE-POSTROUTING -m mark ! --mark 0x4000\/0x4000 -j RETURN$/m);
      assert.match(save, /^-A KUBE-POSTROUTING .*-j MASQUERADE --random-fully$/m);
      // iptables mode only: no nftables kube-proxy table
      const nft = await inNode(l, node, ['nft', 'list', 'table', 'ip', 'kube-proxy']);
      assert.notEqual(nft.exitCode, 0, `node ${node} has no table ip kube-proxy in iptables mode:\n${nft.stdout}`);
    }
    assert.equal(chains[0], chains[1], 'the chain names are hashes of the service port: the same on every node');
    await bringDown(l);
    assert.deepEqual(labLeftovers(l.name), []);
    assert.deepEqual(etcNetns(l.name), [], 'lab down removes the pods’ /etc/netns directories');
  });

  it('nftables mode: the table ip kube-proxy (service-ips map, numgen vmap for 3 endpoints), and no KUBE- chains in iptables', async () => {
    const l = copyLab(dir, 'k8s-services-nftables', 'it-k8s-nft');
    await bringUp(l);
    for (const node of ['node-1', 'node-2']) {
      const nft = await inNode(l, node, ['nft', 'list', 'table', 'ip', 'kube-proxy']);
      assert.equal(nft.exitCode, 0, nft.stderr);
      const map = /map service-ips \{[^}]*elements = \{([^}]*)\}/.exec(nft.stdout);
      assert.ok(map, `service-ips has elements:\n${nft.stdout}`);
      const web = /10\.96\.0\.11 \. tcp \. 80 : goto (service-[A-Z2-7]{8}-default\/web\/tcp\/)/.exec(map[1]);
      assert.ok(web, `service-ips maps the web ClusterIP:\n${map[1]}`);
      const chain = new RegExp(`chain ${web[1].replace(/[/.]/g, '\\$&')} \\{([^}]*\\{[^}]*\\}[^}]*)\\}`).exec(nft.stdout);
      assert.ok(chain, `the web service chain exists:\n${nft.stdout}`);
      assert.match(chain[1], /ip daddr 10\.96\.0\.11 tcp dport 80 ip saddr != 10\.244\.0\.0\/16 jump mark-for-masquerade/);
      const vmap = /numgen random mod 3 vmap \{ 0 : goto (\S+), 1 : goto (\S+), 2 : goto (\S+) \}/.exec(chain[1]);
      assert.ok(vmap, `numgen random mod 3 picks one of three endpoint chains:\n${chain[1]}`);
      const dnats = vmap.slice(1, 4).map((ep) => {
        const body = new RegExp(`chain ${ep.replace(/[/.]/g, '\\$&')} \\{([^}]*)\\}`).exec(nft.stdout);
        assert.ok(body, `endpoint chain ${ep} exists`);
        return /dnat to (\S+)/.exec(body[1])?.[1];
      });
      assert.deepEqual(dnats, ['10.244.0.3:80', '10.244.0.4:80', '10.244.1.2:80']);
      assert.match(nft.stdout, /chain mark-for-masquerade \{\s+meta mark set meta mark \| 0x00004000/);
      // nftables mode only: kube-proxy wrote nothing into iptables' nat table
      const ipt = await inNode(l, node, ['iptables-save', '-t', 'nat']);
      assert.doesNotMatch(ipt.stdout, /KUBE-/, `no KUBE- chains in iptables on ${node}`);
    }
    await bringDown(l);
    assert.deepEqual(labLeftovers(l.name), []);
    assert.deepEqual(etcNetns(l.name), []);
  });

  it("a pod's /etc/resolv.conf (through ip netns exec) names kube-dns 10.96.0.10 with its namespace's search path; a node's is the host's; lab down removes /etc/netns", async () => {
    const l = copyLab(dir, 'k8s-dns', 'it-k8s-dns');
    await bringUp(l);
    const pod = await inNode(l, 'client', ['cat', '/etc/resolv.conf']);
    assert.equal(pod.stdout.trim(), 'nameserver 10.96.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5');
    const staging = await inNode(l, 'tools', ['cat', '/etc/resolv.conf']);
    assert.match(staging.stdout, /^search staging\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m);
    // a k8s node is not a pod: no resolv.conf of its own, so ip netns exec leaves the host's in place
    assert.equal(existsSync(`/etc/netns/nsl.${l.name}.node-1`), false);
    assert.ok(existsSync(`/etc/netns/nsl.${l.name}.client/resolv.conf`));
    // the Service address is DNATed to the DNS pod: dig names 10.96.0.10 as the server
    const dig = await inNode(l, 'client', ['dig', '+search', '+time=2', '+tries=2', 'web']);
    assert.match(dig.stdout, /SERVER: 10\.96\.0\.10#53/);
    assert.match(dig.stdout, /^web\.default\.svc\.cluster\.local\.\s+\d+\s+IN\s+A\s+10\.96\.0\.11$/m);
    assert.ok(etcNetns(l.name).length > 0);
    await bringDown(l);
    assert.deepEqual(labLeftovers(l.name), []);
    assert.deepEqual(etcNetns(l.name), [], 'lab down removes every /etc/netns/nsl.<lab>.* directory');
  });

  it('NodePort from outside the cluster: Cluster SNATs, Local keeps the client and only nodes with an endpoint answer; the NetworkPolicy truth table holds', async () => {
    const np = copyLab(dir, 'k8s-nodeport-client-ip', 'it-k8s-np');
    await bringUp(np);
    const who = async (addr: string, port: number): Promise<string> => {
      const r = await inNode(np, 'ext', ['curl', '-s', '-m', '2', `http://${addr}:${port}/`]);
      return r.exitCode === 0 ? (JSON.parse(r.stdout) as { client: string }).client : `curl exit ${r.exitCode}`;
    };
    assert.equal(await who('192.168.56.11', 30081), '192.168.56.100', 'Local keeps the client address');
    assert.match(await who('192.168.56.11', 30080), /^10\.244\.0\.1$/, 'Cluster via node-1: the pod sees cni0 of node-1');
    assert.match(await who('192.168.56.12', 30080), /^10\.244\.1\.0$/, 'Cluster via node-2: the pod sees flannel.1 of node-2');
    assert.equal(await who('192.168.56.12', 30081), 'curl exit 28', 'Local on a node without an endpoint: dropped, so curl times out');
    await bringDown(np);
    assert.deepEqual(labLeftovers(np.name), []);

    const pol = copyLab(dir, 'k8s-networkpolicy', 'it-k8s-pol');
    await bringUp(pol);
    await bringDown(pol);
    assert.deepEqual(labLeftovers(pol.name), []);
    assert.deepEqual(etcNetns(pol.name), []);
  });
});
