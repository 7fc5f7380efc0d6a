/** `lab help`, `lab --help`, `lab help <command>` and `lab <command> --help`: made from the command table. */
import { HELP_OPTION, UsageError, type Args, type OptionSpec } from './args.ts';
import { COMMANDS, commandNamed, type CommandSpec } from './command-table.ts';
import { EXIT } from './exit-codes.ts';

const LAB_LINE = `  LAB is a lab file, a directory with a lab.yaml, or (for down/status/test/exec) the name of a lab that is up;
  it defaults to ./lab.yaml.`;

const EXIT_LINES = `exit codes: 0 ok · 1 a test failed · 2 the lab file is invalid · 3 running a step failed (the lab was
removed again) · 4 the machine lacks something (root, a tool, a kernel feature) · 64 bad command line`;

const usageOf = (c: CommandSpec): string => `lab ${c.name}${c.args ? ` ${c.args}` : ''}`;

function optionLine(o: OptionSpec): string {
  const names = `${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.value ? ` ${o.value}` : ''}`;
  return `  ${names.padEnd(32)} ${o.description}`;
}

/** `lab --help`: every command, one line each. */
export function mainHelp(): string {
  const shown = COMMANDS.filter((c) => !c.hidden);
  const width = Math.max(...shown.map((c) => usageOf(c).length - 4)) + 2;
  const lines = shown.map((c) => `  ${usageOf(c).slice(4).padEnd(width)} ${c.summary}`);
  return [
    'lab — YAML lab files to real Linux networks, with assertions',
    '',
    'usage: lab <command> [LAB] [options]',
    LAB_LINE,
    '',
    'commands:',
    ...lines,
    '',
    'run `lab <command> --help` (or `lab help <command>`) for its options and an example.',
    '',
    EXIT_LINES,
  ].join('\n');
}

/** `lab <command> --help`: its usage, what it does, its options and an example. */
export function commandHelp(c: CommandSpec): string {
  const options = [...c.options, HELP_OPTION];
  return [`usage: ${usageOf(c)}${c.options.length ? ' [options]' : ''}`, '', `${c.summary}`, ...(c.details ?? []), '', 'options:', ...options.map(optionLine), '', 'example:', `  ${c.example}`].join('\n');
}

/** lab help [COMMAND] */
export async function helpCmd(a: Args): Promise<number> {
  const [name] = a.positionals;
  if (name === undefined) {
    process.stdout.write(`${mainHelp()}\n`);
    return EXIT.ok;
  }
  const c = commandNamed(name);
  if (!c) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  process.stdout.write(`${commandHelp(c)}\n`);
  return EXIT.ok;
}
