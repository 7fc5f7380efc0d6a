/** The ready pass: the lab's own readiness checks (`ready:`), bound to their nodes (runner/model/ready.ts runs them). */
import { error } from '../config/diagnostics.ts';
import type { ResolvedReady } from '../model/types.ts';
import { toArgv } from '../model/words.ts';
import { asObj } from '../util/obj.ts';
import type { ResolveDraft } from './draft.ts';

export function ready(d: ResolveDraft): void {
  const items: unknown[] = Array.isArray(d.raw.ready) ? d.raw.ready : [];
  items.forEach((item, i) => {
    const r = asObj(item);
    const node = typeof r.node === 'string' ? r.node : undefined;
    const pos = d.at(['ready', i]);
    if (!node) return; // the schema said so
    if (!d.nodeSet.has(node)) {
      d.diags.push(d.unknownNode(node, ['ready', i, 'node']));
      return;
    }
    const check = resolveOne(d, r, node, i, pos);
    if (check) d.ready.push(check);
  });
}

function resolveOne(d: ResolveDraft, r: Record<string, unknown>, node: string, i: number, pos: ResolvedReady['pos']): ResolvedReady | undefined {
  if ((r.listen === undefined) === (r.command === undefined)) {
    d.diags.push(error('ready.kind', `ready check ${i + 1} needs one of listen and command${r.listen !== undefined ? ', not both' : ''}`, pos, '{ node: h1, listen: 8080 } waits for a port; { node: h1, command: "…", output: "…" } for a command'));
    return undefined;
  }
  if (r.listen !== undefined) {
    const ports = (Array.isArray(r.listen) ? r.listen : [r.listen]).filter((p): p is number => typeof p === 'number');
    return { kind: 'listen', node, ports, proto: r.proto === 'udp' ? 'udp' : 'tcp', pos };
  }
  const cmd = toArgv(r.command);
  if (!cmd.ok) {
    d.diags.push(error('command.invalid', `ready check ${i + 1}: ${cmd.message}`, d.at(['ready', i, 'command']), 'write the command as a list of words, or [sh, -c, "…"] if it needs a shell'));
    return undefined;
  }
  if (typeof r.output === 'string') {
    try {
      new RegExp(r.output);
    } catch (e) {
      d.diags.push(error('ready.output', `ready check ${i + 1}: output is not a regular expression: ${(e as Error).message}`, d.at(['ready', i, 'output']), 'write a JavaScript regular expression, e.g. "Established"'));
      return undefined;
    }
  }
  return { kind: 'command', node, argv: cmd.argv, ...(typeof r.output === 'string' ? { output: r.output } : {}), pos };
}
