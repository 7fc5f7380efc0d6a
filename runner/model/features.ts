/** Kernel features a lab needs because of its interface types, checked (doctor's probes) before anything is built. */
import { error, type Diagnostic } from '../config/diagnostics.ts';
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

/** This machine's kernel features by probe name (doctor's probes). */
export async function probeFeatures(names: readonly string[]): Promise<Map<string, { ok: boolean; detail: string; hint?: string }>> {
  const { detectFeatures } = await import('../cli/commands/doctor.ts');
  return detectFeatures([...names]);
}

/** One error per interface whose type this kernel cannot make, naming the missing feature and what to do. */
export async function checkFeatures(lab: ResolvedLab): Promise<Diagnostic[]> {
  const need = featuresNeeded(lab);
  const out: Diagnostic[] = [];
  if (!need.size) return out;
  const found = await probeFeatures([...need.keys()]);
  for (const [probe, uses] of need) {
    const r = found.get(probe);
    if (!r || r.ok) continue;
    for (const u of uses) {
      out.push(error('kernel.missing', `${u.node}:${u.iface} is a ${probe} interface, and this kernel cannot make one: ${r.detail}`, u.pos, `${r.hint ?? 'use a kernel with it'}; nothing was built (\`lab doctor\` lists what this machine has)`));
    }
  }
  return out;
}
