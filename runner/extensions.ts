/** The registry of extensions (runner/extensions-types.ts): one line per extension, in the order they expand. */
import { clusterExtension } from './cluster/extension.ts';
import type { Extension } from './extensions-types.ts';

export const EXTENSIONS: readonly Extension[] = [clusterExtension];
