/**
 * Readiness (issue 11): what must hold before `lab up` returns, derived from the model — BGP sessions Established
 * and the routes each router must learn installed, test servers listening, cluster DNS answering. A probe is data:
 * the commands to run in a node and a pure judge of their output, so the printer, the poller and the unit tests see
 * the same thing. Kinds and the cluster contribute probes; the lab layer polls them until all hold or time runs out.
 */
import type { SourcePos } from '../config/diagnostics.ts';

/** One thing that must hold, as judged from one run of a probe's commands. */
export interface ReadyItem {
  /** What is checked, as a reader says it: "r1: BGP session to_r2 Established". */
  readonly what: string;
  readonly ok: boolean;
  /** When not ok: what was seen instead ("Connect, last error: Connection refused"; "10.3.0.0/24 missing"). */
  readonly detail?: string;
  /** The lab-file place behind it (the neighbor, the node), for the message when it does not hold. */
  readonly pos?: SourcePos;
}

export interface ReadyCommand {
  readonly argv: readonly string[];
  /** Run in this Docker container instead of in the node's namespace with the host's tools. */
  readonly container?: string;
}

export interface ReadyOutput {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ReadyProbe {
  /** Unique in the lab: 'bgp:r1', 'listen:web-1', 'dns'. */
  readonly id: string;
  /** The lab node whose namespace the commands run in. */
  readonly node: string;
  readonly commands: readonly ReadyCommand[];
  /** Pure: the items this probe stands for, judged from its commands' outputs (same order as `commands`). */
  judge(outputs: readonly ReadyOutput[]): ReadyItem[];
}

/** Bounds of the wait: `lab up --wait DURATION` (default 60 s), `--no-wait` for none. */
export const DEFAULT_READY_TIMEOUT_MS = 60_000;
export const READY_POLL_MS = 250;

/** The ports with a listening TCP socket (or a bound UDP one) in `ss -Hltun` output. */
export function listeningPorts(ssOutput: string): { tcp: Set<number>; udp: Set<number> } {
  const tcp = new Set<number>();
  const udp = new Set<number>();
  for (const line of ssOutput.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const port = Number(/:(\d+)$/.exec(f[4])?.[1]);
    if (!Number.isInteger(port)) continue;
    if (f[0] === 'tcp') tcp.add(port);
    else if (f[0] === 'udp') udp.add(port);
  }
  return { tcp, udp };
}

/** A node's servers (nslab's test server, a cluster DNS) listen on their ports: one `ss` per node. */
export function listenProbe(node: string, ports: readonly { readonly port: number; readonly proto: 'tcp' | 'udp'; readonly what: string }[], pos?: SourcePos): ReadyProbe {
  return {
    id: `listen:${node}`,
    node,
    commands: [{ argv: ['ss', '-H', '-l', '-t', '-u', '-n'] }],
    judge([out]) {
      const seen = listeningPorts(out?.stdout ?? '');
      return ports.map((p) => {
        const ok = (p.proto === 'tcp' ? seen.tcp : seen.udp).has(p.port);
        return { what: `${node}: ${p.what} listening on ${p.proto.toUpperCase()} ${p.port}`, ok, detail: ok ? undefined : `nothing listens on ${p.proto.toUpperCase()} ${p.port}`, pos };
      });
    },
  };
}
