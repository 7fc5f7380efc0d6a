import { LabError } from '../config/diagnostics.ts';
import { EXIT } from '../config/exit-codes.ts';

/** Commands that change network namespaces refuse to start without root: one clear error (exit 4). */
export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) {
    throw new LabError([{ severity: 'error', code: 'env.root', message: `\`lab ${what}\` changes network namespaces and needs root`, hint: `run it as root, e.g. sudo lab ${what} …` }], EXIT.environment);
  }
}
