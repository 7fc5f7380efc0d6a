/**
 * cni: { conflist: … } — the cluster's pods networked by Debian's containernetworking-plugins, called the way a
 * container runtime (containerd, CRI-O) calls them for kubelet: the conflist a node keeps in /etc/cni/net.d/, each
 * plugin an executable in CNI_PATH run with the CNI_* variables and its configuration (the plugin's entry plus the
 * list's name and cniVersion, and the previous plugin's result as prevResult) on stdin.
 *
 * Here: the conflist is checked (located errors, before anything is made); each pod becomes a bare namespace; the
 * plan gets one `cni` step per pod (runner/plan/ops.ts CniOp) made by `cniOp`. What nslab feeds the plugins, and why:
 * - host-local IPAM: `dataDir` under the lab's directory (its leases go with `lab down`, nothing stays in
 *   /var/lib/cni); when the conflist gives no subnet/ranges, the node's pod block (what containerd's config
 *   template fills in as {{.PodCIDR}}); and the address nslab planned for the pod, as `IP=` in CNI_ARGS (host-local
 *   honours it), so Services, DNS and tests know pod addresses before the pods exist.
 * - portmap: runtimeConfig.portMappings (empty: no pod here declares a hostPort), when capabilities.portMappings.
 * - bandwidth: runtimeConfig.bandwidth is not fed (no pod annotations); its own ingressRate/egressRate keys work.
 * - macvlan: `master` must name an interface of the node.
 * - loopback: run by nslab on lo before the conflist, as containerd does; not an entry of the conflist.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { didYouMean, error, LabError, type Diagnostic, type SourcePos } from '../config/diagnostics.ts';
import { parseLabText, type LoadedFile, type PathSeg } from '../config/load.ts';
import { contains, parseAddress, parsePrefix } from '../model/ip.ts';
import { NETNS_DIR } from '../model/names.ts';
import type { CniCall, CniOp } from '../plan/ops.ts';
import { asObj, isObj, type Obj } from '../util/obj.ts';
import type { CniConflist, Pod } from './types.ts';

export type { CniConflist } from './types.ts';

/** Where Debian's containernetworking-plugins puts the plugins. */
export const CNI_PATH = '/usr/lib/cni';

/** The plugin types nslab knows how to feed, and what each does (for messages and the README). */
export const CNI_PLUGINS: Readonly<Record<string, { readonly makesInterface: boolean; readonly what: string }>> = {
  bridge: { makesInterface: true, what: 'a bridge in the node (cni0), a veth to the pod' },
  ptp: { makesInterface: true, what: 'a veth to the pod, routed (no bridge)' },
  macvlan: { makesInterface: true, what: 'a macvlan child of a node interface (`master`) in the pod' },
  portmap: { makesInterface: false, what: 'hostPort DNAT chains (CNI-HOSTPORT-*)' },
  bandwidth: { makesInterface: false, what: 'tc rate limits (ingressRate/egressRate)' },
  tuning: { makesInterface: false, what: 'sysctls, MAC, MTU of the pod interface' },
  firewall: { makesInterface: false, what: 'iptables FORWARD rules for the pod (CNI-FORWARD)' },
};
export const IPAM_TYPES = ['host-local'];
/** Plugin versions the plugins of containernetworking-plugins 1.1 speak (prevResult needs ≥ 0.3.0). */
export const CNI_VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0'];

interface Where {
  /** Position of a path inside the conflist. */
  at(path: readonly PathSeg[], key?: boolean): SourcePos;
  readonly what: string;
}

