/** A small argv parser: flags, options with values, positionals, and everything after `--`. */

export interface Args {
  readonly command?: string;
  readonly positionals: string[];
  readonly flags: Set<string>;
  readonly options: Map<string, string>;
  readonly rest: string[];
}

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[], valued: ReadonlySet<string>): Args {
  const positionals: string[] = [];
  const flags = new Set<string>();
  const options = new Map<string, string>();
  let rest: string[] = [];
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      rest = argv.slice(i + 1);
      break;
    }
    if (a.startsWith('--') || (a.startsWith('-') && a.length === 2)) {
      const [k, v] = a.replace(/^--?/, '').split(/=(.*)/s, 2);
      if (valued.has(k)) {
        const val = v ?? argv[++i];
        if (val === undefined) throw new UsageError(`option --${k} needs a value`);
        options.set(k, val);
      } else {
        if (v !== undefined) throw new UsageError(`option --${k} takes no value`);
        flags.add(k);
      }
    } else if (command === undefined) command = a;
    else positionals.push(a);
  }
  return { command, positionals, flags, options, rest };
}
