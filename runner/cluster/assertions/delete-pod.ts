/**
 * delete-pod: an action between tests — delete pods from the lab's cluster the way Kubernetes does, so the tests after
 * it see the Services without them.
 *
 * When a pod is deleted, the endpoints controller drops it from its Services' EndpointSlices, and kube-proxy on every
 * node rewrites its rules without that pod's endpoints; then the kubelet stops the pod and the CNI takes its network
 * away. This action does the same, in that order:
 *
 * 1. on every cluster node at once, the rules of runner/cluster/compile.ts `nodeRules(cluster, node, without)` are
 *    loaded: kube-proxy's (and the NetworkPolicy rules) computed from the lab file minus the deleted pods.
 *    - nftables mode: the kube-proxy text starts with `add table` + `delete table`, so `nft -f -` replaces the
 *      `ip kube-proxy` table in one transaction.
 *    - iptables mode: as kube-proxy does it, `iptables-restore --noflush`: every chain the new rules use is declared,
 *      which flushes it, and refilled; the chains that only the old rules had (the KUBE-SEP-… of a deleted endpoint,
 *      a KUBE-SVC-… left without endpoints, a deleted pod's policy chains) are declared (flushed) and then deleted
 *      with `-X`. The built-in chains and the jumps from them are left alone: they do not depend on the pods, and
 *      --noflush would add those jumps a second time. So other rules of the node (a user's `nat:` or `firewall:`)
 *      stay. The NetworkPolicy rules of nftables mode (iptables) are reloaded the same way.
 *    The outcome reports how long this took, over all nodes (details.ruleChangeMs).
 * 2. every deleted pod's eth0 is taken down: the pod is gone from the network (its namespace and server stay, so
 *    `lab down` removes them as always).
 *
 * It changes the running lab, like the `link` action: afterwards the lab is no longer what its plan built, and
 * running the tests again sees the pod deleted. `lab down` still removes everything; `lab down` + `lab up` bring the
 * pod back. The rules are computed from the lab file minus the pods named in this action: a later delete-pod does
 * not remember an earlier one (it would load the earlier pod's endpoints again), so delete several pods in one
 * action: `delete-pod: { pod: [web-1, web-2] }`.
 */
import type { Diagnostic } from '../../config/diagnostics.ts';
import { nodeRules } from '../compile.ts';
import type { KubeProxyMode, ResolvedCluster } from '../types.ts';
import { reloadUserspaceProxy } from './userspace-reload.ts';
import { ParamReader } from '../../../assertions/common.ts';
import { clusterOf, commandLog, podAt } from './k8s.ts';
import type { AssertionDef, ExecResult } from '../../../assertions/types.ts';
import schema from './delete-pod.schema.json' with { type: 'json' };
import { cniRecordPath } from '../cni-plugins.ts';
import { cniEnv, cniError, cniStdin, describeCniError, hasCheck, type CniRecord } from '../../plan/cni-argv.ts';

/** What one cluster node loads. */
export interface NodeReload {
  readonly node: string;
  /** `nft -f -` input (nftables mode: kube-proxy's table, replaced whole). */
  readonly nftables?: string;
  /** `iptables-restore --noflush` input (see reloadRestore). */
  readonly iptables?: string;
  /** The same for the IPv6 rules of a dual-stack cluster (`ip6tables-restore --noflush`). */
  readonly ip6tables?: string;
  /** userspace mode: the proxy's new configuration (written over the old; the running proxy re-reads it). */
  readonly userspace?: string;
}

export interface DeletePodParams {
  /** The pods, by their lab node names. */
  readonly pods: readonly string[];
  readonly kubeProxy: KubeProxyMode;
  /** How many endpoints (service port × pod) the rules lose. */
  readonly endpoints: number;
  readonly reloads: readonly NodeReload[];
  /** cni: { conflist }: the pods' networks are taken away by the CNI plugins (DEL), not by taking eth0 down. */
  readonly cni?: readonly { readonly pod: string; readonly node: string }[];
}

