import { traceExitCode, traceLab } from '../../lab/trace-lab.ts';
import type { FlowRequest, TraceProto } from '../../model/trace.ts';
import { renderTraceText } from '../../trace/render-text.ts';
import { reportToMermaid } from '../../trace/render-mermaid.ts';
import { UsageError, type Args } from '../args.ts';
import { interruptible } from '../lab-ui.ts';
import { showDiagnostics, stdoutColor } from '../output.ts';

const FORMATS = ['text', 'mermaid'] as const;

export interface TraceArgs {
  readonly lab?: string;
  readonly req: FlowRequest;
  readonly predict: boolean;
  readonly output: 'text' | 'mermaid' | 'json';
}

/** `[LAB] FROM TO [--port N] [--proto P] [--predict] [--json] [--format text|mermaid]` → what to trace and how to print it. */
/** `[LAB] FROM TO [--port N] [--proto P]` of `lab trace` and `lab graph --trace`: the lab (if named) and the flow. */
export function flowArgs(a: Args, command: 'trace' | 'graph'): { lab?: string; req: FlowRequest } {
  const p = a.positionals;
  const usage = `lab ${command}${command === 'graph' ? ' --trace' : ''} [LAB] FROM TO`;
  if (p.length < 2 || p.length > 3) throw new UsageError(p.length < 2 ? `name where the packet starts and where it goes: ${usage}` : `${usage.split(' [')[0]} takes [LAB] FROM TO, and got ${p.length} words: ${p.join(' ')}`, command);
  const [lab, from, to] = p.length === 3 ? p : [undefined, ...p];
  const portText = a.options.get('port');
  if (portText !== undefined && !/^\d+$/.test(portText)) throw new UsageError(`--port must be a port number (1 to 65535), not ${JSON.stringify(portText)}`, command);
  const proto = a.options.get('proto') as TraceProto | undefined;
  return { lab, req: { from: from!, to: to!, ...(proto !== undefined ? { proto } : {}), ...(portText !== undefined ? { port: Number(portText) } : {}) } };
}

export function traceArgs(a: Args): TraceArgs {
  const { lab, req } = flowArgs(a, 'trace');
  const format = a.options.get('format');
  if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not ${JSON.stringify(format)}`, 'trace');
  if (format !== undefined && a.flags.has('json')) throw new UsageError('--json and --format: choose one (--json prints the whole report as data)', 'trace');
  return { lab, req, predict: a.flags.has('predict'), output: a.flags.has('json') ? 'json' : ((format as 'text' | 'mermaid' | undefined) ?? 'text') };
}

/**
 * lab trace [LAB] FROM TO: one probe traced through the running lab's kernel beside the model's prediction (or,
 * with --predict, the prediction alone). Exit 0: delivered, back, and kernel and model agree; 1: dropped or differ.
 */
export async function traceCmd(a: Args): Promise<number> {
  const t = traceArgs(a);
  const { signal, stop } = interruptible({ once: true });
  try {
    const { report, warnings, sources } = await traceLab(t.lab, t.req, { predictOnly: t.predict, signal });
    showDiagnostics(warnings, sources);
    const text = t.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : t.output === 'mermaid' ? reportToMermaid(report) : renderTraceText(report, { color: stdoutColor() });
    process.stdout.write(text);
    return traceExitCode(report);
  } finally {
    stop();
  }
}
