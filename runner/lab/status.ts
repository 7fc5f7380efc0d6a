/**
 * `lab status` for a user of a BGP or Kubernetes lab (issue 18): what runner/exec/lab-status.ts sees on the machine,
 * plus each BIRD router's BGP sessions (birdc, in parallel, bounded) and, from the lab file the state records, its
 * Services, NetworkPolicies and impairments — skipped, with the reason, when that file is gone or has changed.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { labStatus, type LabStatus } from '../exec/lab-status.ts';
import { createRunContext } from '../exec/node-exec.ts';
import { birdDir, birdSocket } from '../kinds/bird/index.ts';
import { nodeNetns } from '../model/names.ts';
import { loadLab } from '../resolve/load.ts';
import { bgpRouterStatus, modelStatus, type BgpRouterStatus, type ModelStatus } from './status-model.ts';

const BIRDC_TIMEOUT_MS = 3000;

export interface FullLabStatus extends LabStatus {
  readonly bgp: readonly BgpRouterStatus[];
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
    const { lab } = loadLab(s.file);
    if (lab.name !== s.lab) return { modelNote: `${s.file} now holds lab ${lab.name}: Services, policies and impairments are not shown` };
    const now = s.hash;
    if (now !== undefined && lab.hash !== now) return { modelNote: `${s.file} has changed since \`lab up\`: Services, policies and impairments are not shown (\`lab up --recreate\` runs it as it is now)` };
    return { model: modelStatus(lab) };
  } catch {
    return { modelNote: `${s.file} no longer loads: Services, policies and impairments are not shown` };
  }
}

export async function fullLabStatus(lab: string): Promise<FullLabStatus> {
  const [s, bgp] = await Promise.all([labStatus(lab), bgpOf(lab)]);
  return { ...s, bgp, ...modelOf(s) };
}
