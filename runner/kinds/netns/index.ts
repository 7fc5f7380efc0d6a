/** kind: netns — a plain network namespace, the lightest node there is. */
import type { KindDef } from '../types.ts';
import netnsSchema from './netns.schema.json' with { type: 'json' };

export const netnsKind: KindDef = {
  name: 'netns',
  schema: netnsSchema,
  view: { box: 'netns' },
  createNamespace(node) {
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