/** Read and check `cluster.cni.conflist` (an object, or a file path relative to the lab file). */
export function parseConflist(value: unknown, file: LoadedFile, diags: Diagnostic[]): CniConflist | undefined {
  const base: PathSeg[] = ['cluster', 'cni', 'conflist'];
  let data: unknown = value;
  let where: Where = { at: (p, key) => file.at([...base, ...p], key), what: 'cluster.cni.conflist' };
  let path: string | undefined;
  if (typeof value === 'string') {
    path = join(dirname(file.path), value);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      diags.push(error('cluster.conflist-file', `cannot read the conflist ${value}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, file.at(base), 'give a path relative to the lab file (a node\'s /etc/cni/net.d/*.conflist), or write the conflist inline'));
      return undefined;
    }
    try {
      const f = parseLabText(path, text);
      data = f.data;
      where = { at: f.at, what: value };
    } catch (e) {
      if (e instanceof LabError) diags.push(...e.diagnostics.map((d) => ({ ...d, code: 'cluster.conflist-json', message: `the conflist ${value} is not valid JSON: ${d.message}` })));
      else diags.push(error('cluster.conflist-json', `the conflist ${value} is not valid JSON: ${(e as Error).message}`, file.at(base)));
      return undefined;
    }
  }
  const before = diags.length;
  const bad = (p: PathSeg[], message: string, hint: string): void => void diags.push(error('cluster.conflist', message, where.at(p, p.length === 0 && !path), hint));
  if (!isObj(data)) {
    bad([], `${where.what} is not a CNI network configuration list (a JSON object)`, 'write { "cniVersion": "1.0.0", "name": "…", "plugins": [ { "type": "bridge", … } ] }');
    return undefined;
  }
  const { cniVersion, name, plugins } = data;
  if (cniVersion === undefined) bad([], `${where.what} has no cniVersion`, `add "cniVersion": one of ${CNI_VERSIONS.join(', ')}`);
  else if (typeof cniVersion !== 'string') bad(['cniVersion'], `cniVersion is ${JSON.stringify(cniVersion)}, not a string`, `write it quoted: "1.0.0"`);
  else if (!CNI_VERSIONS.includes(cniVersion)) bad(['cniVersion'], `cniVersion ${cniVersion} is not one the plugins of containernetworking-plugins 1.1 chain with`, `use one of ${CNI_VERSIONS.join(', ')} (prevResult chaining needs ≥ 0.3.0; CHECK ≥ 0.4.0)`);
  if (name === undefined) bad([], `${where.what} has no name`, 'add "name": the network\'s name (e.g. "cbr0"); every plugin is given it');
  else if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) bad(['name'], `name ${JSON.stringify(name)} is not a network name`, 'letters, digits, _ . - (the CNI spec\'s rule)');
  if (plugins === undefined) bad([], `${where.what} has no plugins`, 'add "plugins": [ { "type": "bridge", … } ]');
  else if (!Array.isArray(plugins) || plugins.length === 0) bad(['plugins'], 'plugins is not a non-empty list of plugin configurations', 'write "plugins": [ { "type": "bridge", … }, { "type": "portmap", … } ]');
  const list = Array.isArray(plugins) ? plugins : [];
  const known = Object.keys(CNI_PLUGINS);
  list.forEach((pl, i) => {
    if (!isObj(pl)) return bad(['plugins', i], `plugin ${i + 1} is not an object`, 'each plugin is { "type": "…", … }');
    const type = pl.type;
    if (typeof type !== 'string') return bad(['plugins', i], `plugin ${i + 1} has no type`, 'add "type": the plugin executable, e.g. "bridge"');
    if (type === 'loopback') return bad(['plugins', i, 'type'], 'loopback is not an entry of the conflist', 'the runtime (here nslab) runs the loopback plugin on lo by itself before the conflist: remove this entry');
    if (!(type in CNI_PLUGINS)) {
      const guess = didYouMean(type, known);
      return bad(['plugins', i, 'type'], `nslab does not know how to feed plugin type ${type}`, `${guess ? `did you mean ${guess}? ` : ''}nslab feeds ${known.join(', ')} (and host-local IPAM)`);
    }
    if (i === 0 && !CNI_PLUGINS[type].makesInterface) bad(['plugins', i, 'type'], `the first plugin, ${type}, makes no interface: it chains onto one`, 'start with bridge, ptp or macvlan, which make the pod\'s interface');
    if (i > 0 && CNI_PLUGINS[type].makesInterface) bad(['plugins', i, 'type'], `plugin ${type} makes a second interface named like the first (CNI_IFNAME eth0)`, 'a conflist has one interface plugin, first; the others chain onto its result');
    if (type === 'macvlan' && typeof pl.master !== 'string') bad(['plugins', i], 'macvlan needs "master": the node interface its children hang off', 'e.g. "master": "eth0" (the node\'s underlay interface)');
    if (pl.ipam !== undefined) {
      const ipam = pl.ipam;
      if (!isObj(ipam) || typeof ipam.type !== 'string') return bad(['plugins', i, 'ipam'], 'ipam has no type', 'write "ipam": { "type": "host-local" }');
      if (!IPAM_TYPES.includes(ipam.type)) return bad(['plugins', i, 'ipam', 'type'], `nslab does not know how to feed IPAM plugin type ${ipam.type}`, 'use host-local (its leases are kept under the lab\'s directory)');
      if (ipam.dataDir !== undefined) bad(['plugins', i, 'ipam', 'dataDir'], 'ipam.dataDir is set by nslab', 'remove it: nslab keeps host-local\'s leases under the lab\'s directory, so `lab down` removes them');
      if (ipam.subnet !== undefined && (typeof ipam.subnet !== 'string' || !parsePrefix(ipam.subnet))) bad(['plugins', i, 'ipam', 'subnet'], `subnet ${JSON.stringify(ipam.subnet)} is not a prefix`, 'e.g. "subnet": "10.244.0.0/24"');
    } else if (CNI_PLUGINS[type].makesInterface) bad(['plugins', i], `${type} has no ipam: the pod would get no address`, 'add "ipam": { "type": "host-local", "routes": [ { "dst": "0.0.0.0/0" } ] }');
  });
  if (diags.length > before || typeof name !== 'string' || typeof cniVersion !== 'string') return undefined;
  return { name, cniVersion, plugins: list as Obj[], pluginPos: list.map((_, i) => where.at(['plugins', i], true)), ...(path ? { file: value as string } : {}) };
}

/** The subnets a conflist's host-local IPAM gives out (subnet, or the ranges' subnets). */
export function ipamSubnets(c: CniConflist): string[] {
  const ipam = asObj(c.plugins[0]?.ipam);
  if (typeof ipam.subnet === 'string') return [ipam.subnet];
  return (Array.isArray(ipam.ranges) ? ipam.ranges : []).flat().map((r) => asObj(r).subnet).filter((s): s is string => typeof s === 'string');
}

/** Pods whose planned address is outside the conflist's subnets: host-local would refuse `IP=`. */
export function podsOutside(c: CniConflist, pods: readonly Pod[]): Pod[] {
  const subnets = ipamSubnets(c).map((s) => parsePrefix(s)).filter((p) => !!p);
  if (!subnets.length) return [];
  return pods.filter((pod) => {
    const a = parseAddress(pod.ip);
    return !a || !subnets.some((s) => contains(s, 4, a.addr));
  });
}

/** A pod's container ID, as a runtime makes one (64 hex digits), stable for the lab and pod. */
export function containerId(lab: string, pod: string): string {
  return createHash('sha256').update(`${lab}/${pod}`).digest('hex');
}

/** host-local's data directory for a node (under the lab's directory). */
export const hostLocalDir = (labDir: string, node: string): string => join(labDir, 'cni', node, 'host-local');
/** Where a pod's calls and results are recorded. */
export const cniRecordPath = (labDir: string, pod: string): string => join(labDir, 'cni', `${pod}.json`);

export interface CniPodContext {
  readonly lab: string;
  readonly labDir: string;
  readonly nodeNs: string;
  readonly podNs: string;
  /** The node's pod block (host-local's subnet when the conflist gives none). */
  readonly podCIDR: string;
}

/** The pod's CNI step: loopback, then every plugin of the conflist with what nslab feeds it. */
export function cniOp(c: CniConflist, pod: Pod, ctx: CniPodContext): CniOp {
  const id = containerId(ctx.lab, pod.name);
  const env = (ifname: string, args: string): Record<string, string> => ({ CNI_CONTAINERID: id, CNI_NETNS: `${NETNS_DIR}/${ctx.podNs}`, CNI_IFNAME: ifname, CNI_PATH, CNI_ARGS: args });
  const k8sArgs = `IgnoreUnknown=1;K8S_POD_NAMESPACE=${pod.namespace};K8S_POD_NAME=${pod.name};K8S_POD_INFRA_CONTAINER_ID=${id}`;
  const calls: CniCall[] = c.plugins.map((pl, i) => {
    const type = String(pl.type);
    const config: Obj = { cniVersion: c.cniVersion, name: c.name, ...pl };
    if (isObj(pl.ipam)) {
      const ipam: Obj = { ...pl.ipam, dataDir: hostLocalDir(ctx.labDir, pod.node) };
      if (ipam.subnet === undefined && ipam.ranges === undefined) ipam.ranges = [[{ subnet: ctx.podCIDR }]];
      config.ipam = ipam;
    }
    if (type === 'portmap' && asObj(pl.capabilities).portMappings === true) config.runtimeConfig = { ...asObj(pl.runtimeConfig), portMappings: [] };
    return { plugin: type, path: join(CNI_PATH, type), env: env('eth0', isObj(pl.ipam) ? `${k8sArgs};IP=${pod.ip}` : k8sArgs), config, source: c.pluginPos[i] };
  });
  const loopback: CniCall = { plugin: 'loopback', path: join(CNI_PATH, 'loopback'), env: env('lo', k8sArgs), config: { cniVersion: c.cniVersion, name: 'cni-loopback', type: 'loopback' } };
  const [a, b] = c.cniVersion.split('.').map(Number);
  return { type: 'cni', ns: ctx.nodeNs, node: pod.node, pod: pod.name, network: c.name, cniVersion: c.cniVersion, loopback, calls, check: a > 0 || b >= 4, record: cniRecordPath(ctx.labDir, pod.name) };
}

/** The plugin types a conflist runs (loopback included), for the installed-check. */
export function pluginTypes(c: CniConflist): string[] {
  return ['loopback', ...new Set(c.plugins.map((p) => String(p.type)))];
}
