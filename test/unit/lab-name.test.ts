/** The one lab-name rule (runner/config/lab-name.ts) and the schema's `labName` agree. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { explainLabName, isLabName, LAB_NAME_MAX, LAB_NAME_PATTERN } from '../../runner/config/lab-name.ts';

describe('lab names', () => {
  it('the schema checks lab names with the same pattern', () => {
    const schema = JSON.parse(readFileSync(new URL('../../schema/lab.schema.json', import.meta.url), 'utf8')) as { $defs?: Record<string, { pattern?: string }>; definitions?: Record<string, { pattern?: string }> };
    const defs = schema.$defs ?? schema.definitions ?? {};
    assert.equal(defs.labName?.pattern, LAB_NAME_PATTERN.source);
  });
  it('accepts short lower-case names and refuses the rest', () => {
    for (const ok of ['routed', 'k8s-flannel-vxlan', '0lab', 'a'.repeat(LAB_NAME_MAX)]) assert.ok(isLabName(ok), ok);
    for (const bad of ['', 'Routed', '-lab', 'lab_1', 'a'.repeat(LAB_NAME_MAX + 1), 'lab.yaml', 'labs/routed']) assert.ok(!isLabName(bad), bad);
  });
  it('says why a name is refused', () => {
    assert.match(explainLabName('a'.repeat(30)), /30 characters long \(at most 24/);
    assert.equal(explainLabName('Lab'), 'it has upper-case letters');
    assert.equal(explainLabName('-lab'), 'it must start with a letter or digit');
    assert.equal(explainLabName('lab_1'), "only lower-case letters, digits and '-' are allowed");
  });
});
