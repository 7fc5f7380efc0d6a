/**
 * link: an action between tests — take a node's interface down or bring it up, or flap it (down for a time, then up
 * again: issue 15.2), then let the tests after it see the effect.
 */
import type { AssertionDef, RunContext } from './types.ts';
import { ParamReader, sleep } from './common.ts';
import { formatMs } from '../runner/util/units.ts';
import schema from './link-action.schema.json' with { type: 'json' };

export interface LinkParams {
  readonly node: string;
  readonly dev: string;
  readonly state: 'up' | 'down' | 'flap';
  /** flap: how long the link stays down (ms). */
  readonly forMs?: number;
}

/** How long a flapped link stays down when `for:` is left out. */
export const DEFAULT_FLAP_MS = 2000;

export function linkArgv(p: { readonly dev: string }, state: 'up' | 'down'): string[] {
  return ['ip', 'link', 'set', 'dev', p.dev, state];
}

/** A link action under way: `ok`/`text` once the change is made (a flap: once the link is down); `done` once it is over (a flap: up again). */
export interface LinkApplied {
  readonly ok: boolean;
  readonly text: string;
  readonly command: string;
  readonly done: Promise<{ readonly ok: boolean; readonly text: string; readonly command: string }>;
}

/**
 * Bring the link up: with a lab behind the run, through it (ctx.lab.linkUp), which also puts back the addresses and
 * routes the plan configured on the interface and its peer and the kernel deleted when it went down; without one,
 * `ip link set dev X up` alone.
 */
async function bringUp(p: LinkParams, ctx: RunContext): Promise<{ readonly ok: boolean; readonly text: string; readonly command: string }> {
  if (ctx.lab) {
    try {
      return await ctx.lab.linkUp(p.node, p.dev);
    } catch (e) {
      return { ok: false, text: (e as Error).message, command: linkArgv(p, 'up').join(' ') };
    }
  }
  const u = await ctx.exec(p.node, linkArgv(p, 'up'), { timeoutMs: 5000 });
  const ok = u.exitCode === 0;
  return { ok, text: ok ? `${p.dev} is up` : `exit ${u.exitCode}: ${u.stderr.trim()}`, command: u.command };
}

/** "eth1 up; 1 route restored" → "up; 1 route restored"; "eth1 is up" → "up". */
const afterDev = (text: string, dev: string): string => (text.startsWith(`${dev} is `) ? text.slice(dev.length + 4) : text.startsWith(`${dev} `) ? text.slice(dev.length + 1) : text);

export async function applyLink(p: LinkParams, ctx: RunContext): Promise<LinkApplied> {
  if (p.state === 'up') {
    const u = await bringUp(p, ctx);
    return { ...u, done: Promise.resolve(u) };
  }
  const r = await ctx.exec(p.node, linkArgv(p, 'down'), { timeoutMs: 5000 });
  const ok = r.exitCode === 0;
  const text = ok ? `${p.dev} is down` : `exit ${r.exitCode}: ${r.stderr.trim()}`;
  if (p.state !== 'flap' || !ok) return { ok, text, command: r.command, done: Promise.resolve({ ok, text, command: r.command }) };
  const forMs = p.forMs ?? DEFAULT_FLAP_MS;
  const done = (async () => {
    await sleep(forMs); // not cut short by the run's signal: a flapped link always comes back up
    const u = await bringUp(p, ctx);
    return { ok: u.ok, text: u.ok ? `${p.dev} was down for ${formatMs(forMs)}, then ${afterDev(u.text, p.dev)}` : `${p.dev} was taken down, but not up again: ${u.text}`, command: `${r.command}\nsleep ${forMs / 1000}\n${u.command}` };
  })();
  return { ok, text, command: r.command, done };
}

