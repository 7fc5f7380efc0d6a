/**
 * The commands a learner is told to type for a lab, taken from the texts that tell them: the lab's README, the
 * notes of its `handout:` section, the exercises of its generated handout and the top-level README. Pure: text in,
 * steps out. The integration test (test/integration/handout-commands.test.ts) runs them against the lab.
 *
 * The conventions, as the top-level README states them for authors ("Handouts are tested"):
 * - README: every line of a ```sh block is typed into bash. `NAME=value` lines are kept for the later lines of the
 *   same file. A trailing `# → OUTPUT` states what the command prints; `# → OUTPUT (exit N)` or `# → (exit N)` that
 *   it fails with exit status N. Any other trailing comment is prose. Lines `#   …` right below a command are its
 *   sample output. In a stated output, `…` stands for anything: the pieces between must appear in that order, and
 *   text after ` — ` is prose again.
 * - Notes: a command to type is a code span that starts with a prompt: `$ CMD` on the host, `NODE$ CMD` inside the
 *   lab's node NODE. A code span right after it, joined by ` → `, is its stated output.
 * - Handout exercises: each ```sh block under "## Exercises", with the exit status and output its **Expect:** line
 *   states, retried for as long as its "retries for up to" line says.
 * - Handout packet walks: each ```sh block under "## Packet walks" (a `lab trace` of `handout.traces`), which must
 *   print the verdict its **Expect:** line names ("the walk ends **delivered**") and end with exit 0, or with the
 *   status the line states ("`lab trace` exits 1").
 * - A command ending in `&` runs in the background with the command after it; a tcpdump without `-c` in the
 *   foreground runs until the learner stops it (the runner stops it after a few seconds).
 */
import { LineCounter, parseDocument, isMap, isSeq, isScalar } from 'yaml';

export interface Expect {
  /** The exit status: 0, a stated one, or 'nonzero' (a test that must fail, where the status is not stated). */
  readonly exit: number | 'nonzero';
  /** Stated output, one entry per line: pieces that must appear in that order (a line is found after the previous one). */
  readonly output: readonly (readonly string[])[];
  /** Regular expressions (flag m) the output must match, and must not match (from a handout's Expect line). */
  readonly matching: readonly string[];
  readonly notMatching: readonly string[];
}

export interface Step {
  /** What bash runs: one line, or a background line and the line after it. */
  readonly command: string;
  /** Where it is typed: on the host (as root, in the repository), or inside a node of the lab. */
  readonly context: 'host' | { readonly node: string };
  /** Variable assignments typed before it in the same text (`N=nsl.lab.node-1`). */
  readonly vars: readonly string[];
  readonly expect: Expect;
  /** How long the text says it may take to become true (a handout exercise's `within:`), ms; 0: the first try counts. */
  readonly retryMs: number;
  /** A foreground command that runs until stopped (tcpdump without -c). */
  readonly untilStopped: boolean;
  /** file:line of the command in its text. */
  readonly source: string;
}

const OK: Expect = { exit: 0, output: [], matching: [], notMatching: [] };

/** Splits a shell line into the command and its trailing comment (a `#` after blank, outside quotes). */
export function splitComment(line: string): { code: string; comment?: string } {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\') i++;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return { code: line.slice(0, i).trimEnd(), comment: line.slice(i + 1).trim() };
  }
  return { code: line.trimEnd() };
}

/** The pieces of a stated output: split at `…`, empty pieces dropped. */
export function pieces(text: string): string[] {
  return text
    .split('…')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/**
 * A trailing comment as an expectation: `→ OUTPUT — prose` states output, `(exit N)` anywhere in it states the exit
 * status. Undefined when it states neither (a comment of prose).
 */
export function statedOutput(comment: string): Expect | undefined {
  const ex = /\(exit (\d+)\)/.exec(comment);
  const rest = ex ? comment.replace(ex[0], '') : comment;
  const m = /^→\s*(.*)$/.exec(rest.trim());
  if (!m && !ex) return undefined;
  // `→ (exit 28) — prose`: with the exit status taken out, the prose starts right after the arrow
  const p = m ? pieces(m[1].split(/(?:^|\s)—\s/)[0]) : [];
  return { exit: ex ? Number(ex[1]) : 0, output: p.length ? [p] : [], matching: [], notMatching: [] };
}

function isAssignment(code: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*=\S*$/.test(code);
}

/** Joins each step that ends in `&` with the step after it (the background job runs while that one does). */
function joinBackground(steps: Step[]): Step[] {
  const out: Step[] = [];
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    if (/&$/.test(s.command) && i + 1 < steps.length && sameContext(s, steps[i + 1])) {
      const next = steps[i + 1];
      out.push({ ...next, command: `${s.command}\n${next.command}`, source: s.source });
      i++;
    } else out.push(s);
  }
  return out;
}

