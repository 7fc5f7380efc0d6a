/**
 * Validation of the handout's traces (`handout.traces`, issue 12): each flow's FROM is a node (or pod) of this lab
 * and the flow is one `lab trace` can walk: runner/trace/flow.ts `resolveFlow` itself decides (TO, port, protocol),
 * so the handout and the command cannot drift apart. Checked once the rest of the lab is valid (the names are those
 * of the resolved lab).
 */
import { didYouMean, error, type Diagnostic } from '../config/diagnostics.ts';
import type { LoadedFile } from '../config/load.ts';
import type { ResolvedLab } from '../model/types.ts';
import { resolveFlow } from '../trace/flow.ts';
import { flowRequest, readHandout, type HandoutTrace } from './handout-spec.ts';

const quote = (s: string): string => JSON.stringify(s);
const list = (xs: readonly string[], most = 12): string => (xs.length > most ? `${xs.slice(0, most).join(', ')}, …` : xs.join(', ')) || '(none)';
const keyOf = (s: { readonly namespace: string; readonly name: string }): string => `${s.namespace}/${s.name}`;

/** The problems of one trace, in the order of its keys. */
function traceProblems(lab: ResolvedLab, t: HandoutTrace, at: (key: string) => ReturnType<LoadedFile['at']>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const n = t.index + 1;
  const nodes = lab.nodes.map((x) => x.name);
  if (!nodes.includes(t.from) && !(lab.cluster?.pods ?? []).some((p) => keyOf(p) === t.from)) {
    const guess = didYouMean(t.from, nodes);
    const isBridge = lab.bridges.some((b) => b.name === t.from);
    out.push(
      error(
        'handout.trace-from',
        `handout trace ${n}: unknown node ${quote(t.from)}`,
        at('from'),
        isBridge ? `${t.from} is a bridge: a probe starts in a node or pod` : guess ? `did you mean ${quote(guess)}? nodes: ${list(nodes)}` : `nodes and pods in this lab: ${list(nodes)}`,
      ),
    );
  }
  if (t.port !== undefined && t.proto === 'icmp') {
    out.push(error('handout.trace-port', `handout trace ${n}: a port with proto icmp`, at('port'), 'icmp has no ports: leave the port out, or say proto: tcp or udp'));
    return out;
  }
  if (out.length) return out;
  const flow = resolveFlow(lab, flowRequest(t));
  if (!flow.ok) out.push(error('handout.trace-to', `handout trace ${n}: ${flow.message}`, at('to'), flow.hint));
  return out;
}

/**
 * @param lab the lab as resolved so far
 * @param broken whether the rest of the lab has errors (then the traces are not checked: its names may be missing)
 */
export function checkTraces(file: Pick<LoadedFile, 'data' | 'at'>, lab: ResolvedLab, broken: boolean): Diagnostic[] {
  const spec = readHandout(file);
  if (!spec?.traces.length || broken) return [];
  return spec.traces.flatMap((t) => traceProblems(lab, t, (key) => file.at(['handout', 'traces', t.index, key])));
}
