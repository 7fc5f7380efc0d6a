/**
 * Kernel features a lab needs because of its interface types, checked before anything is built. Pure: the host
 * probes (runner/exec/probes.ts) run in the lab layer, which passes their answers in as data (HostFeatures).
 */
import { error, type Diagnostic } from '../config/diagnostics.ts';
import type { HostFeatures } from './host-features.ts';
import { needsNetem } from './impair.ts';
import type { ResolvedLab } from './types.ts';

/** Interface type → the doctor probe that tells whether this kernel can make it. */
const PROBE: Readonly<Record<string, string>> = {
  vxlan: 'vxlan',
  macvlan: 'macvlan',
  tun: 'tun',
  ipip: 'ipip',
  gre: 'gre',
  gretap: 'gretap',
  sit: 'sit',
  geneve: 'geneve',
  ipvlan: 'ipvlan',
  wireguard: 'wireguard',
};

export function featuresNeeded(lab: ResolvedLab): Map<string, { node: string; iface: string; pos: ResolvedLab['nodes'][number]['pos'] }[]> {
  const need = new Map<string, { node: string; iface: string; pos: ResolvedLab['nodes'][number]['pos'] }[]>();
  for (const n of lab.nodes) {
    for (const i of n.interfaces) {
      const probe = i.virtual ? PROBE[i.virtual.type] : undefined;
      if (probe) need.set(probe, [...(need.get(probe) ?? []), { node: n.name, iface: i.name, pos: i.pos }]);
    }
  }
  return need;
}

/**
 * The host features this lab cannot run without (`lab up` refuses it when one is missing; `lab plan` assumes
 * them present and says so): interface types, kube-proxy's ipvs mode, netem for delay and jitter.
 */
export function featuresRequired(lab: ResolvedLab): string[] {
  const out = new Set(featuresNeeded(lab).keys());
  if (lab.cluster?.requestedKubeProxy === 'ipvs') out.add('ipvs');
  if (lab.nodes.some((n) => n.interfaces.some((i) => i.impair && needsNetem(i.impair)))) out.add('netem');
  return [...out].sort();
}

/**
 * What `lab up` probes: the required features, and netem where the plan depends on it (loss without delay is
 * compiled into netem where the kernel has it, else into an nftables drop).
 */
export function featuresToProbe(lab: ResolvedLab): string[] {
  const out = new Set(featuresRequired(lab));
  if (lab.nodes.some((n) => n.interfaces.some((i) => i.impair?.lossPct && !needsNetem(i.impair)))) out.add('netem');
  return [...out].sort();
}

/** One error per interface whose type this kernel cannot make (by `found`), naming the missing feature and what to do. */
export function checkFeatures(lab: ResolvedLab, found: HostFeatures): Diagnostic[] {
  const need = featuresNeeded(lab);
  const out: Diagnostic[] = [];
  // (kube-proxy's ipvs mode is the cluster extension's check: runner/cluster/extension.ts)
  for (const [probe, uses] of need) {
    const r = found.get(probe);
    if (!r || r.ok) continue;
    for (const u of uses) {
      out.push(error('kernel.missing', `${u.node}:${u.iface} is a ${probe} interface, and this kernel cannot make one: ${r.detail}`, u.pos, `${r.hint ?? 'use a kernel with it'}; nothing was built (\`lab doctor\` lists what this machine has)`));
    }
  }
  return out;
}

/** The host features `lab trace` needs to trace a running lab's kernel (the doctor probe names). */
export const TRACE_FEATURES: readonly string[] = ['nftables', 'nftrace'];

/** Why this kernel cannot trace (the first missing trace feature), with what to do; undefined when it can. */
export function traceUnavailable(found: HostFeatures): { readonly message: string; readonly hint: string } | undefined {
  for (const name of TRACE_FEATURES) {
    const r = found.get(name);
    if (!r || r.ok) continue;
    return { message: `this machine cannot trace packets: the kernel feature ${name} is missing (${r.detail})`, hint: `${r.hint ?? 'use a kernel with nftables tracing'}; \`lab trace --predict\` shows the model's walk without the kernel` };
  }
  return undefined;
}
