/**
 * restart, stop, start, kill: actions between tests (issue 15.2) that change a node of the running lab, with the
 * code of `lab restart|stop|start` (runner/lab/node-ops.ts, reached through RunContext.lab). `lab down` still
 * removes everything: what they do is recorded in the lab's state.
 */
import type { AssertionDef, RunContext } from './types.ts';
import { fail, ParamReader } from './common.ts';
import restartSchema from './restart.schema.json' with { type: 'json' };
import stopSchema from './stop.schema.json' with { type: 'json' };
import startSchema from './start.schema.json' with { type: 'json' };
import killSchema from './kill.schema.json' with { type: 'json' };

export type NodeOp = 'restart' | 'stop' | 'start';

export interface NodeActionParams {
  readonly node: string;
}

const WORDS: Record<NodeOp, { past: string; doThis: string; schema: Record<string, unknown> }> = {
  restart: { past: 'restarted', doThis: 'Restart {node}: it stops (its processes end, its links go down on the other side) and starts again from its part of the plan.', schema: restartSchema },
  stop: { past: 'stopped', doThis: 'Stop {node}: its processes end, its namespace and every link with an end in it go; its neighbours see carrier loss.', schema: stopSchema },
  start: { past: 'started', doThis: 'Start {node} again: its namespace (or container), links, addresses, routes and daemons come back.', schema: startSchema },
};

const noLab = (what: string) => fail(what, 'no running lab behind this test run (only `lab test` and `lab up --test` can change nodes)', '');

/** Apply a node action; `text` says what was done. */
export async function applyNodeOp(op: NodeOp, node: string, ctx: RunContext): Promise<{ ok: boolean; text: string; pids: Readonly<Record<string, number>> }> {
  if (!ctx.lab) return { ok: false, text: noLab('').seen, pids: {} };
  try {
    const r = await ctx.lab.node(node, op);
    return { ok: true, text: r.text, pids: r.pids };
  } catch (e) {
    return { ok: false, text: e instanceof Error ? e.message : String(e), pids: {} };
  }
}

function nodeAction(op: NodeOp): AssertionDef<NodeActionParams> {
  const w = WORDS[op];
  return {
    type: op,
    schema: w.schema,
    exclusive: true,
    barrier: true,
    once: true,
    nodes: (p) => [p.node],
    describe: (p) => `${op} ${p.node}`,
    resolve(raw, ctx) {
      const r = new ParamReader(op, raw, ctx);
      const node = r.node('node');
      return r.result(node ? { node } : undefined);
    },
    async run(p, ctx) {
      const r = await applyNodeOp(op, p.node, ctx);
      return { ok: r.ok, expected: `${p.node} ${w.past}`, seen: r.text, command: `lab ${op} ${p.node}`, details: { pids: r.pids } };
    },
    exercise(p, ctx) {
      return {
        action: true,
        doThis: `${w.doThis.replace('{node}', p.node)} The exercises after this one see the change.`,
        commands: [{ node: p.node, host: true, text: `lab ${op} ${ctx.lab ?? 'LAB'} ${p.node}` }],
        expect: `${p.node} ${w.past}`,
      };
    },
  };
}

export const restart = nodeAction('restart');
export const stop = nodeAction('stop');
export const start = nodeAction('start');

export interface KillParams {
  readonly node: string;
  readonly daemon: string;
  readonly signal: 'KILL' | 'TERM';
}

/** Kill a daemon; `text` says what was done. */
export async function applyKill(p: KillParams, ctx: RunContext): Promise<{ ok: boolean; text: string }> {
  if (!ctx.lab) return { ok: false, text: noLab('').seen };
  try {
    const r = await ctx.lab.kill(p.node, p.daemon, `SIG${p.signal}`);
    return r.pids.length ? { ok: true, text: `${p.daemon} on ${p.node} killed (SIG${p.signal}, pid ${r.pids.join(', ')})` } : { ok: false, text: `no ${p.daemon} process found in ${p.node}` };
  } catch (e) {
    return { ok: false, text: e instanceof Error ? e.message : String(e) };
  }
}

export const kill: AssertionDef<KillParams> = {
  type: 'kill',
  schema: killSchema,
  exclusive: true,
  barrier: true,
  once: true,
  nodes: (p) => [p.node],
  describe: (p) => `kill ${p.node}'s ${p.daemon}`,
  resolve(raw, ctx) {
    const r = new ParamReader('kill', raw, ctx);
    const node = r.node('node');
    const daemon = r.string('daemon');
    const signal = r.oneOf('signal', ['KILL', 'TERM'] as const, 'KILL');
    if (daemon === undefined || daemon === '') r.shape('daemon', 'name the daemon: daemon: bird');
    else if (node && ctx.daemons) {
      const names = ctx.daemons(node);
      if (!names.includes(daemon)) r.fail('daemon', `kill.daemon: node ${node} has no daemon ${JSON.stringify(daemon)}`, names.length ? `its daemons: ${names.join(', ')}` : `${node} runs no daemon (a BGP router's is bird; others are the node's daemons:)`);
    }
    return r.result(node && daemon ? { node, daemon, signal } : undefined);
  },
  async run(p, ctx) {
    const r = await applyKill(p, ctx);
    return { ok: r.ok, expected: `${p.node}'s ${p.daemon} killed`, seen: r.text, command: `kill -${p.signal} <pid of ${p.daemon} in ${p.node}>` };
  },
  exercise(p, ctx) {
    // BIRD is found by its BGP listener on port 179 in the node's own namespace (ss sees only that namespace's
    // sockets, so no other lab's BIRD is touched); another daemon is left for the learner to find in `lab status`
    const command = p.daemon === 'bird'
      ? ctx.inNode(p.node, ['sh', '-c', `kill -${p.signal} $(ss -Htlnp 'sport = :179' | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2)`])
      : { node: p.node, host: true, text: `lab status   # then: kill -${p.signal} <the pid of ${p.daemon} on ${p.node}>` };
    return {
      action: true,
      doThis: `Kill ${p.node}'s ${p.daemon} (SIG${p.signal}), as a crash would. The exercises after this one see it gone.`,
      commands: [command],
      expect: `${p.daemon} is no longer running on ${p.node}`,
    };
  },
};
