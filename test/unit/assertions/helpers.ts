/** Test doubles and captured tool outputs for the assertion tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { didYouMean, error, type Diagnostic, type SourcePos } from '../../../runner/config/diagnostics.ts';
import type { PathSeg } from '../../../runner/config/load.ts';
import type { ExecResult, ResolveContext, TargetResult } from '../../../assertions/types.ts';

/** A capture made by test/unit/fixtures/capture.sh: exit code, command, stdout, stderr. */
export function fixture(name: string): ExecResult {
  const text = readFileSync(fileURLToPath(new URL(`../fixtures/${name}.txt`, import.meta.url)), 'utf8');
  const m = /^exit: (-?\d+)\ncommand: (.*)\n=== stdout ===\n([\s\S]*?)=== stderr ===\n([\s\S]*)$/.exec(text);
  if (!m) throw new Error(`fixture ${name} is not in the capture format`);
  return { exitCode: Number(m[1]), command: m[2], stdout: m[3], stderr: m[4], timedOut: false };
}

export function result(over: Partial<ExecResult>): ExecResult {
  return { exitCode: 0, stdout: '', stderr: '', command: 'ip netns exec nsl.t.h1 true', timedOut: false, ...over };
}

/** Nodes with addresses; a target is a node (first address), node:if, or an address. */
export function resolveCtx(opts: { nodes?: Record<string, Record<string, string>>; tests?: string[]; testName?: string } = {}): ResolveContext {
  const nodes = opts.nodes ?? { h1: { eth0: '10.0.0.1' }, h2: { eth0: '10.0.0.2', eth1: 'fd00::2' }, web: { eth0: '10.0.1.5' } };
  const names = Object.keys(nodes);
  const at = (path: readonly PathSeg[], key?: boolean): SourcePos => {
    // the "file" names the path, so tests can check where a diagnostic points: <output>, <to>, <>
    return { file: `<${path.join('.')}>`, line: 1, col: key ? 1 : 5 };
  };
  return {
    nodeNames: names,
    hasNode: (n) => n in nodes,
    target(to: string, _from?: string): TargetResult {
      if (/^[\d.]+$|:.*:/.test(to)) return { ok: true, address: to, family: to.includes(':') ? 6 : 4 };
      const [node, ifname] = to.split(':');
      const n = nodes[node];
      if (!n) return { ok: false, message: `unknown node ${JSON.stringify(node)}`, hint: `did you mean ${didYouMean(node, names)}?` };
      const addr = ifname ? n[ifname] : Object.values(n)[0];
      if (!addr) return { ok: false, message: `node ${node} has no interface ${ifname}` };
      return { ok: true, address: addr, family: addr.includes(':') ? 6 : 4, node };
    },
    at,
    unknownNode: (name: string, path: readonly PathSeg[]): Diagnostic => {
      const guess = didYouMean(name, names);
      return error('node.unknown', `unknown node ${JSON.stringify(name)}`, at(path), guess ? `did you mean ${JSON.stringify(guess)}?` : undefined);
    },
    testNames: opts.tests ?? [],
    testName: opts.testName,
  };
}

export function errors(ds: readonly Diagnostic[]): Diagnostic[] {
  return ds.filter((d) => d.severity === 'error');
}
