/** The precompiled validator is generated from the schema: it must be in step with it. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { generate, generateTypes, OUT, TYPES_OUT } from '../../scripts/gen-validator.ts';

describe('generated validator', () => {
  it('runner/config/generated/lab-validator.js matches schema/lab.schema.json (run `npm run gen` after editing the schema)', () => {
    assert.equal(readFileSync(OUT, 'utf8'), generate());
  });
  it('runner/config/generated/lab-types.ts (RawLab) matches the schema', async () => {
    assert.equal(readFileSync(TYPES_OUT, 'utf8'), await generateTypes());
  });
});