const BUILTIN_CHAINS = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

interface Table {
  readonly name: string;
  /** User-defined chains in declaration order. */
  readonly chains: string[];
  /** Rule lines of user-defined chains. */
  readonly rules: string[];
}

/** The tables of an iptables-restore input: declared user chains and the rules of user chains (built-in ones left out). */
function tablesOf(text: string): Table[] {
  const tables: Table[] = [];
  let cur: Table | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      cur = { name: line.slice(1).trim(), chains: [], rules: [] };
      tables.push(cur);
    } else if (line === 'COMMIT') cur = undefined;
    else if (!cur || line.trim() === '' || line.startsWith('#')) continue;
    else if (line.startsWith(':')) {
      const chain = line.slice(1).split(' ')[0];
      if (!BUILTIN_CHAINS.has(chain) && !cur.chains.includes(chain)) cur.chains.push(chain);
    } else {
      const [, chain] = line.split(/\s+/);
      if (!BUILTIN_CHAINS.has(chain)) cur.rules.push(line);
    }
  }
  return tables;
}

/**
 * An `iptables-restore --noflush` input that turns rule set `before` (as loaded) into `after`, the way kube-proxy
 * syncs: every user chain of `after` declared (with --noflush that flushes it) and refilled; the user chains only
 * `before` has declared, flushed, and deleted with `-X` at the end of their table; built-in chains and their rules
 * left out (they must be the same in both: only jumps that do not depend on the pods).
 */
export function reloadRestore(before: string, after: string): string {
  const old = new Map(tablesOf(before).map((t) => [t.name, t]));
  const out: string[] = [];
  const next = tablesOf(after);
  for (const t of next) {
    const stale = (old.get(t.name)?.chains ?? []).filter((c) => !t.chains.includes(c));
    out.push(`*${t.name}`, ...[...t.chains, ...stale].map((c) => `:${c} - [0:0]`), ...t.rules, ...stale.map((c) => `-X ${c}`), 'COMMIT');
  }
  for (const [name, t] of old) {
    if (next.some((n) => n.name === name) || t.chains.length === 0) continue;
    out.push(`*${name}`, ...t.chains.map((c) => `:${c} - [0:0]`), ...t.chains.map((c) => `-X ${c}`), 'COMMIT');
  }
  return `${out.join('\n')}\n`;
}

/** For every node of the cluster, what it loads once `pods` are deleted. Pure. */
export function reloadsWithout(c: ResolvedCluster, pods: ReadonlySet<string>): NodeReload[] {
  return reloadsBetween(c, new Set(), pods);
}

/**
 * For every node of the cluster, what turns the rules without the endpoints of pods `before` into the rules without
 * those of `after` (with `endpointsOnly`, the policies keep every pod: the pods are not ready, not gone). Pure.
 */
export function reloadsBetween(c: ResolvedCluster, beforeWithout: ReadonlySet<string>, afterWithout: ReadonlySet<string>, endpointsOnly = false): NodeReload[] {
  return c.nodes.map((n) => {
    const before = nodeRules(c, n.name, beforeWithout, endpointsOnly);
    const after = nodeRules(c, n.name, afterWithout, endpointsOnly);
    // userspace mode: the rules do not depend on the endpoints (only the proxy's configuration does): unchanged rules are not reloaded
    const same = c.kubeProxy === 'userspace' && before.iptables === after.iptables;
    const iptables = !same && (after.iptables !== undefined || before.iptables !== undefined) ? reloadRestore(before.iptables ?? '', after.iptables ?? '') : undefined;
    const ip6tables = after.ip6tables !== undefined || before.ip6tables !== undefined ? reloadRestore(before.ip6tables ?? '', after.ip6tables ?? '') : undefined;
    return { node: n.name, ...(after.nftables !== undefined ? { nftables: after.nftables } : {}), ...(iptables !== undefined ? { iptables } : {}), ...(ip6tables !== undefined ? { ip6tables } : {}), ...(after.userspace !== undefined ? { userspace: after.userspace } : {}) };
  });
}

