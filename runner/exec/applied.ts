/** The plan a lab is up from (issue 15.1), next to its state: what `lab up` of a changed file compares the new plan with. */
import { readFileSync, writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Applied } from '../plan/diff.ts';
import type { Placement } from '../config/load.ts';
import { labDir, readState } from './state.ts';

export function appliedPath(lab: string): string {
  return join(labDir(lab), 'applied-plan.json');
}

export function readApplied(lab: string): Applied | undefined {
  try {
    return JSON.parse(readFileSync(appliedPath(lab), 'utf8')) as Applied;
  } catch {
    return undefined;
  }
}

/** Written before the first command of an up or an apply runs (atomically: a crash leaves the old one or the new one). */
export function writeApplied(lab: string, a: Applied): void {
  mkdirSync(labDir(lab), { recursive: true });
  const tmp = join(labDir(lab), `.applied.${process.pid}.json`);
  writeFileSync(tmp, JSON.stringify(a));
  renameSync(tmp, appliedPath(lab));
}

/**
 * The allocations of the running lab of this name (issue 15.1): its pods' addresses and Services' ClusterIPs, which a
 * changed file keeps. Undefined when no lab of that name is up (a lab brought up afresh allocates afresh).
 */
export function runningPlacement(lab: string): Placement | undefined {
  const st = readState(lab);
  if (!st) return undefined;
  return readApplied(lab)?.placement;
}
