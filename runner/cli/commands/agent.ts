import { whoami } from '../../agent/whoami.ts';
import { UsageError, type Args } from '../args.ts';

/** lab agent whoami --name N --port P…: nslab's own helpers, run inside nodes. */
export async function agentCmd(a: Args): Promise<number> {
  const [which] = a.positionals;
  if (which !== 'whoami') throw new UsageError('usage: lab agent whoami --name NODE --port PORT');
  const ports = process.argv.flatMap((w, i, all) => (w === '--port' ? [Number(all[i + 1])] : w.startsWith('--port=') ? [Number(w.slice(7))] : [])).filter((p) => p > 0);
  if (!ports.length) throw new UsageError('whoami needs at least one --port');
  whoami(a.options.get('name') ?? 'node', ports);
  await new Promise(() => undefined); // serve until stopped
  return 0;
}
