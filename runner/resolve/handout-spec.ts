/** The `handout:` section of a lab file, read with the positions of its notes (the schema checks its shape). */
import type { SourcePos } from '../config/diagnostics.ts';
import type { FlowRequest } from '../model/trace.ts';
import type { LoadedFile } from '../config/load.ts';
import { isObj } from '../util/obj.ts';

export interface HandoutNote {
  readonly step?: string;
  readonly node?: string;
  readonly test?: string;
  /** Markdown. */
  readonly text: string;
  readonly index: number;
  readonly pos: SourcePos;
}

/** A flow whose packet walk the handout shows (`handout.traces`), as the lab file writes it. */
export interface HandoutTrace {
  readonly from: string;
  readonly to: string;
  readonly port?: number;
  readonly proto?: 'icmp' | 'tcp' | 'udp';
  /** How the walk ends, as the text tells it (default delivered). */
  readonly verdict: 'delivered' | 'dropped';
  readonly title?: string;
  /** Markdown. */
  readonly text?: string;
  readonly index: number;
  readonly pos: SourcePos;
}

/** The flow a trace names, as `lab trace` (resolveFlow) and traceFlow take it. */
export function flowRequest(t: Pick<HandoutTrace, 'from' | 'to' | 'port' | 'proto'>): FlowRequest {
  return { from: t.from, to: t.to, ...(t.port !== undefined ? { port: t.port } : {}), ...(t.proto ? { proto: t.proto } : {}) };
}

export interface HandoutSpec {
  readonly title?: string;
  readonly goals: readonly string[];
  readonly intro?: string;
  readonly sections: readonly { readonly title: string; readonly text: string }[];
  readonly notes: readonly HandoutNote[];
  readonly traces: readonly HandoutTrace[];
  readonly exercises?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** The lab file's handout section; undefined when it has none. Values of the wrong type are left out (the schema reports them). */
export function readHandout(file: Pick<LoadedFile, 'data' | 'at'>): HandoutSpec | undefined {
  const raw = isObj(file.data) ? file.data.handout : undefined;
  if (!isObj(raw)) return undefined;
  const notes: HandoutNote[] = [];
  (Array.isArray(raw.notes) ? raw.notes : []).forEach((n: unknown, i: number) => {
    if (!isObj(n)) return;
    notes.push({ step: str(n.step), node: str(n.node), test: str(n.test), text: typeof n.text === 'string' ? n.text : '', index: i, pos: file.at(['handout', 'notes', i], true) });
  });
  const traces: HandoutTrace[] = [];
  (Array.isArray(raw.traces) ? raw.traces : []).forEach((t: unknown, i: number) => {
    if (!isObj(t) || !str(t.from) || !str(t.to)) return;
    const proto = t.proto === 'icmp' || t.proto === 'tcp' || t.proto === 'udp' ? t.proto : undefined;
    traces.push({
      from: String(t.from),
      to: String(t.to),
      port: typeof t.port === 'number' ? t.port : undefined,
      proto,
      verdict: t.verdict === 'dropped' ? 'dropped' : 'delivered',
      title: str(t.title),
      text: str(t.text),
      index: i,
      pos: file.at(['handout', 'traces', i], true),
    });
  });
  return {
    title: str(raw.title),
    goals: (Array.isArray(raw.goals) ? raw.goals : []).filter((g): g is string => typeof g === 'string'),
    intro: str(raw.intro),
    sections: (Array.isArray(raw.sections) ? raw.sections : []).filter(isObj).map((s) => ({ title: String(s.title ?? ''), text: typeof s.text === 'string' ? s.text : '' })),
    notes,
    traces,
    exercises: str(raw.exercises),
  };
}
