#!/usr/bin/env node
/** `lab`: argv → the command's options (command-table.ts) → the command. No logic lives here. */
import { enableCompileCache } from 'node:module';
import { parseCommandArgs, UsageError, type Args } from './args.ts';
import { commandNamed } from './command-table.ts';
import { EXIT } from './exit-codes.ts';
import { commandHelp, mainHelp } from './help.ts';
import { failure } from './output.ts';

type Command = (a: Args) => Promise<number>;

/** Each command's code, imported only when it runs (what it takes is in command-table.ts). */
const RUN: Record<string, () => Promise<Command>> = {
  validate: async () => (await import('./commands/validate.ts')).validateCmd,
  plan: async () => (await import('./commands/plan.ts')).planCmd,
  up: async () => (await import('./commands/up.ts')).upCmd,
  test: async () => (await import('./commands/test.ts')).testCmd,
  down: async () => (await import('./commands/down.ts')).downCmd,
  status: async () => (await import('./commands/status.ts')).statusCmd,
  exec: async () => (await import('./commands/exec.ts')).execCmd,
  restart: async () => (await import('./commands/node.ts')).nodeCmd('restart'),
  stop: async () => (await import('./commands/node.ts')).nodeCmd('stop'),
  start: async () => (await import('./commands/node.ts')).nodeCmd('start'),
  trace: async () => (await import('./commands/trace.ts')).traceCmd,
  graph: async () => (await import('./commands/graph.ts')).graphCmd,
  handout: async () => (await import('./commands/handout.ts')).handoutCmd,
  doctor: async () => (await import('./commands/doctor.ts')).doctorCmd,
  images: async () => (await import('./commands/images.ts')).imagesCmd,
  agent: async () => (await import('./commands/agent.ts')).agentCmd,
  completion: async () => (await import('./completion.ts')).completionCmd,
  __complete: async () => (await import('./completion.ts')).completeCmd,
  help: async () => (await import('./help.ts')).helpCmd,
  version: async () => async () => {
    process.stdout.write('nslab 0.1.0\n');
    return EXIT.ok;
  },
};

enableCompileCache?.();

async function main(argv: string[]): Promise<number> {
  const [name, ...words] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(`${mainHelp()}\n`);
    return name ? EXIT.ok : EXIT.usage;
  }
  const c = commandNamed(name);
  const run = RUN[name];
  if (!c || !run) throw new UsageError(name.startsWith('-') ? `unknown option ${name} (options follow the command)` : `unknown command ${JSON.stringify(name)}`);
  const a = c.raw ? { command: name, positionals: words, flags: new Set<string>(), options: new Map<string, string>(), rest: [] } : parseCommandArgs(name, words, c.options, !c.passThrough);
  if (a.flags.has('help')) {
    process.stdout.write(`${commandHelp(c)}\n`); // and the command does not run
    return EXIT.ok;
  }
  return (await run())(a);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = failure(e);
  },
);
