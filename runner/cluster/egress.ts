/**
 * The cluster as a network citizen (issue 11): a default gateway for every Kubernetes node (`cluster.gateway`: a lab
 * node on the node network, or an address there), and egress masquerade for pod traffic that leaves the pod CIDR,
 * on by default as in every real cluster (`cluster.egress-masquerade: false` turns it off):
 *
 * - flannel (vxlan, host-gw, udp) writes flanneld's ip-masq chain FLANNEL-POSTRTG: pod → pod returns, pod → anything
 *   else but multicast is masqueraded (--random-fully, as flannel does since v0.15);
 * - calico-bgp writes Calico's natOutgoing: cali-POSTROUTING → cali-nat-outgoing, masquerading what leaves the IP
 *   pool (Calico matches the pool's ipsets; here the one pool is the pod CIDR);
 * - bridge writes what the CNI bridge plugin's ipMasq does: pod → its own subnet accepted, the rest masqueraded.
 *
 * Traffic that kube-proxy marked (0x4000) is left to KUBE-POSTROUTING, which comes first.
 */
import { didYouMean, error, type Diagnostic } from '../config/diagnostics.ts';
import type { LoadedFile } from '../config/load.ts';
import { contains, formatAddress, network, parseAddress, type Prefix } from '../model/ip.ts';
import { asObj, str, type Obj } from '../util/obj.ts';
import type { CniBackend } from './types.ts';

/**
 * `cluster.gateway` → the address every node's default route goes via. A lab node must have an address on the node
 * network; an address must be on it (and not be a cluster node's own).
 */
export function resolveGateway(C: Obj, userNodes: Obj, und4: Prefix | undefined, underlay: string, nodeIPs: readonly string[], at: LoadedFile['at'], diags: Diagnostic[]): string | undefined {
  const gw = str(C.gateway);
  if (gw === undefined || !und4) return undefined;
  const pos = at(['cluster', 'gateway']);
  const onUnderlay = (a: string): boolean => {
    const p = parseAddress(a);
    return !!p && p.family === 4 && contains(network(und4), 4, p.addr);
  };
  const addr = parseAddress(gw);
  if (addr) {
    if (!onUnderlay(gw)) diags.push(error('cluster.gateway', `the gateway ${gw} is not on the node network ${underlay}`, pos, `the nodes reach their gateway directly: give an address of ${underlay} (a router of the lab on it), or a lab node's name`));
    else if (nodeIPs.includes(formatAddress(4, addr.addr))) diags.push(error('cluster.gateway', `the gateway ${gw} is a cluster node's own address`, pos, 'name a router of the lab on the node network, not a node of the cluster'));
    else return formatAddress(4, addr.addr);
    return undefined;
  }
  const node = userNodes[gw];
  if (node === undefined) {
    const guess = didYouMean(gw, Object.keys(userNodes));
    diags.push(error('cluster.gateway', `the gateway ${JSON.stringify(gw)} is neither an address nor a node of the lab`, pos, guess ? `did you mean ${guess}?` : `name a lab node on the node network ${underlay}, or give its address`));
    return undefined;
  }
  const addrs = Object.values(asObj(asObj(node).interfaces)).flatMap((i) => (Array.isArray(asObj(i).addresses) ? (asObj(i).addresses as unknown[]) : [])).map(String);
  const hit = addrs.map((a) => a.split('/')[0]).find(onUnderlay);
  if (!hit) diags.push(error('cluster.gateway', `the gateway ${gw} has no address on the node network ${underlay}`, pos, `give one of ${gw}'s interfaces an address of ${underlay} and link it to the node network (k8s-net)`));
  return hit;
}

const comment = (text: string): string => `-m comment --comment "${text}"`;

/**
 * Dual-stack: the nodes' IPv6 default gateway, when `cluster.gateway` names a lab node with an address on the IPv6
 * node network (an address written as `gateway` is IPv4, and gives no IPv6 route).
 */
