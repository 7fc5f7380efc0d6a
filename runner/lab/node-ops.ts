/**
 * `lab stop|start|restart [LAB] NODE` and the test actions of the same names (issue 15.2/15.5), and killing a node's
 * daemon: one code path. The node's slice of the plan (runner/plan/node-slice.ts) is compiled from the lab file the
 * lab is up from; runner/exec/node-control.ts stops and starts it and records it in the lab's state.
 */
import { existsSync } from 'node:fs';
import { LabError, didYouMean } from '../config/diagnostics.ts';
import { EXIT } from '../config/exit-codes.ts';
import type { ResolvedLab } from '../model/types.ts';
import { structureHash } from '../model/structure-hash.ts';
import { nodeSlice, type NodeSlice } from '../plan/node-slice.ts';
import type { Plan } from '../plan/ops.ts';
import type { LabUi } from './ui.ts';
import { killDaemon, startNode, stopNode, type KillReport, type StartReport, type StopReport } from '../exec/node-control.ts';
import { readState, type LabState } from '../exec/state.ts';
import { allLabsOnHost } from '../exec/host.ts';
import { isLabName } from '../config/lab-name.ts';
import { compileContextFor, labPathOf, loadLab, planOf } from './load.ts';
import { runningPart } from './partial.ts';
import { requireRoot } from './root.ts';

export type NodeOp = 'stop' | 'start' | 'restart';

export interface NodeOpReport {
  readonly lab: string;
  readonly node: string;
  readonly op: NodeOp;
  readonly stop?: StopReport;
  readonly start?: StartReport;
  readonly ms: number;
  /** `lab start|restart` from the command line: how long after the node started the lab was ready again, and its checks. */
  readonly readyMs?: number;
  readonly readyChecks?: number;
}

/** How `lab start|restart` waits for the lab to be ready again: at most this long (ms), or not at all (false). */
export interface NodeOpWait {
  readonly wait: number | false;
  readonly ui: LabUi;
}

const fail = (code: string, message: string, hint: string, exit: number = EXIT.usage): LabError => new LabError([{ severity: 'error', code, message, hint }], exit);

/** The lab that is up and its state, the node checked against it. */
function upState(lab: ResolvedLab, node: string): LabState {
  const state = readState(lab.name);
  if (!state || state.status !== 'up') throw fail('node.lab', `lab ${lab.name} is not up`, `bring it up first: lab up ${lab.file}`, EXIT.environment);
  if (state.structure && state.structure !== structureHash(lab)) {
    throw fail('node.changed', `${lab.file} changed since lab ${lab.name} came up: its nodes would be rebuilt from a file the running lab is not`, `run \`lab up --recreate ${lab.file}\` first`, EXIT.environment);
  }
  if (!lab.nodes.some((n) => n.name === node)) {
    const guess = didYouMean(node, lab.nodes.map((n) => n.name));
    throw fail('node.unknown', `lab ${lab.name} has no node ${node}`, guess ? `did you mean ${guess}?` : `its nodes: ${lab.nodes.map((n) => n.name).join(', ')}`);
  }
  return state;
}

function sliceOf(lab: ResolvedLab, plan: Plan, node: string): NodeSlice {
  const ns = lab.nodes.find((n) => n.name === node)!.netns;
  const s = nodeSlice(plan, node, ns);
  if (!s) throw fail('node.unknown', `lab ${lab.name}'s plan has no namespace for node ${node}`, 'is it a node of this lab?');
  return s;
}

