/** test/needs.ts can fail: a missing tool, file or root is a failure that says what is missing. */
import { strict as assert, AssertionError } from 'node:assert';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTool, needFile, needRoot, needTools } from '../needs.ts';

describe('test/needs.ts', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nslab-needs-'));
    writeFileSync(join(dir, 'runme'), '#!/bin/sh\n');
    chmodSync(join(dir, 'runme'), 0o755);
    writeFileSync(join(dir, 'notexec'), '');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const failsWith = (f: () => void, message: RegExp): void =>
    assert.throws(f, (e: unknown) => e instanceof AssertionError && message.test(e.message));

  it('finds an executable on the PATH given, not a file that cannot be run', () => {
    assert.equal(findTool('runme', dir), join(dir, 'runme'));
    assert.equal(findTool('notexec', dir), undefined);
    assert.equal(findTool('nslab-no-such-tool', dir), undefined);
  });

  it('needTools fails naming every missing tool and how to install it', () => {
    needTools(['runme'], 'unused', dir);
    failsWith(() => needTools(['runme', 'nslab-no-a', 'nslab-no-b'], 'apt-get install x', dir), /needs nslab-no-a, nslab-no-b, not installed here: apt-get install x$/);
  });

  it('needRoot fails for any uid but 0', () => {
    needRoot('x', 0);
    failsWith(() => needRoot('making namespaces', 1000), /^making namespaces needs root \(uid 0; this is uid 1000\)/);
  });

  it('needFile fails for a missing path, with the reason', () => {
    needFile(join(dir, 'runme'), 'unused');
    failsWith(() => needFile(join(dir, 'gone'), 'Docker is not running'), /gone does not exist: Docker is not running$/);
  });
});
