/** The schema is assembled from the plugins' parts, and the precompiled validator generated from it: all in step. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { assembleSchema, registeredParts, SCHEMA_OUT, schemaText } from '../../scripts/assemble-schema.ts';
import { generate, generateTypes, OUT, TYPES_OUT } from '../../scripts/gen-validator.ts';

describe('generated validator', () => {
  it('schema/lab.schema.json is schema/base.schema.json plus every registered plugin\'s schema (run `npm run gen`)', () => {
    assert.equal(readFileSync(SCHEMA_OUT, 'utf8'), schemaText());
  });
  it('runner/config/generated/lab-validator.js matches schema/lab.schema.json (run `npm run gen` after editing the schema)', () => {
    assert.equal(readFileSync(OUT, 'utf8'), generate());
  });
  it('runner/config/generated/lab-types.ts (RawLab) matches the schema', async () => {
    assert.equal(readFileSync(TYPES_OUT, 'utf8'), await generateTypes());
  });
});

describe('schema assembly', () => {
  const parts = registeredParts();
  type Defs = Record<string, { properties: Record<string, Record<string, unknown>> }>;
  it('an assertion\'s schema becomes a test key, a kind\'s its enum value and node keys', () => {
    const defs = assembleSchema(parts).$defs as Defs;
    assert.deepEqual(Object.keys(defs.test.properties).slice(2), parts.assertions.map((a) => a.type));
    assert.deepEqual(defs.node.properties.kind.enum, parts.kinds.map((k) => k.name));
    assert.match(String(defs.node.properties.kind.description), /^What the node is\. netns: /);
    assert.ok(defs.node.properties.containers && defs.bgpNeighbor, 'pod\'s key and bird\'s $defs are in');
  });
  it('a plugin without a schema, or two defining one key, is refused', () => {
    assert.throws(() => assembleSchema({ ...parts, assertions: [...parts.assertions, { type: 'x' }] }), /assertion x has no schema/);
    assert.throws(() => assembleSchema({ ...parts, assertions: [...parts.assertions, parts.assertions[0]] }), /already has a key/);
    const twice = { name: 'y', schema: { description: 'd', properties: { image: {} } } };
    assert.throws(() => assembleSchema({ ...parts, kinds: [...parts.kinds, twice] }), /node key image is defined twice/);
  });
});
