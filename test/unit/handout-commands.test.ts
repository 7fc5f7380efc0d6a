/** The extractor of the commands a text tells a learner to type (test/handout-commands/extract.ts), on sample texts. */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exerciseExpect, findInOrder, fromHandout, fromNotes, fromWalks, fromReadme, fromTopReadme, splitComment, statedOutput, stepsForLab } from '../handout-commands/extract.ts';
import { judge, script } from '../handout-commands/run.ts';

const README = [
  '# demo',
  '',
  '```sh',
  'lab up labs/demo --test',
  'lab down demo',
  '```',
  '',
  'Prose with `ip addr` in it is not typed.',
  '',
  '```sh',
  'N=nsl.demo.node-1',
  "ip netns exec $N iptables-save -t nat | grep '#x'   # the rules: prose",
  'ip netns exec $N ip route        # → 10.0.0.0/24 dev eth0 … src 10.0.0.1 — the connected route',
  '#   10.1.0.0/24 via 10.0.0.2',
  '#   default via … — prose after the dash',
  'lab test demo                    # … and the tests fail (exit 1)',
  'ip netns exec $N tcpdump -ni eth0 icmp &',
  'ip netns exec $N ping -c1 10.0.0.2',
  '#   IP 10.0.0.1 > 10.0.0.2: ICMP echo request …',
  'ip netns exec $N tcpdump -ni eth0',
  '```',
  '',
  '```',
  'not sh: never typed',
  '```',
].join('\n');

