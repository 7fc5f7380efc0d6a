/**
 * capture: tcpdump on a node's interface while something runs there or elsewhere; count the packets it sees.
 * The teaching tool that shows encapsulation on the wire: with `vni`, only packets that tcpdump decodes as VXLAN
 * with that VNI count (`VXLAN, flags [I] (0x08), vni 42` on UDP 4789, or `OTV, … instance 42`, which is how
 * tcpdump names UDP 8472, Linux's old VXLAN port that flannel uses).
 *
 * Run: tcpdump starts in the background in the node, with its messages going to a file in a temporary directory
 * (the runner's background processes give their output only when stopped, and we must see "listening on" before
 * sending anything). Then the `during` action runs, then after a short pause tcpdump gets SIGINT (and the
 * runner's stop() SIGTERM/SIGKILL, should it linger) and its packets are judged. The whole run keeps within
 * `timeout`, and tcpdump is stopped in every case.
 */
import { error } from '../runner/config/diagnostics.ts';
import type { PathSeg } from '../runner/config/load.ts';
import { shellQuote, toArgv } from '../runner/model/words.ts';
import { formatMs } from '../runner/util/units.ts';
import { compileRegex } from './command.ts';
import { times } from './exercise-kit.ts';
import { excerpt, fail, ParamReader, sleep, targetText, type Raw } from './common.ts';
import { expectedText, judgeCapture, packetLimit, plural, quoted, type CaptureParams, type DuringAction } from './capture-judge.ts';
import { startState, tcpdumpMessages, wrapperArgv } from './capture-tcpdump.ts';
import type { AssertionDef, Background, ExecResult, ResolveContext } from './types.ts';
import schema from './capture.schema.json' with { type: 'json' };

export { judgeCapture, packetLimit, type CaptureParams, type CaptureRun, type DuringAction } from './capture-judge.ts';
export { parsePackets, parseTcpdumpStats, startState, tcpdumpMessages, wrapperArgv } from './capture-tcpdump.ts';

/** How long tcpdump may take to say "listening on". */
export const READY_MS = 3000;
/** The pause after the action, for its last packets to pass. */
export const SETTLE_MS = 300;
/** Kept back from the action for stopping tcpdump (SIGINT, then the runner's SIGTERM/SIGKILL after 1 s) and cleaning up. */
export const STOP_RESERVE_MS = 2000;
/** The least `timeout` allowed. */
export const MIN_TIMEOUT_MS = 3000;
const POLL_MS = 50;
const PING_INTERVAL_MS = 200;
const PING_WAIT_S = 1;
/** Time the steps before the action usually take (temporary directory, tcpdump starting): for the check of a ping's length. */
const START_ALLOWANCE_MS = 500;

// ---------------------------------------------------------------------------------------------------------------
// commands

export function tcpdumpArgv(p: CaptureParams): string[] {
  return ['tcpdump', '-n', '-l', '--immediate-mode', '-U', '-v', '-i', p.dev, '-c', String(packetLimit(p)), '--', p.filter];
}

export function pingDuringArgv(d: Extract<DuringAction, { kind: 'ping' }>): string[] {
  return ['ping', '-n', '-c', String(d.count), '-i', String(PING_INTERVAL_MS / 1000), '-W', String(PING_WAIT_S), d.address];
}

/** How long a ping of `count` packets takes at most when nothing answers. */
export function pingDurationMs(count: number): number {
  return (count - 1) * PING_INTERVAL_MS + PING_WAIT_S * 1000;
}

// ---------------------------------------------------------------------------------------------------------------
// resolving

const IFNAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;

/** Why a word cannot be a Linux interface name, or undefined when it can (the schema's ifName, which tcpdump's "any" fits). */
export function badInterfaceName(name: string): string | undefined {
  if (IFNAME.test(name) && name !== '.' && name !== '..') return undefined;
  if (name === '') return 'it is empty';
  if (name.length > 15) return `it is ${name.length} characters long and Linux allows at most 15`;
  if (/\s/.test(name)) return 'it contains white space';
  if (name.includes('/')) return "it contains '/'";
  if (name.includes(':')) return "it contains ':' (an alias like eth0:1 is not an interface; capture on eth0)";
  if (name === '.' || name === '..') return 'it is . or ..';
  if (!/^[A-Za-z0-9_]/.test(name)) return 'it must start with a letter, digit or _';
  return "only letters, digits, '_', '.' and '-' are allowed";
}

