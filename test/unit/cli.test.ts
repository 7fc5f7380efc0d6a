/** The command line: parseArgs (strict), `--help` for every command, and `lab completion bash` sourced in a real bash. */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseCommandArgs, UsageError } from '../../runner/cli/args.ts';
import { COMMANDS } from '../../runner/cli/command-table.ts';
import { completions } from '../../runner/cli/completion.ts';
import { needTools } from '../needs.ts';

const MAIN = fileURLToPath(new URL('../../runner/cli/main.ts', import.meta.url));
const run = promisify(execFile);

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

async function lab(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Out> {
  try {
    const r = await run(process.execPath, [MAIN, ...args], { cwd: opts.cwd, env: { ...process.env, CI: '1', ...opts.env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

describe('cli: the parser', () => {
  const up = COMMANDS.find((c) => c.name === 'up')!.options;
  it('options by long and short name, positionals anywhere, everything after -- apart', () => {
    const a = parseCommandArgs('up', ['--test', 'labs/x', '-o', 'r.xml', '--reporter=junit', '--', '--not-ours'], up);
    assert.deepEqual(a.positionals, ['labs/x']);
    assert.deepEqual([...a.flags], ['test']);
    assert.deepEqual(Object.fromEntries(a.options), { output: 'r.xml', reporter: 'junit' });
    assert.deepEqual(a.rest, ['--not-ours']);
  });
  it('an unknown option, a missing value, a value for a flag: one usage error naming the command', () => {
    const usage = (argv: string[], re: RegExp): void =>
      assert.throws(
        () => parseCommandArgs('up', argv, up),
        (e: unknown) => e instanceof UsageError && e.command === 'up' && re.test(e.message),
      );
    usage(['--bogus'], /^unknown option --bogus: `lab up` takes --test, --recreate, --wait, --no-wait, --nodes, --exclude, --quiet, --reporter, --output$/);
    usage(['-x'], /^unknown option -x/);
    usage(['--output'], /^option --output of `lab up` needs a value$/);
    usage(['--test=yes'], /^option --test of `lab up` takes no value$/);
  });
});

describe('cli: help', function () {
  this.timeout(60000);
  let empty: string;
  before(() => {
    empty = mkdtempSync(join(tmpdir(), 'nslab-help-'));
  });
  after(() => rmSync(empty, { recursive: true, force: true }));

  it('`lab <command> --help` for every command: usage, every option, the example; exit 0, and the command does not run', async () => {
    // run where there is no lab.yaml: a command that ran would fail (exit 2) instead
    for (const c of COMMANDS.filter((x) => !x.hidden)) {
      const r = await lab([c.name, '--help'], { cwd: empty });
      assert.equal(r.code, 0, `lab ${c.name} --help: exit ${r.code}\n${r.stderr}`);
      assert.equal(r.stderr, '', `lab ${c.name} --help says nothing on stderr`);
      assert.match(r.stdout, new RegExp(`^usage: lab ${c.name}\\b`));
      for (const o of c.options) assert.match(r.stdout, new RegExp(`--${o.name}\\b.* ${o.description.slice(0, 12).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), `lab ${c.name} --help lists --${o.name}`);
      assert.ok(r.stdout.includes(`example:\n  ${c.example}\n`), `lab ${c.name} --help shows its example`);
    }
  });
  it('`lab help up` is `lab up --help`; `lab -h` lists the commands; `lab help nope` is a usage error', async () => {
    assert.equal((await lab(['help', 'up'])).stdout, (await lab(['up', '-h'], { cwd: empty })).stdout);
    const all = await lab(['--help']);
    assert.equal(all.code, 0);
    for (const c of COMMANDS.filter((x) => !x.hidden)) assert.match(all.stdout, new RegExp(`^  ${c.name}\\b`, 'm'));
    assert.doesNotMatch(all.stdout, /__complete|^ {2}agent/m);
    const nope = await lab(['help', 'nope']);
    assert.equal(nope.code, 64);
    assert.match(nope.stderr, /unknown command "nope"/);
  });
  it('an unknown option: exit 64, what the command takes, and where its help is', async () => {
    const r = await lab(['up', '--tset'], { cwd: empty });
    assert.equal(r.code, 64);
    assert.equal(r.stderr, 'lab: unknown option --tset: `lab up` takes --test, --recreate, --wait, --no-wait, --nodes, --exclude, --quiet, --reporter, --output\nrun `lab up --help` for its options and an example\n');
  });
});

describe('cli: completion', function () {
  this.timeout(60000);
  let dir: string;
  let bin: string;
  let state: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'nslab-complete-'));
    bin = join(dir, 'bin');
    state = join(dir, 'state');
    mkdirSync(bin);
    mkdirSync(join(state, 'alpha-lab'), { recursive: true });
    writeFileSync(join(state, 'alpha-lab', 'state.json'), '{}');
    // `lab` as a user has it: a command on the PATH
    writeFileSync(join(bin, 'lab'), `#!/bin/sh\nexec '${process.execPath}' '${MAIN}' "$@"\n`);
    chmodSync(join(bin, 'lab'), 0o755);
    const work = join(dir, 'work');
    mkdirSync(join(work, 'labs', 'one'), { recursive: true });
    writeFileSync(join(work, 'labs', 'one', 'lab.yaml'), 'name: one\n');
    writeFileSync(join(work, 'alab.yaml'), 'name: a\n');
    writeFileSync(join(work, 'also.yml'), 'name: b\n');
    writeFileSync(join(work, 'anotes.txt'), 'not a lab\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** What bash offers after `lab WORDS` (the last word is being completed), with the script from `lab completion bash`. */
  async function bash(words: readonly string[]): Promise<string[]> {
    const script = 'source <(lab completion bash) && COMP_WORDS=(lab "$@") && COMP_CWORD=$# && _lab && printf "%s\\n" "${COMPREPLY[@]}"';
    const r = await run('bash', ['-c', script, 'bash', ...words], { cwd: join(dir, 'work'), env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NSLAB_STATE_DIR: state } });
    return r.stdout.split('\n').filter(Boolean);
  }

  it('bash: commands', async () => {
    assert.deepEqual(await bash(['u']), ['up']);
    assert.deepEqual(await bash(['d']), ['down', 'doctor']);
  });
  it("bash: up's options, and the values of one with few", async () => {
    assert.deepEqual(await bash(['up', '--']), ['--test', '--recreate', '--wait', '--no-wait', '--nodes', '--exclude', '--quiet', '--reporter', '--output', '--help']);
    assert.deepEqual(await bash(['up', '--re']), ['--recreate', '--reporter']);
    assert.deepEqual(await bash(['test', '--reporter', '']), ['junit', 'tap', 'json']);
  });
  it('bash: lab files (*.yaml, *.yml, directories) in the working directory, not other files', async () => {
    assert.deepEqual(await bash(['up', 'a']), ['alab.yaml', 'also.yml']);
    assert.deepEqual(await bash(['plan', 'labs/']), ['labs/one/']);
    assert.deepEqual(await bash(['plan', 'labs/one/']), ['labs/one/lab.yaml']);
  });
  it("bash: the names of labs that are up (from the state directory) for down, status, test, exec; not for up", async () => {
    assert.deepEqual(await bash(['down', 'al']), ['alpha-lab', 'alab.yaml', 'also.yml']);
    assert.deepEqual(await bash(['status', 'alp']), ['alpha-lab']);
    assert.deepEqual(await bash(['up', 'alp']), []);
  });
  it('completions(): sub-commands, help topics, nothing after -- of exec, file names for --output', () => {
    assert.deepEqual(completions(['images', '']), ['build', 'list', 'rm']);
    assert.deepEqual(completions(['images', 'build', 'nslab/b']), ['nslab/bird']);
    assert.deepEqual(completions(['help', 'st']), ['status', 'stop', 'start']);
    assert.deepEqual(completions(['help', 'res']), ['restart']);
    // lab restart|stop|start [LAB] NODE: a lab (file, directory, or one that is up), then one node; their options
    assert.deepEqual(completions(['restart', 'labs/ebgp']), ['labs/ebgp-triangle/']);
    assert.deepEqual(completions(['stop', '--']), ['--json', '--help']);
    assert.deepEqual(completions(['start', 'x', 'y', '']), []);
    assert.deepEqual(completions(['exec', 'h1', '--', '']), []);
    assert.deepEqual(completions(['test', '-o', 'x']), ['__files__']);
  });
  it('zsh: the script parses, and sourced after compinit it defines _lab and binds it to lab', async () => {
    needTools(['zsh'], 'apt-get install zsh (bash scripts/setup.sh installs it)');
    const r = await lab(['completion', 'zsh']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^#compdef lab\n/);
    assert.match(r.stdout, /compdef _lab lab\n$/);
    await run('zsh', ['-n', '-c', r.stdout]);
    const dir = mkdtempSync(join(tmpdir(), 'nslab-zsh-'));
    try {
      writeFileSync(join(dir, 'lab.zsh'), r.stdout);
      const z = await run('zsh', ['-f', '-c', `autoload -U compinit && compinit -u -d ${dir}/zcompdump && source ${dir}/lab.zsh && whence -w _lab && print -r -- \$_comps[lab]`]);
      assert.equal(z.stdout.trim(), '_lab: function\n_lab');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal((await lab(['completion', 'fish'])).code, 64);
  });
});
