/**
 * A handout as data, built from the resolved lab, its plan (the printer's units: `schedule()`), the handout section
 * of its file and its latest results. html.ts and md.ts write it out; neither decides anything about the content.
 */
import { basename, dirname } from 'node:path';
import { KINDS } from '../kinds/registry.ts';
import type { NatRule, ResolvedInterface, ResolvedLab, ResolvedNode } from '../model/types.ts';
import { routeArgs } from '../model/routes.ts';
import { shellQuote } from '../model/words.ts';
import { NETNS_DIR } from '../model/names.ts';
import { exposeNetnsLine } from '../plan/docker-argv.ts';
import type { Phase, Plan, Step } from '../plan/ops.ts';
import { FANOUT_PARALLEL, schedule, type Unit } from '../plan/units.ts';
import { cniPlanLines } from '../plan/cni-argv.ts';
import { formatMs, formatRate } from '../util/units.ts';
import { ASSERTIONS } from '../../assertions/registry.ts';
import type { Bar } from './chart.ts';
import { handoutPlan } from '../resolve/handout-steps.ts';
import { exercisesOf, type Exercise } from './exercises.ts';
import type { ReadResults, SavedTest } from './results.ts';
import type { HandoutNote, HandoutSpec } from '../resolve/handout-spec.ts';
import { tracesOf, type TraceDoc } from './traces.ts';

/** What each phase of the plan does, for a learner. */
export const PHASE_TITLES: Readonly<Record<Phase, string>> = {
  namespaces: 'Make the network namespaces (one per node, plus the lab fabric for bridges of no node) and containers',
  links: 'Make the veth pairs, each end created directly inside its namespace',
  configure: 'Inside each namespace: sysctls, bridges, addresses, interfaces up, routes',
  fdb: 'Forwarding-database entries of the VXLAN endpoints (`bridge fdb`)',
  settle: 'Wait until every bridge port forwards (the kernel applies link changes asynchronously)',
  firewall: 'NAT and firewall rule sets',
  impair: 'Link impairments: rate (tc tbf), delay and jitter (tc netem), loss',
  exec: 'Commands from the lab file',
  daemons: 'Long-running processes (`lab down` stops them)',
};

export interface CodeLine {
  readonly text: string;
  /** Numbers of the handout notes on the step behind this line. */
  readonly notes: readonly number[];
}

export interface Block {
  /** Where the commands run, in words. */
  readonly caption: string;
  /** The lab-file lines behind the block (`lab.yaml:12`). */
  readonly sources: readonly string[];
  /** The plan's own notes on its steps (what they are for). */
  readonly planNotes: readonly string[];
  readonly lines: readonly CodeLine[];
  /** The handout notes on the steps of this block, in the order of the file. */
  readonly notes: readonly NumberedNote[];
}

export interface PhaseDoc {
  readonly phase: Phase;
  readonly title: string;
  readonly notes: readonly NumberedNote[];
  readonly blocks: readonly Block[];
}

export interface NumberedNote {
  /** 1-based, as in the file's list of notes. */
  readonly n: number;
  readonly note: HandoutNote;
}

export interface NodeDoc {
  readonly name: string;
  readonly kind: string;
  readonly rows: readonly (readonly [string, string])[];
  readonly interfaces: readonly InterfaceDoc[];
  readonly notes: readonly NumberedNote[];
}

export interface InterfaceDoc {
  readonly name: string;
  readonly addresses: string;
  readonly to: string;
  readonly details: string;
}

export interface BridgeDoc {
  readonly name: string;
  readonly where: string;
  readonly addresses: string;
  readonly ports: string;
}

export interface ExerciseDoc extends Exercise {
  readonly n: number;
  readonly within?: string;
  readonly notes: readonly NumberedNote[];
  /** The latest result of this test, if the lab has been tested. */
  readonly result?: SavedTest;
}