/** The same context, with every position and unknown-node report under `prefix`. */
function under(ctx: ResolveContext, prefix: readonly PathSeg[]): ResolveContext {
  return {
    nodeNames: ctx.nodeNames,
    hasNode: (n) => ctx.hasNode(n),
    target: (to, from, family) => ctx.target(to, from, family),
    at: (path, key) => ctx.at([...prefix, ...path], key),
    unknownNode: (n, path) => ctx.unknownNode(n, [...prefix, ...path]),
    testNames: ctx.testNames,
    testName: ctx.testName,
  };
}

const DURING_HINT = 'write during: { node: h1, run: "…" } (a command) or during: { ping: { from: h1, to: h2 } }';
const isMapping = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function readDuring(r: ParamReader, ctx: ResolveContext): DuringAction | undefined {
  const raw = r.raw.during;
  if (raw === undefined || raw === null) return r.shape('during', 'an action is required');
  // not a mapping: the schema says so, with the two forms in its hint
  if (!isMapping(raw)) return r.shape('during', 'must be a mapping');
  const isPing = raw.ping !== undefined && raw.ping !== null;
  const isRun = (raw.node !== undefined && raw.node !== null) || (raw.run !== undefined && raw.run !== null);
  if (isPing && isRun) return r.fail('during', 'capture.during is both a ping and a command: give one of them', DURING_HINT);
  if (!isPing && !isRun) return r.fail('during', 'capture.during is neither a command ({ node, run }) nor a ping ({ ping: { from, to } })', DURING_HINT);
  const sub = new ParamReader(isPing ? 'capture.during.ping' : 'capture.during', isPing ? (isMapping(raw.ping) ? raw.ping : {}) : raw, under(ctx, isPing ? ['during', 'ping'] : ['during']));
  let action: DuringAction | undefined;
  if (isPing) {
    if (!isMapping(raw.ping)) return r.shape('during.ping', 'must be a mapping');
    const from = sub.node('from');
    const to = sub.target('to', from);
    const count = sub.integer('count', 3, 1, 1000);
    if (from && to) action = { kind: 'ping', from, to: to.text, address: to.address, count };
  } else {
    const hasNode = raw.node !== undefined && raw.node !== null;
    if (!hasNode) r.fail('during', 'capture.during has a run but no node to run it in', DURING_HINT);
    const node = hasNode ? sub.node('node') : undefined;
    let argv: string[] | undefined;
    if (raw.run === undefined || raw.run === null) r.fail('during', `capture.during has a node (${String(raw.node)}) but nothing to run`, DURING_HINT);
    else {
      const w = toArgv(raw.run);
      if (w.ok) argv = w.argv;
      else sub.fail('run', `capture.during.run: ${w.message}`, 'write the command as a list of words, or [sh, -c, "…"] if it needs a shell', 'test.capture');
    }
    if (node && argv) action = { kind: 'run', node, argv };
  }
  r.diagnostics.push(...sub.diagnostics);
  r.shapeProblems.push(...sub.shapeProblems);
  return action;
}

function requireKey(r: ParamReader, key: string, what: string): void {
  if (!r.has(key)) r.shape(key, `${what} is required`);
}