function sameContext(a: Step, b: Step): boolean {
  return JSON.stringify(a.context) === JSON.stringify(b.context);
}

function untilStopped(command: string): boolean {
  return /(^|\s)tcpdump\s/.test(command) && !/\s-c\s*\d/.test(command) && !/&$/.test(command);
}

function step(command: string, source: string, vars: readonly string[], expect: Expect = OK, context: Step['context'] = 'host', retryMs = 0): Step {
  return { command, context, vars: [...vars], expect, retryMs, untilStopped: untilStopped(command), source };
}

/** The ```sh blocks of a Markdown text (a lab README), in order; other blocks are not typed. */
export function fromReadme(text: string, file: string): Step[] {
  const lines = text.split('\n');
  const steps: Step[] = [];
  const vars: string[] = [];
  let lang: string | undefined;
  let sampleOf: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^\s*```\s*([\w-]*)\s*$/.exec(line);
    if (fence) {
      lang = lang === undefined ? fence[1] : undefined;
      sampleOf = undefined;
      continue;
    }
    if (lang !== 'sh') continue;
    const raw = line.trim();
    if (raw === '') continue;
    if (raw.startsWith('#')) {
      // `#   text` right below a command (or below its other sample lines): sample output; else prose
      const sample = /^#\s{3}(.*)$/.exec(raw);
      if (sample && sampleOf !== undefined) {
        const s = steps[sampleOf];
        const text = sample[1].split(' — ')[0];
        steps[sampleOf] = { ...s, expect: { ...s.expect, output: [...s.expect.output, pieces(text)] } };
      } else sampleOf = undefined;
      continue;
    }
    const { code, comment } = splitComment(raw);
    if (isAssignment(code)) {
      vars.push(code);
      sampleOf = undefined;
      continue;
    }
    const expect = (comment && statedOutput(comment)) || OK;
    steps.push(step(code, `${file}:${i + 1}`, vars, expect));
    sampleOf = steps.length - 1;
  }
  return joinBackground(steps);
}

