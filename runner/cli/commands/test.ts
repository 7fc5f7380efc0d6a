import { writeFileSync } from 'node:fs';
import { labNameOf, loadLab, type Loaded } from '../../api.ts';
import { runTests, type TestResult } from '../../../assertions/runner.ts';
import { writeReport, type ReportKind } from '../../../assertions/reporters/index.ts';
import { LabError } from '../../config/diagnostics.ts';
import { createRunContext } from '../../exec/node-exec.ts';
import { labNetns } from '../../exec/host.ts';
import { readState, writeState } from '../../exec/state.ts';
import { UsageError, type Args } from '../args.ts';
import { EXIT } from '../exit-codes.ts';
import { color, isTTY, requireRoot, say } from '../output.ts';

const KINDS: readonly ReportKind[] = ['junit', 'tap', 'json'];

/** lab test [LAB] [--reporter junit|tap|json] [--output FILE]: run the lab's assertions against the running lab. */
export async function testCmd(a: Args): Promise<number> {
  requireRoot('test');
  const { name, file } = labNameOf(a.positionals[0]);
  if (!file) throw new LabError([{ severity: 'error', code: 'test.not-up', message: `lab ${name} is not up, and no lab file was given`, hint: `run \`lab up <lab.yaml>\` first, or \`lab test <lab.yaml>\`` }], EXIT.environment);
  return testLoaded(loadLab(file), a);
}

export async function testLoaded(loaded: Loaded, a: Args): Promise<number> {
  const { lab } = loaded;
  const reporter = a.options.get('reporter') ?? a.options.get('r');
  if (reporter && !KINDS.includes(reporter as ReportKind)) throw new UsageError(`--reporter must be one of ${KINDS.join(', ')}`);
  const present = labNetns(lab.name);
  const missing = lab.nodes.filter((n) => !present.includes(n.netns)).map((n) => n.name);
  if (missing.length) {
    throw new LabError([{ severity: 'error', code: 'test.not-up', message: `lab ${lab.name} is not up (${missing.length === lab.nodes.length ? 'no node is' : `nodes ${missing.join(', ')} are missing`})`, hint: `run \`lab up ${lab.file}\` first (or \`lab up --test\`)`, pos: lab.namePos }], EXIT.environment);
  }
  if (!lab.tests.length) {
    say(`lab ${lab.name} has no tests`);
    return EXIT.ok;
  }
  const nsOf = (node: string): string => lab.nodes.find((n) => n.name === node)?.netns ?? `nsl.${lab.name}.${node}`;
  const started = new Date();
  const live = isTTY();
  const results: TestResult[] = await runTests(lab.tests, {
    context: (_t, measurements) => createRunContext({ nsOf, measurements: new Map(measurements) }),
    onProgress: (e) => {
      // on a terminal, say which test is being retried (within:), the slow part of a run
      if (e.kind === 'retry' && live) say(`… ${e.test.name}: try ${e.attempt + 1}`);
    },
  });
  const meta = { lab: lab.name, file: lab.file, started, durationMs: Date.now() - started.getTime() };
  const human = writeReport('human', results, { ...meta, color: color() });
  const out = a.options.get('output') ?? a.options.get('o');
  if (reporter) {
    const text = writeReport(reporter as ReportKind, results, meta);
    if (out) {
      try {
        writeFileSync(out, text);
      } catch (e) {
        throw new LabError([{ severity: 'error', code: 'report.write', message: `cannot write the ${reporter} report to ${out}: ${(e as Error).message}`, hint: 'choose a directory that exists and is writable' }], EXIT.environment);
      }
      process.stdout.write(human);
    } else {
      process.stderr.write(human);
      process.stdout.write(text);
    }
  } else process.stdout.write(human);
  const failed = results.filter((r) => !r.ok).length;
  const state = readState(lab.name);
  if (state) {
    state.lastTest = { at: new Date().toISOString(), passed: results.length - failed, failed };
    writeState(state);
  }
  return failed ? EXIT.testsFailed : EXIT.ok;
}
