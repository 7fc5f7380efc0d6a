/** The Docker Engine API (dockerode), for container nodes and lab images. Loaded only by labs that use Docker. */
import Docker from 'dockerode';
import { LabError } from '../config/diagnostics.ts';

/** Labels on everything a lab makes in Docker, so `lab down` finds it even without the lab's state. */
export const LABEL_LAB = 'nslab.lab';
export const LABEL_NODE = 'nslab.node';
/** Labels on the images nslab builds. */
export const LABEL_RECIPE = 'nslab.recipe';
export const LABEL_IMAGE = 'nslab.image';

let client: Docker | undefined;

export function docker(): Docker {
  client ??= new Docker(process.env.DOCKER_HOST ? undefined : { socketPath: '/var/run/docker.sock' });
  return client;
}

/** Throws a LabError (exit 4) that says how to get Docker when the daemon does not answer. */
export async function requireDocker(why: string): Promise<Docker> {
  const d = docker();
  try {
    await d.ping();
    return d;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const missing = err.code === 'ENOENT' || err.code === 'ECONNREFUSED';
    throw new LabError(
      [
        {
          severity: 'error',
          code: 'env.docker',
          message: `${why} needs Docker, and ${missing ? 'no Docker daemon answers on /var/run/docker.sock' : `the Docker daemon did not answer: ${err.message}`}`,
          hint: 'install and start it: `bash scripts/setup.sh --with-docker` (apt-get install docker.io, then dockerd); `lab doctor` checks it',
        },
      ],
      4,
    );
  }
}