export const link: AssertionDef<LinkParams> = {
  type: 'link',
  schema,
  exclusive: true,
  barrier: true,
  nodes: (p, n) => [p.node, n.linkPeer(p.node, p.dev)],
  describe: (p) => (p.state === 'flap' ? `flap ${p.node}:${p.dev} (down ${formatMs(p.forMs ?? DEFAULT_FLAP_MS)})` : `take ${p.node}:${p.dev} ${p.state}`),
  resolve(raw, ctx) {
    const r = new ParamReader('link', raw, ctx);
    const node = r.node('node');
    const dev = r.string('dev');
    const state = r.string('state');
    if (dev === undefined) r.shape('dev', 'name the interface: dev: eth1');
    if (state === undefined) r.shape('state', 'say state: down, up or flap');
    else if (state !== 'up' && state !== 'down' && state !== 'flap') r.fail('state', `link.state must be up, down or flap, not ${JSON.stringify(state)}`, 'write state: down, state: up, or state: flap (with for: 2s)', 'test.link');
    const forMs = r.durationMs('for', undefined);
    if (forMs !== undefined && state !== 'flap') r.fail('for', `link.for is how long a flapped link stays down: it needs state: flap`, 'write state: flap, or leave out for:', 'test.link');
    // the interface must be one of the node's (the kernel would say "Cannot find device" only when the test runs)
    const bridge = (ctx.bridgeNames ?? []).some((b) => b === dev || b === `${dev}@${node}`); // a bridge in the node (cni0@node-1)
    if (node && dev !== undefined && dev !== 'lo' && !bridge && ctx.hasNode(node)) {
      const t = ctx.target(`${node}:${dev}`);
      // (an interface without an address is still an interface: only "has no interface" is a mistake here)
      if (!t.ok && /has no interface/.test(t.message)) r.fail('dev', `link.dev: ${t.message}`, t.hint ?? `name an interface of ${node}`, 'test.link');
    }
    if (!node || dev === undefined || (state !== 'up' && state !== 'down' && state !== 'flap')) return r.result(undefined);
    return r.result<LinkParams>({ node, dev, state, ...(state === 'flap' ? { forMs: forMs ?? DEFAULT_FLAP_MS } : {}) });
  },
  async run(p, ctx) {
    const a = await applyLink(p, ctx);
    const d = await a.done;
    const expected = p.state === 'flap' ? `${p.node}:${p.dev} down for ${formatMs(p.forMs ?? DEFAULT_FLAP_MS)}, then up` : `${p.node}:${p.dev} set ${p.state}`;
    return { ok: a.ok && d.ok, expected, seen: d.text, command: d.command };
  },
  exercise(p, ctx) {
    // after `ip link set … up`, what the kernel deleted with the link and `lab test` puts back (issue 15.2)
    const restore = p.state === 'down' ? [] : [...(ctx.linkUp?.(p.node, p.dev) ?? [])];
    const restoreText = restore.length
      ? ` \`ip link set … up\` brings back only the kernel's own routes: the routes out of ${p.dev} and its IPv6 addresses that nslab configured went with the link, so the commands after it put them back (\`replace\`: what survived stays as it is), as \`lab test\` does.`
      : '';
    if (p.state === 'flap') {
      return {
        action: true,
        doThis: `Flap ${p.node}:${p.dev}: down for ${formatMs(p.forMs ?? DEFAULT_FLAP_MS)}, then up.${restoreText} The exercises after this one see it come back.`,
        commands: [ctx.inNode(p.node, linkArgv(p, 'down'), 'down'), ctx.inNode(p.node, linkArgv(p, 'up'), `${formatMs(p.forMs ?? DEFAULT_FLAP_MS)} later, up again`), ...restore],
        expect: `${p.node}:${p.dev} down, then up${restore.length ? `, with ${restore.length} address(es) and route(s) put back` : ''}`,
      };
    }
    return {
      action: true,
      doThis: `Take ${p.node}:${p.dev} ${p.state}.${restoreText} The exercises after this one see the change.`,
      commands: [ctx.inNode(p.node, linkArgv(p, p.state)), ...restore],
      expect: `${p.node}:${p.dev} set ${p.state}${restore.length ? `, with ${restore.length} address(es) and route(s) put back` : ''}`,
    };
  },
};
