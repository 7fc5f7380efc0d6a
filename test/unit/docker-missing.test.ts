/** Without a Docker daemon, a lab with containers gets one clear message (exit 4) that says how to get Docker. */
import { strict as assert } from 'node:assert';
import { LabError } from '../../runner/config/diagnostics.ts';

describe('Docker not running', () => {
  it('requireDocker refuses with exit 4 and the way to install and start Docker', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'unix:///nonexistent/nslab-test-docker.sock';
    try {
      const { requireDocker } = await import(`../../runner/exec/docker.ts?fresh=${Date.now()}`);
      await assert.rejects(
        () => requireDocker('container node web'),
        (e: unknown) => {
          assert.ok(e instanceof Error && e.name === 'LabError', String(e));
          const le = e as LabError;
          assert.equal(le.exitCode, 4);
          assert.match(le.diagnostics[0].message, /container node web needs Docker, and no Docker daemon answers/);
          assert.match(le.diagnostics[0].hint ?? '', /setup\.sh --with-docker/);
          return true;
        },
      );
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});
