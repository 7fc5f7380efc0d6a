/** `lab down`: remove everything a lab made, with or without its state; what was removed, as data and as a line. */
import { existsSync } from 'node:fs';
import { labsInDocker } from '../exec/docker-labs.ts';
import { allLabsOnHost } from '../exec/host.ts';
import { labsWithState } from '../exec/state.ts';
import { teardown, type TeardownReport } from '../exec/teardown.ts';
import { isLabName } from '../config/lab-name.ts';
import { requireRoot } from './root.ts';
import type { LabUi } from './ui.ts';

export interface DownReport extends TeardownReport {
  readonly ms: number;
}

/** Which labs: all of them (found by state, by namespace prefix and by Docker label), or the one named. */
export type DownTarget = { readonly all: true } | { readonly lab: string | undefined };

/** Take one lab down (no messages): what was removed, and how long it took. */
export async function downLab(name: string): Promise<DownReport> {
  const t0 = performance.now();
  const r = await teardown(name);
  return { ...r, ms: Math.round(performance.now() - t0) };
}

/**
 * The line that says what taking a lab down did. `brief` (for `lab test` over many labs, which brought the lab up
 * itself) leaves out the processes and the missing state.
 */
export function downMessage(r: DownReport, brief = false): string {
  if (r.leftovers.length) return `lab ${r.lab}: could not remove ${r.leftovers.join(', ')}`;
  if (!brief && !r.namespaces.length && !r.hadState && !r.containers.length) return `lab ${r.lab} is not up (nothing to remove)`;
  const containers = r.containers.length ? `, ${r.containers.length} container(s)` : '';
  if (brief) return `lab ${r.lab} is down: ${r.namespaces.length} namespace(s)${containers} removed in ${r.ms} ms`;
  const cni = r.cni ? `; CNI DEL for ${r.cni.pods.length} pod(s)${r.cni.failures.length ? `, which failed: ${r.cni.failures.join('; ')}` : ''}` : '';
  return `lab ${r.lab} is down: ${r.namespaces.length} namespace(s)${containers}${r.killed.length ? `, ${r.killed.length} process(es)` : ''} removed in ${r.ms} ms${r.hadState ? '' : ' (found by prefix and label; there was no state)'}${cni}`;
}

/** lab down [LAB | --all]: each lab's line through the ui; the reports (leftovers are in them) as the result. */
export async function down(target: DownTarget, ui: LabUi): Promise<DownReport[]> {
  requireRoot('down');
  const names = 'all' in target ? [...new Set([...allLabsOnHost(), ...labsWithState(), ...(await labsInDocker())])] : [await nameOf(target.lab)];
  if (!names.length) ui.info('no labs are up');
  const reports: DownReport[] = [];
  for (const name of names) {
    const r = await downLab(name);
    ui.info(downMessage(r));
    reports.push(r);
  }
  return reports;
}

/** A lab name needs no lab file; only a path is read (and only then is the YAML machinery loaded: `lab down` stays fast). */
async function nameOf(arg: string | undefined): Promise<string> {
  if (arg && !existsSync(arg) && isLabName(arg)) return arg;
  return (await import('./load.ts')).labNameOf(arg).name;
}
