import { parseProbeArgs, PROBE_USAGE, runProbe } from '../../agent/probe.ts';
import { parseStormArgs, runStorm, STORM_USAGE } from '../../agent/storm.ts';
import { whoami } from '../../agent/whoami.ts';
import { userspaceProxyAgent } from '../../agent/userspace-proxy.ts';
import { UsageError, type Args } from '../args.ts';

const USAGE = `usage: lab agent whoami --name NODE --port PORT [--port PORT…] [--udp-port PORT…] [--app-version V]\n       lab agent kube-proxy-userspace --config FILE --applied FILE\n       ${PROBE_USAGE.replace(/^usage: /, '')}\n       ${STORM_USAGE.replace(/^usage: /, '')}`;

/** Every value of a repeatable option in argv (`--opt V` or `--opt=V`). */
function values(argv: readonly string[], opt: string): string[] {
  return argv.flatMap((w, i, all) => (w === opt ? [all[i + 1]] : w.startsWith(`${opt}=`) ? [w.slice(opt.length + 1)] : [])).filter((v) => v !== undefined);
}

/** What follows `agent <which>` on the command line (the agents read their own options). */
function agentArgv(): string[] {
  const i = process.argv.indexOf('agent');
  return i < 0 ? [] : process.argv.slice(i + 2);
}

/** lab agent whoami|probe …: nslab's own helpers, run inside nodes. */
export async function agentCmd(a: Args): Promise<number> {
  const [which] = a.positionals;
  if (which === 'probe') {
    let opts;
    try {
      opts = parseProbeArgs(agentArgv());
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e));
    }
    await runProbe(opts, (l) => process.stdout.write(`${JSON.stringify(l)}\n`));
    return 0;
  }
  if (which === 'storm') {
    let opts;
    try {
      opts = parseStormArgs(agentArgv());
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e));
    }
    process.stdout.write(`${JSON.stringify(await runStorm(opts))}\n`);
    return 0;
  }
  if (which === 'kube-proxy-userspace') {
    const argv = agentArgv();
    const config = values(argv, '--config')[0];
    const applied = values(argv, '--applied')[0];
    if (!config || !applied) throw new UsageError('kube-proxy-userspace needs --config FILE and --applied FILE');
    userspaceProxyAgent(config, applied);
    await new Promise(() => undefined); // serve until stopped
    return 0;
  }
  if (which !== 'whoami') throw new UsageError(USAGE);
  const argv = agentArgv();
  const ports = values(argv, '--port').map(Number).filter((p) => p > 0);
  const udpPorts = values(argv, '--udp-port').map(Number).filter((p) => p > 0);
  if (!ports.length && !udpPorts.length) throw new UsageError('whoami needs at least one --port or --udp-port');
  whoami(a.options.get('name') ?? 'node', ports, udpPorts, values(argv, '--app-version')[0]);
  await new Promise(() => undefined); // serve until stopped
  return 0;
}
