/**
 * The command line, parsed by node:util parseArgs against the command's own options (runner/cli/command-table.ts):
 * strict, so an unknown option or a missing value is one clear usage error (exit 64).
 */
import { parseArgs as parseNodeArgs, type ParseArgsOptionsConfig } from 'node:util';

export interface Args {
  readonly command?: string;
  readonly positionals: string[];
  /** Boolean options given, by long name. */
  readonly flags: Set<string>;
  /** Options with a value, by long name (the last one when repeated). */
  readonly options: Map<string, string>;
  /** Everything after `--`. */
  readonly rest: string[];
}

export class UsageError extends Error {
  /** The command whose usage was wrong: the hint points at its --help. */
  readonly command?: string;
  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

export interface OptionSpec {
  readonly name: string;
  readonly type: 'boolean' | 'string';
  readonly short?: string;
  /** What the value is, for the usage (FILE, N, junit|tap|json). */
  readonly value?: string;
  /** The values it takes, when they are few (completed by `lab completion`). */
  readonly choices?: readonly string[];
  /** Its value is a path (completed as file names). */
  readonly path?: boolean;
  /** Its value is node names of the lab, comma-separated (completed from the lab named, or the lab that is up). */
  readonly nodes?: boolean;
  readonly multiple?: boolean;
  readonly description: string;
}

export const HELP_OPTION: OptionSpec = { name: 'help', type: 'boolean', short: 'h', description: 'show this help (the command does not run)' };

/** node:util's messages, said the way the rest of `lab` says things. */
function usageMessage(e: Error & { code?: string }, command: string, specs: readonly OptionSpec[]): string {
  const opt = /'(?:-\w, )?(--?[^' ]+)/.exec(e.message)?.[1] ?? '';
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return `unknown option ${opt}: \`lab ${command}\` takes ${specs.length ? specs.map((s) => `--${s.name}`).join(', ') : 'no options'}`;
  }
  if (/does not take an argument/.test(e.message)) return `option ${opt} of \`lab ${command}\` takes no value`;
  if (/ambiguous/.test(e.message)) return `option ${opt} of \`lab ${command}\` needs a value (one that starts with - is written ${opt}=VALUE)`;
  if (/argument missing/.test(e.message)) return `option ${opt} of \`lab ${command}\` needs a value`;
  return `lab ${command}: ${e.message}`;
}

/**
 * Parse what follows the command against its options (plus --help). Everything after the first `--` is kept
 * apart, unparsed (`lab exec h1 -- ip -br a`). `strict: false` (nslab's agents) lets unknown options through.
 */
export function parseCommandArgs(command: string, argv: readonly string[], specs: readonly OptionSpec[], strict = true): Args {
  const dash = argv.indexOf('--');
  const own = dash < 0 ? [...argv] : argv.slice(0, dash);
  const rest = dash < 0 ? [] : argv.slice(dash + 1);
  const options: ParseArgsOptionsConfig = {};
  for (const s of [...specs, HELP_OPTION]) options[s.name] = { type: s.type, ...(s.short ? { short: s.short } : {}), ...(s.multiple ? { multiple: true } : {}) };
  let parsed;
  try {
    parsed = parseNodeArgs({ args: own, options, strict, allowPositionals: true });
  } catch (e) {
    throw new UsageError(usageMessage(e as Error & { code?: string }, command, specs), command);
  }
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (const [k, v] of Object.entries(parsed.values)) {
    const last = Array.isArray(v) ? v.at(-1) : v;
    if (typeof last === 'string') values.set(k, last);
    else if (last === true) flags.add(k);
  }
  return { command, positionals: parsed.positionals, flags, options: values, rest };
}