/** The `# lab …` prompt lines of the ```console blocks of the top-level README that name `labs/<dir>` or the lab. */
export function fromTopReadme(text: string, file: string, dir: string, name: string): Step[] {
  const lines = text.split('\n');
  const steps: Step[] = [];
  let lang: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const fence = /^\s*```\s*([\w-]*)\s*$/.exec(lines[i]);
    if (fence) {
      lang = lang === undefined ? fence[1] : undefined;
      continue;
    }
    if (lang !== 'console' && lang !== 'sh') continue;
    const prompt = lang === 'console' ? /^# (lab .*)$/.exec(lines[i]) : /^(lab .*)$/.exec(splitComment(lines[i].trim()).code);
    if (!prompt) continue;
    const words = prompt[1].split(/\s+/);
    if (words.includes(`labs/${dir}`) || words.includes(name)) steps.push(step(prompt[1], `${file}:${i + 1}`, []));
  }
  return steps;
}

/** The prompted code spans of the notes of a lab.yaml's `handout:` section. */
export function fromNotes(yamlText: string, file: string): Step[] {
  const counter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: counter });
  const handout = doc.get('handout', true);
  if (!isMap(handout)) return [];
  const notes = handout.get('notes', true);
  if (!isSeq(notes)) return [];
  const steps: Step[] = [];
  for (const note of notes.items) {
    if (!isMap(note)) continue;
    const text = note.get('text', true);
    if (!isScalar(text) || typeof text.value !== 'string') continue;
    const line = counter.linePos(text.range?.[0] ?? 0).line;
    steps.push(...noteCommands(text.value, `${file}:${line}`));
  }
  return joinBackground(steps);
}

/** `$ CMD` / `NODE$ CMD` code spans of one note's text, each with a ` → `OUTPUT`` after it if there is one. */
export function noteCommands(text: string, source: string): Step[] {
  const out: Step[] = [];
  const re = /`([A-Za-z0-9_.-]*)\$ ([^`]+)`(?:\s*→\s*`([^`]*)`)?/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const expect = m[3] !== undefined ? (statedOutput(`→ ${m[3]}`) ?? OK) : OK;
    out.push(step(m[2].trim(), source, [], expect, m[1] ? { node: m[1] } : 'host'));
  }
  return out;
}

/** The exercises of a generated handout (<lab>.md): each ```sh block with its Expect line. */
export function fromHandout(md: string, file: string): Step[] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => /^## Exercises\s*$/.test(l));
  if (start < 0) return [];
  const steps: Step[] = [];
  let block: { text: string; line: number }[] | undefined;
  let pending: { text: string; line: number }[][] = [];
  for (let i = start + 1; i < lines.length && !/^## /.test(lines[i]); i++) {
    const l = lines[i];
    if (/^```/.test(l)) {
      if (block) {
        pending.push(block);
        block = undefined;
      } else block = [];
      continue;
    }
    if (block) {
      if (!l.trim().startsWith('#') && l.trim() !== '') block.push({ text: l.trim(), line: i + 1 });
      continue;
    }
    // "Bring the lab up first (`lab up FILE`, …)": typed before the exercises (on a lab that is up, it does nothing).
    // Its `lab test NAME` is left out: the README's `lab up --test` runs the same tests.
    const intro = /^Bring the lab up first \(`(lab up [^`]+)`/.exec(l);
    if (intro) steps.push(step(intro[1], `${file}:${i + 1}`, []));
    // an action's exercise (delete-pod, link) says **Then:** what changed: its commands must simply succeed; a
    // converge's (**Then:** CONDITION, within N s) ends with its check, which holds (as stated) within that time
    const then = /^\*\*Then:\*\* (.*)$/.exec(l);
    if (then) {
      const within = /^(.*), within (\d+(?:\.\d+)?)(ms|s|m)$/.exec(then[1]);
      const lastBlock = pending.length - 1;
      for (const [k, b] of pending.entries()) {
        steps.push(...joinBackground(b.map((c, j) => {
          const check = within && k === lastBlock && j === b.length - 1 && b.length > 1;
          if (!check) return step(c.text, `${file}:${c.line}`, [], OK, 'host');
          const ms = Number(within[2]) * (within[3] === 'ms' ? 1 : within[3] === 's' ? 1000 : 60_000);
          return step(c.text, `${file}:${c.line}`, [], exerciseExpect(within[1]), 'host', ms);
        })));
      }
      pending = [];
      continue;
    }
    const ex = /^\*\*Expect:\*\* (.*)$/.exec(l);
    if (ex) {
      const expect = exerciseExpect(ex[1]);
      const retry = retryOf(lines, i);
      for (const b of pending) steps.push(...joinBackground(fillDigAddress(b).map((c) => step(c.text, `${file}:${c.line}`, [], expect, 'host', retry))));
      pending = [];
    }
  }
  return steps;
}

/** The packet walks of a generated handout (<lab>.md): each ```sh block, expected to print its verdict and exit as stated (default 0). */
export function fromWalks(md: string, file: string): Step[] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => /^## Packet walks\s*$/.test(l));
  if (start < 0) return [];
  const steps: Step[] = [];
  let block: { text: string; line: number }[] | undefined;
  let pending: { text: string; line: number }[] = [];
  for (let i = start + 1; i < lines.length && !/^## /.test(lines[i]); i++) {
    const l = lines[i];
    if (/^```/.test(l)) {
      if (block) pending.push(...block);
      block = /^```sh\s*$/.test(l) && !block ? [] : undefined;
      continue;
    }
    if (block) {
      if (!l.trim().startsWith('#') && l.trim() !== '') block.push({ text: l.trim(), line: i + 1 });
      continue;
    }
    const ex = /^\*\*Expect:\*\* the walk ends \*\*(\w+)\*\*/.exec(l);
    if (ex) {
      const exit = Number(/`lab trace` exits (\d+)/.exec(l)?.[1] ?? 0);
      for (const c of pending) steps.push(step(c.text, `${file}:${c.line}`, [], { ...OK, exit, matching: [ex[1]] }));
      pending = [];
    }
  }
  return steps;
}

const DIG_PLACEHOLDER = "'<the address dig printed>'";

/**
 * A service exercise by name says: look the name up with dig, then probe `<the address dig printed>`. The learner
 * copies the address; here the dig line and the probe become one step, the address filled in from dig's output.
 */
function fillDigAddress(block: readonly { text: string; line: number }[]): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  for (const c of block) {
    const prev = out.at(-1);
    if (c.text.includes(DIG_PLACEHOLDER) && prev && /\bdig\b/.test(prev.text)) {
      out[out.length - 1] = { text: `${prev.text}\n${c.text.replace(DIG_PLACEHOLDER, `"$(${prev.text} | head -n1)"`)}`, line: prev.line };
    } else out.push(c);
  }
  return out;
}

/** "The test retries for up to 5s" below an exercise's Expect line, in ms. */
function retryOf(lines: readonly string[], from: number): number {
  for (let i = from + 1; i < lines.length && !/^#{2,3} /.test(lines[i]); i++) {
    const m = /retries for up to (\d+(?:\.\d+)?)(ms|s|m)\b/.exec(lines[i]);
    if (m) return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000);
  }
  return 0;
}

/** An exercise's **Expect:** text as exit status and patterns. */
export function exerciseExpect(text: string): Expect {
  const cmd = /^the command ends with exit code (\d+)(.*)$/.exec(text);
  if (cmd) {
    const matching: string[] = [];
    const notMatching: string[] = [];
    // ", output matching /RE/" and ", output not matching /RE/": a pattern runs to the last / before the next part
    const parts = cmd[2].split(/, output (?=(?:not )?matching \/)/).filter((p) => p.trim() !== '');
    for (const p of parts) {
      const m = /^(not )?matching \/(.*)\/$/.exec(p.trim());
      if (m) (m[1] ? notMatching : matching).push(m[2]);
    }
    return { exit: Number(cmd[1]), output: [], matching, notMatching };
  }
  // a reachability test that must fail: the ping or nc of it fails
  if (/\bunreachable from\b|: closed \(/.test(text)) return { ...OK, exit: 'nonzero' };
  // a BGP route that must be gone: `birdc show route all PREFIX` says "Network not found" and ends with 1
  if (/ has no (best )?BGP route to /.test(text)) return { ...OK, exit: 'nonzero', matching: ['Network not found'] };
  // a service test: `lab agent probe` prints a JSON line per request ("ok": true when answered) and ends with 0
  if (/no answer to any of/.test(text)) return { ...OK, notMatching: ['"ok":true'] };
  if (/ requests answered by /.test(text)) return { ...OK, matching: ['"ok":true'] };
  return OK;
}

/**
 * Whether the output holds each stated line: its pieces in order (a piece may be on a later output line than the
 * one before it), and each stated line starting after the start of the previous one.
 */
export function findInOrder(output: string, lines: readonly (readonly string[])[]): { ok: true } | { ok: false; missing: string } {
  let at = 0;
  for (const line of lines) {
    let start = -1;
    let pos = at;
    for (const p of line) {
      const k = output.indexOf(p, pos);
      if (k < 0) return { ok: false, missing: line.join(' … ') };
      if (start < 0) start = k;
      pos = k + p.length;
    }
    at = start < 0 ? at : start;
  }
  return { ok: true };
}

export interface LabTexts {
  /** The directory under labs/ and the lab's name (`name:` of its lab.yaml). */
  readonly dir: string;
  readonly name: string;
  readonly readme?: string;
  readonly labYaml: string;
  /** The generated handout, <name>.md. */
  readonly handout?: string;
  readonly topReadme?: string;
}

export interface LabSteps {
  /** The top-level README's commands for this lab: a run of their own (they bring it up and down themselves). */
  readonly top: readonly Step[];
  /** Lab README, then notes, then the packet walks, then (on a fresh lab when an exercise changes it) the exercises, then the README's `lab down`. */
  readonly main: readonly Step[];
}

/** Every step for one lab, in the order the test runs them. */
export function stepsForLab(t: LabTexts): LabSteps {
  const top = t.topReadme ? fromTopReadme(t.topReadme, 'README.md', t.dir, t.name) : [];
  const readme = t.readme ? fromReadme(t.readme, `labs/${t.dir}/README.md`) : [];
  const notes = fromNotes(t.labYaml, `labs/${t.dir}/lab.yaml`);
  const handout = t.handout ? fromHandout(t.handout, `${t.name}.md (lab handout labs/${t.dir})`) : [];
  const walks = t.handout ? fromWalks(t.handout, `${t.name}.md (lab handout labs/${t.dir})`) : [];
  const isDown = (s: Step): boolean => /^lab down (\S+)$/.exec(s.command)?.[1] === t.name || s.command === `lab down labs/${t.dir}`;
  const lastDown = readme.map(isDown).lastIndexOf(true);
  const down = lastDown >= 0 ? [readme[lastDown]] : [step(`lab down ${t.name}`, 'the test itself: the lab goes down at the end', [])];
  const before = readme.filter((_, i) => i !== lastDown);
  // an exercise that is an action (a link taken down) leaves the lab changed; the handout says so in its words
  const changes = t.handout !== undefined && /The exercises after this one see the change/.test(t.handout);
  const recreate = changes ? [step(`lab down ${t.name} && lab up labs/${t.dir}`, 'the test itself: a fresh lab for the exercises (one of them changes it)', [])] : [];
  return { top, main: [...before, ...notes, ...walks, ...recreate, ...handout, ...down] };
}
