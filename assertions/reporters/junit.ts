/** JUnit XML, as CI systems read it: one testsuite (the lab), one testcase per test. */
import type { TestResult } from '../runner.ts';
import { explanationText } from '../explain.ts';
import { counts, secs, where, type ReportMeta } from './meta.ts';

// characters XML 1.0 does not allow at all, even escaped
// eslint-disable-next-line no-control-regex
const INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlText(s: string): string {
  return s.replace(INVALID, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

/** xs:dateTime without a zone, as the common JUnit schema wants (the time is UTC). */
function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, '');
}

function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function body(r: TestResult): string {
  const o = r.outcome;
  const why = r.explanation ? explanationText(r.explanation) : '';
  return [`expected: ${o.expected}`, `seen: ${o.seen}`, o.command && `command: ${o.command}`, `at: ${where(r)}`, r.attempts > 1 ? `attempts: ${r.attempts}` : '', why]
    .filter(Boolean)
    .join('\n');
}

/** A testcase that is not one of the lab's tests: `lab up` or `lab down` of a run over many labs. */
export interface ExtraCase {
  readonly name: string;
  readonly ok: boolean;
  /** One line: the failure's message attribute. */
  readonly message?: string;
  /** The whole story: the failure's body. */
  readonly body?: string;
  readonly type?: string;
  readonly durationMs?: number;
}

export interface SuiteExtras {
  /** Properties after lab.file, before the measurements. */
  readonly properties?: readonly (readonly [string, string])[];
  /** Testcases before the lab's tests (lab up). */
  readonly before?: readonly ExtraCase[];
  /** Testcases after the lab's tests (lab down). */
  readonly after?: readonly ExtraCase[];
}

function extraCase(c: ExtraCase, lab: string, file: string | undefined): string[] {
  const head = `    <testcase${attrs({ name: c.name, classname: lab, time: secs(c.durationMs ?? 0), file })}`;
  if (c.ok) return [`${head}/>`];
  const message = clip((c.message ?? c.body ?? 'failed').split('\n')[0], 1000);
  return [`${head}>`, `      <failure${attrs({ message, type: c.type ?? c.name })}>${xmlText(c.body ?? message)}</failure>`, '    </testcase>'];
}

/** One lab's `<testsuite>`, indented for a place under `<testsuites>`, and what it counts. */
export function junitSuite(results: readonly TestResult[], meta: ReportMeta, extras: SuiteExtras = {}): { lines: string[]; tests: number; failures: number } {
  const c = counts(results);
  const extra = [...(extras.before ?? []), ...(extras.after ?? [])];
  const tests = c.total + extra.length;
  const failures = c.failed + extra.filter((e) => !e.ok).length;
  const time = secs(meta.durationMs);
  const out: string[] = [];
  out.push(`  <testsuite${attrs({ name: meta.lab, tests, failures, errors: 0, skipped: c.skipped, time, timestamp: timestamp(meta.started), file: meta.file })}>`);
  const props = results.filter((r) => r.outcome.measurement !== undefined);
  const converged = results.filter((r) => r.outcome.convergeMs !== undefined);
  const more = extras.properties ?? [];
  if (meta.file !== undefined || props.length || converged.length || more.length) {
    out.push('    <properties>');
    if (meta.file !== undefined) out.push(`      <property${attrs({ name: 'lab.file', value: meta.file })}/>`);
    for (const [name, value] of more) out.push(`      <property${attrs({ name, value })}/>`);
    for (const r of props) out.push(`      <property${attrs({ name: `measurement.${r.test.name}`, value: Math.round(r.outcome.measurement!) })}/>`);
    for (const r of converged) out.push(`      <property${attrs({ name: `convergeMs.${r.test.name}`, value: r.outcome.convergeMs! })}/>`);
    out.push('    </properties>');
  }
  for (const e of extras.before ?? []) out.push(...extraCase(e, meta.lab, meta.file));
  for (const r of results) {
    const head = `    <testcase${attrs({ name: r.test.name, classname: meta.lab, time: secs(r.durationMs), file: r.test.pos.file, line: r.test.pos.line })}`;
    const o = r.outcome;
    const inner: string[] = [];
    if (r.skipped !== undefined) inner.push(`      <skipped${attrs({ message: clip(r.skipped, 1000) })}/>`);
    else if (!r.ok) {
      const why = r.explanation?.verdict ?? r.explanation?.note;
      const message = clip(`expected ${o.expected}; saw ${o.seen}${o.note ? ` (${o.note})` : ''}${why ? `; why: ${why}` : ''}`, 1000);
      inner.push(`      <failure${attrs({ message, type: r.test.type })}>${xmlText(body(r))}</failure>`);
    } else {
      const measured = `${o.measurement !== undefined ? `measurement: ${Math.round(o.measurement)} bit/s\n` : ''}${o.convergeMs !== undefined ? `converged in: ${o.convergeMs} ms\n` : ''}`;
      inner.push(`      <system-out>${xmlText(`seen: ${o.seen}\n${o.note ? `note: ${o.note}\n` : ''}${measured}${o.command ? `command: ${o.command}` : ''}`)}</system-out>`);
    }
    out.push(`${head}>`, ...inner, '    </testcase>');
  }
  for (const e of extras.after ?? []) out.push(...extraCase(e, meta.lab, meta.file));
  out.push('  </testsuite>');
  return { lines: out, tests, failures };
}

/** `<testsuites>` around suites made by junitSuite. */
export function junitDocument(name: string, suites: readonly { lines: string[]; tests: number; failures: number }[], started: Date, durationMs: number): string {
  const tests = suites.reduce((n, s) => n + s.tests, 0);
  const failures = suites.reduce((n, s) => n + s.failures, 0);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites${attrs({ name, tests, failures, errors: 0, time: secs(durationMs), timestamp: timestamp(started) })}>`);
  for (const s of suites) out.push(...s.lines);
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

export function junitReport(results: readonly TestResult[], meta: ReportMeta): string {
  return junitDocument(meta.lab, [junitSuite(results, meta)], meta.started, meta.durationMs);
}
