/** link: an action between tests — take a node's interface down or bring it up, then let the tests after it see the effect. */
import type { AssertionDef } from './types.ts';
import { ParamReader } from './common.ts';
import schema from './link-action.schema.json' with { type: 'json' };

export interface LinkParams {
  readonly node: string;
  readonly dev: string;
  readonly state: 'up' | 'down';
}

export function linkArgv(p: LinkParams): string[] {
  return ['ip', 'link', 'set', 'dev', p.dev, p.state];
}

export const link: AssertionDef<LinkParams> = {
  type: 'link',
  schema,
  exclusive: true,
  barrier: true,
  describe: (p) => `take ${p.node}:${p.dev} ${p.state}`,
  resolve(raw, ctx) {
    const r = new ParamReader('link', raw, ctx);
    const node = r.node('node');
    const dev = r.string('dev');
    const state = r.string('state');
    if (dev === undefined) r.shape('dev', 'name the interface: dev: eth1');
    if (state === undefined) r.shape('state', 'say state: down or state: up');
    else if (state !== 'up' && state !== 'down') r.fail('state', `link.state must be up or down, not ${JSON.stringify(state)}`, 'write state: down, or state: up', 'test.link');
    // the interface must be one of the node's (the kernel would say "Cannot find device" only when the test runs)
    const bridge = (ctx.bridgeNames ?? []).some((b) => b === dev || b === `${dev}@${node}`); // a bridge in the node (cni0@node-1)
    if (node && dev !== undefined && dev !== 'lo' && !bridge && ctx.hasNode(node)) {
      const t = ctx.target(`${node}:${dev}`);
      // (an interface without an address is still an interface: only "has no interface" is a mistake here)
      if (!t.ok && /has no interface/.test(t.message)) r.fail('dev', `link.dev: ${t.message}`, t.hint ?? `name an interface of ${node}`, 'test.link');
    }
    if (!node || dev === undefined || (state !== 'up' && state !== 'down')) return r.result(undefined);
    return r.result<LinkParams>({ node, dev, state });
  },
  async run(p, ctx) {
    const r = await ctx.exec(p.node, linkArgv(p), { timeoutMs: 5000 });
    const ok = r.exitCode === 0;
    return { ok, expected: `${p.node}:${p.dev} set ${p.state}`, seen: ok ? `${p.dev} is ${p.state}` : `exit ${r.exitCode}: ${r.stderr.trim()}`, command: r.command };
  },
  exercise(p, ctx) {
    return {
      action: true,
      doThis: `Take ${p.node}:${p.dev} ${p.state}. The exercises after this one see the change.`,
      commands: [ctx.inNode(p.node, linkArgv(p))],
      expect: `${p.node}:${p.dev} set ${p.state}`,
    };
  },
};
