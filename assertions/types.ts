/** What an assertion is: resolve its parameters (pure), build its commands, judge their output. */
import type { Diagnostic, SourcePos } from '../runner/config/diagnostics.ts';
import type { PathSeg } from '../runner/config/load.ts';
import type { TargetResult } from '../runner/model/types.ts';
import type { FlowRequest, TraceReport } from '../runner/model/trace.ts';

export type { TargetResult };

/** What an assertion sees of the lab while its parameters are resolved (no root, no kernel). */
export interface ResolveContext {
  readonly nodeNames: readonly string[];
  /** The lab's bridges by name (a cluster's cni0 bridges as cni0@<node>): where a packet walk may name one. */
  readonly bridgeNames?: readonly string[];
  hasNode(name: string): boolean;
  /** Resolve `to:` — a node, node:interface, or an address — as seen from node `from`. */
  /** family: the address family the test asks for (`family: 6`); absent: IPv4 first. */
  target(to: string, from?: string, family?: 4 | 6): TargetResult;
  /** Position of a key or value under this test's assertion mapping. */
  at(path: readonly PathSeg[], key?: boolean): SourcePos;
  /** Report `unknown node` with a did-you-mean hint. */
  unknownNode(name: string, path: readonly PathSeg[]): Diagnostic;
  /** Names of all tests (to check references between them). */
  readonly testNames: readonly string[];
  /** The containers of a container or pod node, by their short name (a pod's app name; the node's name for a container). */
  containers?(node: string): ReadonlyMap<string, string>;
  /** This test's name (as written), if it has one: a test may not refer to itself. */
  readonly testName?: string;
  /**
   * BIRD's control socket on a BGP router (kind: bird), as `birdc -s` run in that node reaches it; undefined when the
   * node is not a BGP router. Left out when the lab has none. Used by the bgp assertion.
   */
  birdSocket?(node: string): string | undefined;
  /** The names of a node's daemons (`bird` on a BGP router, the lab file's `daemons:`); left out where unknown. */
  daemons?(node: string): readonly string[];
  /** The lab's Kubernetes-style cluster (its `cluster:` section, resolved); undefined or left out when it has none. */
  cluster?(): import('../runner/cluster/types.ts').ResolvedCluster | undefined;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The command as a user could type it: `ip netns exec nsl.lab.h1 ping -c 3 10.0.0.2`. */
  readonly command: string;
  readonly timedOut: boolean;
}

export interface ExecOptions {
  readonly timeoutMs?: number;
  readonly input?: string;
  /** Run inside this Docker container (`docker exec`), with its own files and tools, instead of in the node's namespace with the host's. */
  readonly container?: string;
  /** Added to the environment of the command (a CNI plugin's CNI_* variables). */
  readonly env?: Readonly<Record<string, string>>;
}

/** A process left running while an assertion works (e.g. an iperf3 server). */
export interface Background {
  readonly command: string;
  stop(): Promise<{ stdout: string; stderr: string }>;
}