export function resolveGateway6(C: Obj, userNodes: Obj, und6: Prefix | undefined): string | undefined {
  const gw = str(C.gateway);
  if (gw === undefined || !und6 || parseAddress(gw)) return undefined;
  const addrs = Object.values(asObj(asObj(userNodes[gw]).interfaces)).flatMap((i) => (Array.isArray(asObj(i).addresses) ? (asObj(i).addresses as unknown[]) : [])).map(String);
  return addrs.map((a) => a.split('/')[0]).find((a) => {
    const p = parseAddress(a);
    return !!p && p.family === 6 && contains(und6, 6, p.addr);
  });
}

/**
 * The IPv6 egress masquerade of one node as ip6tables-restore input (the nat table), in the backend's layout: the
 * same chains as for IPv4 over the IPv6 pod CIDR, ff00::/8 (multicast) in place of 224.0.0.0/4.
 */
export function masqueradeRules6(cni: CniBackend, podCIDR6: string, nodeBlock6: string, randomFully?: boolean): string {
  return masqueradeRules(cni, podCIDR6, nodeBlock6, randomFully).replaceAll('224.0.0.0/4', 'ff00::/8').replace(/^# egress masquerade \(([^)]*)\)/, '# IPv6 egress masquerade ($1)');
}

/** The egress masquerade of one node as iptables-restore input (the nat table), in the backend's own layout. */
export function masqueradeRules(cni: CniBackend, podCIDR: string, nodeBlock: string, randomFully?: boolean): string {
  // --random-fully as the backend writes it, unless the lab says otherwise (cluster.masquerade-random-fully)
  const rf = (own: boolean): string => ((randomFully ?? own) ? ' --random-fully' : '');
  const who = cni === 'calico-bgp' ? "Calico's natOutgoing" : cni === 'bridge' ? "the bridge plugin's ipMasq" : "flanneld's ip-masq";
  const nat = (chains: string[], rules: string[]): string => [`# egress masquerade (${who}): pod traffic leaving ${podCIDR} gets the node's address`, '*nat', ':POSTROUTING ACCEPT [0:0]', ...chains.map((c) => `:${c} - [0:0]`), ...rules, 'COMMIT', ''].join('\n');
  if (cni === 'calico-bgp') {
    return nat(
      ['cali-POSTROUTING', 'cali-nat-outgoing'],
      [
        `-A POSTROUTING ${comment('calico: natOutgoing of the IP pool')} -j cali-POSTROUTING`,
        `-A cali-POSTROUTING ${comment('calico: traffic leaving the IP pool')} -j cali-nat-outgoing`,
        `-A cali-nat-outgoing -s ${podCIDR} ! -d ${podCIDR} ${comment(`calico: pool ${podCIDR} has natOutgoing`)} -j MASQUERADE${rf(true)}`,
      ],
    );
  }
  if (cni === 'bridge') {
    return nat(
      ['CNI-MASQ'],
      [
        `-A POSTROUTING -s ${nodeBlock} ${comment('the bridge plugin: ipMasq for the pods of cni0')} -j CNI-MASQ`,
        `-A CNI-MASQ -d ${nodeBlock} ${comment('the bridge plugin: the pods\' own subnet')} -j ACCEPT`,
        `-A CNI-MASQ ! -d 224.0.0.0/4 ${comment('the bridge plugin: ipMasq')} -j MASQUERADE${rf(false)}`,
      ],
    );
  }
  const masq = comment('flanneld masq');
  return nat(
    ['FLANNEL-POSTRTG'],
    [
      `-A POSTROUTING ${masq} -j FLANNEL-POSTRTG`,
      `-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 ${masq} -j RETURN`,
      `-A FLANNEL-POSTRTG -s ${podCIDR} -d ${podCIDR} ${masq} -j RETURN`,
      `-A FLANNEL-POSTRTG -s ${podCIDR} ! -d 224.0.0.0/4 ${masq} -j MASQUERADE${rf(true)}`,
    ],
  );
}
