/** The Plan: plain data. Every step is one kernel or process operation, with the YAML place that asked for it. */
import type { SourcePos } from '../config/diagnostics.ts';
import type { ContainerSpec } from '../model/types.ts';

/** Phases run in this order; inside a phase, work in different namespaces runs in parallel. */
export const PHASES = ['namespaces', 'links', 'configure', 'fdb', 'settle', 'firewall', 'impair', 'exec', 'daemons'] as const;
export type Phase = (typeof PHASES)[number];

export type Op =
  /**
   * One iproute2 command; batched with the others of its phase and namespace into one `ip [-n NS] -batch -`
   * (`bridge -batch -` / `tc -batch -` for the tool's own commands: fdb entries, qdiscs of link impairments).
   */
  | { readonly type: 'ip'; readonly ns?: string; readonly args: readonly string[]; readonly tool?: 'bridge' | 'tc' }
  /** Network sysctls of one namespace, set with `nsenter --net=… sysctl -qw k=v …`. */
  | { readonly type: 'sysctl'; readonly ns: string; readonly values: readonly (readonly [string, string])[] }
  /**
   * Wait until no bridge port in the namespace is `disabled`: the kernel applies carrier changes
   * asynchronously (in batches, under load up to seconds later), and a disabled port drops every frame.
   */
  | { readonly type: 'settle'; readonly ns: string; readonly timeoutMs: number }
  /** A file the lab needs (a generated bird.conf), written under the lab's directory. */
  | { readonly type: 'file'; readonly path: string; readonly content: string; readonly lane?: string }
  /** A rule set fed on stdin to iptables-restore / ip6tables-restore / nft inside a namespace. */
  | { readonly type: 'load'; readonly ns: string; readonly tool: 'iptables-restore' | 'ip6tables-restore' | 'nft'; readonly input: string }
  /** A command run to completion inside a namespace. */
  | { readonly type: 'exec'; readonly ns: string; readonly argv: readonly string[]; readonly container?: string }
  /**
   * A Docker container (Engine API): created with --network none (or joining another container's namespace)
   * and started; its namespace is then exposed as /run/netns/<ns>. `lane` orders it before containers joining it.
   */
  | { readonly type: 'container'; readonly spec: ContainerSpec; readonly ns?: string; readonly lane?: string }
  /** A long-running process started inside a namespace; its PID goes into the lab's state. */
  | {
      readonly type: 'daemon';
      readonly ns: string;
      readonly node: string;
      readonly name: string;
      readonly argv: readonly string[];
      readonly log: string;
      readonly container?: string;
      /** Open fd 3 on the log too: docker-proxy reports its start on fd 3 (dockerd's pipe) and closes it; without one open it closes its own socket. */
      readonly fd3?: boolean;
      /**
       * How the daemon takes a changed configuration file without a restart (a change to a running lab, issue 15.1):
       * `watch` — it notices the file by itself; a command — run in its namespace (`nginx … -s reload`). Absent: restarted.
       */
      readonly reload?: 'watch' | readonly string[];
    }
  /**
   * One pod's network through the real CNI plugins, as a container runtime does it: the loopback plugin on lo,
   * then every plugin of the conflist in order (ADD), each given the previous one's result as prevResult, then
   * CHECK (cniVersion ≥ 0.4.0). Each plugin runs inside the node's namespace (`ip netns exec <node>`), with
   * the CNI_* variables in its environment and its configuration on stdin. What they return is recorded in
   * `record` (JSON) and the lab's state; `lab down` and delete-pod run DEL from that record, in reverse order.
   */
  | CniOp;

/** One CNI plugin invocation: the executable, its environment (CNI_COMMAND set per call) and its configuration. */
export interface CniCall {
  /** The plugin type (the executable's name). */
  readonly plugin: string;
  /** The executable: CNI_PATH/<type>. */
  readonly path: string;
  /** CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_PATH, CNI_ARGS (CNI_COMMAND is added per call). */
  readonly env: Readonly<Record<string, string>>;
  /** The network configuration on stdin, without prevResult (name and cniVersion injected from the conflist). */
  readonly config: Readonly<Record<string, unknown>>;
  /** The lab-file place of this plugin's entry. */
  readonly source?: SourcePos;
}

export interface CniOp {
  readonly type: 'cni';
  /** The node's namespace: the "runtime's" namespace the plugins run in. */
  readonly ns: string;
  readonly node: string;
  readonly pod: string;
  readonly network: string;
  readonly cniVersion: string;
  /** The loopback plugin on lo (what containerd runs before the conflist), if any. */
  readonly loopback?: CniCall;
  readonly calls: readonly CniCall[];
  /** Run CHECK after ADD (cniVersion ≥ 0.4.0). */
  readonly check: boolean;
  /** Where the record of the calls and their results is written (JSON, CniRecord). */
  readonly record: string;
}

export interface Step {
  readonly id: string;
  readonly phase: Phase;
  /** Order inside the phase and namespace (lower first); steps with equal order keep their compile order. */
  readonly order: number;
  readonly op: Op;
  /** The lab-file place that produced this step. */
  readonly source?: SourcePos;
  /** What the step is for, in words (the printed plan shows it). */
  readonly note?: string;
  /** What this step creates on the machine, recorded in the lab's state when it has run. */
  readonly creates?: Created;
}

export interface Created {
  readonly kind: 'netns' | 'link' | 'bridge' | 'address' | 'route' | 'rules' | 'process' | 'container' | 'file';
  readonly name: string;
  readonly ns?: string;
}

export interface Plan {
  readonly lab: string;
  readonly file: string;
  readonly hash: string;
  /** The lab's directory on the machine (state, logs, batch files). */
  readonly workDir: string;
  /** Facts about the machine the plan was made for, printed at its top. */
  readonly notes?: readonly string[];
  /** The sysctls a new namespace starts with on that machine (no step sets them): a value no longer set goes back to them. */
  readonly inherited?: Readonly<Record<string, string>>;
  /** Every namespace the lab owns, fabric first. */
  readonly namespaces: readonly string[];
  readonly steps: readonly Step[];
}
