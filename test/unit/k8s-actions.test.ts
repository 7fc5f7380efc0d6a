/**
 * The cluster actions (delete-pod): parameter resolution through the real loader and resolver (schema, cluster
 * expansion, positions), the rule texts it loads (iptables-restore --noflush that deletes the stale chains, an nft
 * transaction that replaces the table), and run() against a recording RunContext. No root, no kernel.
 */
import { strict as assert } from 'node:assert';
import { deletePod, reloadRestore, type DeletePodParams } from '../../runner/cluster/assertions/delete-pod.ts';
import type { ExecOptions, ExecResult, RunContext } from '../../assertions/types.ts';
import { nodeRules } from '../../runner/cluster/compile.ts';
import { parseLabText } from '../../runner/config/load.ts';
import type { Diagnostic } from '../../runner/config/diagnostics.ts';
import { resolveLab } from '../../runner/resolve/resolve.ts';
import type { ResolvedLab } from '../../runner/model/types.ts';

function lab(opts: { kubeProxy?: string; test: string; cluster?: boolean; policy?: boolean }): { lab?: ResolvedLab; errors: Diagnostic[]; warnings: Diagnostic[] } {
  const cluster = `cluster:
  cni: flannel-vxlan
  kube-proxy: ${opts.kubeProxy ?? 'iptables'}
  nodes: { node-1: {}, node-2: {} }
  pods:
    web: { replicas: 3, labels: { app: web } }
    client: { node: node-1, labels: { app: client } }
  services:
    web: { selector: { app: web }, ports: [{ port: 80 }] }
    web-np: { type: NodePort, selector: { app: web }, ports: [{ port: 8080, targetPort: 80 }] }
    solo: { selector: { app: client }, ports: [{ port: 80 }] }
${opts.policy ? '  policy: canal\n  network-policies:\n    web-in: { podSelector: { matchLabels: { app: web } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: client } } }] }] }\n' : ''}`;
  const plain = `nodes:
  h1: {}
  h2: {}
links:
  - [h1:eth0, h2:eth0]
`;
  const text = `name: t-actions
${opts.cluster === false ? plain : cluster}tests:
  - name: the action
    ${opts.test}
`;
  const r = resolveLab(parseLabText('/tmp/t-actions/lab.yaml', text));
  return { lab: r.lab, errors: r.diagnostics.filter((d) => d.severity === 'error'), warnings: r.diagnostics.filter((d) => d.severity === 'warning') };
}

const paramsOf = (l: ResolvedLab): DeletePodParams => l.tests[0].params as unknown as DeletePodParams;

