import { existsSync } from 'node:fs';
import { labsInDocker } from '../../exec/docker-labs.ts';
import { allLabsOnHost } from '../../exec/host.ts';
import { labsWithState } from '../../exec/state.ts';
import { teardown } from '../../exec/teardown.ts';
import type { Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { requireRoot, say } from '../output.ts';

/** lab down [LAB | --all]: remove everything a lab made, with or without its state. */
export async function downCmd(a: Args): Promise<number> {
  requireRoot('down');
  const names = a.flags.has('all') ? [...new Set([...allLabsOnHost(), ...labsWithState(), ...(await labsInDocker())])] : [await nameOf(a.positionals[0])];
  if (!names.length) say('no labs are up');
  let code: number = EXIT.ok;
  for (const name of names) {
    const t0 = performance.now();
    const r = await teardown(name);
    const ms = Math.round(performance.now() - t0);
    if (r.leftovers.length) {
      say(`lab ${name}: could not remove ${r.leftovers.join(', ')}`);
      code = EXIT.execFailed;
    } else if (!r.namespaces.length && !r.hadState && !r.containers.length) {
      say(`lab ${name} is not up (nothing to remove)`);
    } else {
      say(`lab ${name} is down: ${r.namespaces.length} namespace(s)${r.containers.length ? `, ${r.containers.length} container(s)` : ''}${r.killed.length ? `, ${r.killed.length} process(es)` : ''} removed in ${ms} ms${r.hadState ? '' : ' (found by prefix and label; there was no state)'}`);
    }
  }
  return code;
}

/** A lab name needs no lab file; only a path is read (and only then is the YAML machinery loaded: `lab down` stays fast). */
async function nameOf(arg: string | undefined): Promise<string> {
  if (arg && !existsSync(arg) && /^[a-z0-9][a-z0-9-]{0,23}$/.test(arg)) return arg;
  return (await import('../../api.ts')).labNameOf(arg).name;
}