describe('handout commands: what a text tells a learner to type', () => {
  it('splits a trailing comment off a shell line, but not a # inside quotes', () => {
    assert.deepEqual(splitComment("grep '#x' f   # prose"), { code: "grep '#x' f", comment: 'prose' });
    assert.deepEqual(splitComment('echo a#b'), { code: 'echo a#b' });
  });

  it('reads `→ OUTPUT — prose` and `(exit N)` as stated outcomes, and nothing else', () => {
    assert.equal(statedOutput('the rules: prose'), undefined);
    assert.deepEqual(statedOutput('→ a … b — prose'), { exit: 0, output: [['a', 'b']], matching: [], notMatching: [] });
    assert.deepEqual(statedOutput('→ 28 — timed out'), { exit: 0, output: [['28']], matching: [], notMatching: [] });
    assert.deepEqual(statedOutput('… the tests fail (exit 1)'), { exit: 1, output: [], matching: [], notMatching: [] });
    assert.deepEqual(statedOutput('→ Connection refused (exit 1) — why'), { exit: 1, output: [['Connection refused']], matching: [], notMatching: [] });
    // the exit status first, then the prose: no output is stated (the prose is not output)
    assert.deepEqual(statedOutput('→ (exit 28) — dropped by the policy'), { exit: 28, output: [], matching: [], notMatching: [] });
  });

  it('takes the sh blocks of a README: variables, stated output, sample lines, background jobs, endless commands', () => {
    const steps = fromReadme(README, 'labs/demo/README.md');
    assert.deepEqual(
      steps.map((s) => [s.source, s.command]),
      [
        ['labs/demo/README.md:4', 'lab up labs/demo --test'],
        ['labs/demo/README.md:5', 'lab down demo'],
        ['labs/demo/README.md:12', "ip netns exec $N iptables-save -t nat | grep '#x'"],
        ['labs/demo/README.md:13', 'ip netns exec $N ip route'],
        ['labs/demo/README.md:16', 'lab test demo'],
        ['labs/demo/README.md:17', 'ip netns exec $N tcpdump -ni eth0 icmp &\nip netns exec $N ping -c1 10.0.0.2'],
        ['labs/demo/README.md:20', 'ip netns exec $N tcpdump -ni eth0'],
      ],
    );
    assert.deepEqual(steps[0].vars, []);
    assert.deepEqual(steps[2].vars, ['N=nsl.demo.node-1']);
    assert.deepEqual(steps[2].expect.output, []);
    assert.deepEqual(steps[3].expect.output, [['10.0.0.0/24 dev eth0', 'src 10.0.0.1'], ['10.1.0.0/24 via 10.0.0.2'], ['default via']]);
    assert.equal(steps[4].expect.exit, 1);
    assert.deepEqual(steps[5].expect.output, [['IP 10.0.0.1 > 10.0.0.2: ICMP echo request']]);
    assert.equal(steps[5].untilStopped, false);
    assert.equal(steps[6].untilStopped, true);
  });

  it('takes the prompted code spans of handout notes, with their node and stated output', () => {
    const yaml = [
      'name: demo',
      'handout:',
      '  notes:',
      '    - node: r',
      '      text: "Try `r$ sysctl -w net.ipv4.ip_forward=0`, then `$ lab test demo` → `(exit 1)`; `rr client` is no command."',
      '    - test: t',
      "      text: 'Run `$ curl -s 10.0.0.1` → `\"client\":\"10.0.0.2\"`.'",
    ].join('\n');
    const steps = fromNotes(yaml, 'labs/demo/lab.yaml');
    assert.deepEqual(
      steps.map((s) => [s.source, s.context, s.command, s.expect.exit, s.expect.output]),
      [
        ['labs/demo/lab.yaml:5', { node: 'r' }, 'sysctl -w net.ipv4.ip_forward=0', 0, []],
        ['labs/demo/lab.yaml:5', 'host', 'lab test demo', 1, []],
        ['labs/demo/lab.yaml:7', 'host', 'curl -s 10.0.0.1', 0, [['"client":"10.0.0.2"']]],
      ],
    );
  });

  it('takes the exercises of a generated handout with what their Expect line states', () => {
    const md = [
      '## Build it by hand',
      '```sh',
      'ip netns add x',
      '```',
      '## Exercises',
      '',
      'Bring the lab up first (`lab up labs/demo/lab.yaml`, as root). Each exercise is one of the lab\'s tests; `lab test demo` runs them all.',
      '',
      '### 1. ttl',
      '```sh',
      'ip netns exec nsl.demo.a ping -n -c 1 10.0.0.2',
      '```',
      '**Expect:** the command ends with exit code 0, output matching /ttl=63/, output not matching /a\\/b/',
      '',
      '*The test retries for up to 5s: the network may need that long.*',
      '### 2. iperf3',
      '```sh',
      '# on b: a one-off iperf3 server (leave it running)',
      'ip netns exec nsl.demo.b iperf3 -s -1 -p 5207 &',
      '# on a: the client',
      'ip netns exec nsl.demo.a iperf3 -c 10.0.0.2 -p 5207 -t 2',
      '```',
      '**Expect:** TCP a → b: ≥ 1.00 Gbit/s',
      '### 3. closed',
      '```sh',
      'ip netns exec nsl.demo.a nc -z -w 1 10.0.0.2 81',
      '```',
      '**Expect:** 10.0.0.2 port 81/tcp from a: closed (no connection within 1s)',
      '### 4. an action (delete-pod): its commands only have to succeed; they are not the next exercise\'s',
      '```sh',
      'ip netns exec nsl.demo.a ip link set eth0 down',
      '```',
      '**Then:** a no longer among the endpoints on any node',
      '### 5. closed again',
      '```sh',
      'ip netns exec nsl.demo.b nc -z -w 1 10.0.0.1 80',
      '```',
      '**Expect:** 10.0.0.1 port 80/tcp from b: closed (no connection within 1s)',
    ].join('\n');
    const steps = fromHandout(md, 'demo.md');
    assert.deepEqual(
      steps.map((s) => [s.source, s.command, s.expect.exit, s.expect.matching, s.expect.notMatching, s.retryMs]),
      [
        ['demo.md:7', 'lab up labs/demo/lab.yaml', 0, [], [], 0],
        ['demo.md:11', 'ip netns exec nsl.demo.a ping -n -c 1 10.0.0.2', 0, ['ttl=63'], ['a\\/b'], 5000],
        ['demo.md:19', 'ip netns exec nsl.demo.b iperf3 -s -1 -p 5207 &\nip netns exec nsl.demo.a iperf3 -c 10.0.0.2 -p 5207 -t 2', 0, [], [], 0],
        ['demo.md:26', 'ip netns exec nsl.demo.a nc -z -w 1 10.0.0.2 81', 'nonzero', [], [], 0],
        ['demo.md:31', 'ip netns exec nsl.demo.a ip link set eth0 down', 0, [], [], 0],
        ['demo.md:36', 'ip netns exec nsl.demo.b nc -z -w 1 10.0.0.1 80', 'nonzero', [], [], 0],
      ],
    );
    assert.deepEqual(exerciseExpect('a2 (10.1.0.3) unreachable from a1: loss 100%').exit, 'nonzero');
  });

  it("a converge's exercise: the action must succeed, its check holds as stated (a withdrawn BGP route: exit 1) within the test's bound", () => {
    const md = [
      '## Exercises',
      '',
      '### 1. kill',
      '```sh',
      "ip netns exec nsl.demo.n3 sh -c 'kill -KILL 1'",
      'ip netns exec nsl.demo.n1 birdc show route all 10.1.0.0/24',
      '```',
      '',
      '**Then:** n1 has no best BGP route to 10.1.0.0/24, within 3s',
      '### 2. restart',
      '```sh',
      'lab restart demo n3',
      'ip netns exec nsl.demo.a ping -n -c 1 10.0.0.2',
      '```',
      '**Then:** 10.0.0.2 reachable from a: loss ≤ 0%, within 10s',
    ].join('\n');
    const steps = fromHandout(md, 'demo.md');
    assert.deepEqual(steps.map((s) => [s.command.split(' ')[0], s.expect.exit, s.expect.matching, s.retryMs]), [
      ['ip', 0, [], 0],
      ['ip', 'nonzero', ['Network not found'], 3000],
      ['lab', 0, [], 0],
      ['ip', 0, [], 10_000],
    ]);
  });

  it('takes the packet walks of a generated handout: each lab trace, to print the verdict its Expect line names and exit as it says', () => {
    const md = [
      '## Exercises',
      '```sh',
      'ip netns exec nsl.demo.a ping -n -c 1 10.0.0.2',
      '```',
      '**Expect:** a reaches b',
      '## Packet walks',
      '',
      '### 1. a → b',
      '**Trace it** (with the lab up, as root):',
      '```sh',
      'lab trace demo a b --port 80',
      '```',
      '**Expect:** the walk ends **delivered** at b; the trace prints the kernel\'s walk.',
      '```mermaid',
      'sequenceDiagram',
      '```',
      '### 2. a → c',
      '```sh',
      'lab trace demo a c',
      '```',
      '**Expect:** the walk ends **dropped**, and `lab trace` exits 1 (the packet did not arrive); …',
      '## Latest results',
      '```sh',
      'lab trace demo never taken',
      '```',
    ].join('\n');
    assert.deepEqual(
      fromWalks(md, 'demo.md').map((s) => [s.source, s.command, s.expect.exit, s.expect.matching]),
      [
        ['demo.md:11', 'lab trace demo a b --port 80', 0, ['delivered']],
        ['demo.md:19', 'lab trace demo a c', 1, ['dropped']],
      ],
    );
    const { main } = stepsForLab({ dir: 'demo', name: 'demo', readme: README, labYaml: 'name: demo\n', handout: md });
    const cmds = main.map((s) => s.command);
    assert.ok(cmds.indexOf('lab trace demo a b --port 80') < cmds.indexOf('ip netns exec nsl.demo.a ping -n -c 1 10.0.0.2'), 'the walks come before the exercises');
  });

  it('takes the top README\'s commands for one lab only', () => {
    const top = ['```console', '# lab up labs/demo --test', '✔ ok', '# lab down demo', '# lab up labs/other', '```'].join('\n');
    assert.deepEqual(
      fromTopReadme(top, 'README.md', 'demo', 'demo').map((s) => [s.source, s.command]),
      [
        ['README.md:2', 'lab up labs/demo --test'],
        ['README.md:4', 'lab down demo'],
      ],
    );
  });

  it("orders a lab's steps: README, notes, exercises (on a fresh lab when one changes it), then the README's lab down", () => {
    const md = '## Exercises\n\n### 1. x\n\n**Try this:** Take r:eth1 down. The exercises after this one see the change.\n\n```sh\nip netns exec nsl.demo.r ip link set eth1 down\n```\n\n**Expect:** r:eth1 set down\n';
    const { main } = stepsForLab({ dir: 'demo', name: 'demo', readme: README, labYaml: 'name: demo\n', handout: md });
    const cmds = main.map((s) => s.command);
    assert.equal(cmds[0], 'lab up labs/demo --test');
    assert.equal(cmds.at(-1), 'lab down demo');
    assert.equal(cmds.filter((c) => c === 'lab down demo').length, 1);
    assert.deepEqual(cmds.slice(-3, -1), ['lab down demo && lab up labs/demo', 'ip netns exec nsl.demo.r ip link set eth1 down']);
  });

  it('finds stated output pieces in order, and says which line is missing', () => {
    const out = 'a 1\nb 2 x\nc 3\n';
    assert.deepEqual(findInOrder(out, [['a'], ['b', 'x'], ['c 3']]), { ok: true });
    assert.deepEqual(findInOrder(out, [['x', 'b']]), { ok: false, missing: 'x … b' });
    assert.deepEqual(findInOrder(out, [['c'], ['a']]), { ok: false, missing: 'a' });
  });

  it('judges exit status and output as stated', () => {
    const [route] = fromReadme('```sh\nip route   # → dev eth0 (exit 2)\n```', 'R');
    assert.deepEqual(judge(route, 2, 'x dev eth0', false), []);
    assert.equal(judge(route, 0, 'x dev eth0', false).length, 1);
    assert.equal(judge(route, 2, 'nothing', false).length, 1);
    assert.match(script(route), /^ip route\nrc=\$\?\n/);
  });

  it('every shipped lab has a README whose commands bring it up and take it down', () => {
    for (const dir of readdirSync('labs').filter((d) => existsSync(join('labs', d, 'lab.yaml')))) {
      const labYaml = readFileSync(join('labs', dir, 'lab.yaml'), 'utf8');
      const name = /^name:\s*(\S+)/m.exec(labYaml)![1];
      const { main } = stepsForLab({ dir, name, readme: readFileSync(join('labs', dir, 'README.md'), 'utf8'), labYaml });
      assert.ok(main.some((s) => s.command.startsWith('lab up labs/')), `labs/${dir}/README.md brings the lab up`);
      assert.match(main.at(-1)!.source, new RegExp(`labs/${dir}/README.md:`), `labs/${dir}/README.md takes the lab down`);
      for (const s of main) assert.doesNotMatch(s.command, /\|\s*less\b/, `${s.source}: a pager has no place in a tested handout`);
    }
  });
});
