/** How graphs and handouts show a container and a pod. */
import type { KindView } from '../types.ts';
import { DEFAULT_IMAGE } from './resolve.ts';

export const containerView: KindView = {
  box: 'container',
  label(n) {
    const image = n.containers?.[0]?.image;
    return image && image !== DEFAULT_IMAGE ? `container ${image}` : 'container';
  },
};

export const podView: KindView = {
  box: 'pod',
  label: () => 'pod (pause)',
  apps: true,
};
