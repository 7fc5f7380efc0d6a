/** veth pairs, created directly inside their two namespaces (moving an interface later would wipe its addresses). */
import type { LinkEnd } from '../model/types.ts';
import type { Step } from '../plan/ops.ts';
import type { LinkTypeDef } from './types.ts';

function endArgs(e: LinkEnd): string[] {
  const a = [e.ifname, 'netns', e.netns];
  if (e.index !== undefined) a.push('index', String(e.index));
  if (e.mac) a.push('address', e.mac);
  if (e.mtu) a.push('mtu', String(e.mtu));
  return a;
}

const label = (e: LinkEnd): string => (e.node ? `${e.node}:${e.ifname}` : `${e.bridge}`);

export const vethLink: LinkTypeDef = {
  name: 'veth',
  compile(link, index) {
    // iproute2 sets the index of the first device only: a bridge port (which has one) goes first
    const [first, second] = link.b.index !== undefined && link.a.index === undefined ? [link.b, link.a] : [link.a, link.b];
    const steps: Step[] = [
      {
        id: `link${index}.veth`,
        phase: 'links',
        order: 0,
        op: { type: 'ip', args: ['link', 'add', ...endArgs(first), 'type', 'veth', 'peer', 'name', ...endArgs({ ...second, index: undefined })] },
        source: link.pos,
        note: `link ${label(link.a)} <-> ${label(link.b)}`,
        creates: { kind: 'link', name: `${link.a.ifname}/${link.b.ifname}`, ns: link.a.netns },
      },
    ];
    // a bridge end is a port: enslave it and bring it up in the bridge's namespace
    for (const [i, e] of [link.a, link.b].entries()) {
      if (!e.bridge) continue;
      steps.push(
        { id: `link${index}.port${i}`, phase: 'configure', order: 30, op: { type: 'ip', ns: e.netns, args: ['link', 'set', e.ifname, 'master', e.bridgeIf ?? e.bridge] }, source: link.pos },
        { id: `link${index}.up${i}`, phase: 'configure', order: 50, op: { type: 'ip', ns: e.netns, args: ['link', 'set', e.ifname, 'up'] }, source: link.pos },
      );
      // a pod's port on cni0 (the bridge plugin's hairpinMode): a pod reaching its own Service may be DNATed back to itself
      if (e.hairpin) steps.push({ id: `link${index}.hairpin${i}`, phase: 'configure', order: 31, op: { type: 'ip', ns: e.netns, args: ['link', 'set', e.ifname, 'type', 'bridge_slave', 'hairpin', 'on'] }, source: link.pos, note: 'hairpin mode: frames may leave by the port they came in on' });
    }
    return steps;
  },
};