/** What an assertion may do at run time: run commands inside lab nodes. */
export interface RunContext {
  exec(node: string, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  background(node: string, argv: readonly string[]): Promise<Background>;
  /** Results of earlier named measurements (bits/s), for relative thresholds. */
  measurement(name: string): number | undefined;
  readonly signal?: AbortSignal;
  /** The test being run (set by the test runner), e.g. to pick a port of its own. */
  readonly test?: { readonly index: number; readonly name: string };
  /** How to run nslab itself inside a node (`[node, main.js]`), for its agents (probe); a default is derived when left out. */
  readonly selfArgv?: readonly string[];
  /** The lab's directory on this machine (state, logs, CNI records), where a lab is behind the context. */
  readonly labDir?: string;
  /**
   * Trace one flow through the running lab (issue 12): the kernel's walk beside the model's prediction. Given by
   * `lab test` and `lab up --test`; left out where no lab is behind the context. Bounded (a few seconds).
   */
  trace?(req: FlowRequest, opts?: TraceCallOptions): Promise<TraceReport>;
  /**
   * Change the running lab's nodes (issue 15): stop, start or restart a node, kill one of its daemons. Given by `lab
   * test` (the same code as `lab restart`); left out where no lab is behind the context.
   */
  readonly lab?: LabControl;
}

/** What the failure actions of a test may do to the running lab (runner/lab/node-ops.ts does it). */
export interface LabControl {
  /** Stop, start or restart a node; resolves with what was done, in words, and the node's daemons' new PIDs. */
  node(node: string, op: 'stop' | 'start' | 'restart'): Promise<{ readonly text: string; readonly pids: Readonly<Record<string, number>>; readonly ms: number }>;
  /** Kill a node's daemon (by its name in the lab: `bird`) with a signal; resolves with the PIDs ended. */
  kill(node: string, daemon: string, signal: 'SIGKILL' | 'SIGTERM'): Promise<{ readonly pids: readonly number[] }>;
  /** Change a running link end's impairment (rate in bit/s or 'none', loss in %): what was done, the commands run. */
  impair(node: string, dev: string, change: { readonly rateBps?: number | 'none'; readonly lossPct?: number }): Promise<{ readonly ok: boolean; readonly text: string; readonly command: string }>;
  /**
   * Bring a node's interface up and put back what the plan configured on it and the kernel deleted when it went down
   * (its addresses, the routes out of it), on both ends of its veth (runner/plan/link-up.ts): what was done, the
   * commands run ("eth1 up; 2 routes, 1 address restored").
   */
  linkUp(node: string, dev: string): Promise<{ readonly ok: boolean; readonly text: string; readonly command: string }>;
}

/** How a test asks for a trace (RunContext.trace). */
export interface TraceCallOptions {
  readonly predict?: boolean;
  readonly signal?: AbortSignal;
  /** Called at once when the trace has to wait for the lab's other traces to end (they run one at a time)… */
  readonly onWait?: () => void;
  /** … and when it starts after waiting. */
  readonly onStart?: () => void;
}

export interface Outcome {
  readonly ok: boolean;
  /** What was expected, in words. */
  readonly expected: string;
  /** What was seen, in words. */
  readonly seen: string;
  /** The command(s) that saw it. */
  readonly command: string;
  /**
   * What the result line must say even when the test passed: work the test deliberately left out, and why
   * ("6 pairs skipped: a NetworkPolicy denies them"). Shown by every reporter.
   */
  readonly note?: string;
  /** How long a failure took to heal (a converge test, issue 15.3), in ms: every report shows it. */
  readonly convergeMs?: number;
  /** A measured value (bits/s) that other tests may refer to by this test's name. */
  readonly measurement?: number;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** One command line of an exercise, ready to paste (as root) into a shell. */
export interface ExerciseCommand {
  /** The node it runs in (with `host`: the node it is about). */
  readonly node: string;
  /** Typed on the host (as root), not inside the node: `lab trace LAB FROM TO`. */
  readonly host?: boolean;
  /** The command line. */
  readonly text: string;
  /** What this line is for, when an exercise has several. */
  readonly label?: string;
}

/** A test as an exercise for a learner (the handout): what to try, the commands to type, what to expect. */
export interface ExerciseText {
  /** An action (a link taken down) rather than a check; default false. */
  readonly action?: boolean;
  /** What to do, in words. */
  readonly doThis: string;
  readonly commands: readonly ExerciseCommand[];
  /** What to expect, in the words of `lab test`'s report. */
  readonly expect: string;
  /** How to read the output, where it is not obvious. */
  readonly hint?: string;
}

/** What an assertion's exercise is given: how a command in a node is written out, and earlier measurements. */
export interface ExerciseContext {
  /** A command run in a node (or in one of its containers, with `docker exec`), as a learner types it. */
  inNode(node: string, argv: readonly string[], label?: string, container?: string): ExerciseCommand;
  /** Measurements of earlier tests (bits/s, by test name), for relative thresholds. */
  measurement(name: string): number | undefined;
  /** The test (its place in the lab, its name). */
  readonly test: { readonly index: number; readonly name: string };
  /** The lab's name, for a command typed on the host that names it (`lab trace LAB FROM TO`). */
  readonly lab?: string;
  /**
   * What `lab test` puts back after bringing a node's interface up (issue 15.2): the plan's addresses and routes on it
   * and on its veth peer, as `ip … replace` commands in their nodes; left out where no plan is at hand.
   */
  linkUp?(node: string, dev: string): readonly ExerciseCommand[];
}

/** Lower and upper bounds of a measured value (bits/s), for the handout's chart. */
export interface MeasurementBounds {
  readonly minBps?: number;
  readonly maxBps?: number;
}

/**
 * A piece of JSON Schema (2020-12) a plugin contributes to schema/lab.schema.json, which scripts/gen-validator.ts
 * assembles. Its `$defs`, if any, are moved to the schema's root (refer to them as `#/$defs/<name>`).
 */
export type SchemaFragment = Readonly<Record<string, unknown>>;

/**
 * What an assertion may ask of the lab when it says which nodes it needs (issue 15.4: `lab test` on part of a lab
 * skips a test whose nodes are not all up). Pure, from the resolved lab.
 */
export interface NeedsContext {
  /** The node a target means: a node name, node:interface, or an address on a node's interface; undefined for none. */
  nodeOf(target: string | undefined): string | undefined;
  /** The node at the other end of a node's interface (its link's peer; the bridge's other ports are not counted). */
  linkPeer(node: string, dev: string): string | undefined;
  /** A BGP router's configured neighbors, as nodes. */
  bgpNeighbors(node: string): readonly string[];
  /** The BGP routers that announce this prefix (canonical). */
  announcers(prefix: string): readonly string[];
}

export interface AssertionDef<P = Record<string, unknown>> {
  readonly type: string;
  /** The schema of the mapping under the type key (kept in <name>.schema.json next to the assertion). */
  readonly schema?: SchemaFragment;
  /** Runs alone, never beside another test (throughput measurements). */
  readonly exclusive?: boolean;
  /** An action between tests (e.g. a link taken down): it waits for every test before it, and every test after it waits for it. */
  readonly barrier?: boolean;
  /** Run once, never retried (a test that applies a failure: trying again would apply it again). */
  readonly once?: boolean;
  /** Names of other tests this one needs results of first. */
  dependsOn?(params: P): string[];
  /**
   * The flows this test sends (issue 12), the first one that fails traced to explain a failure ("dropped in node-1,
   * filter FORWARD, …"). Left out by tests that send no traffic of their own.
   */
  flows?(params: P): readonly FlowRequest[];
  /**
   * The nodes this test touches (issue 15.4): where it runs, what it reaches, the peer of a link it acts on, the
   * routers behind a route it expects. `lab test` on part of a lab skips the test when one is not up. Undefined
   * entries are dropped. Left out: the nodes named anywhere in its parameters are taken.
   */
  nodes?(params: P, ctx: NeedsContext): readonly (string | undefined)[];
  /** A short default name, e.g. "ping h1 → h2". */
  describe(params: P): string;
  /** Check and resolve the raw mapping under the type key. Pure. */
  resolve(raw: Record<string, unknown>, ctx: ResolveContext): { params?: P; diagnostics: Diagnostic[] };
  /** Run once and judge. Retried by the runner while `within` allows. */
  run(params: P, ctx: RunContext): Promise<Outcome>;
  /** The test as a handout exercise: the commands a learner types (built by the same argv builders `run` uses). */
  exercise?(params: P, ctx: ExerciseContext): ExerciseText;
  /** For a measurement (throughput): the bounds it was judged against, for the handout's chart. */
  measurementBounds?(params: P, measurement: (name: string) => number | undefined): MeasurementBounds;
}
