/** kind: netns — a plain network namespace, the lightest node there is. */
import type { KindDef } from '../types.ts';
import { HOST_NETWORK_KEY } from '../../cluster/types.ts';
import netnsSchema from './netns.schema.json' with { type: 'json' };

export const netnsKind: KindDef = {
  name: 'netns',
  schema: netnsSchema,
  view: { box: 'netns' },
  // a cluster's hostNetwork pod: a node without a namespace of its own (runner/cluster/cni.ts writes the key)
  resolve(_node, raw) {
    const of = raw[HOST_NETWORK_KEY];
    return { diagnostics: [], ...(typeof of === 'string' ? { sharesNetnsOf: of } : {}) };
  },
  createNamespace(node) {
    if (node.sharesNetnsOf) return [];
    return [
      {
        id: `${node.name}.netns`,
        phase: 'namespaces',
        order: 0,
        op: { type: 'ip', args: ['netns', 'add', node.netns] },
        source: node.pos,
        note: `node ${node.name}`,
        creates: { kind: 'netns', name: node.netns },
      },
    ];
  },
};
