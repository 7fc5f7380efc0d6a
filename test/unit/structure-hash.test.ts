/** Issue 18: a lab file changed only in its tests, texts or layout builds the same network: the same structure hash. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { parseLabText } from '../../runner/config/load.ts';
import { resolveLab } from '../../runner/resolve/resolve.ts';
import { structureHash } from '../../runner/model/structure-hash.ts';

const routed = readFileSync('labs/routed/lab.yaml', 'utf8');
const hashOf = (text: string): string => {
  const r = resolveLab(parseLabText('labs/routed/lab.yaml', text));
  assert.ok(r.lab, JSON.stringify(r.diagnostics.filter((d) => d.severity === 'error')));
  return structureHash(r.lab);
};

describe('structure hash', () => {
  const base = hashOf(routed);
  it('is the same when only tests, the description, comments or the handout changed', () => {
    assert.equal(hashOf(routed.replace('hosts on one subnet reach each other directly', 'a1 and a2 talk')), base);
    assert.equal(hashOf(routed.replace(/tests:\n/, 'tests:\n  - ping: { from: b1, to: a1 }\n')), base, 'a test added (shifting every line after it)');
    assert.equal(hashOf(routed.replace('Two subnets joined by a router namespace.', 'Two subnets, one router.')), base);
    assert.equal(hashOf(`# a comment\n\n${routed}`), base, 'every position shifted');
  });
  it('differs when what is built changed', () => {
    assert.notEqual(hashOf(routed.replace('10.2.0.1/24', '10.2.0.254/24')), base);
    assert.notEqual(hashOf(routed.replace('  a2: { routes: [default via 10.1.0.1] }', '  a2: {}')), base);
    assert.notEqual(hashOf(routed.replace('  lan-b: {}', '  lan-b: { mtu: 1400 }')), base);
  });
});
