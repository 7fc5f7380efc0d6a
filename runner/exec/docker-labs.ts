/** Labs that have containers, found by label: `lab down --all` and `lab status` see them without state or namespaces. */
import { existsSync } from 'node:fs';

export async function labsInDocker(): Promise<string[]> {
  if (!existsSync('/var/run/docker.sock')) return [];
  try {
    const { docker, LABEL_LAB } = await import('./docker.ts');
    const list = await docker().listContainers({ all: true, filters: { label: [LABEL_LAB] } });
    return [...new Set(list.map((c) => c.Labels[LABEL_LAB]).filter((x): x is string => !!x))];
  } catch {
    return [];
  }
}

/** Remove every container labelled with the lab; none when no Docker daemon runs here (and dockerode is not loaded). */
export async function removeLabContainersIfDocker(lab: string): Promise<string[]> {
  if (!existsSync('/var/run/docker.sock')) return [];
  const { removeLabContainers } = await import('./containers.ts');
  return removeLabContainers(lab);
}
