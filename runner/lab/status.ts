/**
 * `lab status` for a user of a BGP or Kubernetes lab (issue 18): what runner/exec/lab-status.ts sees on the machine,
 * plus each BIRD router's BGP sessions (birdc, in parallel, bounded) and, from the lab file the state records, its
 * Services, NetworkPolicies and impairments — skipped, with the reason, when that file is gone or has changed.
 */
import { runningPart } from './partial.ts';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { labStatus, type LabStatus } from '../exec/lab-status.ts';
import { labDir } from '../exec/state.ts';
import { createRunContext } from '../exec/node-exec.ts';
import { birdDir, birdSocket } from '../kinds/bird/index.ts';
import { nodeNetns } from '../model/names.ts';
import { loadLab } from '../resolve/load.ts';
import { bgpRouterStatus, modelStatus, type BgpRouterStatus, type ModelStatus } from './status-model.ts';

const BIRDC_TIMEOUT_MS = 3000;

/** A node's kube-proxy in userspace mode (issue 14.5), from what it applied (`<lab>/kube-proxy/<node>.applied.json`). */
export interface UserspaceProxyStatus {
  readonly node: string;
  readonly pid: number;
  /** Its process is there. */
  readonly running: boolean;
  readonly generation: string;
  readonly appliedAt: string;
  readonly services: readonly { readonly name: string; readonly protocol: string; readonly clusterIP: string; readonly port: number; readonly nodePort: number; readonly proxyPort: number; readonly endpoints: readonly string[] }[];
}

export interface FullLabStatus extends LabStatus {
  readonly bgp: readonly BgpRouterStatus[];
  /** kube-proxy: userspace: each node's proxy. */
  readonly userspaceProxies: readonly UserspaceProxyStatus[];
  /** From the lab file, when it is there and unchanged since `lab up`. */
  readonly model?: ModelStatus;
  /** Why `model` is absent. */
  readonly modelNote?: string;
}

/** The routers of a lab with a BIRD control socket (kind: bird writes one per router under the lab's directory). */
function birdRouters(lab: string): string[] {
  const dir = dirname(birdDir(lab, 'x'));
  try {
    return readdirSync(dir).filter((n) => existsSync(birdSocket(lab, n))).sort();
  } catch {
    return [];
  }
}

async function bgpOf(lab: string): Promise<BgpRouterStatus[]> {
  const ctx = createRunContext({ nsOf: (n) => nodeNetns(lab, n), measurements: new Map() });
  return Promise.all(
    birdRouters(lab).map(async (node) => bgpRouterStatus(node, await ctx.exec(node, ['birdc', '-s', birdSocket(lab, node), 'show', 'protocols', 'all'], { timeoutMs: BIRDC_TIMEOUT_MS }))),
  );
}

function modelOf(s: LabStatus): { model?: ModelStatus; modelNote?: string } {
  if (!s.file) return {};
  if (!existsSync(s.file)) return { modelNote: `${s.file} is gone: Services, policies and impairments are not shown` };
  try {
    // part of the lab (issue 15.4): the Services' endpoints of the running part, as its rules have them
    const { lab } = runningPart(loadLab(s.file));
    if (lab.name !== s.lab) return { modelNote: `${s.file} now holds lab ${lab.name}: Services, policies and impairments are not shown` };
    const now = s.hash;
    if (now !== undefined && lab.hash !== now) return { modelNote: `${s.file} has changed since \`lab up\`: Services, policies and impairments are not shown (\`lab up --recreate\` runs it as it is now)` };
    return { model: modelStatus(lab) };
  } catch {
    return { modelNote: `${s.file} no longer loads: Services, policies and impairments are not shown` };
  }
}

/** The userspace proxies of a lab: what each applied last, and whether its process is still there. */
export function userspaceProxies(lab: string): UserspaceProxyStatus[] {
  const dir = `${labDir(lab)}/kube-proxy`;
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.applied.json')).sort();
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    try {
      const a = JSON.parse(readFileSync(`${dir}/${n}`, 'utf8')) as Omit<UserspaceProxyStatus, 'running'>;
      return [{ ...a, node: a.node ?? n.replace(/\.applied\.json$/, ''), running: existsSync(`/proc/${a.pid}`) }];
    } catch {
      return [];
    }
  });
}

export async function fullLabStatus(lab: string): Promise<FullLabStatus> {
  const [s, bgp] = await Promise.all([labStatus(lab), bgpOf(lab)]);
  return { ...s, bgp, userspaceProxies: userspaceProxies(lab), ...modelOf(s) };
}
