/**
 * Waiting until a running lab is ready (runner/lab/ready.ts's checks): after `lab up`, after a change applied in place,
 * after `lab start|restart` of a node. The nodes stopped on purpose (lab stop) are left out, with what needs them.
 */
import { createRunContext } from '../exec/node-exec.ts';
import { labDir, readState } from '../exec/state.ts';
import type { Loaded } from './load.ts';
import { partOf } from './partial.ts';
import { notReadyError, readyProbes, waitReady, type ReadyReport } from './ready.ts';
import type { LabUi } from './ui.ts';

/** The nodes of a running lab stopped on purpose (lab stop) that its file still has. */
export function stoppedOf(loaded: Loaded): string[] {
  return (readState(loaded.lab.name)?.stopped ?? []).filter((n) => loaded.lab.nodes.some((x) => x.name === n));
}

/** The part of a running lab whose readiness is waited for: nodes stopped on purpose stay stopped, and what needs them is left out. */
export function readyPart(loaded: Loaded): Loaded {
  const stopped = stoppedOf(loaded);
  return stopped.length ? partOf(loaded, { exclude: stopped }) : loaded;
}

/** Wait for what the model says must hold (runner/lab/ready.ts); undefined when the lab has nothing to wait for. */
export async function waitLabReady(loaded: Loaded, timeoutMs: number, opts: { readonly quiet?: boolean; readonly signal?: AbortSignal }, ui: LabUi): Promise<ReadyReport | undefined> {
  const { lab, sources } = loaded;
  const probes = readyProbes(lab, labDir(lab.name));
  if (!probes.length) return undefined;
  const ns = new Map(lab.nodes.map((n) => [n.name, n.netns]));
  const ctx = createRunContext({ nsOf: (n) => ns.get(n) ?? n, measurements: new Map(), signal: opts.signal });
  let report: ReadyReport | undefined;
  await ui.tasks(
    [
      {
        title: 'ready',
        run: async () => {
          report = await waitReady(probes, (node, argv, o) => ctx.exec(node, argv, o), { timeoutMs, signal: opts.signal });
          if (!report.ready) throw notReadyError(lab, report, timeoutMs, sources);
          return `${report.items.length} check${report.items.length === 1 ? '' : 's'} in ${report.ms} ms`;
        },
      },
    ],
    !!opts.quiet,
  );
  return report;
}
