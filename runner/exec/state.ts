/** A lab's state on this machine: what it created, recorded as it is created. Lives under /run (gone at reboot, like the namespaces). */
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Created } from '../plan/ops.ts';
import type { CniRecord } from '../plan/cni-argv.ts';

export interface DaemonRecord {
  readonly node: string;
  readonly name: string;
  readonly pid: number;
  readonly log: string;
  readonly argv: readonly string[];
}

export interface LabState {
  readonly version: 1;
  readonly lab: string;
  readonly file: string;
  hash: string;
  /** The lab's structure hash (runner/model/structure-hash.ts): a new file with the same one needs no rebuild. */
  structure?: string;
  status: 'creating' | 'up' | 'failed' | 'deleting';
  readonly startedAt: string;
  upAt?: string;
  /** Namespaces the lab is about to create / has created (written before they are made). */
  namespaces: string[];
  /** Everything created, in order. */
  objects: Created[];
  daemons: DaemonRecord[];
  /** Pods networked by the real CNI plugins (cluster cni: { conflist }): the calls and each plugin's result. */
  cni?: CniRecord[];
  /**
   * Nodes stopped on purpose (`lab stop`, a `stop` test action; issue 15): their namespace and processes are gone
   * until `lab start`. Not damage: `lab status` says stopped, `lab up` leaves the lab as it is. `lab down` removes
   * them like the rest (their stopped containers too).
   */
  stopped?: string[];
  /**
   * Part of the lab (issue 15.4, `lab up --nodes`/`--exclude`): the nodes built, of how many the lab has. Absent:
   * the whole lab. `lab test` skips the tests that need a node not up; `lab status` says "part of the lab".
   */
  selection?: { nodes: string[]; of: number };
  /** Last `lab test` summary, for `lab status` (skipped: tests that need nodes not up, issue 15.4). */
  lastTest?: { at: string; passed: number; failed: number; skipped?: number };
}

export function stateRoot(): string {
  return process.env.NSLAB_STATE_DIR ?? '/run/nslab';
}

export function labDir(lab: string): string {
  return join(stateRoot(), lab);
}

export function readState(lab: string): LabState | undefined {
  try {
    return JSON.parse(readFileSync(join(labDir(lab), 'state.json'), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

export function writeState(s: LabState): void {
  const dir = labDir(s.lab);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.state.${process.pid}.json`);
  writeFileSync(tmp, JSON.stringify(s, null, 1));
  renameSync(tmp, join(dir, 'state.json'));
}

export function removeState(lab: string): void {
  rmSync(labDir(lab), { recursive: true, force: true });
}

export function labsWithState(): string[] {
  try {
    return readdirSync(stateRoot(), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
}

/** Each recorded object once: a step run again (a node restarted, a change applied) records what it made again. */
export function dedupeObjects(state: LabState): void {
  const seen = new Set<string>();
  state.objects = state.objects.filter((o) => {
    const k = JSON.stringify(o);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
