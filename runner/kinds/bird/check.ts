/**
 * kind: bird — let BIRD itself parse a generated bird.conf (`bird -p -c FILE`: parse and exit) and turn what it
 * rejects into diagnostics at the lab-file line behind the offending bird.conf line.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { error, warning, type Diagnostic, type SourcePos } from '../../config/diagnostics.ts';
import { runProcess } from '../../exec/process.ts';

export interface CheckBirdOptions {
  /** The node, for messages. */
  readonly node?: string;
  /** Where a message without a usable line points (the node's key). */
  readonly fallback?: SourcePos;
  /** The bird binary (default: `bird` on PATH). */
  readonly bird?: string;
  /** Severity when bird is not installed (default error: a netns-runtime router cannot run without it). */
  readonly missing?: 'error' | 'warning';
}

/** `bird: /tmp/x/bird.conf:12:5 syntax error, unexpected …` → line, column, message. */
export function parseBirdError(stderr: string): { line?: number; col?: number; message: string } | undefined {
  const text = stderr.trim();
  if (!text) return undefined;
  const m = /^bird: .*?:(\d+):(\d+):? (.*)$/m.exec(text);
  if (m) return { line: Number(m[1]), col: Number(m[2]), message: m[3].trim() };
  return { message: text.split('\n')[0].replace(/^bird: /, '') };
}

const MANUAL = 'https://bird.network.cz/?get_doc&f=bird.html&v=20';

export const INSTALL_HINT = 'install it with `apt-get install bird2` (Debian/Ubuntu), or run `lab doctor --fix`';

export async function checkBirdConfig(text: string, sources: readonly (SourcePos | undefined)[], opts: CheckBirdOptions = {}): Promise<Diagnostic[]> {
  const who = opts.node ? ` of ${opts.node}` : '';
  const dir = await mkdtemp(join(tmpdir(), 'nslab-bird-'));
  try {
    const file = join(dir, 'bird.conf');
    await writeFile(file, text);
    const r = await runProcess([opts.bird ?? 'bird', '-p', '-c', file], { timeoutMs: 10_000, env: { LC_ALL: 'C' } });
    if (r.spawnError === 'ENOENT') {
      const make = opts.missing === 'warning' ? warning : error;
      return [make('bird.not-installed', `bird is not installed on this machine: the BIRD configuration${who} cannot be checked`, opts.fallback, INSTALL_HINT)];
    }
    if (r.exitCode === 0) return [];
    const e = parseBirdError(r.stderr) ?? { message: `bird -p failed (exit code ${r.exitCode})` };
    const lines = text.split('\n');
    const pos = (e.line !== undefined ? sources[e.line - 1] : undefined) ?? opts.fallback;
    const shown = e.line !== undefined ? lines[e.line - 1] : undefined;
    const hint =
      shown !== undefined
        ? `the generated bird.conf has at line ${e.line}${e.col !== undefined ? `, column ${e.col}` : ''}: ${JSON.stringify(shown.trim())} (BIRD 2 manual: ${MANUAL})`
        : `BIRD 2 manual: ${MANUAL}`;
    const token = shown !== undefined && e.col !== undefined ? /^[^\s;{}()]+/.exec(shown.slice(e.col - 1))?.[0] : undefined;
    const unknownWord = token !== undefined && /unexpected CF_SYM_UNDEFINED/.test(e.message);
    const message = unknownWord ? `syntax error: BIRD does not know the word ${JSON.stringify(token)} here` : `${e.message}${token ? ` (at ${JSON.stringify(token)})` : ''}`;
    return [error('bird.config', `BIRD rejects the configuration${who}: ${message}`, pos, hint)];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
