/**
 * The `cluster:` construct as an extension of the pipeline (runner/extensions-types.ts): expanded into lab parts
 * before resolve, its resolved model given to the cluster-aware tests (without the pods a delete-pod action removed
 * before them), its kube-proxy rules, policies, DNS and pod servers added to the plan, and kube-proxy's ipvs mode
 * checked against this kernel.
 */
import { error, type Diagnostic } from '../config/diagnostics.ts';
import type { Extension, TestScope, VerifyContext } from '../extensions-types.ts';
import type { ResolvedLab } from '../model/types.ts';
import { clusterSteps, clusterWithout } from './compile.ts';
import { expandCluster } from './expand.ts';
import { mergeManifests } from './manifests.ts';
import { createHash } from 'node:crypto';
import type { ClusterResult } from './types.ts';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { displayPath, type LoadedFile } from '../config/load.ts';
import { asObj } from '../util/obj.ts';
import { CNI_PATH } from './cni-plugins.ts';

/** The action that deletes pods: the tests after it see the cluster without them. */
const DELETE_POD = 'delete-pod';

function testScope(cluster: ClusterResult): TestScope {
  const deleted = new Set<string>();
  return {
    context: { cluster: () => clusterWithout(cluster, deleted) },
    resolved(type, params) {
      if (type === DELETE_POD) for (const p of (params as { pods: readonly string[] }).pods) deleted.add(p);
    },
  };
}

/** kube-proxy's ipvs mode: accepted by the format; refused where the kernel has no IPVS (and not built by nslab yet). */
async function verifyIpvs(lab: ResolvedLab, ctx: VerifyContext): Promise<Diagnostic[]> {
  const c = lab.cluster;
  if (c?.requestedKubeProxy !== 'ipvs') return [];
  const r = (await ctx.features(['ipvs'])).get('ipvs');
  const pos = c.kubeProxyPos ?? c.pos;
  return [
    r && !r.ok
      ? error('kernel.missing', `kube-proxy mode ipvs needs IPVS in the kernel, and this kernel has none: ${r.detail}`, pos, `use kube-proxy: iptables or nftables: the same Services in another rule layout (${r.hint ?? 'the kernel needs CONFIG_IP_VS'}); nothing was built`)
      : error('cluster.kube-proxy-ipvs', 'kube-proxy mode ipvs is not built by nslab yet (this kernel has IPVS)', pos, 'use kube-proxy: iptables or nftables; nothing was built'),
  ];
}

/** cni: { conflist }: every plugin it runs is installed in CNI_PATH on this machine. */
function verifyPlugins(lab: ResolvedLab, ctx: VerifyContext): Diagnostic[] {
  const c = lab.cluster?.conflist;
  if (!c || !ctx.executable) return [];
  const out: Diagnostic[] = [];
  const missing = (type: string): boolean => !ctx.executable!(join(CNI_PATH, type));
  if (missing('loopback')) out.push(error('cluster.cni-plugin-missing', `CNI plugin loopback is not installed: ${join(CNI_PATH, 'loopback')} is missing`, lab.cluster!.pos, 'install Debian\'s containernetworking-plugins (`lab doctor --fix`, or apt-get install containernetworking-plugins); nothing was built'));
  c.plugins.forEach((p, i) => {
    const type = String(p.type);
    const ipam = (p.ipam as { type?: string } | undefined)?.type;
    for (const t of [type, ...(ipam ? [ipam] : [])]) {
      if (missing(t)) out.push(error('cluster.cni-plugin-missing', `CNI plugin ${t} is not installed: ${join(CNI_PATH, t)} is missing`, c.pluginPos[i], 'install Debian\'s containernetworking-plugins (`lab doctor --fix`, or apt-get install containernetworking-plugins); nothing was built'));
    }
  });
  return out;
}

/** The conflist file a cluster names (its name as messages show it, and its text), if it names one that is there. */
function conflistFile(source: LoadedFile): [string, string] | undefined {
  const cni = asObj(asObj(asObj(source.data).cluster).cni);
  if (typeof cni.conflist !== 'string') return undefined;
  const path = join(dirname(source.path), cni.conflist);
  try {
    return [displayPath(path), readFileSync(path, 'utf8')];
  } catch {
    return undefined; // expand reports it, located
  }
}

export const clusterExtension: Extension = {
  name: 'cluster',
  section: 'cluster',
  load(source) {
    const m0 = mergeManifests(source);
    // a conflist file (cni: { conflist: <path> }) is read like a manifest: its text for the lines under an error in
    // it, and its content in the lab's hash
    const conflist = conflistFile(source);
    const m = conflist ? { ...m0, sources: new Map([...m0.sources, conflist]) } : m0;
    if (!m.sources.size) return { file: m.file, diagnostics: m.diagnostics, sources: m.sources };
    // the lab is "changed" (lab up refuses without --recreate) when a manifest changes too
    const hash = createHash('sha256').update(source.hash).update([...m.sources.values()].join('\0')).digest('hex').slice(0, 16);
    return { file: { ...m.file, hash }, diagnostics: m.diagnostics, sources: m.sources };
  },
  expand(source) {
    const e = expandCluster(source);
    return { file: e.file, failed: e.failed, diagnostics: e.diagnostics, extras: e.cluster ? { cluster: e.cluster } : undefined };
  },
  assertionContext: (extras) => (extras.cluster ? testScope(extras.cluster) : undefined),
  steps: clusterSteps,
  verify: async (lab, ctx) => [...(await verifyIpvs(lab, ctx)), ...verifyPlugins(lab, ctx)],
};
