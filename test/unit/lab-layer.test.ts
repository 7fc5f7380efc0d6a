/** The lab layer (runner/lab/): what `lab down` says, and that the library talks only through its LabUi. */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { downMessage, type DownReport } from '../../runner/lab/down.ts';

const LAB_DIR = fileURLToPath(new URL('../../runner/lab/', import.meta.url));

const report = (r: Partial<DownReport>): DownReport => ({ lab: 'x', namespaces: [], killed: [], hadState: true, leftovers: [], containers: [], ms: 12, ...r });

describe('lab layer: down', () => {
  it('the line of `lab down`: namespaces, containers, processes, and whether there was a state', () => {
    assert.equal(downMessage(report({ namespaces: ['a', 'b'], killed: [7] })), 'lab x is down: 2 namespace(s), 1 process(es) removed in 12 ms');
    assert.equal(downMessage(report({ namespaces: ['a'], containers: ['c'], hadState: false })), 'lab x is down: 1 namespace(s), 1 container(s) removed in 12 ms (found by prefix and label; there was no state)');
    assert.equal(downMessage(report({ hadState: false })), 'lab x is not up (nothing to remove)');
    assert.equal(downMessage(report({ namespaces: ['a'], leftovers: ['nsl.x.a'] })), 'lab x: could not remove nsl.x.a');
  });
  it('the brief line of `lab test` over many labs leaves out processes and the missing state', () => {
    assert.equal(downMessage(report({ namespaces: ['a', 'b'], killed: [7], containers: ['c'], hadState: false }), true), 'lab x is down: 2 namespace(s), 1 container(s) removed in 12 ms');
  });
});

describe('lab layer: talks through its LabUi', () => {
  it('no file under runner/lab/ writes to the terminal or ends the process itself', () => {
    const offenders: string[] = [];
    for (const f of readdirSync(LAB_DIR).filter((n) => n.endsWith('.ts'))) {
      const text = readFileSync(join(LAB_DIR, f), 'utf8');
      for (const bad of ['process.stdout', 'process.stderr', 'console.', 'process.exit', "from '../cli/", "process.on('SIG", "process.once('SIG"]) if (text.includes(bad)) offenders.push(`${f}: ${bad}`);
    }
    assert.deepEqual(offenders, []);
  });
});
