/** Report files named on the command line (--output): checked before anything runs, written with one clear error. */
import { accessSync, constants, existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LabError } from '../config/diagnostics.ts';
import { EXIT } from './exit-codes.ts';

/**
 * Can a report be written to `out`? Checked before anything runs, so a typo in --output does not cost a whole
 * run: its directory must exist and be writable, and the file, if it exists, must be a writable file.
 * Throws a LabError (exit 4) naming what is wrong.
 */
export function checkWritable(out: string, what = 'report'): void {
  const file = resolve(out);
  const dir = dirname(file);
  const fail = (why: string): never => {
    throw new LabError([{ severity: 'error', code: 'report.write', message: `cannot write the ${what} to ${out}: ${why}`, hint: 'choose a directory that exists and is writable' }], EXIT.environment);
  };
  if (!existsSync(dir)) fail(`the directory ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) fail(`${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    fail(`the directory ${dir} is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (existsSync(file)) {
    if (statSync(file).isDirectory()) fail('it is a directory');
    try {
      accessSync(file, constants.W_OK);
    } catch (e) {
      fail(`the file is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
}

/** Write a report file; a LabError (exit 4) when that fails after all. */
export function writeReportFile(out: string, text: string, what = 'report'): void {
  try {
    writeFileSync(out, text);
  } catch (e) {
    throw new LabError([{ severity: 'error', code: 'report.write', message: `cannot write the ${what} to ${out}: ${(e as Error).message}`, hint: 'choose a directory that exists and is writable' }], EXIT.environment);
  }
}
