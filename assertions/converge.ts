/**
 * converge (issue 15.3): apply a failure action, then measure how long until a stated condition holds again, against
 * a threshold. The condition is one of the checks (ping, tcp, route, bgp, http, command), run as a probe every
 * `interval` (100 ms by default) from the moment the failure is in place; the time measured runs from the start of
 * the action until the end of the first probe that saw the condition hold. For a flap the link comes back up `for:`
 * after it went down, while the probes run. The measured time is the outcome's `convergeMs`: every report shows it.
 *
 * A converge test is never retried (trying again would apply the failure again), so a test-level `within:` adds
 * nothing; the threshold is the `within:` inside it. Probes go on past the threshold until `timeout` (default: the
 * threshold + 10 s, at most 1 hour) so that a slow convergence is still measured: "converged in 9.4 s, over 3 s".
 */
import type { PathSeg } from '../runner/config/load.ts';
import { formatMs } from '../runner/util/units.ts';
import { bgp } from './bgp.ts';
import { command } from './command.ts';
import { fail, ParamReader, sleep } from './common.ts';
import { http } from './http.ts';
import { impair } from './impair-action.ts';
import { applyLink, link } from './link-action.ts';
import { applyKill, applyNodeOp, kill, restart, start, stop, type KillParams, type NodeOp } from './node-action.ts';
import { ping } from './ping.ts';
import { route } from './route.ts';
import { tcp } from './tcp.ts';
import type { AssertionDef, Outcome, ResolveContext, RunContext } from './types.ts';
import { deletePod } from '../runner/cluster/assertions/delete-pod.ts';
import { k8sNode } from '../runner/cluster/assertions/k8s-node.ts';
import { service } from '../runner/cluster/assertions/service.ts';
import schema from './converge.schema.json' with { type: 'json' };

