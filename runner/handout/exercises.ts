/**
 * Each test of a lab as an exercise: what to try, in words; the commands a learner types (built by the assertion
 * modules' own argv builders, so they are what `lab test` runs); and what to expect, in the words `lab test` uses.
 */
import type { BgpParams } from '../../assertions/bgp.ts';
import { expectedText as bgpExpected, protocolsArgv, routeArgv as bgpRouteArgv } from '../../assertions/bgp.ts';
import type { CaptureParams } from '../../assertions/capture.ts';
import { expectedText as captureExpected, pingDuringArgv, tcpdumpArgv } from '../../assertions/capture.ts';
import type { CommandParams } from '../../assertions/command.ts';
import { expectedText as commandExpected } from '../../assertions/command.ts';
import type { Iperf3Params } from '../../assertions/iperf3.ts';
import { clientArgv, expectedText as iperfExpected, portFor, serverArgv } from '../../assertions/iperf3.ts';
import type { LinkParams } from '../../assertions/link-action.ts';
import { linkArgv } from '../../assertions/link-action.ts';
import type { PingParams } from '../../assertions/ping.ts';
import { expectedText as pingExpected, pingArgv } from '../../assertions/ping.ts';
import { ASSERTIONS } from '../../assertions/registry.ts';
import type { RouteParams } from '../../assertions/route.ts';
import { expectedText as routeExpected, routeArgv } from '../../assertions/route.ts';
import type { TcpParams } from '../../assertions/tcp.ts';
import { judgeTcp, tcpArgv } from '../../assertions/tcp.ts';
import { commandLine, nodeExecArgv } from '../plan/netns-argv.ts';
import { k8sExercise } from './k8s-exercises.ts';
import type { ResolvedLab, ResolvedTest } from '../model/types.ts';
import { formatMs, formatRate } from '../util/units.ts';

export interface ExerciseCommand {
  /** The node it runs in. */
  readonly node: string;
  /** The command line, ready to paste (as root). */
  readonly text: string;
  /** What this line is for, when an exercise has several. */
  readonly label?: string;
}

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

export function exercisesOf(lab: ResolvedLab, measurements: Measurements = () => undefined): Exercise[] {
  return lab.tests.map((t) => exerciseOf(lab, t, measurements));
}

