/** Every assertion type a lab file may use, by its YAML key. Add a type by adding one line. */
import { bgp } from './bgp.ts';
import { capture } from './capture.ts';
import { command } from './command.ts';
import { converge } from './converge.ts';
import { http } from './http.ts';
import { impair } from './impair-action.ts';
import { iperf3 } from './iperf3.ts';
import { link } from './link-action.ts';
import { kill, restart, start, stop } from './node-action.ts';
import { path } from './path.ts';
import { ping } from './ping.ts';
import { route } from './route.ts';
import { tcp } from './tcp.ts';
import type { AssertionDef } from './types.ts';
import { CLUSTER_ASSERTIONS } from '../runner/cluster/assertions/index.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each def has its own params type
export const ASSERTIONS: ReadonlyMap<string, AssertionDef<any>> = new Map<string, AssertionDef<any>>([
  [ping.type, ping],
  [tcp.type, tcp],
  [route.type, route],
  [command.type, command],
  [iperf3.type, iperf3],
  [link.type, link],
  [restart.type, restart],
  [stop.type, stop],
  [start.type, start],
  [kill.type, kill],
  [impair.type, impair],
  [converge.type, converge],
  [bgp.type, bgp],
  [capture.type, capture],
  [http.type, http],
  [path.type, path],
  ...CLUSTER_ASSERTIONS.map((a) => [a.type, a] as const),
]);
