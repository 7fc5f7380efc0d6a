/** A container as the `docker run` command a person would type: what `lab plan` prints for a container step. */
import type { ContainerSpec } from '../model/types.ts';

export function dockerNetworkMode(spec: ContainerSpec): string {
  return spec.network.mode === 'join' ? `container:${spec.network.container}` : 'none';
}

export function dockerRunArgv(spec: ContainerSpec): string[] {
  const a = ['docker', 'run', '-d', '--name', spec.name, '--network', dockerNetworkMode(spec)];
  if (spec.network.mode !== 'join') a.push('--hostname', spec.hostname);
  for (const [k, v] of Object.entries(spec.labels)) a.push('--label', `${k}=${v}`);
  for (const c of spec.capAdd) a.push('--cap-add', c);
  for (const [k, v] of spec.env) a.push('-e', `${k}=${v}`);
  for (const b of spec.binds) a.push('-v', b);
  a.push(spec.imageRef, ...(spec.cmd ?? []));
  return a;
}

/** The shell line that exposes a container's network namespace to iproute2 (the executor does the same with symlink()). */
export function exposeNetnsLine(container: string, netnsPath: string): string {
  return `mkdir -p /run/netns && ln -sfn "/proc/$(docker inspect -f '{{.State.Pid}}' ${container})/ns/net" ${netnsPath}`;
}
