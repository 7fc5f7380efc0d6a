/** `lab doctor --fix`'s package install (runner/exec/probes.ts installPackages), against a stand-in apt-get on PATH. */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installPackages } from '../../runner/exec/probes.ts';

describe('exec: installing the packages doctor suggests', () => {
  let dir: string;
  let savedPath: string | undefined;
  const fakeApt = (exitOnInstall: number): void => {
    const script = `#!/bin/sh\necho "$DEBIAN_FRONTEND $*" >> ${join(dir, 'calls')}\n[ "$1" = install ] && exit ${exitOnInstall}\nexit 0\n`;
    writeFileSync(join(dir, 'apt-get'), script);
    chmodSync(join(dir, 'apt-get'), 0o755);
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nslab-apt-'));
    savedPath = process.env.PATH;
    process.env.PATH = `${dir}:${savedPath ?? ''}`;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs apt-get update, then install of exactly those packages, non-interactive', async () => {
    fakeApt(0);
    assert.equal(await installPackages(['iperf3', 'socat']), undefined);
    assert.equal(readFileSync(join(dir, 'calls'), 'utf8'), 'noninteractive update\nnoninteractive install -y --no-install-recommends iperf3 socat\n');
  });

  it('says which command failed', async () => {
    fakeApt(100);
    assert.match((await installPackages(['nope'])) ?? '', /^apt-get install -y --no-install-recommends nope: exit code 100$/);
  });
});
