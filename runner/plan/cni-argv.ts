/**
 * The CNI protocol's invocations, as data and as shell text (one place for `lab plan`, `lab up`, `lab down` and
 * delete-pod): a plugin is an executable run with CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_PATH and
 * CNI_ARGS in its environment and its network configuration (JSON) on stdin; it answers with a result (JSON) on
 * stdout, or an error ({code, msg, details}) and a non-zero exit. Pure.
 */
import type { CniCall, CniOp } from './ops.ts';
import { formatPos } from '../config/diagnostics.ts';
import { netnsExecArgv } from './netns-argv.ts';
import { shellQuote } from '../model/words.ts';

export type CniCommand = 'ADD' | 'CHECK' | 'DEL';

/** What a pod's CNI calls returned, as recorded in the lab's state and in <labDir>/cni/<pod>.json. */
export interface CniRecord {
  readonly pod: string;
  readonly node: string;
  /** The node's namespace the plugins ran in. */
  readonly ns: string;
  readonly network: string;
  readonly cniVersion: string;
  readonly loopback?: CniCall;
  readonly calls: readonly CniCall[];
  /** Each plugin's result, in call order. */
  readonly results: readonly { readonly plugin: string; readonly result: unknown }[];
  /** CHECK after ADD: 'ok', or not run (cniVersion < 0.4.0). */
  readonly check?: 'ok';
}

/** The environment of one call (added to the runtime's own). */
export function cniEnv(call: CniCall, command: CniCommand): Record<string, string> {
  return { CNI_COMMAND: command, ...call.env };
}

/** The configuration on stdin: the plugin's entry with name and cniVersion, and prevResult when chained. */
export function cniStdin(call: CniCall, prevResult?: unknown): string {
  return JSON.stringify(prevResult === undefined ? call.config : { ...call.config, prevResult });
}

/** The argv: the plugin run inside the node's namespace (the runtime's namespace). */
export function cniArgv(ns: string, call: CniCall): string[] {
  return netnsExecArgv(ns, [call.path]);
}

/** cniVersion ≥ 0.4.0: CHECK exists and DEL is given prevResult. */
export function hasCheck(version: string): boolean {
  const [a, b] = version.split('.').map(Number);
  return a > 0 || (a === 0 && b >= 4);
}

/** A plugin's error, from the JSON it prints ({code, msg, details}); undefined when it printed none. */
export function cniError(stdout: string): { code?: number; msg?: string; details?: string } | undefined {
  try {
    const e = JSON.parse(stdout) as { code?: unknown; msg?: unknown; details?: unknown };
    if (e && typeof e === 'object' && ('code' in e || 'msg' in e)) return { code: typeof e.code === 'number' ? e.code : undefined, msg: typeof e.msg === 'string' ? e.msg : undefined, details: typeof e.details === 'string' && e.details ? e.details : undefined };
  } catch {
    /* not JSON */
  }
  return undefined;
}

export function describeCniError(e: { code?: number; msg?: string; details?: string }): string {
  return `${e.code !== undefined ? `code ${e.code}: ` : ''}${e.msg ?? '(no message)'}${e.details ? ` (${e.details})` : ''}`;
}

/**
 * One call as sh lines: `VAR=… ip netns exec NS /usr/lib/cni/TYPE` with the configuration on stdin. A chained call
 * takes the previous result from the shell variable `prevVar` (jq adds it as prevResult); with `capture`, the
 * call's result goes into $prev and is printed.
 */
export function cniShell(ns: string, call: CniCall, command: CniCommand, prevVar?: string, capture = true): string[] {
  const env = Object.entries(cniEnv(call, command)).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ');
  const run = `${env} ${cniArgv(ns, call).map(shellQuote).join(' ')}`;
  const json = JSON.stringify(call.config, null, 2).split('\n');
  const head = prevVar ? `jq -c --argjson prevResult "$${prevVar}" '. + {prevResult: $prevResult}' <<'EOF' | ${run}` : `${run} <<'EOF'`;
  return capture ? [`prev=$(${head}`, ...json, 'EOF', ')', 'echo "$prev"'] : [head, ...json, 'EOF'];
}

/** A pod's whole CNI step as sh lines (`lab plan`, handouts): loopback, each plugin chained, CHECK. */
export function cniPlanLines(op: CniOp): string[] {
  const lines: string[] = [];
  if (op.loopback) lines.push('# the runtime first brings up lo with the loopback plugin', ...cniShell(op.ns, op.loopback, 'ADD', undefined, false));
  op.calls.forEach((c, i) => {
    lines.push(`# plugin ${i + 1}/${op.calls.length} of network ${op.network}: ${c.plugin}${c.source ? ` (${formatPos(c.source)})` : ''}${i ? ', given the previous result as prevResult' : ''}`);
    lines.push(...cniShell(op.ns, c, 'ADD', i > 0 ? 'prev' : undefined));
  });
  if (op.check) {
    lines.push(`# CHECK (cniVersion ${op.cniVersion} ≥ 0.4.0): every plugin again, each given the final result as prevResult`, 'final="$prev"');
    for (const c of op.calls) lines.push(...cniShell(op.ns, c, 'CHECK', 'final', false));
  }
  lines.push(`# nslab records every result in ${op.record} (and the lab's state); lab down runs DEL in reverse order`);
  return lines;
}

/** DEL for a pod as sh lines (`lab plan --teardown`): the plugins in reverse order, given the recorded final result. */
export function cniDelLines(op: CniOp): string[] {
  const chained = hasCheck(op.cniVersion);
  const lines = chained ? [`final=$(jq -c '.results[-1].result' ${shellQuote(op.record)})`] : [];
  for (const c of [...op.calls].reverse()) lines.push(...cniShell(op.ns, c, 'DEL', chained ? 'final' : undefined, false));
  if (op.loopback) lines.push(...cniShell(op.ns, op.loopback, 'DEL', undefined, false));
  return lines;
}