export function exerciseOf(lab: ResolvedLab, t: ResolvedTest, measurements: Measurements = () => undefined): Exercise {
  const ns = (node: string): string => lab.nodes.find((n) => n.name === node)?.netns ?? `nsl.${lab.name}.${node}`;
  const inNode = (node: string, argv: readonly string[], label?: string, container?: string): ExerciseCommand => ({
    node,
    text: commandLine(nodeExecArgv({ ns: ns(node), container }, argv)),
    ...(label ? { label } : {}),
  });
  switch (t.type) {
    case 'ping': {
      const p = t.params as unknown as PingParams;
      const size = p.size !== undefined ? ` of ${p.size} bytes${p.dontFragment ? ", with don't-fragment set" : ''}` : '';
      return {
        test: t,
        action: false,
        doThis: p.expect === 'unreachable' ? `From ${p.from}, try to ping ${target(p.to, p.address)}: it must not answer.` : `From ${p.from}, ping ${target(p.to, p.address)} ${times(p.count)}${size}.`,
        commands: [inNode(p.from, pingArgv(p))],
        expect: pingExpected(p),
        hint: p.expect === 'unreachable' ? 'Look at the summary line: 0 received, 100% packet loss (or "Network is unreachable")' : 'Look at the summary line: packets received, % packet loss and the average rtt',
      };
    }
    case 'tcp': {
      const p = t.params as unknown as TcpParams;
      const expect = judgeTcp(p, { exitCode: 0, stdout: '', stderr: '', command: '', timedOut: false }).expected;
      return {
        test: t,
        action: false,
        doThis: `From ${p.from}, open a TCP connection to ${target(p.to, p.address)}, port ${p.port}${p.expect === 'closed' ? ': nothing may accept it' : ''}.`,
        commands: [inNode(p.from, tcpArgv(p))],
        expect,
        hint: 'netcat says "succeeded" when the connection is accepted, "refused" or "timed out" when not',
      };
    }
    case 'route': {
      const p = t.params as unknown as RouteParams;
      // the test reads `ip -j` (JSON); a learner reads the same table as text
      const argv = routeArgv(p).filter((w) => w !== '-j');
      return {
        test: t,
        action: false,
        doThis: `Show ${p.node}'s IPv${p.family} routing table and look for ${p.toText === 'default' ? 'the default route' : `the route to ${p.toText}`}.`,
        commands: [inNode(p.node, argv)],
        expect: routeExpected(p),
      };
    }
    case 'command': {
      const p = t.params as unknown as CommandParams;
      const where = p.container ? `in ${p.node}'s container ${p.container.split('.').pop()}` : `in ${p.node}`;
      return {
        test: t,
        action: false,
        doThis: `Run \`${p.argv.join(' ')}\` ${where}.`,
        commands: [inNode(p.node, p.argv, undefined, p.container)],
        expect: `the command ends with ${commandExpected(p)}`,
      };
    }
    case 'iperf3': {
      const p = t.params as unknown as Iperf3Params;
      const port = portFor(t.index);
      // -J (JSON) is for the test's parser; without it iperf3 prints a table people read
      const client = clientArgv(p, port).filter((w) => w !== '-J');
      const server = inNode(p.server, serverArgv(port), `on ${p.server}: a one-off iperf3 server (leave it running)`);
      return {
        test: t,
        action: false,
        doThis: `Measure ${p.protocol.toUpperCase()} throughput from ${p.from} to ${target(p.to, p.address)} for ${p.durationS} s${p.streams > 1 ? ` with ${p.streams} streams` : ''}${p.bitrateBps ? ` at ${formatRate(p.bitrateBps)}` : ''}${p.repeat > 1 ? `, ${p.repeat} times (the test takes the median)` : ''}.`,
        commands: [{ ...server, text: `${server.text} &` }, inNode(p.from, client, `on ${p.from}: the client`)],
        expect: iperfExpected(p, measurements),
        hint: `Read the receiver's line at the end: its Bitrate is what the test judges`,
      };
    }
    case 'bgp': {
      const p = t.params as unknown as BgpParams;
      const route = p.check === 'route';
      return {
        test: t,
        action: false,
        doThis: route ? `Ask BIRD on ${p.node} for its routes to ${p.prefix}.` : `Ask BIRD on ${p.node} for its BGP sessions${p.check === 'session' ? ` and find the one with ${p.peer}` : ''}.`,
        commands: [inNode(p.node, route ? bgpRouteArgv(p) : protocolsArgv(p))],
        expect: bgpExpected(p),
        hint: route ? 'Each route shows its next hop (BGP.next_hop), its AS path (BGP.as_path) and its communities' : 'BGP sessions are the lines with Proto BGP; the Info column shows the state (Established)',
      };
    }
    case 'capture': {
      const p = t.params as unknown as CaptureParams;
      const d = p.during;
      const during = d.kind === 'ping' ? inNode(d.from, pingDuringArgv(d), `on ${d.from}: meanwhile`) : inNode(d.node, d.argv, `on ${d.node}: meanwhile`);
      const tcpdump = inNode(p.node, tcpdumpArgv(p), `on ${p.node}: capture (stop it with Ctrl-C afterwards)`);
      return {
        test: t,
        action: false,
        doThis: `Capture on ${p.node}:${p.dev} (filter \`${p.filter}\`) while ${d.kind === 'ping' ? `${d.from} pings ${target(d.to, d.address)} ${times(d.count)}` : `\`${d.argv.join(' ')}\` runs in ${d.node}`}.`,
        commands: [{ ...tcpdump, text: `${tcpdump.text} &` }, during],
        expect: captureExpected(p),
        hint: p.vni !== undefined ? `Count the packets whose header tcpdump shows as "VXLAN, flags [I] (0x08), vni ${p.vni}"` : 'Count the packets tcpdump prints',
      };
    }
    case 'link': {
      const p = t.params as unknown as LinkParams;
      return {
        test: t,
        action: true,
        doThis: `Take ${p.node}:${p.dev} ${p.state}. The exercises after this one see the change.`,
        commands: [inNode(p.node, linkArgv(p))],
        expect: `${p.node}:${p.dev} set ${p.state}`,
      };
    }
    default: {
      const k8s = k8sExercise(t, inNode);
      if (k8s) return k8s;
      const def = ASSERTIONS.get(t.type);
      return { test: t, action: !!def?.barrier, doThis: def ? `Check: ${def.describe(t.params)}.` : `Check: ${t.name}.`, commands: [], expect: t.name };
    }
  }
}

function target(to: string, address: string): string {
  return to === address ? to : `${to} (${address})`;
}

function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
}

/** "retried for up to 5 s", for tests with `within:`. */
export function withinText(t: ResolvedTest): string | undefined {
  return t.withinMs > 0 ? `it may take up to ${formatMs(t.withinMs)} to become true (the test retries that long)` : undefined;
}