/** Whether a node's reload holds kube-proxy's IPv6 rules (a dual-stack cluster): ip6tables, or the ip6 table. */
export function hasIPv6Rules(r: NodeReload): boolean {
  return r.ip6tables !== undefined || (r.nftables ?? '').includes('add table ip6 kube-proxy');
}

const podList = (pods: readonly string[]): string => (pods.length === 1 ? `pod ${pods[0]}` : `pods ${pods.join(', ')}`);

export const deletePod: AssertionDef<DeletePodParams> = {
  type: 'delete-pod',
  schema,
  exclusive: true,
  barrier: true,
  nodes: (p) => [...p.pods],
  describe: (p) => `delete ${podList(p.pods)}`,
  resolve(raw, ctx) {
    const r = new ParamReader('delete-pod', raw, ctx);
    const v = raw.pod;
    const names = typeof v === 'string' ? [v] : Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
    if (!names) r.shape('pod', 'name a pod, or a list of pods');
    const c = clusterOf(r);
    if (!c || !names) return r.result(undefined);
    const pods: string[] = [];
    names.forEach((text, i) => {
      const pod = podAt(r, c, text, typeof v === 'string' ? ['pod'] : ['pod', i]);
      if (pod && !pods.includes(pod.name)) pods.push(pod.name);
    });
    if (pods.length !== names.length && r.diagnostics.length === 0) r.warn('pod', `delete-pod names a pod twice`, 'name each pod once');
    if (r.diagnostics.some((d: Diagnostic) => d.severity === 'error')) return r.result(undefined);
    const without = new Set(pods);
    const endpoints = c.endpoints.reduce((n, e) => n + e.endpoints.filter((ep) => without.has(ep.pod)).length, 0);
    const cni = c.conflist ? pods.map((pod) => ({ pod, node: c.pods.find((x) => x.name === pod)!.node })) : undefined;
    return r.result<DeletePodParams>({ pods, kubeProxy: c.kubeProxy, endpoints, reloads: reloadsWithout(c, without), ...(cni ? { cni } : {}) });
  },
  async run(p, ctx) {
    const { commands, failures, check } = commandLog();
    // 1. the rules, on every node at once (kube-proxy runs on each node by itself)
    const perNodeMs: Record<string, number> = {};
    const t0 = performance.now();
    await Promise.all(
      p.reloads.map(async (n) => {
        const t = performance.now();
        if (n.nftables !== undefined) check(await ctx.exec(n.node, ['nft', '-f', '-'], { input: n.nftables, timeoutMs: 30000 }), `${n.node}: nft`);
        if (n.iptables !== undefined) check(await ctx.exec(n.node, ['iptables-restore', '--noflush'], { input: n.iptables, timeoutMs: 30000 }), `${n.node}: iptables-restore`);
        if (n.ip6tables !== undefined) check(await ctx.exec(n.node, ['ip6tables-restore', '--noflush'], { input: n.ip6tables, timeoutMs: 30000 }), `${n.node}: ip6tables-restore`);
        if (n.userspace !== undefined) await reloadUserspaceProxy(ctx, n.node, n.userspace, check, failures);
        perNodeMs[n.node] = Math.round((performance.now() - t) * 10) / 10;
      }),
    );
    const t1 = performance.now();
    const ruleChangeMs = Math.round((t1 - t0) * 10) / 10;
    // 2. the pods leave the network: the kubelet stops the sandbox, and the runtime calls the CNI plugins with DEL
    // (from the record of their ADD, in reverse order, each given the final result as prevResult); other backends
    // take eth0 down
    const deleted: string[] = [];
    if (p.cni) {
      for (const { pod, node } of p.cni) {
        const path = ctx.labDir ? cniRecordPath(ctx.labDir, pod) : undefined;
        const rec = path ? await ctx.exec(node, ['cat', path], { timeoutMs: 5000 }) : undefined;
        if (!rec || rec.exitCode !== 0) {
          failures.push(`${pod}: no record of its CNI ADD${path ? ` in ${path}` : ''}: ${rec?.stderr.trim() ?? 'no lab behind this run'}`);
          continue;
        }
        const r = JSON.parse(rec.stdout) as CniRecord;
        const final = r.results.length ? r.results[r.results.length - 1].result : undefined;
        for (const call of [...r.calls].reverse()) {
          const res = await ctx.exec(node, [call.path], { env: cniEnv(call, 'DEL'), input: cniStdin(call, hasCheck(r.cniVersion) ? final : undefined), timeoutMs: 30000 });
          commands.push(`${Object.entries(cniEnv(call, 'DEL')).map(([k, v]) => `${k}=${v}`).join(' ')} ${res.command} <<EOF …`);
          if (res.exitCode !== 0) {
            const e = cniError(res.stdout);
            failures.push(`${pod}: CNI plugin ${call.plugin} failed on DEL: ${e ? describeCniError(e) : `exit ${res.exitCode}: ${res.stderr.trim()}`}`);
          } else deleted.push(`${pod}/${call.plugin}`);
        }
      }
    } else for (const pod of p.pods) check(await ctx.exec(pod, ['ip', 'link', 'set', 'dev', 'eth0', 'down'], { timeoutMs: 5000 }), `${pod}: ip link set eth0 down`);
    const ok = failures.length === 0;
    const nodes = p.reloads.length;
    return {
      ok,
      expected: `the ${p.kubeProxy} rules of ${nodes} node(s) without the ${p.endpoints} endpoint(s) of ${podList(p.pods)}, and ${p.cni ? 'CNI DEL for it' : 'its eth0 down'}`,
      seen: ok
        ? `rules changed on ${nodes} node(s) in ${ruleChangeMs} ms (${Object.entries(perNodeMs).map(([n, ms]) => `${n} ${ms} ms`).join(', ')}); ${p.cni ? `CNI DEL done (${deleted.join(', ')})` : `eth0 of ${p.pods.join(', ')} is down`}`
        : failures.join('; '),
      command: commands.join('\n'),
      // rulesStart/rulesEnd: wall-clock ms (epoch) of the load, so a client's observations can be set against it
      details: { ...(p.cni ? { cniDel: deleted } : {}), ruleChangeMs, perNodeMs, rulesStart: Math.round(performance.timeOrigin + t0), rulesEnd: Math.round(performance.timeOrigin + t1), endpointsRemoved: p.endpoints, pods: p.pods, kubeProxy: p.kubeProxy },
    };
  },
  exercise(p, ctx) {
    const look = p.reloads.flatMap((r) => [
      ctx.inNode(r.node, p.kubeProxy === 'nftables' ? ['nft', 'list', 'table', 'ip', 'kube-proxy'] : ['iptables-save', '-t', 'nat'], p.kubeProxy === 'userspace' ? `on ${r.node}: the portal rules, which do not change (the proxy's configuration holds the endpoints: \`lab status\` shows each node's)` : `on ${r.node}: before and after, the endpoint chains of ${p.pods.join(', ')}`),
      // dual-stack: kube-proxy's IPv6 rules change too
      ...(hasIPv6Rules(r) ? [ctx.inNode(r.node, p.kubeProxy === 'nftables' ? ['nft', 'list', 'table', 'ip6', 'kube-proxy'] : ['ip6tables-save', '-t', 'nat'], `on ${r.node}: the same in IPv6`)] : []),
    ]);
    return {
      action: true,
      doThis: `Delete ${p.pods.join(', ')}: kube-proxy drops ${p.endpoints} endpoint${p.endpoints === 1 ? '' : 's'} from every node's rules (\`lab test\` reloads them), then the pod leaves the network. The exercises after this one see the change.`,
      commands: [...look, ...p.pods.map((pod) => ctx.inNode(pod, ['ip', 'link', 'set', 'eth0', 'down'], `the pod ${pod} leaves the network`))],
      expect: `${p.pods.join(', ')} no longer among the endpoints on any node`,
    };
  },
};