export interface HandoutDoc {
  readonly lab: ResolvedLab;
  readonly title: string;
  readonly description: string;
  /** The lab file, as given. */
  readonly file: string;
  readonly spec: HandoutSpec;
  readonly mermaid: string;
  /** The diagram laid out by Graphviz, when `dot` is there. */
  readonly svg?: string;
  readonly svgMissing?: string;
  readonly nodes: readonly NodeDoc[];
  readonly bridges: readonly BridgeDoc[];
  readonly phases: readonly PhaseDoc[];
  /** Notes on steps this plan does not have on this kind of machine. */
  readonly strayNotes: readonly NumberedNote[];
  readonly exercises: readonly ExerciseDoc[];
  /** The packet walks of `handout.traces`, as the model predicts them. */
  readonly traces: readonly TraceDoc[];
  /** Only the results of tests in the lab file (saved results of an older version may name others). */
  readonly results: ReadResults;
  /** How many saved results were left out because the lab file has no test of that name. */
  readonly droppedResults: number;
  readonly bars: readonly Bar[];
}

export interface BuildInput {
  readonly lab: ResolvedLab;
  readonly spec?: HandoutSpec;
  readonly mermaid: string;
  readonly svg?: string;
  readonly svgMissing?: string;
  readonly results: ReadResults;
  /** The plan to show; default: the lab compiled for any machine (context.ts). */
  readonly plan?: Plan;
}

/** What a handout says about results it left out. */
export function droppedText(n: number): string {
  return `${n} saved result${n === 1 ? '' : 's'} not shown: ${n === 1 ? 'its test is' : 'their tests are'} no longer in the lab file (it changed since this run); the counts are of the tests shown.`;
}

/** The saved results of this lab, keeping only tests the lab file still has (the counts recomputed). */
export function currentResults(lab: ResolvedLab, saved: ReadResults): { results: ReadResults; dropped: number } {
  if (saved.state !== 'ok') return { results: saved, dropped: 0 };
  if (saved.results.lab !== lab.name) return { results: { state: 'none' }, dropped: 0 };
  const known = new Set(lab.tests.map((t) => t.name));
  const tests = saved.results.tests.filter((t) => known.has(t.name));
  const dropped = saved.results.tests.length - tests.length;
  if (dropped === 0) return { results: saved, dropped };
  const passed = tests.filter((t) => t.ok).length;
  return { results: { ...saved, results: { ...saved.results, tests, counts: { total: tests.length, passed, failed: tests.length - passed } } }, dropped };
}

