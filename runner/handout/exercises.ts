/**
 * Each test of a lab as an exercise: what to try, in words; the commands a learner types; and what to expect, in
 * the words `lab test` uses. Each assertion writes its own (its `exercise()`, built by its own argv builders, so
 * they are what `lab test` runs); this module prints the commands and falls back to the test's name.
 */
import type { ExerciseCommand, ExerciseContext } from '../../assertions/types.ts';
import { ASSERTIONS } from '../../assertions/registry.ts';
import { commandLine, nodeExecArgv } from '../plan/netns-argv.ts';
import type { ResolvedLab, ResolvedTest } from '../model/types.ts';
import { linkUpCommands } from '../plan/link-up.ts';
import type { Plan } from '../plan/ops.ts';
import { formatMs } from '../util/units.ts';

export type { ExerciseCommand } from '../../assertions/types.ts';

export interface Exercise {
  readonly test: ResolvedTest;
  /** An action (a link taken down) rather than a check. */
  readonly action: boolean;
  /** What to do, in words. */
  readonly doThis: string;
  readonly commands: readonly ExerciseCommand[];
  /** What to expect, in the words of `lab test`'s report. */
  readonly expect: string;
  /** How to read the output, where it is not obvious. */
  readonly hint?: string;
}

/** Measurements of earlier tests (bits/s, by test name), for iperf3's relative thresholds. */
export type Measurements = (name: string) => number | undefined;

/** `plan`: the lab's plan, for what a link brought up gets back (issue 15.2); without it the exercise says `ip link set up` alone. */
export function exercisesOf(lab: ResolvedLab, measurements: Measurements = () => undefined, plan?: Plan): Exercise[] {
  return lab.tests.map((t) => exerciseOf(lab, t, measurements, plan));
}

export function exerciseOf(lab: ResolvedLab, t: ResolvedTest, measurements: Measurements = () => undefined, plan?: Plan): Exercise {
  const ns = (node: string): string => lab.nodes.find((n) => n.name === node)?.netns ?? `nsl.${lab.name}.${node}`;
  const ctx: ExerciseContext = {
    inNode: (node, argv, label, container) => ({
      node,
      text: commandLine(nodeExecArgv({ ns: ns(node), container }, argv)),
      ...(label ? { label } : {}),
    }),
    measurement: measurements,
    test: { index: t.index, name: t.name },
    lab: lab.name,
    ...(plan
      ? {
          linkUp: (node: string, dev: string): ExerciseCommand[] =>
            linkUpCommands(plan, ns(node), dev).map((c) => {
              const owner = lab.nodes.find((n) => n.netns === c.ns && !n.sharesNetnsOf)?.name ?? c.ns;
              return { node: owner, text: commandLine(nodeExecArgv({ ns: c.ns }, c.argv)), label: `put back ${owner}:${c.dev}'s ${c.kind} (${c.step})` };
            }),
        }
      : {}),
  };
  const def = ASSERTIONS.get(t.type);
  const e = def?.exercise?.(t.params, ctx);
  if (!e) return { test: t, action: !!def?.barrier, doThis: def ? `Check: ${def.describe(t.params)}.` : `Check: ${t.name}.`, commands: [], expect: t.name };
  const { action = false, ...rest } = e;
  return { test: t, action, ...rest };
}

/** "retried for up to 5 s", for tests with `within:`. */
export function withinText(t: ResolvedTest): string | undefined {
  return t.withinMs > 0 ? `it may take up to ${formatMs(t.withinMs)} to become true (the test retries that long)` : undefined;
}
