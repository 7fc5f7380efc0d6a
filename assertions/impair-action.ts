/**
 * impair: an action between tests (issue 15.2) — change the rate limit or loss of a running link end while traffic
 * runs, with the commands of runner/plan/impair.ts liveImpairCommands (reached through RunContext.lab).
 */
import type { AssertionDef } from './types.ts';
import { ParamReader } from './common.ts';
import { ambiguousRate, formatRate } from '../runner/util/units.ts';
import { parseImpairRate } from '../runner/model/impair.ts';
import schema from './impair.schema.json' with { type: 'json' };

export interface ImpairParams {
  readonly node: string;
  readonly dev: string;
  readonly rateBps?: number | 'none';
  readonly lossPct?: number;
}

const words = (p: ImpairParams): string =>
  [p.rateBps === 'none' ? 'no rate limit' : p.rateBps !== undefined ? `rate ${formatRate(p.rateBps)}` : '', p.lossPct !== undefined ? `loss ${p.lossPct}%` : ''].filter(Boolean).join(', ');

export const impair: AssertionDef<ImpairParams> = {
  type: 'impair',
  schema,
  exclusive: true,
  barrier: true,
  nodes: (p, n) => [p.node, n.linkPeer(p.node, p.dev)],
  describe: (p) => `${p.node}:${p.dev} → ${words(p)}`,
  resolve(raw, ctx) {
    const r = new ParamReader('impair', raw, ctx);
    const node = r.node('node');
    const dev = r.string('dev');
    if (dev === undefined) r.shape('dev', 'name the interface: dev: eth1');
    else if (node && dev !== 'lo') {
      const t = ctx.target(`${node}:${dev}`);
      if (!t.ok && /has no interface/.test(t.message)) r.fail('dev', `impair.dev: ${t.message}`, t.hint ?? `name an interface of ${node}`);
    }
    let rateBps: number | 'none' | undefined;
    if (r.has('rate')) {
      const v = raw.rate;
      rateBps = v === 'none' ? 'none' : parseImpairRate(v);
      if (rateBps === undefined) r.fail('rate', `impair.rate: ${(typeof v === 'string' && ambiguousRate(v)) || `${JSON.stringify(v)} is not a rate`}`, 'write a rate with a unit: 10mbit, 1 gbit, 500kbit; or none');
    }
    const lossPct = r.percent('loss', undefined);
    if (!r.has('rate') && !r.has('loss')) r.shape('rate', 'say what changes: rate: 10mbit and/or loss: 5%');
    if (!node || dev === undefined || (rateBps === undefined && lossPct === undefined)) return r.result(undefined);
    return r.result<ImpairParams>({ node, dev, ...(rateBps !== undefined ? { rateBps } : {}), ...(lossPct !== undefined ? { lossPct } : {}) });
  },
  async run(p, ctx) {
    const expected = `${p.node}:${p.dev}: ${words(p)}`;
    if (!ctx.lab) return { ok: false, expected, seen: 'no running lab behind this test run (only `lab test` and `lab up --test` can change a link)', command: '' };
    const r = await ctx.lab.impair(p.node, p.dev, { ...(p.rateBps !== undefined ? { rateBps: p.rateBps } : {}), ...(p.lossPct !== undefined ? { lossPct: p.lossPct } : {}) });
    return { ok: r.ok, expected, seen: r.text, command: r.command };
  },
  exercise(p, ctx) {
    const cmds = [];
    if (p.rateBps === 'none') cmds.push(ctx.inNode(p.node, ['tc', 'qdisc', 'del', 'dev', p.dev, 'root'], 'no rate limit'));
    else if (p.rateBps !== undefined) cmds.push(ctx.inNode(p.node, ['tc', 'qdisc', 'replace', 'dev', p.dev, 'root', 'tbf', 'rate', `${p.rateBps}bit`, 'burst', '32kb', 'latency', '50ms'], 'the new rate'));
    cmds.push(ctx.inNode(p.node, ['tc', 'qdisc', 'show', 'dev', p.dev]));
    return {
      action: true,
      doThis: `Change ${p.node}:${p.dev} while traffic runs: ${words(p)}.${p.lossPct !== undefined ? ' (`lab test` replaces the loss table on the link\'s other end; `nft list ruleset` there shows it.)' : ''} The exercises after this one see the change.`,
      commands: cmds,
      expect: `${p.node}:${p.dev}: ${words(p)}`,
    };
  },
};