export function buildHandout(input: BuildInput): HandoutDoc {
  const { lab } = input;
  const spec: HandoutSpec = input.spec ?? { goals: [], sections: [], notes: [], traces: [] };
  const numbered = spec.notes.map((note) => ({ n: note.index + 1, note }));
  const plan = input.plan ?? handoutPlan(lab);
  const { results, dropped } = currentResults(lab, input.results);
  const byName = new Map(results.state === 'ok' ? results.results.tests.map((t) => [t.name, t]) : []);
  const measured = (name: string): number | undefined => byName.get(name)?.measurement ?? undefined;

  const { phases, placed } = phasesOf(lab, plan, numbered);
  const exercises: ExerciseDoc[] = exercisesOf(lab, measured, plan).map((e, i) => ({
    ...e,
    n: i + 1,
    within: e.test.withinMs > 0 ? `The test retries for up to ${formatMs(e.test.withinMs)}: the network may need that long to get there (after \`lab up\`, or after an action).` : undefined,
    notes: numbered.filter((x) => x.note.test === e.test.name),
    result: byName.get(e.test.name),
  }));

  return {
    lab,
    title: spec.title ?? lab.name,
    description: lab.description.trim(),
    file: lab.file,
    spec,
    mermaid: input.mermaid,
    svg: input.svg,
    svgMissing: input.svgMissing,
    nodes: lab.nodes.map((n) => nodeDoc(lab, n, numbered.filter((x) => x.note.node === n.name))),
    bridges: lab.bridges.map((b) => ({
      name: b.name,
      where: b.node ? `inside node ${b.node}` : `the lab fabric (${b.netns})`,
      addresses: b.addresses.join(', ') || '—',
      ports: lab.links
        .flatMap((l) => [
          [l.a, l.b],
          [l.b, l.a],
        ])
        .filter(([e]) => e.bridge === b.name)
        .map(([e, o]) => `${e.ifname} (${o.node ? `${o.node}:${o.ifname}` : `bridge ${o.bridge}`})`)
        .join(', ') || '—',
    })),
    phases,
    strayNotes: numbered.filter((x) => x.note.step !== undefined && !placed.has(x.n)),
    exercises,
    traces: tracesOf(lab, spec.traces),
    results,
    droppedResults: dropped,
    bars: barsOf(exercises, measured),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// the commands, from the plan printer's units

function phasesOf(lab: ResolvedLab, plan: Plan, notes: readonly NumberedNote[]): { phases: PhaseDoc[]; placed: Set<number> } {
  const placed = new Set<number>();
  const who = whoOf(lab);
  const notesOf = (steps: readonly (Step | undefined)[]): number[] => {
    const ids = new Set(steps.filter((s): s is Step => !!s).map((s) => s.id));
    return notes.filter((x) => x.note.step !== undefined && ids.has(x.note.step)).map((x) => x.n);
  };
  const phases: PhaseDoc[] = [];
  for (const run of schedule(plan)) {
    const blocks: Draft[] = [];
    for (const lane of run.lanes) for (const u of lane) blocks.push(...unitBlocks(u, who, notesOf));
    const withNotes = blocks.map((b) => {
      const ns = [...new Set(b.lines.flatMap((l) => l.notes))].sort((x, y) => x - y);
      for (const n of ns) placed.add(n);
      return { ...b, notes: ns.map((n) => notes.find((x) => x.n === n)!) };
    });
    const phaseNotes = notes.filter((x) => x.note.step === run.phase);
    for (const x of phaseNotes) placed.add(x.n);
    phases.push({ phase: run.phase, title: PHASE_TITLES[run.phase] ?? run.phase, notes: phaseNotes, blocks: withNotes });
  }
  return { phases, placed };
}

/** "node h1 (nsl.lab.h1)" for a namespace. */
function whoOf(lab: ResolvedLab): (ns: string | undefined) => string {
  return (ns) => {
    if (ns === undefined) return 'on the host';
    if (ns === lab.fabricNs) return `in the lab fabric ${ns} (bridges of no node)`;
    const nodes = lab.nodes.filter((n) => n.netns === ns).map((n) => n.name);
    return nodes.length ? `in ${nodes.length > 1 ? 'nodes' : 'node'} ${nodes.join(', ')} (${ns})` : `in ${ns}`;
  };
}

type Draft = Omit<Block, 'notes'>;

function sourcesOf(steps: readonly (Step | undefined)[]): string[] {
  const out = new Set<string>();
  for (const s of steps) if (s?.source) out.add(`${basename(s.source.file)}:${s.source.line}`);
  return [...out];
}

function planNotesOf(steps: readonly Step[]): string[] {
  return [...new Set(steps.map((s) => s.note).filter((x): x is string => !!x))];
}

function unitBlocks(u: Unit, who: (ns: string | undefined) => string, notesOf: (steps: readonly (Step | undefined)[]) => number[]): Draft[] {
  const cmd = u.argv.map(shellQuote).join(' ');
  const line = (text: string, steps: readonly (Step | undefined)[] = []): CodeLine => ({ text, notes: notesOf(steps) });
  const heredoc = (head: string, content: string, lineSteps?: readonly (Step | undefined)[], headSteps: readonly Step[] = []): CodeLine[] => [
    line(`${head} <<'EOF'`, headSteps),
    ...content
      .trimEnd()
      .split('\n')
      .map((l, i) => line(l, lineSteps ? [lineSteps[i]] : [])),
    line('EOF'),
  ];
  const base = { sources: sourcesOf(u.steps), planNotes: planNotesOf(u.steps) };

  if (u.files?.length) {
    // the fan-out: one readable block per namespace's batch file, then the xargs that runs them
    const blocks: Draft[] = u.files.map((f, i) => {
      const steps = f.lineSteps.filter((s): s is Step => !!s);
      const ns = (steps[0]?.op as { ns?: string } | undefined)?.ns;
      const tool = f.path.endsWith('.bridge') ? 'bridge' : f.path.endsWith('.tc') ? 'tc' : 'ip';
      return {
        caption: `${who(ns)}: ${tool} batch file`,
        sources: sourcesOf(steps),
        planNotes: [],
        lines: [...(i === 0 ? [line(`mkdir -p ${shellQuote(dirname(f.path))}`)] : []), ...heredoc(`cat >${shellQuote(f.path)}`, f.content, f.lineSteps)],
      };
    });
    const sysctls = u.steps.filter((s) => s.op.type === 'sysctl');
    const inputSteps = (u.input ?? '')
      .trimEnd()
      .split('\n')
      .map((l): Step | undefined => {
        if (u.files!.some((f) => l.endsWith(` ${f.path}`) || l.endsWith(`"${f.path}"`))) return undefined;
        const ns = /--net=\S*\/([^\s/]+)/.exec(l)?.[1];
        return sysctls.find((s) => (s.op as { ns: string }).ns === ns);
      });
    blocks.push({
      caption: `every namespace at once: xargs runs ${FANOUT_PARALLEL} at a time`,
      sources: sourcesOf(sysctls),
      planNotes: planNotesOf(sysctls),
      lines: heredoc(cmd, u.input ?? '', inputSteps),
    });
    return blocks;
  }
  if (u.write) {
    return [{ ...base, caption: `a file: ${u.write.path}`, lines: [line(`mkdir -p ${shellQuote(dirname(u.write.path))}`), ...heredoc(`cat >${shellQuote(u.write.path)}`, u.write.content, undefined, u.steps)] }];
  }
  if (u.container) {
    const lines = [line(cmd, u.steps)];
    if (u.container.expose) lines.push(line(exposeNetnsLine(u.container.spec.name, `${NETNS_DIR}/${u.container.expose}`)));
    return [{ ...base, caption: `on the host: Docker starts ${u.container.spec.name}${u.container.expose ? ', and its namespace gets a name' : ''}`, lines }];
  }
  if (u.settle) {
    return [{ ...base, caption: `${who(u.ns)}: repeated until no port is "${u.settle.absent}" (at most ${u.settle.timeoutMs / 1000} s)`, lines: [line(`while ${cmd} | grep -q ${shellQuote(u.settle.absent)}; do sleep 0.01; done`, u.steps)] }];
  }
  if (u.cni) {
    const op = u.cni;
    return [{ ...base, caption: `${who(u.ns)}: the runtime runs the CNI plugins for pod ${op.pod} (${op.calls.map((c) => c.plugin).join(' → ')}), each with CNI_* in its environment and its configuration on stdin`, lines: cniPlanLines(op).map((t, i) => line(t, i === 0 ? u.steps : [])) }];
  }
  if (u.daemon) {
    return [{ ...base, caption: `${who(u.ns)}: ${u.daemon.name}, left running`, lines: [line(`mkdir -p ${shellQuote(dirname(u.daemon.log))}`), line(`${cmd} >${shellQuote(u.daemon.log)} 2>&1 &`, u.steps)] }];
  }
  if (u.input !== undefined) {
    const batch = u.lineSteps !== undefined;
    const tool = u.argv.includes('-batch') ? `${u.argv[u.argv.indexOf('-batch') - 1]} reads the lines below as a batch` : `${u.argv.find((w) => /restore|^nft$/.test(w)) ?? u.argv[0]} reads the rules below`;
    return [{ ...base, planNotes: batch ? [] : base.planNotes, caption: `${who(u.ns)}: ${tool}`, lines: heredoc(cmd, u.input, u.lineSteps, batch ? [] : u.steps) }];
  }
  return [{ ...base, caption: who(u.ns), lines: [line(cmd, u.steps)] }];
}

// ---------------------------------------------------------------------------------------------------------------
// nodes

function natText(r: NatRule): string {
  if (r.type === 'masquerade') return `masquerade ${r.from ?? 'all'} leaving ${r.out}`;
  if (r.type === 'dnat') return `DNAT ${r.proto} port ${r.port}${r.in ? ` arriving on ${r.in}` : ''} → ${r.toAddr}:${r.toPort}`;
  const ports = r.publish.map((p) => `${p.proto} ${p.port} → ${p.toAddr}:${p.toPort}`);
  return `Docker's layout for ${r.bridge} (${r.subnet}): masquerade leaving by any other interface${ports.length ? `; published ${ports.join(', ')} (${r.userlandProxy ? 'DNAT and docker-proxy' : 'DNAT, hairpin NAT: no userland proxy'})` : ''}`;
}

function nodeDoc(lab: ResolvedLab, n: ResolvedNode, notes: readonly NumberedNote[]): NodeDoc {
  const rows: [string, string][] = [];
  const view = KINDS.get(n.kind)?.view ?? {};
  rows.push(['namespace', n.sharesNetnsOf ? `${n.netns} — shared with ${n.sharesNetnsOf}` : n.netns]);
  if (n.containers?.length) {
    rows.push(['containers', n.containers.map((c) => `${c.name} (${c.image}${c.network.mode === 'join' ? `, joins ${c.network.container}` : ''})`).join('; ')]);
  }
  rows.push(...(view.rows?.(n) ?? []));
  if (!n.sharesNetnsOf) rows.push(['forwarding', n.forwarding ? 'on (a router)' : 'off']);
  const extraSysctls = n.sysctls.filter(([k]) => k !== 'net.ipv4.ip_forward' && k !== 'net.ipv6.conf.all.forwarding');
  if (extraSysctls.length) rows.push(['sysctls', extraSysctls.map(([k, v]) => `${k}=${v}`).join(', ')]);
  if (n.routes.length) rows.push(['routes', n.routes.map((r) => routeArgs(r).filter((w) => w !== 'route' && w !== 'add').join(' ')).join('\n')]);
  if (n.nat.length) {
    rows.push(['NAT', n.nat.map(natText).join('\n')]);
  }
  const fw = Object.entries(n.firewall).filter(([, v]) => v).map(([k]) => k);
  if (fw.length) rows.push(['firewall', `${fw.join(', ')} rule sets (shown in the commands below)`]);
  const procs = [...(n.whoami.length ? [`whoami test server on port ${n.whoami.join(', ')}`] : []), ...n.daemons.map((d) => `${d.name}: ${d.argv.join(' ')}`), ...(view.processes?.(n) ?? [])];
  if (procs.length) rows.push(['processes', procs.join('\n')]);
  if (n.exec.length) rows.push(['runs once', n.exec.map((c) => c.argv.join(' ')).join('\n')]);
  return {
    name: n.name,
    kind: view.badge?.(n) ?? n.kind,
    rows,
    interfaces: n.interfaces.filter((i) => i.name !== 'lo' || i.addresses.length).map((i) => interfaceDoc(lab, n, i)),
    notes,
  };
}

function interfaceDoc(lab: ResolvedLab, n: ResolvedNode, i: ResolvedInterface): InterfaceDoc {
  let to = '';
  for (const l of lab.links) {
    for (const [e, o] of [
      [l.a, l.b],
      [l.b, l.a],
    ] as const) {
      if (e.node === n.name && e.ifname === i.name) to = o.node ? `veth to ${o.node}:${o.ifname}` : `veth to bridge ${o.bridge}`;
    }
  }
  const v = i.virtual;
  if (v) {
    const remote = 'remotes' in v && Array.isArray(v.remotes) ? v.remotes.join(', ') : 'remote' in v ? v.remote : undefined;
    to = `${v.type}${'vni' in v && v.vni !== undefined ? ` VNI ${v.vni}` : ''}${remote ? ` to ${remote}` : ''}${'dev' in v && v.dev ? ` over ${v.dev}` : ''}`;
  }
  if (i.name === 'lo') to = 'loopback';
  const details: string[] = [];
  if (i.master) details.push(`port of bridge ${i.master}`);
  if (i.mtu) details.push(`MTU ${i.mtu}`);
  if (i.mac) details.push(`MAC ${i.mac}`);
  if (i.auto) details.push('address from the pool');
  const im = i.impair;
  if (im) {
    const parts = [
      im.rateBps !== undefined ? `rate ${formatRate(im.rateBps)}` : '',
      im.delayUs !== undefined ? `delay ${formatMs(im.delayUs / 1000)}${im.jitterUs !== undefined ? ` ± ${formatMs(im.jitterUs / 1000)}` : ''}` : '',
      im.lossPct ? `loss ${im.lossPct}%` : '',
    ].filter(Boolean);
    details.push(`leaving it: ${parts.join(', ')}`);
  }
  return { name: i.name, addresses: i.addresses.join(', ') || '—', to: to || '—', details: details.join('; ') };
}

// ---------------------------------------------------------------------------------------------------------------
// the throughput chart

function barsOf(exercises: readonly ExerciseDoc[], measured: (name: string) => number | undefined): Bar[] {
  const bars: Bar[] = [];
  for (const e of exercises) {
    const bounds = ASSERTIONS.get(e.test.type)?.measurementBounds;
    if (!bounds || !e.result || typeof e.result.measurement !== 'number') continue;
    const { minBps, maxBps } = bounds(e.test.params, measured);
    bars.push({ label: e.test.name, bps: e.result.measurement, ok: e.result.ok, minBps, maxBps });
  }
  return bars;
}
