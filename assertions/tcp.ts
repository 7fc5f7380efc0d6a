/** tcp: does a TCP connection from a node to target:port succeed (open) or not (closed)? */
import { formatMs } from '../runner/util/units.ts';
import { excerpt, execFailure, fail, ParamReader, pass, targetText } from './common.ts';
import type { AssertionDef, ExecResult, Outcome } from './types.ts';
import schema from './tcp.schema.json' with { type: 'json' };

export interface TcpParams {
  readonly from: string;
  readonly to: string;
  readonly address: string;
  readonly family: 4 | 6;
  readonly port: number;
  readonly expect: 'open' | 'closed';
  readonly timeoutMs: number;
}

/** netcat-openbsd: -z connects and closes, -v says what happened on stderr; exit 0 means the connection was accepted. */
export function tcpArgv(p: TcpParams): string[] {
  return ['nc', '-n', '-z', '-v', '-w', String(Math.max(1, Math.ceil(p.timeoutMs / 1000))), p.address, String(p.port)];
}

export function tcpExecTimeoutMs(p: TcpParams): number {
  return Math.max(1000, Math.ceil(p.timeoutMs / 1000) * 1000) + 3000;
}

/** What became of the connection, from nc's message. */
export function connectState(r: ExecResult): 'open' | 'refused' | 'timed out' | 'unreachable' | 'failed' {
  if (r.exitCode === 0 && !r.timedOut) return 'open';
  if (/refused/i.test(r.stderr)) return 'refused';
  if (r.timedOut || /timed out/i.test(r.stderr)) return 'timed out';
  if (/unreachable|no route to host/i.test(r.stderr)) return 'unreachable';
  return 'failed';
}

export function judgeTcp(p: TcpParams, r: ExecResult): Outcome {
  const where = `${targetText(p.to, p.address)} port ${p.port}/tcp from ${p.from}`;
  const expected = p.expect === 'open' ? `${where}: open (connection accepted)` : `${where}: closed (no connection within ${formatMs(p.timeoutMs)})`;
  const broken = execFailure(r);
  if (broken) return fail(expected, broken, r.command);
  const state = connectState(r);
  const msg = excerpt(r.stderr || r.stdout, 2);
  const seen = state === 'open' ? 'open: connection accepted' : `closed: ${state === 'timed out' ? `no answer within ${formatMs(p.timeoutMs)}` : state}${msg ? ` (${msg})` : ''}`;
  const ok = p.expect === 'open' ? state === 'open' : state !== 'open';
  return ok ? pass(expected, seen, r.command, { details: { state } }) : fail(expected, seen, r.command, { details: { state } });
}

export const tcp: AssertionDef<TcpParams> = {
  type: 'tcp',
  schema,
  flows: (p) => [{ from: p.from, to: p.address, proto: 'tcp', port: p.port }],
  nodes: (p, n) => [p.from, n.nodeOf(p.to), n.nodeOf(p.address)],
  describe: (p) => `tcp ${p.from} → ${p.to}:${p.port}${p.expect === 'closed' ? ' (closed)' : ''}`,
  resolve(raw, ctx) {
    const r = new ParamReader('tcp', raw, ctx);
    const from = r.node('from');
    const to = r.target('to', from);
    const port = r.integer('port', undefined, 1, 65535);
    if (port === undefined && !r.has('port')) r.shape('port', 'a port is required');
    const expect = r.oneOf('expect', ['open', 'closed'] as const, 'open');
    const timeoutMs = r.durationMs('timeout', 2000);
    if (timeoutMs <= 0) r.fail('timeout', 'tcp.timeout must be more than 0', 'leave it out for the default of 2s');
    if (!from || !to || port === undefined) return r.result(undefined);
    return r.result<TcpParams>({ from, to: to.text, address: to.address, family: to.family, port, expect, timeoutMs });
  },
  async run(p, ctx) {
    const r = await ctx.exec(p.from, tcpArgv(p), { timeoutMs: tcpExecTimeoutMs(p) });
    return judgeTcp(p, r);
  },
  exercise(p, ctx) {
    return {
      doThis: `From ${p.from}, open a TCP connection to ${targetText(p.to, p.address)}, port ${p.port}${p.expect === 'closed' ? ': nothing may accept it' : ''}.`,
      commands: [ctx.inNode(p.from, tcpArgv(p))],
      expect: judgeTcp(p, { exitCode: 0, stdout: '', stderr: '', command: '', timedOut: false }).expected,
      hint: 'netcat says "succeeded" when the connection is accepted, "refused" or "timed out" when not',
    };
  },
};
