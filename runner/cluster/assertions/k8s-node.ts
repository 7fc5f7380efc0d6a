/**
 * k8s-node: an action between tests (issue 15.2) — a cluster node goes NotReady, or Ready again. When a node stops
 * reporting, the node lifecycle controller marks it NotReady and the endpoints of its pods not ready; kube-proxy on
 * every node then rewrites its rules without them (the pods keep running; NetworkPolicies still see them). This
 * action does the same with delete-pod's code: on every node at once, the rules of compile.ts `nodeRules` computed
 * without the endpoints of the node's pods (`reloadsBetween`). Ready loads the lab file's rules again (all
 * endpoints: like delete-pod, it does not remember an earlier action).
 */
import { ParamReader } from '../../../assertions/common.ts';
import type { AssertionDef, ExecResult } from '../../../assertions/types.ts';
import { hasIPv6Rules, reloadsBetween, type NodeReload } from './delete-pod.ts';
import { reloadUserspaceProxy } from './userspace-reload.ts';
import type { KubeProxyMode } from '../types.ts';
import { clusterOf, commandLog, findNode, namesHint } from './k8s.ts';
import schema from './k8s-node.schema.json' with { type: 'json' };

export interface K8sNodeParams {
  readonly node: string;
  readonly state: 'NotReady' | 'Ready';
  readonly kubeProxy: KubeProxyMode;
  /** The pods on the node (their endpoints leave or come back). */
  readonly pods: readonly string[];
  readonly endpoints: number;
  readonly reloads: readonly NodeReload[];
}

export const k8sNode: AssertionDef<K8sNodeParams> = {
  type: 'k8s-node',
  schema,
  exclusive: true,
  barrier: true,
  nodes: (p) => [p.node, ...p.pods],
  describe: (p) => `cluster node ${p.node} goes ${p.state}`,
  resolve(raw, ctx) {
    const r = new ParamReader('k8s-node', raw, ctx);
    const name = r.string('node');
    const state = r.oneOf('state', ['NotReady', 'Ready'] as const, 'NotReady');
    if (name === undefined || name === '') r.shape('node', 'name a cluster node');
    const c = clusterOf(r);
    if (!c || name === undefined || name === '') return r.result(undefined);
    if (!findNode(c, name)) {
      r.fail('node', `k8s-node.node: no cluster node ${JSON.stringify(name)}`, namesHint(name, 'cluster nodes', c.nodes.map((n) => n.name)));
      return r.result(undefined);
    }
    const pods = c.pods.filter((p) => p.node === name).map((p) => p.name);
    const set = new Set(pods);
    const endpoints = c.endpoints.reduce((n, e) => n + e.endpoints.filter((ep) => set.has(ep.pod)).length, 0);
    const reloads = state === 'NotReady' ? reloadsBetween(c, new Set(), set, true) : reloadsBetween(c, set, new Set(), true);
    return r.result<K8sNodeParams>({ node: name, state, kubeProxy: c.kubeProxy, pods, endpoints, reloads });
  },
  async run(p, ctx) {
    const { commands, failures, check } = commandLog();
    const t0 = performance.now();
    await Promise.all(
      p.reloads.map(async (n) => {
        if (n.nftables !== undefined) check(await ctx.exec(n.node, ['nft', '-f', '-'], { input: n.nftables, timeoutMs: 30000 }), `${n.node}: nft`);
        if (n.iptables !== undefined) check(await ctx.exec(n.node, ['iptables-restore', '--noflush'], { input: n.iptables, timeoutMs: 30000 }), `${n.node}: iptables-restore`);
        if (n.ip6tables !== undefined) check(await ctx.exec(n.node, ['ip6tables-restore', '--noflush'], { input: n.ip6tables, timeoutMs: 30000 }), `${n.node}: ip6tables-restore`);
        if (n.userspace !== undefined) await reloadUserspaceProxy(ctx, n.node, n.userspace, check, failures);
      }),
    );
    const ruleChangeMs = Math.round((performance.now() - t0) * 10) / 10;
    const ok = failures.length === 0;
    const verb = p.state === 'NotReady' ? 'without' : 'with';
    return {
      ok,
      expected: `the ${p.kubeProxy} rules of ${p.reloads.length} node(s) ${verb} the ${p.endpoints} endpoint(s) of the pods on ${p.node}`,
      seen: ok ? `${p.node} is ${p.state}: rules changed on ${p.reloads.length} node(s) in ${ruleChangeMs} ms (${verb} the endpoints of ${p.pods.join(', ') || 'no pod'})` : failures.join('; '),
      command: commands.join('\n'),
      details: { ruleChangeMs, pods: p.pods, endpoints: p.endpoints, state: p.state },
    };
  },
  exercise(p, ctx) {
    return {
      action: true,
      doThis: `Cluster node ${p.node} goes ${p.state}: kube-proxy on every node ${p.state === 'NotReady' ? 'drops' : 'adds back'} the ${p.endpoints} endpoint${p.endpoints === 1 ? '' : 's'} of its pods (\`lab test\` reloads the rules). The exercises after this one see the change.`,
      commands: p.reloads.flatMap((r) => [
        ctx.inNode(r.node, p.kubeProxy === 'nftables' ? ['nft', 'list', 'table', 'ip', 'kube-proxy'] : ['iptables-save', '-t', 'nat'], p.kubeProxy === 'userspace' ? `on ${r.node}: the portal rules, which do not change (the proxy's configuration holds the endpoints: \`lab status\` shows each node's)` : `on ${r.node}: the endpoint chains of ${p.pods.join(', ')}`),
        ...(hasIPv6Rules(r) ? [ctx.inNode(r.node, p.kubeProxy === 'nftables' ? ['nft', 'list', 'table', 'ip6', 'kube-proxy'] : ['ip6tables-save', '-t', 'nat'], `on ${r.node}: the same in IPv6`)] : []),
      ]),
      expect: `the endpoints of ${p.pods.join(', ') || 'its pods'} ${p.state === 'NotReady' ? 'gone from' : 'back in'} every node's rules`,
    };
  },
};
