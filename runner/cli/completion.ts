/**
 * `lab completion bash|zsh` prints a script; the script asks `lab __complete WORD…` (the words after `lab`, the
 * last one being completed) and offers what it prints, one candidate a line: commands, the command's options,
 * the values of an option with few, lab files (*.yaml, directories holding a lab.yaml) and the names of the
 * labs that are up (from their state, runner/exec/state.ts). A line `__files__` asks the shell for file names.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labsWithState, readState } from '../exec/state.ts';
import { RECIPES } from '../images/recipes.ts';
import { HELP_OPTION, UsageError, type Args, type OptionSpec } from './args.ts';
import { COMMANDS, commandNamed, type CommandSpec } from './command-table.ts';
import { EXIT } from './exit-codes.ts';

export const FILES = '__files__';

/** Lab files under the directory part of `prefix`: *.yaml/*.yml, and directories (a trailing / to go on). */
export function labFileCandidates(prefix: string, cwd = process.cwd()): string[] {
  const slash = prefix.lastIndexOf('/');
  const dirPart = slash < 0 ? '' : prefix.slice(0, slash + 1);
  const base = slash < 0 ? prefix : prefix.slice(slash + 1);
  let entries;
  try {
    entries = readdirSync(join(cwd, dirPart || '.'), { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    if (!e.name.startsWith(base) || (e.name.startsWith('.') && !base.startsWith('.'))) continue;
    const isDir = e.isDirectory() || (e.isSymbolicLink() && existsSync(join(cwd, dirPart, e.name, '.')));
    if (isDir) out.push(`${dirPart}${e.name}/`);
    else if (/\.ya?ml$/.test(e.name)) out.push(`${dirPart}${e.name}`);
  }
  return out.sort();
}

/** The names of the labs that are up on this machine (they have a state), matching the prefix. */
export function runningLabCandidates(prefix: string): string[] {
  return labsWithState()
    .filter((n) => n.startsWith(prefix))
    .sort();
}

/** The nodes of a lab that is up, from its state (its namespaces): cheap, no lab file is read. */
export function runningNodeCandidates(lab: string, prefix: string): string[] {
  const ns = readState(lab)?.namespaces ?? [];
  return ns
    .filter((n) => n.startsWith(`nsl.${lab}.`))
    .map((n) => n.slice(`nsl.${lab}.`.length))
    .filter((n) => n.startsWith(prefix))
    .sort();
}

/**
 * The value of --nodes/--exclude: node names of the lab the command names (its file, or a lab that is up), after
 * the names already written before the last comma (`r1,r` → `r1,r2`, `r1,r3`).
 */
function nodeListCandidates(before: readonly string[], options: readonly OptionSpec[], cur: string, cwd: string): string[] {
  const words = before.slice(1);
  let arg: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const o = options.find((x) => words[i] === `--${x.name}` || (x.short && words[i] === `-${x.short}`));
    if (o) {
      if (o.type === 'string') i++;
      continue;
    }
    if (!words[i].startsWith('-')) arg = words[i];
  }
  const comma = cur.lastIndexOf(',');
  const done = cur.slice(0, comma + 1);
  const part = cur.slice(comma + 1);
  const taken = new Set(done.split(',').filter(Boolean));
  let names: string[] = [];
  const running = labsWithState();
  if (arg && running.includes(arg) && !existsSync(join(cwd, arg))) names = runningNodeCandidates(arg, '');
  else {
    const file = arg ? join(cwd, arg) : join(cwd, 'lab.yaml');
    const path = existsSync(join(file, 'lab.yaml')) ? join(file, 'lab.yaml') : file;
    try {
      names = labNodeNames(readFileSync(path, 'utf8'));
    } catch {
      names = [];
    }
  }
  return names.filter((n) => n.startsWith(part) && !taken.has(n)).map((n) => `${done}${n}`);
}

/** The node names a lab file declares (`nodes:` keys, a cluster's nodes and pods, replicas numbered), cheaply: no resolve. */
export function labNodeNames(text: string): string[] {
  const out: string[] = [];
  let section = '';
  let sub = '';
  let pod: string | undefined;
  for (const line of text.split('\n')) {
    const top = /^([A-Za-z][\w-]*):/.exec(line);
    if (top) {
      section = top[1];
      sub = '';
      continue;
    }
    if (section === 'nodes') {
      const m = /^ {2}([A-Za-z0-9][\w.-]*):/.exec(line);
      if (m) out.push(m[1]);
    } else if (section === 'cluster') {
      const s = /^ {2}([a-z-]+):/.exec(line);
      if (s) {
        sub = s[1];
        continue;
      }
      const m = /^ {4}([A-Za-z0-9][\w.-]*):/.exec(line);
      if (m && (sub === 'nodes' || sub === 'pods')) {
        out.push(m[1]);
        pod = sub === 'pods' ? m[1] : undefined;
        continue;
      }
      const r = /^ {6}replicas:\s*(\d+)/.exec(line);
      if (r && pod) {
        out.pop();
        for (let i = 1; i <= Number(r[1]); i++) out.push(`${pod}-${i}`);
      }
    }
  }
  return [...new Set(out)];
}

/** `[LAB] FROM TO`: lab files, running labs and (of the named or only running lab) its nodes; then its nodes. */
function labThenNodes(positionals: readonly string[], cur: string, cwd: string, most = 2): string[] {
  const running = labsWithState();
  const named = positionals[0] !== undefined && running.includes(positionals[0]) ? positionals[0] : undefined;
  const lab = named ?? (running.length === 1 ? running[0] : undefined);
  const nodes = lab ? runningNodeCandidates(lab, cur) : [];
  if (positionals.length === 0) return [...runningLabCandidates(cur), ...labFileCandidates(cur, cwd), ...nodes];
  return positionals.length < (named || !lab ? most + 1 : most) ? nodes : [];
}

function positionalCandidates(c: CommandSpec, positionals: readonly string[], cur: string, cwd: string): string[] {
  const kind = c.name === 'help' ? { words: COMMANDS.filter((x) => !x.hidden).map((x) => x.name) } : c.complete;
  if (kind === 'none') return [];
  if (kind === 'lab-then-nodes') return labThenNodes(positionals, cur, cwd);
  if (kind === 'lab-then-node') return labThenNodes(positionals, cur, cwd, 1);
  if (typeof kind === 'object') {
    if (positionals.length === 0) return kind.words.filter((w) => w.startsWith(cur));
    if (c.name === 'images' && ['build', 'rm'].includes(positionals[0])) return RECIPES.map((r) => r.name).filter((n) => n.startsWith(cur));
    return [];
  }
  if (positionals.length > (c.name === 'validate' || c.name === 'test' ? Infinity : 0)) return [];
  return [...(kind === 'lab-or-running' ? runningLabCandidates(cur) : []), ...labFileCandidates(cur, cwd)];
}

/** What may follow `lab` + `words` (the last word is the one being completed, maybe empty). */
export function completions(words: readonly string[], cwd = process.cwd()): string[] {
  const cur = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const visible = COMMANDS.filter((c) => !c.hidden);
  if (!before.length) return cur.startsWith('-') ? ['--help'].filter((o) => o.startsWith(cur)) : visible.map((c) => c.name).filter((n) => n.startsWith(cur));
  const c = commandNamed(before[0]);
  if (!c || c.hidden) return [];
  if (before.includes('--')) return []; // a command for `lab exec`: not ours to complete
  const options = [...c.options, HELP_OPTION];
  // the value of an option
  const prev = before.at(-1) ?? '';
  const valued = options.find((o) => o.type === 'string' && (prev === `--${o.name}` || (o.short && prev === `-${o.short}`)));
  if (valued && before.length > 1) {
    if (valued.choices) return valued.choices.filter((v) => v.startsWith(cur));
    if (valued.nodes) return nodeListCandidates(before, options, cur, cwd);
    return valued.path ? [FILES] : [];
  }
  if (cur.startsWith('-')) return options.map((o) => `--${o.name}`).filter((o) => o.startsWith(cur));
  // the positionals so far: words that are neither options nor their values
  const positionals: string[] = [];
  for (let i = 1; i < before.length; i++) {
    const w = before[i];
    if (w.startsWith('-')) {
      const o = options.find((x) => w === `--${x.name}` || (x.short && w === `-${x.short}`));
      if (o?.type === 'string') i++;
    } else positionals.push(w);
  }
  return positionalCandidates(c, positionals, cur, cwd);
}

/** lab __complete WORD… */
export async function completeCmd(a: Args): Promise<number> {
  const out = completions(a.positionals.length ? a.positionals : ['']);
  if (out.length) process.stdout.write(`${out.join('\n')}\n`);
  return EXIT.ok;
}

export const BASH_SCRIPT = `# bash completion for lab (nslab): source <(lab completion bash)
_lab() {
  local cur=\${COMP_WORDS[COMP_CWORD]} IFS=$'\\n'
  local -a out
  out=($("\${COMP_WORDS[0]}" __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
  if [[ \${out[0]} == ${FILES} ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
    compopt -o filenames 2>/dev/null
    return 0
  fi
  COMPREPLY=("\${out[@]}")
  local c
  for c in "\${COMPREPLY[@]}"; do
    if [[ $c == */ ]]; then compopt -o nospace 2>/dev/null; break; fi
  done
  return 0
}
complete -F _lab lab
`;

export const ZSH_SCRIPT = `#compdef lab
# zsh completion for lab (nslab): source <(lab completion zsh)
_lab() {
  local -a out dirs others
  local c
  out=("\${(@f)$("\${words[1]}" __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ \${out[1]} == ${FILES} ]]; then
    _files
    return
  fi
  for c in "\${out[@]}"; do
    [[ -z $c ]] && continue
    if [[ $c == */ ]]; then dirs+=("$c"); else others+=("$c"); fi
  done
  (( \${#others} )) && compadd -Q -- "\${others[@]}"
  (( \${#dirs} )) && compadd -Q -S '' -- "\${dirs[@]}"
  return 0
}
if (( ! \${+functions[compdef]} )); then
  autoload -Uz compinit && compinit
fi
compdef _lab lab
`;

/** lab completion bash|zsh */
export async function completionCmd(a: Args): Promise<number> {
  const [shell] = a.positionals;
  if (shell === 'bash') process.stdout.write(BASH_SCRIPT);
  else if (shell === 'zsh') process.stdout.write(ZSH_SCRIPT);
  else throw new UsageError(shell ? `no completion for the shell ${JSON.stringify(shell)} (bash or zsh)` : 'name the shell: lab completion bash|zsh', 'completion');
  return EXIT.ok;
}
