/** The resolve passes (runner/resolve/passes.ts): their order, and a pass skipped after errors of the passes it depends on. */
import { strict as assert } from 'node:assert';
import { error, warning } from '../../../runner/config/diagnostics.ts';
import { parseLabText } from '../../../runner/config/load.ts';
import { newDraft } from '../../../runner/resolve/draft.ts';
import { PASSES, runPasses, type Pass } from '../../../runner/resolve/passes.ts';
import { resolveLab } from '../../../runner/resolve/resolve.ts';

const draft = () => newDraft(parseLabText('/tmp/t-passes/lab.yaml', 'name: t\nnodes: { h1: {} }\n'), {}, []);

describe('resolve passes', () => {
  it('run in the order each needs: links before interface types, nodes before targets, targets before NAT and tests', () => {
    const names = PASSES.map((p) => p.name);
    const before = (a: string, b: string): void => assert.ok(names.indexOf(a) >= 0 && names.indexOf(a) < names.indexOf(b), `${a} before ${b}`);
    before('interfaces', 'bridges');
    before('bridges', 'links');
    before('links', 'interface-types');
    before('interface-types', 'segments');
    before('segments', 'wiring');
    before('wiring', 'nodes');
    before('nodes', 'targets');
    before('targets', 'virtual-interfaces');
    before('targets', 'nat');
    before('nat', 'tests');
  });

  it('a pass is skipped when a pass it lists reported errors, and run when that pass had only warnings', () => {
    const ran: string[] = [];
    const d = draft();
    const pass = (name: string, level: 'error' | 'warning' | 'none', skipAfterErrorsIn?: string[]): Pass => ({
      name,
      skipAfterErrorsIn,
      run: (x) => {
        ran.push(name);
        if (level === 'error') x.diags.push(error('t.x', `${name} failed`, undefined));
        if (level === 'warning') x.diags.push(warning('t.w', `${name} warns`, undefined));
      },
    });
    const errors = runPasses(d, [pass('a', 'error'), pass('b', 'warning'), pass('c', 'none', ['a']), pass('d', 'none', ['b'])]);
    assert.deepEqual(ran, ['a', 'b', 'd']);
    assert.deepEqual([...errors], [['a', 1], ['b', 0], ['d', 0]]);
  });

  it('the real passes resolve a lab', () => {
    const d = draft();
    const errors = runPasses(d);
    assert.deepEqual([...errors.values()].filter((n) => n > 0), []);
    assert.deepEqual(d.nodes.map((n) => n.name), ['h1']);
  });

  it('a node of an unknown kind is one error: the tests and NAT rules naming it do not repeat it as "unknown node"', () => {
    const text = [
      'name: t',
      'nodes:',
      '  h1: { kind: bogus }',
      '  h2: { nat: [{ dnat: { in: eth0, port: 8080, to: "h1:80" } }] }',
      'links: [[h1:eth0, h2:eth0]]',
      'tests:',
      '  - ping: { from: h2, to: h1 }',
      '  - ping: { from: h2, to: h9 }',
    ].join('\n');
    const r = resolveLab(parseLabText('/tmp/t-passes/lab.yaml', text));
    const errors = r.diagnostics.filter((x) => x.severity === 'error' && !x.code.startsWith('schema.'));
    assert.deepEqual(
      errors.map((x) => [x.code, x.pos?.line]),
      [
        ['kind.unknown', 3],
        ['test.target', 8],
      ],
    );
    assert.match(errors[1].message, /unknown node "h9"/);
  });
});
