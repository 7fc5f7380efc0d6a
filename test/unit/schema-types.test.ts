/** schema/lab.schema.json: a valid 2020-12 schema, the shipped labs follow it, and editors get descriptions on hover. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { labSchema } from '../../runner/config/schema-check.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const schemaPath = join(root, 'schema', 'lab.schema.json');
type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; $defs?: Record<string, Schema>; description?: string; $ref?: string; anyOf?: Schema[] };
const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Schema;
const defs = schema.$defs ?? {};

const shippedLabs = readdirSync(join(root, 'labs'))
  .map((d) => join(root, 'labs', d, 'lab.yaml'))
  .filter((f) => existsSync(f));

/** A property has a description when it has one itself or when the $defs entry it refers to has one. */
function described(p: Schema): boolean {
  if (typeof p.description === 'string' && p.description.trim()) return true;
  if (typeof p.$ref === 'string') {
    const target = defs[p.$ref.replace('#/$defs/', '')];
    return !!target && described(target);
  }
  return false;
}

function undescribed(where: string, s: Schema | undefined): string[] {
  assert.ok(s?.properties, `${where} has no properties in the schema`);
  return Object.entries(s.properties)
    .filter(([, p]) => !described(p))
    .map(([k]) => `${where}.${k}`);
}

describe('schema: lab.schema.json', () => {
  it('is a valid JSON Schema 2020-12 document (meta-schema check)', () => {
    const ajv = new Ajv2020({ strict: false });
    assert.equal(ajv.validateSchema(schema), true, JSON.stringify(ajv.errors, null, 1));
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  });

  it('compiles with Ajv in strict mode (union types such as ["object", "null"] allowed)', () => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
    assert.doesNotThrow(() => ajv.compile(schema));
  });

  it('is the schema nslab itself validates with', () => {
    assert.deepEqual(labSchema(), schema);
  });

  it('every $ref points at an existing $defs entry', () => {
    const refs: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref' && typeof x === 'string') refs.push(x);
          else walk(x);
        }
      }
    };
    walk(schema);
    assert.ok(refs.length > 10);
    assert.deepEqual(
      // a $defs entry, or a place inside one (a converge test refers to the mapping of the test action it applies)
      refs.filter((r) => {
        if (!r.startsWith('#/$defs/')) return true;
        let at: unknown = defs;
        for (const part of r.slice('#/$defs/'.length).split('/')) at = at && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined;
        return !at;
      }),
      [],
    );
  });

  describe('the shipped labs validate against it', () => {
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
    it('there are shipped labs', () => {
      assert.ok(shippedLabs.length >= 3, shippedLabs.join(', '));
    });
    for (const f of shippedLabs) {
      it(f.slice(root.length + 1), () => {
        const data = parse(readFileSync(f, 'utf8')) as unknown;
        assert.equal(validate(data), true, JSON.stringify(validate.errors, null, 1));
      });
    }
  });

  it('rejects what it should: a sample of bad values', () => {
    const validate = new Ajv2020({ strict: false }).compile(schema);
    const base = { name: 'ok', nodes: { h1: {} } };
    assert.equal(validate(base), true);
    for (const bad of [
      { ...base, name: 'Upper' },
      { ...base, name: 'a'.repeat(25) },
      { ...base, node: {} },
      { name: 'ok', nodes: {} },
      { ...base, nodes: { 'my host': {} } },
      { ...base, nodes: { h1: { interfaces: { 'a-very-long-interface': {} } } } },
      { ...base, nodes: { h1: { sysctls: { 'kernel.pid_max': 1 } } } },
      { ...base, nodes: { h1: { interfaces: { eth0: { adresses: [] } } } } },
      { ...base, links: [['h1:eth0']] },
      { ...base, tests: [{ ping: { from: 'h1', to: 'h2', expect: 'reachabel' } }] },
      { ...base, tests: [{ within: '5 seconds', ping: { from: 'h1', to: 'h2' } }] },
    ]) {
      assert.equal(validate(bad), false, JSON.stringify(bad));
    }
  });
});

describe('schema: descriptions for editor hovers', () => {
  it('every top-level property has a description', () => {
    assert.deepEqual(undescribed('(lab)', schema), []);
  });

  it('node, interface and test properties have descriptions', () => {
    const missing = [...undescribed('node', defs.node), ...undescribed('interface', defs.interface), ...undescribed('test', defs.test)];
    assert.deepEqual(missing, [], 'properties without a description (add one to the schema)');
  });

  it('the properties of each assertion type, bridges, routes, NAT, links and addressing have descriptions', () => {
    // undescribed() fails when a definition has moved and has no properties where this looks
    const missing = [
      ...['ping', 'tcp', 'route', 'command', 'iperf3'].flatMap((t) => undescribed(`test.${t}`, defs.test.properties?.[t])),
      ...undescribed('bridge', defs.bridge),
      ...undescribed('route', defs.route.anyOf?.[1]),
      ...undescribed('nat', defs.natRule),
      ...undescribed('nat.masquerade', defs.natRule.properties?.masquerade),
      ...undescribed('nat.dnat', defs.natRule.properties?.dnat),
      ...undescribed('link', defs.link.anyOf?.[1]),
      ...undescribed('addressing.ipv4', defs.addressing.properties?.ipv4),
      ...undescribed('addressing.ipv6', defs.addressing.properties?.ipv6),
    ];
    assert.deepEqual(missing, [], 'properties without a description (add one to the schema)');
  });
});
