/** Container nodes through the Docker Engine API: start (and expose the namespace), report, remove by label. */
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import type Docker from 'dockerode';
import type { ContainerSpec } from '../model/types.ts';
import { NETNS_DIR } from '../model/names.ts';
import { dockerNetworkMode } from '../plan/docker-argv.ts';
import { docker, LABEL_LAB, requireDocker } from './docker.ts';

/** The Engine API's create options for a spec: the same container `lab plan` prints as `docker run`. */
export function createOptions(spec: ContainerSpec): Docker.ContainerCreateOptions {
  return {
    name: spec.name,
    Image: spec.imageRef,
    Cmd: spec.cmd ? [...spec.cmd] : undefined,
    Env: spec.env.map(([k, v]) => `${k}=${v}`),
    Hostname: spec.network.mode === 'join' ? undefined : spec.hostname,
    Labels: { ...spec.labels },
    HostConfig: { NetworkMode: dockerNetworkMode(spec), CapAdd: [...spec.capAdd], Binds: [...spec.binds] },
  };
}

export interface Started {
  readonly id: string;
  readonly pid: number;
}

/** The last lines a container printed, to explain why it stopped. */
export async function logTail(name: string, lines = 10): Promise<string> {
  try {
    const buf = (await docker().getContainer(name).logs({ stdout: true, stderr: true, tail: lines })) as unknown as Buffer;
    // multiplexed stream: 8-byte headers before each frame
    const out: string[] = [];
    for (let i = 0; i + 8 <= buf.length; ) {
      const len = buf.readUInt32BE(i + 4);
      out.push(buf.subarray(i + 8, i + 8 + len).toString());
      i += 8 + len;
    }
    return (out.join('') || buf.toString()).trimEnd();
  } catch {
    return '';
  }
}

export class ContainerError extends Error {
  readonly logs: string;
  constructor(message: string, logs: string) {
    super(message);
    this.logs = logs;
  }
}

export async function startContainer(spec: ContainerSpec, expose?: string): Promise<Started> {
  const d = await requireDocker(`container ${spec.name}`);
  let c: Docker.Container;
  try {
    c = await d.createContainer(createOptions(spec));
  } catch (e) {
    const err = e as { statusCode?: number; message: string };
    if (err.statusCode === 404) throw new ContainerError(`image ${spec.imageRef} is not on this machine`, 'build nslab images with `lab images build`, or `docker load` the image; no registry is reachable from here');
    throw new ContainerError(`docker could not create ${spec.name}: ${err.message}`, '');
  }
  await c.start();
  const info = await c.inspect();
  if (!info.State.Running) {
    throw new ContainerError(`container ${spec.name} exited right after it started (exit ${info.State.ExitCode})`, await logTail(spec.name));
  }
  if (expose) exposeNetns(expose, info.State.Pid);
  return { id: info.Id, pid: info.State.Pid };
}

export interface ContainerStatus {
  readonly name: string;
  readonly node: string;
  readonly state: string;
  readonly running: boolean;
  readonly exitCode?: number;
  readonly image: string;
  readonly logs?: string;
}

/** The lab's containers (also exited ones), with the last log lines of those that are not running. */
export async function labContainers(lab: string): Promise<ContainerStatus[]> {
  const list = await docker().listContainers({ all: true, filters: { label: [`${LABEL_LAB}=${lab}`] } });
  return Promise.all(
    list.map(async (c) => {
      const name = (c.Names[0] ?? c.Id).replace(/^\//, '');
      const running = c.State === 'running';
      return { name, node: c.Labels['nslab.node'] ?? '?', state: c.Status, running, image: c.Image, logs: running ? undefined : await logTail(name, 5) };
    }),
  );
}

/** Remove every container labelled with the lab (running or not). Docker not answering means there are none to remove. */
export async function removeLabContainers(lab: string): Promise<string[]> {
  const d = docker();
  let list: Docker.ContainerInfo[];
  try {
    list = await d.listContainers({ all: true, filters: { label: [`${LABEL_LAB}=${lab}`] } });
  } catch {
    return [];
  }
  // containers that join another's namespace first, then the others
  list.sort((a, b) => Number(b.HostConfig?.NetworkMode?.startsWith('container:')) - Number(a.HostConfig?.NetworkMode?.startsWith('container:')));
  await Promise.all(list.map((c) => d.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
  return list.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, ''));
}

/** Stop a node's container (it stays, stopped, for `lab start`; `lab down` removes it) and drop its namespace's name. */
export async function stopContainer(name: string, expose?: string, timeoutS = 2): Promise<void> {
  const c = docker().getContainer(name);
  try {
    await c.stop({ t: timeoutS });
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 304) throw e; // 304: already stopped
  }
  if (expose) rmSync(`${NETNS_DIR}/${expose}`, { force: true });
}

/** Start a stopped container of the lab again (created anew from its spec when it is gone), and expose its new namespace. */
export async function startContainerAgain(spec: ContainerSpec, expose?: string): Promise<Started> {
  const d = await requireDocker(`container ${spec.name}`);
  const c = d.getContainer(spec.name);
  let info: Docker.ContainerInspectInfo;
  try {
    info = await c.inspect();
  } catch {
    return startContainer(spec, expose);
  }
  if (!info.State.Running) await c.start();
  info = await c.inspect();
  if (!info.State.Running) throw new ContainerError(`container ${spec.name} exited right after it started (exit ${info.State.ExitCode})`, await logTail(spec.name));
  if (expose) exposeNetns(expose, info.State.Pid);
  return { id: info.Id, pid: info.State.Pid };
}

/** Expose a running container's network namespace as /run/netns/<name>, so `ip netns exec <name>` enters it. */
function exposeNetns(name: string, pid: number): void {
  mkdirSync(NETNS_DIR, { recursive: true });
  const path = `${NETNS_DIR}/${name}`;
  rmSync(path, { force: true });
  symlinkSync(`/proc/${pid}/ns/net`, path);
}
