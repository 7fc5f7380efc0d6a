/** command: run a program in a node; judge its exit code and what it printed. */
import { formatMs } from '../runner/util/units.ts';
import { toArgv } from '../runner/model/words.ts';
import { abnormalEnd, excerpt, fail, ParamReader, pass } from './common.ts';
import type { AssertionDef, ExecResult, Outcome } from './types.ts';
import schema from './command.schema.json' with { type: 'json' };

export interface CommandParams {
  readonly node: string;
  /** Docker container to run in (a pod's app container, or the container node itself). */
  readonly container?: string;
  readonly argv: readonly string[];
  readonly exit: number;
  /** Regular expression sources (compiled with the `m` flag: ^ and $ match at line ends). */
  readonly output?: string;
  readonly notOutput?: string;
  readonly timeoutMs: number;
}

const FLAGS = 'm';

export function compileRegex(src: string): { ok: true; re: RegExp } | { ok: false; message: string } {
  try {
    return { ok: true, re: new RegExp(src, FLAGS) };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

function combined(r: ExecResult): string {
  return r.stdout && r.stderr ? `${r.stdout.replace(/\n$/, '')}\n${r.stderr}` : r.stdout || r.stderr;
}

export function expectedText(p: CommandParams): string {
  const parts = [`exit code ${p.exit}`];
  if (p.output !== undefined) parts.push(`output matching /${p.output}/`);
  if (p.notOutput !== undefined) parts.push(`output not matching /${p.notOutput}/`);
  return parts.join(', ');
}

export function judgeCommand(p: CommandParams, r: ExecResult): Outcome {
  const expected = expectedText(p);
  const bad = abnormalEnd(r, p.timeoutMs);
  if (bad) return fail(expected, bad, r.command);
  const out = combined(r);
  const shown = excerpt(out, 4) || 'no output';
  const details = { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  if (r.exitCode !== p.exit) return fail(expected, `exit code ${r.exitCode}; output: ${shown}`, r.command, { details });
  if (p.output !== undefined) {
    const c = compileRegex(p.output);
    if (c.ok && !c.re.test(out)) return fail(expected, `exit code ${r.exitCode}; output does not match: ${shown}`, r.command, { details });
  }
  if (p.notOutput !== undefined) {
    const c = compileRegex(p.notOutput);
    const m = c.ok ? c.re.exec(out) : null;
    if (m) return fail(expected, `exit code ${r.exitCode}; output matches at ${JSON.stringify(excerpt(lineAt(out, m.index), 1, 160))}`, r.command, { details });
  }
  return pass(expected, `exit code ${r.exitCode}; output: ${shown}`, r.command, { details });
}

function lineAt(s: string, i: number): string {
  const start = s.lastIndexOf('\n', i - 1) + 1;
  const end = s.indexOf('\n', i);
  return s.slice(start, end < 0 ? undefined : end);
}

export const command: AssertionDef<CommandParams> = {
  type: 'command',
  schema,
  nodes: (p) => [p.node],
  describe: (p) => `${p.node}: ${p.argv.join(' ')}`,
  resolve(raw, ctx) {
    const r = new ParamReader('command', raw, ctx);
    const node = r.node('node');
    let argv: string[] | undefined;
    if (raw.run === undefined || raw.run === null) r.shape('run', 'a command is required');
    else {
      const w = toArgv(raw.run);
      if (w.ok) argv = w.argv;
      else r.fail('run', `command.run: ${w.message}`, 'write the command as a list of words, or [sh, -c, "…"] if it needs a shell');
    }
    const exit = r.integer('exit', 0, 0, 255);
    const regex = (key: string): string | undefined => {
      const src = r.string(key);
      if (src === undefined) return undefined;
      const c = compileRegex(src);
      if (!c.ok) return r.fail(key, `command.${key} is not a valid regular expression: ${c.message}`, 'it is a JavaScript regular expression; escape ( [ { . * + ? with a backslash to match them literally', 'test.regex');
      return src;
    };
    const output = regex('output');
    const notOutput = regex('not-output');
    const timeoutMs = r.durationMs('timeout', 10_000);
    let container: string | undefined;
    const want = r.string('container');
    if (want !== undefined && node) {
      const known = ctx.containers?.(node) ?? new Map<string, string>();
      container = known.get(want);
      if (!container) {
        const names = [...known.keys()];
        r.fail('container', `command.container: node ${node} has no container ${JSON.stringify(want)}`, names.length ? `its containers: ${names.join(', ')}` : `${node} is not a container or pod node; leave container out to run in its namespace`, 'test.container');
      }
    }
    if (timeoutMs <= 0) r.fail('timeout', `command.timeout must be more than 0, not ${formatMs(timeoutMs)}`, 'leave it out for the default of 10s');
    if (!node || !argv) return r.result(undefined);
    return r.result<CommandParams>({ node, argv, exit, output, notOutput, timeoutMs, ...(container ? { container } : {}) });
  },
  async run(p, ctx) {
    const r = await ctx.exec(p.node, p.argv, { timeoutMs: p.timeoutMs, container: p.container });
    return judgeCommand(p, r);
  },
  exercise(p, ctx) {
    const where = p.container ? `in ${p.node}'s container ${p.container.split('.').pop()}` : `in ${p.node}`;
    return {
      doThis: `Run \`${p.argv.join(' ')}\` ${where}.`,
      commands: [ctx.inNode(p.node, p.argv, undefined, p.container)],
      expect: `the command ends with ${expectedText(p)}`,
    };
  },
};