describe('delete-pod: resolve', () => {
  it('needs a cluster', () => {
    const r = lab({ cluster: false, test: 'delete-pod: { pod: h1 }' });
    assert.equal(r.lab, undefined);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0].message, /needs a cluster, and this lab has no cluster: section/);
    assert.equal(r.errors[0].pos?.line, 9);
  });

  it('names an unknown pod at its place, with the pods there are', () => {
    const r = lab({ test: 'delete-pod: { pod: web-9 }' });
    assert.equal(r.lab, undefined);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0].message, /delete-pod\.pod: no pod "web-9" in the cluster/);
    assert.match(r.errors[0].hint ?? '', /did you mean "web-1"\?/);
    assert.equal(r.errors[0].pos?.line, 15);
  });

  it('checks every pod of a list, each at its own place', () => {
    const r = lab({ test: 'delete-pod: { pod: [web-1, nope] }' });
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0].message, /delete-pod\.pod\.1: no pod "nope"/);
  });

  it('refuses what the schema refuses: no pod, an empty list, another key', () => {
    for (const t of ['delete-pod: {}', 'delete-pod: { pod: [] }', 'delete-pod: { pod: web-1, node: node-1 }']) {
      const r = lab({ test: t });
      assert.equal(r.lab, undefined, t);
      assert.ok(r.errors.length >= 1, t);
    }
  });

  it('takes a pod by name or namespace/name; the name says what it does', () => {
    for (const t of ['delete-pod: { pod: web-1 }', 'delete-pod: { pod: default/web-1 }']) {
      const r = lab({ test: t });
      assert.deepEqual(r.errors, []);
      const p = paramsOf(r.lab!);
      assert.deepEqual(p.pods, ['web-1']);
      assert.equal(p.endpoints, 2, 'web-1 backs web:80 and web-np:8080');
    }
    const r = lab({ test: 'delete-pod: { pod: [web-1, web-2] }' });
    assert.equal(deletePod.describe(paramsOf(r.lab!)), 'delete pods web-1, web-2');
    assert.equal(r.lab!.tests[0].name, 'the action');
  });

  it('iptables mode: reloads with --noflush, deletes the endpoint chains of the pod and nothing built in', () => {
    const r = lab({ test: 'delete-pod: { pod: web-1 }' });
    const p = paramsOf(r.lab!);
    assert.equal(p.kubeProxy, 'iptables');
    assert.deepEqual(p.reloads.map((x) => x.node), ['node-1', 'node-2']);
    const c = r.lab!.cluster!;
    const web1 = c.pods.find((x) => x.name === 'web-1')!.ip;
    for (const n of p.reloads) {
      assert.equal(n.nftables, undefined);
      const text = n.iptables!;
      const before = nodeRules(c, n.node).iptables!;
      // the chains of web-1's two endpoints (web and web-np) are declared, then deleted
      const sepOf = (t: string): string[] => [...t.matchAll(/^-A (KUBE-SEP-\w+) .*DNAT --to-destination ([\d.]+):/gm)].filter((m) => m[2] === web1).map((m) => m[1]);
      const stale = sepOf(before);
      assert.equal(stale.length, 2);
      for (const s of stale) {
        assert.ok(text.includes(`\n:${s} - [0:0]\n`), `${s} declared (flushed)`);
        assert.ok(text.includes(`\n-X ${s}\n`), `${s} deleted`);
        assert.ok(text.indexOf(`-X ${s}`) > text.lastIndexOf('-A '), 'deleted after every rule');
      }
      assert.doesNotMatch(text, new RegExp(`--to-destination ${web1.replace(/\./g, '\\.')}:`));
      // the built-in chains and their jumps are left as they are
      assert.doesNotMatch(text, /^:(PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING) /m);
      assert.doesNotMatch(text, /^-[AI] (PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING) /m);
      assert.deepEqual(text.match(/^\*\w+/gm), ['*filter', '*nat']);
      // the other endpoints stay
      for (const other of c.pods.filter((x) => x.name === 'web-2' || x.name === 'web-3')) assert.ok(text.includes(`--to-destination ${other.ip}:80`));
    }
  });

  it('iptables mode: a service left without endpoints loses its KUBE-SVC chain and gets the REJECT rule', () => {
    const r = lab({ test: 'delete-pod: { pod: client }' });
    const text = paramsOf(r.lab!).reloads[0].iptables!;
    assert.match(text, /^-A KUBE-SERVICES -m comment --comment "default\/solo has no endpoints" .* -j REJECT$/m);
    const svc = /^-X (KUBE-SVC-\w+)$/m.exec(text);
    assert.ok(svc, 'the KUBE-SVC chain of default/solo is deleted');
    assert.ok(!new RegExp(`^-A ${svc[1]} `, 'm').test(text));
  });

  it('NetworkPolicy chains of the deleted pod go too (iptables mode: in the same load)', () => {
    const r = lab({ test: 'delete-pod: { pod: web-1 }', policy: true });
    assert.deepEqual(r.errors, []);
    const c = r.lab!.cluster!;
    const node = c.pods.find((x) => x.name === 'web-1')!.node;
    const text = paramsOf(r.lab!).reloads.find((x) => x.node === node)!.iptables!;
    assert.match(text, /^-X NSL-POL-IN-\w+$/m);
    assert.doesNotMatch(text, /^-I FORWARD/m, 'the FORWARD jump is not inserted again');
  });

  it('nftables mode: one nft transaction that replaces the kube-proxy table, without the pod', () => {
    const r = lab({ kubeProxy: 'nftables', test: 'delete-pod: { pod: web-1 }' });
    const p = paramsOf(r.lab!);
    assert.equal(p.kubeProxy, 'nftables');
    const web1 = r.lab!.cluster!.pods.find((x) => x.name === 'web-1')!.ip;
    for (const n of p.reloads) {
      // no policies: the only iptables rules are flanneld's ip-masq, reloaded unchanged (their builtin jump is not added again)
      assert.deepEqual(n.iptables?.match(/^\*\w+/gm), ['*nat'], 'no policies: only the egress masquerade');
      assert.match(n.iptables!, /^:FLANNEL-POSTRTG - \[0:0\]$/m);
      assert.doesNotMatch(n.iptables!, /^-A POSTROUTING/m);
      const lines = n.nftables!.split('\n').filter((l) => l && !l.startsWith('#'));
      assert.deepEqual(lines.slice(0, 2), ['add table ip kube-proxy', 'delete table ip kube-proxy'], 'a reload replaces the table');
      assert.ok(!n.nftables!.includes(`dnat to ${web1}:`));
    }
  });

  it('nftables mode with policies: the policy rules are reloaded with --noflush', () => {
    const r = lab({ kubeProxy: 'nftables', test: 'delete-pod: { pod: web-1 }', policy: true });
    for (const n of paramsOf(r.lab!).reloads) {
      assert.ok(n.nftables);
      assert.ok(n.iptables);
      assert.deepEqual(n.iptables.match(/^\*\w+/gm), ['*filter', '*nat'], 'the policies, and the egress masquerade');
    }
  });
});

