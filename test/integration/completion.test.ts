/** `lab completion bash` offers the names of the labs that are really up (read from their state), and forgets them once down. */
import { strict as assert } from 'node:assert';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { CLI, expectOk, lab, labLeftovers, tempDir } from './helpers.ts';

// a name of this run only: other people's labs on the machine are never touched
const NAME = `cpl${process.pid % 100000}`;

describe('lab completion bash: running labs', function () {
  let dir: string;
  let bin: string;
  before(() => {
    assert.equal(process.getuid?.(), 0, 'integration tests need root');
    dir = tempDir();
    bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'lab'), `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`);
    chmodSync(join(bin, 'lab'), 0o755);
    mkdirSync(join(dir, 'lab'));
    writeFileSync(join(dir, 'lab', 'lab.yaml'), [`name: ${NAME}`, 'nodes:', '  h1: {}', '  h2: {}', 'links:', '  - [h1:eth0, h2:eth0]'].join('\n'));
  });
  after(async () => {
    if (labLeftovers(NAME).length) await lab(['down', NAME]);
  });

  /** What bash offers after `lab WORDS`, sourcing the script `lab completion bash` prints (the state directory is the real one). */
  async function offered(...words: string[]): Promise<string[]> {
    const script = 'source <(lab completion bash) && COMP_WORDS=(lab "$@") && COMP_CWORD=$# && _lab && printf "%s\\n" "${COMPREPLY[@]}"';
    const r = await execa('bash', ['-c', script, 'bash', ...words], { cwd: dir, env: { PATH: `${bin}:${process.env.PATH}` }, extendEnv: true, stdin: 'ignore' });
    return String(r.stdout).split('\n').filter(Boolean);
  }

  it('a lab that is up is offered to down, status, test and exec; once down, it is not', async () => {
    assert.deepEqual(await offered('down', NAME), [], 'not offered before it is up');
    expectOk(await lab(['up', join(dir, 'lab'), '--quiet']), 'lab up');
    try {
      for (const cmd of ['down', 'status', 'test', 'exec']) assert.deepEqual(await offered(cmd, NAME.slice(0, 4)), [NAME], `lab ${cmd} ${NAME.slice(0, 4)}<TAB>`);
      assert.deepEqual(await offered('up', NAME.slice(0, 4)), [], 'lab up takes files, not running labs');
    } finally {
      expectOk(await lab(['down', NAME]), 'lab down');
    }
    assert.deepEqual(await offered('down', NAME), []);
  });
});