/* eslint-disable @typescript-eslint/no-explicit-any -- each nested def has its own params type */
/** The failure actions a converge test may apply. */
export const CONVERGE_ACTIONS: ReadonlyMap<string, AssertionDef<any>> = new Map<string, AssertionDef<any>>([link, restart, stop, start, kill, impair, k8sNode, deletePod].map((d) => [d.type, d]));
/** The checks it may wait for. */
export const CONVERGE_CONDITIONS: ReadonlyMap<string, AssertionDef<any>> = new Map<string, AssertionDef<any>>([ping, tcp, route, bgp, http, command, service].map((d) => [d.type, d]));
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface ConvergeParams {
  readonly action: { readonly type: string; readonly params: unknown; readonly text: string };
  readonly until: { readonly type: string; readonly params: unknown; readonly text: string };
  readonly withinMs: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

export const DEFAULT_INTERVAL_MS = 100;
const MAX_MS = 3600_000;

/** The context a nested action or check resolves with: its positions under `converge.<key>.<type>`. */
function nestedContext(ctx: ResolveContext, prefix: readonly PathSeg[]): ResolveContext {
  return { ...ctx, at: (p, k) => ctx.at([...prefix, ...p], k), unknownNode: (x, p) => ctx.unknownNode(x, [...prefix, ...p]) };
}

/** Resolve the one mapping under `key` (action or until) with the def its key names. */
function nested(
  r: ParamReader,
  key: 'action' | 'until',
  defs: ReadonlyMap<string, AssertionDef<unknown>>,
  hint: string,
): { type: string; params: unknown; text: string } | undefined {
  const v = r.raw[key];
  if (v === undefined || v === null) {
    // the schema says so too (a required key): one error, at the test
    return r.shape(key, key === 'until' ? `converge needs a condition to wait for: until: { ${[...defs.keys()].join(' | ')}: … } (${hint})` : `converge needs a failure to apply: action: { ${[...defs.keys()].join(' | ')}: … } (${hint})`);
  }
  if (typeof v !== 'object' || Array.isArray(v)) return r.shape(key, `must be a mapping with one of ${[...defs.keys()].join(', ')}`);
  const keys = Object.keys(v as object);
  if (keys.length !== 1 || !defs.has(keys[0])) {
    const bad = keys.find((k) => !defs.has(k));
    return r.shape(key, `${bad !== undefined ? `${JSON.stringify(bad)} is not one of` : 'name exactly one of'} ${[...defs.keys()].join(', ')}`);
  }
  const type = keys[0];
  const def = defs.get(type)!;
  const inner = (v as Record<string, unknown>)[type];
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return r.shape(`${key}`, `${type} must be a mapping`);
  const res = def.resolve(inner as Record<string, unknown>, nestedContext(r.ctx, [key, type]));
  r.diagnostics.push(...res.diagnostics);
  if (res.params === undefined) {
    if (!res.diagnostics.some((d) => d.severity === 'error')) r.fail(key, `converge.${key}.${type} could not be read`, `see the ${type} assertion in the README`, 'test.converge');
    return undefined;
  }
  return { type, params: res.params, text: def.describe(res.params) };
}

/** The failure under way: ok once applied; `done` once it is over (a flap: the link up again). */
async function applyAction(a: ConvergeParams['action'], ctx: RunContext): Promise<{ ok: boolean; text: string; done: Promise<{ ok: boolean; text: string }> }> {
  if (a.type === 'link') return applyLink(a.params as Parameters<typeof applyLink>[0], ctx);
  if (a.type === 'kill') {
    const r = await applyKill(a.params as KillParams, ctx);
    return { ...r, done: Promise.resolve(r) };
  }
  if (a.type === 'restart' || a.type === 'stop' || a.type === 'start') {
    const r = await applyNodeOp(a.type as NodeOp, (a.params as { node: string }).node, ctx);
    return { ok: r.ok, text: r.text, done: Promise.resolve(r) };
  }
  // impair, k8s-node, delete-pod: their own run, done when it returns
  const o = await CONVERGE_ACTIONS.get(a.type)!.run(a.params, ctx);
  const r = { ok: o.ok, text: o.seen };
  return { ...r, done: Promise.resolve(r) };
}

export const converge: AssertionDef<ConvergeParams> = {
  type: 'converge',
  schema,
  exclusive: true,
  barrier: true,
  once: true,
  nodes: (p, n) => [...(CONVERGE_ACTIONS.get(p.action.type)?.nodes?.(p.action.params, n) ?? []), ...(CONVERGE_CONDITIONS.get(p.until.type)?.nodes?.(p.until.params, n) ?? [])],
  describe: (p) => `${p.action.text}, then ${p.until.text} within ${formatMs(p.withinMs)}`,
  resolve(raw, ctx) {
    const r = new ParamReader('converge', raw, ctx);
    const action = nested(r, 'action', CONVERGE_ACTIONS, 'e.g. action: { link: { node: r1, dev: eth1, state: down } }, or action: { restart: { node: r1 } }');
    const until = nested(r, 'until', CONVERGE_CONDITIONS, 'e.g. until: { route: { node: r1, to: 10.3.0.0/24, via: 10.0.12.2 } }, or until: { ping: { from: h1, to: h3, count: 1 } }');
    const withinMs = r.durationMs('within', undefined);
    if (!r.has('within')) r.shape('within', 'converge needs a threshold: within: 3s, the longest the condition may take to hold again');
    const intervalMs = r.durationMs('interval', DEFAULT_INTERVAL_MS);
    const timeoutMs = r.durationMs('timeout', undefined);
    if (withinMs !== undefined && timeoutMs !== undefined && timeoutMs < withinMs) r.fail('timeout', `converge.timeout (${formatMs(timeoutMs)}) is shorter than within (${formatMs(withinMs)})`, 'timeout is how long to go on measuring past the threshold: leave it out, or make it longer than within', 'test.converge');
    if (!action || !until || withinMs === undefined) return r.result(undefined);
    return r.result<ConvergeParams>({ action, until, withinMs, intervalMs: Math.max(10, intervalMs), timeoutMs: Math.min(MAX_MS, timeoutMs ?? withinMs + 10_000) });
  },
  async run(p, ctx) {
    const cond = CONVERGE_CONDITIONS.get(p.until.type)!;
    const t0 = performance.now();
    const applied = await applyAction(p.action, ctx);
    const expected = `${p.until.text} within ${formatMs(p.withinMs)} of: ${p.action.text}`;
    if (!applied.ok) return fail(expected, `the action failed: ${applied.text}`, '');
    let probes = 0;
    let last: Outcome | undefined;
    let convergeMs: number | undefined;
    for (;;) {
      if (ctx.signal?.aborted) break;
      probes++;
      try {
        last = await cond.run(p.until.params, ctx);
      } catch (e) {
        last = fail(p.until.text, `the probe could not run: ${e instanceof Error ? e.message : String(e)}`, '');
      }
      const now = performance.now() - t0;
      if (last.ok) {
        convergeMs = Math.round(now);
        break;
      }
      if (now >= p.timeoutMs) break;
      await sleep(p.intervalMs, ctx.signal);
    }
    const over = await applied.done;
    const actionText = over.text === applied.text ? applied.text : `${applied.text}; ${over.text}`;
    const details = { convergeMs: convergeMs ?? null, withinMs: p.withinMs, probes, action: p.action.type, actionSeen: actionText, condition: p.until.type };
    if (convergeMs === undefined) {
      return fail(expected, `not converged: ${p.until.text} did not hold within ${formatMs(p.timeoutMs)} (${probes} probes; the last saw: ${last?.seen ?? 'nothing'}); action: ${actionText}`, last?.command ?? '', { details });
    }
    const ok = convergeMs <= p.withinMs && over.ok;
    const seen = `converged in ${formatMs(convergeMs)}${convergeMs <= p.withinMs ? '' : `, over the ${formatMs(p.withinMs)} allowed`} (${probes} probe${probes === 1 ? '' : 's'}): ${last!.seen}; action: ${actionText}`;
    return { ok, expected, seen, command: last!.command, convergeMs, details };
  },
  exercise(p, ctx) {
    const act = CONVERGE_ACTIONS.get(p.action.type)!.exercise?.(p.action.params, ctx);
    const chk = CONVERGE_CONDITIONS.get(p.until.type)!.exercise?.(p.until.params, ctx);
    // the failure, then the check (again and again, while a flapped link is still down), then the rest of the action;
    // a link brought up is one step with what it puts back (issue 15.2): the check comes after all of it
    const cmds = act?.commands ?? [];
    const n = p.action.type === 'link' && (p.action.params as { state?: string }).state === 'up' ? cmds.length : 1;
    const first = cmds.slice(0, n);
    const rest = cmds.slice(n);
    return {
      action: true,
      doThis: `${act?.doThis ?? p.action.text} Right after the failure, run the check again and again: \`lab test\` measures how long until ${p.until.text} (it must hold within ${formatMs(p.withinMs)}).`,
      commands: [...first, ...(chk?.commands ?? []), ...rest],
      expect: `${chk?.expect ?? p.until.text}, within ${formatMs(p.withinMs)}`,
      ...(chk?.hint ? { hint: chk.hint } : {}),
    };
  },
};