describe('delete-pod: reloadRestore', () => {
  const before = `# x
*filter
:INPUT ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
-A INPUT -j A
-A A -j B
-A B -j ACCEPT
COMMIT
*nat
:C - [0:0]
-A C -j RETURN
COMMIT
`;
  it('declares the new chains and the stale ones, deletes the stale ones last, leaves built-in chains alone', () => {
    const after = `*filter
:INPUT ACCEPT [0:0]
:A - [0:0]
-A INPUT -j A
-A A -j ACCEPT
COMMIT
`;
    assert.equal(reloadRestore(before, after), `*filter\n:A - [0:0]\n:B - [0:0]\n-A A -j ACCEPT\n-X B\nCOMMIT\n*nat\n:C - [0:0]\n-X C\nCOMMIT\n`);
  });
  it('is the plain rules when nothing went away', () => {
    assert.equal(reloadRestore(before, before), `*filter\n:A - [0:0]\n:B - [0:0]\n-A A -j B\n-A B -j ACCEPT\nCOMMIT\n*nat\n:C - [0:0]\n-A C -j RETURN\nCOMMIT\n`);
  });
});

describe('delete-pod: run', () => {
  function recorder(fail?: (node: string, argv: readonly string[]) => boolean): { ctx: RunContext; calls: { node: string; argv: readonly string[]; input?: string }[] } {
    const calls: { node: string; argv: readonly string[]; input?: string }[] = [];
    const ctx: RunContext = {
      async exec(node: string, argv: readonly string[], o: ExecOptions = {}): Promise<ExecResult> {
        calls.push({ node, argv, input: o.input });
        const bad = fail?.(node, argv) ?? false;
        return { exitCode: bad ? 1 : 0, stdout: '', stderr: bad ? 'iptables-restore: line 7 failed' : '', command: `ip netns exec nsl.t.${node} ${argv.join(' ')}`, timedOut: false };
      },
      background: () => Promise.reject(new Error('no background')),
      measurement: () => undefined,
    };
    return { ctx, calls };
  }

  it('loads every node, then takes the pod off the network, and says how long the rules took', async () => {
    const p = paramsOf(lab({ kubeProxy: 'nftables', test: 'delete-pod: { pod: web-2 }', policy: true }).lab!);
    const { ctx, calls } = recorder();
    const o = await deletePod.run(p, ctx);
    assert.equal(o.ok, true, o.seen);
    assert.deepEqual(
      calls.map((c) => `${c.node}: ${c.argv.join(' ')}`).sort(),
      ['node-1: iptables-restore --noflush', 'node-1: nft -f -', 'node-2: iptables-restore --noflush', 'node-2: nft -f -', 'web-2: ip link set dev eth0 down'],
    );
    assert.equal(calls.at(-1)!.node, 'web-2', 'the pod goes last, after the rules');
    assert.equal(calls.find((c) => c.node === 'node-1' && c.argv[0] === 'nft')!.input, p.reloads[0].nftables);
    assert.equal(typeof o.details?.ruleChangeMs, 'number');
    assert.deepEqual(Object.keys(o.details?.perNodeMs as object).sort(), ['node-1', 'node-2']);
    assert.match(o.seen, /^rules changed on 2 node\(s\) in [\d.]+ ms \(node-\d [\d.]+ ms, node-\d [\d.]+ ms\); eth0 of web-2 is down$/);
    assert.equal(o.measurement, undefined, 'measurements are bit rates; the time is in details');
  });

  it('fails with the node and the tool that failed', async () => {
    const p = paramsOf(lab({ test: 'delete-pod: { pod: web-2 }' }).lab!);
    const { ctx } = recorder((node, argv) => node === 'node-2' && argv[0] === 'iptables-restore');
    const o = await deletePod.run(p, ctx);
    assert.equal(o.ok, false);
    assert.equal(o.seen, 'node-2: iptables-restore: exit 1: iptables-restore: line 7 failed');
  });
});

describe('delete-pod: the tests after it see the cluster without the pod', () => {
  it('deletes add up: a later service test expects only the pods still there, a later delete-pod reloads from that state', () => {
    const text = `name: t-del
cluster:
  cni: flannel-vxlan
  nodes: { node-1: {}, node-2: {} }
  pods:
    web: { replicas: 3, labels: { app: web } }
    client: { node: node-1 }
  services:
    web: { selector: { app: web }, ports: [{ port: 80 }] }
tests:
  - service: { service: web, from: client }
  - delete-pod: { pod: web-1 }
  - service: { service: web, from: client }
  - delete-pod: { pod: web-2 }
  - service: { service: web, from: client }
`;
    const r = resolveLab(parseLabText('/tmp/t-del/lab.yaml', text));
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
    const eps = r.lab!.tests.filter((t) => t.type === 'service').map((t) => [...(t.params as { endpoints: readonly string[] }).endpoints].sort());
    assert.deepEqual(eps, [['web-1', 'web-2', 'web-3'], ['web-2', 'web-3'], ['web-3']]);
    const second = r.lab!.tests[3].params as unknown as DeletePodParams;
    assert.deepEqual(second.pods, ['web-2']);
    assert.equal(second.endpoints, 1, 'only web-2 is dropped by the second delete');
  });
});