export const capture: AssertionDef<CaptureParams> = {
  type: 'capture',
  schema,
  // alone: traffic of tests running beside it would be counted too
  exclusive: true,
  nodes: (p, n) => [p.node, n.linkPeer(p.node, p.dev), ...(p.during.kind === 'ping' ? [p.during.from, n.nodeOf(p.during.to)] : [p.during.node])],
  describe: (p) => `capture ${p.node}:${p.dev} ${quoted(p.filter)}${p.vni !== undefined ? ` VNI ${p.vni}` : ''} during ${p.during.kind === 'ping' ? `ping ${p.during.from} → ${p.during.to}` : `${p.during.node}: ${p.during.argv.join(' ')}`}`,
  resolve(raw, ctx) {
    const r = new ParamReader('capture', raw, ctx);
    const node = r.node('node');

    requireKey(r, 'dev', 'an interface name');
    const dev = r.string('dev');
    if (dev !== undefined) {
      const bad = badInterfaceName(dev);
      if (bad) r.fail('dev', `capture.dev ${JSON.stringify(dev)} is not an interface name: ${bad}`, "write an interface of the node, e.g. eth0 or vx0 (or any, for all of the node's interfaces)");
    }

    requireKey(r, 'filter', 'a pcap filter');
    const filterText = r.string('filter');
    const filter = filterText?.trim();
    if (filter === '') r.fail('filter', 'capture.filter is empty', 'write a pcap filter such as "udp port 4789" or "icmp and host 10.0.0.2": it decides which packets count');

    const during = readDuring(r, ctx);

    const max = r.integer('max', undefined, 0, 1_000_000);
    const min = r.integer('min', Math.min(1, max ?? 1), 0, 1_000_000);
    if (max !== undefined && min > max) r.fail('min', `capture.min ${min} is more than capture.max ${max}: no count can pass`, max === 0 ? 'to expect no packets, write max: 0 and leave min out' : `write a min of at most ${max}`);
    const vni = r.integer('vni', undefined, 0, 16_777_215);

    let match: string | undefined;
    const src = r.string('match');
    if (src !== undefined) {
      const c = compileRegex(src);
      if (c.ok) match = src;
      else r.fail('match', `capture.match is not a valid regular expression: ${c.message}`, 'it is a JavaScript regular expression tested on each line tcpdump prints; escape ( [ { . * + ? with a backslash to match them literally', 'test.regex');
    }

    const timeoutMs = r.durationMs('timeout', 10_000);
    if (timeoutMs < MIN_TIMEOUT_MS) {
      r.fail('timeout', `capture.timeout must be at least ${formatMs(MIN_TIMEOUT_MS)}, not ${formatMs(timeoutMs)}`, `tcpdump needs up to ${formatMs(READY_MS)} to start and ${formatMs(STOP_RESERVE_MS)} are kept to stop it; leave timeout out for 10s`);
    } else if (during?.kind === 'ping') {
      const needMs = pingDurationMs(during.count) + START_ALLOWANCE_MS + SETTLE_MS + STOP_RESERVE_MS;
      if (needMs > timeoutMs) {
        const where: PathSeg[] = r.has('timeout') ? ['timeout'] : isMapping(raw.during) && isMapping(raw.during.ping) && raw.during.ping.count !== undefined ? ['during', 'ping', 'count'] : ['during'];
        r.diagnostics.push(
          error(
            'test.capture',
            `capture.timeout ${formatMs(timeoutMs)} is too short for a ping of ${plural(during.count, 'packet')}, which takes up to ${formatMs(pingDurationMs(during.count))} besides tcpdump's start and stop`,
            ctx.at(where),
            `write timeout: ${Math.ceil(needMs / 1000)}s or more, or ping fewer packets`,
          ),
        );
      }
    }

    if (!node || !dev || !filter || !during) return r.result(undefined);
    return r.result<CaptureParams>({ node, dev, filter, during, min, max, vni, match, timeoutMs });
  },

  async run(p, ctx) {
    const deadline = Date.now() + p.timeoutMs;
    const left = (): number => deadline - Date.now();
    const argv = tcpdumpArgv(p);
    const mkArgv = ['mktemp', '-d', '-t', 'nslab-capture.XXXXXX'];
    const mk = await ctx.exec(p.node, mkArgv, { timeoutMs: 1000 });
    const dir = mk.stdout.trim();
    const tcpdumpCommand = sameNodeCommand(mk, mkArgv, argv);
    if (mk.exitCode !== 0 || !dir.startsWith('/')) {
      return fail(expectedText(p), `could not make a temporary directory in ${p.node}: ${excerpt(mk.stderr) || `exit code ${mk.exitCode}`}`, mk.command);
    }
    const errFile = `${dir}/tcpdump.stderr`;
    let bg: Background | undefined;
    let pid: number | undefined;
    let stdout = '';
    let stderr = '';
    let during: ExecResult | undefined;
    let notRun: string | undefined;
    try {
      bg = await ctx.background(p.node, wrapperArgv(errFile, argv));
      const readyMs = Math.min(READY_MS, left() - STOP_RESERVE_MS - SETTLE_MS);
      const readyBy = Date.now() + readyMs;
      let state: 'listening' | 'failed' | 'waiting' = 'waiting';
      for (;;) {
        const r = await ctx.exec(p.node, ['cat', '--', errFile], { timeoutMs: 1000 });
        if (r.exitCode === 0) {
          const m = tcpdumpMessages(r.stdout);
          pid ??= m.pid;
          state = startState(m.text);
          if (state !== 'waiting') break;
        }
        if (Date.now() >= readyBy || ctx.signal?.aborted) break;
        await sleep(POLL_MS, ctx.signal);
      }
      const budgetMs = left() - STOP_RESERVE_MS - SETTLE_MS;
      if (state === 'failed') notRun = 'tcpdump ended before it began to capture';
      else if (state === 'waiting') notRun = `tcpdump did not begin to capture within ${formatMs(Math.max(0, readyMs))}`;
      else if (ctx.signal?.aborted) notRun = 'the run was stopped';
      else if (budgetMs <= 0) notRun = `no time was left of the capture's timeout (${formatMs(p.timeoutMs)})`;
      else {
        during = p.during.kind === 'ping' ? await ctx.exec(p.during.from, pingDuringArgv(p.during), { timeoutMs: budgetMs }) : await ctx.exec(p.during.node, p.during.argv, { timeoutMs: budgetMs });
        await sleep(SETTLE_MS, ctx.signal);
      }
    } finally {
      if (bg) {
        // SIGINT: tcpdump prints what it has and its counts, then ends; stop() follows with SIGTERM/SIGKILL if it lingers
        if (pid !== undefined) await ctx.exec(p.node, ['kill', '-INT', String(pid)], { timeoutMs: 500 }).catch(() => undefined);
        stdout = (await bg.stop()).stdout;
      }
      const r = await ctx.exec(p.node, ['sh', '-c', 'cat -- "$1" 2>/dev/null; rm -rf -- "$2"', 'sh', errFile, dir], { timeoutMs: 1000 }).catch(() => undefined);
      if (r) stderr = tcpdumpMessages(r.stdout).text;
    }
    return judgeCapture(p, { stdout, stderr, tcpdumpCommand, during, notRun });
  },
  exercise(p, ctx) {
    const d = p.during;
    const during = d.kind === 'ping' ? ctx.inNode(d.from, pingDuringArgv(d), `on ${d.from}: meanwhile`) : ctx.inNode(d.node, d.argv, `on ${d.node}: meanwhile`);
    const tcpdump = ctx.inNode(p.node, tcpdumpArgv(p), `on ${p.node}: capture (stop it with Ctrl-C afterwards)`);
    return {
      doThis: `Capture on ${p.node}:${p.dev} (filter \`${p.filter}\`) while ${d.kind === 'ping' ? `${d.from} pings ${targetText(d.to, d.address)} ${times(d.count)}` : `\`${d.argv.join(' ')}\` runs in ${d.node}`}.`,
      commands: [{ ...tcpdump, text: `${tcpdump.text} &` }, during],
      expect: expectedText(p),
      hint: p.vni !== undefined ? `Count the packets whose header tcpdump shows as "VXLAN, flags [I] (0x08), vni ${p.vni}"` : 'Count the packets tcpdump prints',
    };
  },
};

/** `ip netns exec NS <argv>` for another command in the node that ran `ran` (as printed by the runner). */
function sameNodeCommand(ran: ExecResult, ranArgv: readonly string[], argv: readonly string[]): string {
  const tail = ranArgv.map(shellQuote).join(' ');
  const words = argv.map(shellQuote).join(' ');
  return ran.command.endsWith(tail) ? `${ran.command.slice(0, ran.command.length - tail.length)}${words}` : words;
}
