/**
 * `lab trace` on the command line (issue 12): its arguments, its exit codes, and the command run as a process on a
 * lab that is down (--predict works there; a kernel trace is refused with exit 4, a bad FROM/TO is exit 64).
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseCommandArgs, UsageError } from '../../runner/cli/args.ts';
import { commandNamed } from '../../runner/cli/command-table.ts';
import { traceArgs } from '../../runner/cli/commands/trace.ts';
import { pathWalksText } from '../../runner/cli/commands/plan.ts';
import { completions } from '../../runner/cli/completion.ts';
import { traceExitCode } from '../../runner/lab/trace-lab.ts';
import type { TraceReport } from '../../runner/model/trace.ts';
import { DELIVERED, DROPPED, FLOW } from './fixtures/trace-walks.ts';

const MAIN = fileURLToPath(new URL('../../runner/cli/main.ts', import.meta.url));
const run = promisify(execFile);
const SPEC = commandNamed('trace')!;
const args = (argv: string[]) => traceArgs(parseCommandArgs('trace', argv, SPEC.options));

async function lab(argv: readonly string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [MAIN, ...argv], { cwd, env: { ...process.env, CI: '1' } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

describe('trace: the command line', () => {
  it('[LAB] FROM TO; --port, --proto, --predict, --json, --format', () => {
    assert.deepEqual(args(['a1', 'b1']), { lab: undefined, req: { from: 'a1', to: 'b1' }, predict: false, output: 'text' });
    assert.deepEqual(args(['labs/routed', 'a1', 'b1', '--port', '80', '--proto', 'udp', '--predict', '--json']), { lab: 'labs/routed', req: { from: 'a1', to: 'b1', proto: 'udp', port: 80 }, predict: true, output: 'json' });
    assert.equal(args(['a1', 'b1', '--format', 'mermaid']).output, 'mermaid');
    assert.equal(args(['a1', 'b1', '-p', '443']).req.port, 443);
  });

  it('a wrong command line: one usage error each, naming lab trace', () => {
    const usage = (argv: string[], re: RegExp): void => assert.throws(() => args(argv), (e: unknown) => e instanceof UsageError && e.command === 'trace' && re.test(e.message));
    usage(['a1'], /^name where the packet starts and where it goes: lab trace \[LAB\] FROM TO$/);
    usage(['x', 'a1', 'b1', 'c1'], /^lab trace takes \[LAB\] FROM TO, and got 4 words: x a1 b1 c1$/);
    usage(['a1', 'b1', '--port', 'http'], /^--port must be a port number \(1 to 65535\), not "http"$/);
    usage(['a1', 'b1', '--format', 'svg'], /^--format must be one of text, mermaid, not "svg"$/);
    usage(['a1', 'b1', '--format', 'mermaid', '--json'], /^--json and --format: choose one/);
  });

  it('exit 0 only when delivered, answered and agreed; 1 when dropped, unanswered or apart', () => {
    const r = (x: Partial<TraceReport>): TraceReport => ({ flow: FLOW, differences: [], durationMs: 1, ...x });
    assert.equal(traceExitCode(r({ kernel: DELIVERED, predicted: DELIVERED })), 0);
    assert.equal(traceExitCode(r({ predicted: DELIVERED })), 0, '--predict: the prediction delivered');
    assert.equal(traceExitCode(r({ kernel: DROPPED })), 1);
    assert.equal(traceExitCode(r({ predicted: DROPPED })), 1);
    assert.equal(traceExitCode(r({ kernel: DELIVERED, predicted: DELIVERED, differences: [{ direction: 'forward', hop: 1, what: 'out', kernel: 'a', model: 'b' }] })), 1);
    const lostReply = { ...DELIVERED, reply: { ...DELIVERED.reply!, verdict: { kind: 'dropped' as const, at: 'node-2', by: 'unknown' as const, reason: 'seen last in node-2' } } };
    assert.equal(traceExitCode(r({ kernel: lostReply })), 1);
    assert.equal(traceExitCode(r({})), 1, 'nothing traced');
  });
});

describe('trace: completion of FROM and TO', () => {
  let state: string;
  let saved: string | undefined;
  before(() => {
    state = mkdtempSync(join(tmpdir(), 'nslab-trace-complete-'));
    saved = process.env.NSLAB_STATE_DIR;
    process.env.NSLAB_STATE_DIR = state;
    mkdirSync(join(state, 'lab-a'));
    writeFileSync(join(state, 'lab-a', 'state.json'), JSON.stringify({ namespaces: ['nsl.lab-a', 'nsl.lab-a.h1', 'nsl.lab-a.h2', 'nsl.lab-a.r'] }));
  });
  after(() => {
    if (saved === undefined) delete process.env.NSLAB_STATE_DIR;
    else process.env.NSLAB_STATE_DIR = saved;
    rmSync(state, { recursive: true, force: true });
  });

  it('the nodes of the lab that is up (from its state), after the lab files and lab names; no lab file is read', () => {
    const empty = mkdtempSync(join(tmpdir(), 'nslab-trace-cwd-'));
    try {
      assert.deepEqual(completions(['trace', 'h'], empty), ['h1', 'h2']);
      assert.deepEqual(completions(['trace', ''], empty), ['lab-a', 'h1', 'h2', 'r']);
      assert.deepEqual(completions(['trace', 'h1', ''], empty), ['h1', 'h2', 'r'], 'TO after FROM');
      assert.deepEqual(completions(['trace', 'h1', 'h2', ''], empty), [], 'nothing after TO');
      assert.deepEqual(completions(['trace', 'lab-a', 'h1', 'r'], empty), ['r'], 'TO after LAB FROM');
      assert.deepEqual(completions(['trace', '--proto', ''], empty), ['tcp', 'udp', 'icmp']);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('trace: lab plan shows the predicted walks of the path tests', () => {
  it('as shell comments after the plan, one block per flow; nothing when there are none', () => {
    assert.equal(pathWalksText([]), '');
    const t = pathWalksText([{ test: 'web is reached over VXLAN', report: { flow: FLOW, predicted: { ...DELIVERED, source: 'model' }, differences: [], durationMs: 2 } }, { test: 'broken', error: 'unknown TO "x"' }]);
    const lines = t.split('\n').filter(Boolean);
    assert.ok(lines.every((l) => l.startsWith('#')), 'every line is a comment: the plan stays a runnable script');
    assert.equal(lines[0], "# ── the model's walks of the path tests (as `lab trace --predict` prints them)");
    assert.equal(lines[1], '# test: web is reached over VXLAN');
    assert.equal(lines[2], '#   client (10.244.0.6) → web (Service shop/web, ClusterIP 10.96.0.11 port 80), tcp');
    assert.ok(lines.includes("#   model's prediction (nothing was sent), forward:"));
    assert.deepEqual(lines.slice(-2), ['# test: broken', '#   cannot predict: unknown TO "x"']);
    assert.ok(!lines.some((l) => /predicted in \d+ ms/.test(l)), 'no timing: the plan is the same text run to run');
  });
});

describe('trace: the command on a lab that is down', function () {
  this.timeout(60000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nslab-trace-cli-'));
    writeFileSync(
      join(dir, 'lab.yaml'),
      'name: trace-cli-unit\nnodes:\n  h1: { interfaces: { eth0: { addresses: [10.9.0.1/24] } } }\n  h2: { interfaces: { eth0: { addresses: [10.9.0.2/24] } } }\nlinks:\n  - [h1:eth0, h2:eth0]\n',
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--predict: the prediction of ./lab.yaml, its first line naming the flow; --json is the report; no process is needed', async () => {
    const t = await lab(['trace', 'h1', 'h2', '--predict'], dir);
    assert.ok(t.code === 0 || t.code === 1, `exit ${t.code}: ${t.stderr}`);
    assert.equal(t.stdout.split('\n')[0], 'h1 (10.9.0.1) → h2 (node h2, 10.9.0.2), icmp');
    assert.match(t.stdout, /^model's prediction \(nothing was sent\), forward:$/m);
    const j = await lab(['trace', 'h1', 'h2:80', '--predict', '--json'], dir);
    const report = JSON.parse(j.stdout) as TraceReport;
    assert.deepEqual(report.flow, { from: 'h1', src: '10.9.0.1', dst: '10.9.0.2', family: 4, proto: 'tcp', port: 80, toText: 'h2:80', target: { kind: 'node', node: 'h2' } });
    assert.equal(report.kernel, undefined);
    assert.equal(report.predicted?.source, 'model');
    const m = await lab(['trace', 'h1', 'h2', '--predict', '--format', 'mermaid'], dir);
    assert.match(m.stdout, /^sequenceDiagram\n {2}title h1 \(10\.9\.0\.1\) → h2/);
  });

  it('a FROM or TO the lab lacks: exit 64, the message and a did-you-mean', async () => {
    const t = await lab(['trace', 'h1', 'h3', '--predict'], dir);
    assert.equal(t.code, 64);
    assert.match(t.stderr, /error: unknown TO "h3": lab trace-cli-unit has no node of that name, and it is no address\n {2}hint: did you mean "h1"\?/);
    const p = await lab(['trace', 'h1', 'h2', '--port', '80', '--proto', 'icmp', '--predict'], dir);
    assert.equal(p.code, 64);
    assert.match(p.stderr, /--port 80 with --proto icmp: ICMP has no ports/);
  });

  it('without --predict on a lab that is down: exit 4, saying so and naming --predict', async () => {
    const t = await lab(['trace', 'h1', 'h2'], dir);
    assert.equal(t.code, 4, t.stderr);
    assert.match(t.stderr, /error: lab trace-cli-unit is not up \(no node is\): there is nothing to send a probe through\n {2}hint: run `lab up .*lab\.yaml` first, or add --predict/);
    assert.equal(t.stdout, '');
  });

  it('LAB as a path, before FROM TO', async () => {
    const t = await lab(['trace', join(dir, 'lab.yaml'), 'h2', 'h1', '--predict'], tmpdir());
    assert.equal(t.stdout.split('\n')[0], 'h2 (10.9.0.2) → h1 (node h1, 10.9.0.1), icmp');
  });
});