/** Stop, start or restart one node of a lab that is up. */
export async function nodeOpOn(lab: ResolvedLab, node: string, op: NodeOp, plan?: Plan): Promise<NodeOpReport> {
  const t0 = performance.now();
  const state = upState(lab, node);
  const stopped = (state.stopped ?? []).includes(node);
  if (op === 'stop' && stopped) throw fail('node.stopped', `node ${node} of lab ${lab.name} is already stopped`, `start it: lab start ${lab.name} ${node}`, EXIT.environment);
  if (op === 'start' && !stopped) throw fail('node.running', `node ${node} of lab ${lab.name} is not stopped`, `to start it anew: lab restart ${lab.name} ${node}`, EXIT.environment);
  const p = plan ?? planOf(lab, await compileContextFor(lab));
  const slice = sliceOf(lab, p, node);
  const stop = op !== 'start' && !stopped ? await stopNode(state, slice) : undefined;
  const start = op !== 'stop' ? await startNode(state, p, slice) : undefined;
  return { lab: lab.name, node, op, ...(stop ? { stop } : {}), ...(start ? { start } : {}), ms: Math.round(performance.now() - t0) };
}

/** Kill a node's daemon by its name in the lab (`bird`), as a crash would. */
export async function killOn(lab: ResolvedLab, node: string, daemon: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<KillReport> {
  const state = upState(lab, node);
  return killDaemon(state, lab.nodes.find((n) => n.name === node)!.netns, node, daemon, signal);
}

/** `lab stop|start|restart [LAB] NODE`: the lab named (a file, a directory, the name of a lab that is up), else this directory's or the only one up. */
export async function nodeOp(labArg: string | undefined, node: string, op: NodeOp, wait?: NodeOpWait): Promise<NodeOpReport> {
  requireRoot(op);
  let file: string | undefined = labArg;
  if (labArg && !existsSync(labArg) && isLabName(labArg)) {
    file = readState(labArg)?.file;
    if (!file) throw fail('node.lab', `lab ${labArg} is not up`, 'name a lab that is up (`lab status`), or its lab file', EXIT.environment);
  } else if (!labArg && !existsSync('lab.yaml') && !existsSync('lab.yml')) {
    const up = allLabsOnHost();
    if (up.length !== 1) throw fail('node.lab', up.length ? `${up.length} labs are up (${up.join(', ')})` : 'no lab is up', `name one: lab ${op} LAB ${node}`);
    file = readState(up[0])?.file;
    if (!file) throw fail('node.lab', `lab ${up[0]} has no state`, `run \`lab down ${up[0]}\` and bring it up again`, EXIT.environment);
  }
  // part of the lab is up (lab up --nodes, issue 15.4): the node's slice comes from the plan of that part
  const loaded = runningPart(loadLab(labPathOf(file)));
  const r = await nodeOpOn(loaded.lab, node, op);
  if (op === 'stop' || !wait || wait.wait === false) return r;
  // as `lab up` returns once the lab is ready: BGP sessions back, servers listening (the nodes still stopped left out)
  const t0 = performance.now();
  const { readyPart, waitLabReady } = await import('./ready-wait.ts');
  const ready = await waitLabReady(readyPart(loaded), wait.wait, { quiet: true }, wait.ui);
  return ready ? { ...r, readyMs: Math.round(performance.now() - t0), readyChecks: ready.items.length } : r;
}

/** What was done, in one line. */
export function nodeOpText(r: NodeOpReport): string {
  const parts: string[] = [];
  if (r.stop) parts.push(`stopped in ${r.stop.ms} ms (${r.stop.killed.length} process(es) ended${r.stop.containers.length ? `, container ${r.stop.containers.join(', ')} stopped` : ''})`);
  if (r.start) {
    const daemons = r.start.daemons.map((d) => `${d.name} pid ${d.pid}`).join(', ');
    parts.push(`started in ${r.start.ms} ms (${r.start.units} command(s)${r.start.containers.length ? `, container ${r.start.containers.join(', ')}` : ''}${daemons ? `, ${daemons}` : ''})`);
  }
  const ready = r.readyMs !== undefined ? `; the lab is ready again ${r.readyMs} ms later (${r.readyChecks} check(s) held)` : '';
  return `node ${r.node} ${parts.join(', then ')}${ready}`;
}
