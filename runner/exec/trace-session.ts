/**
 * One kernel trace of a running lab (issue 12): the trace tables loaded in every namespace, `nft monitor trace`
 * started in each (bounded by coreutils `timeout`, so a killed `lab trace` leaves no monitor behind), one probe
 * sent, the monitors stopped and read, the tables removed (conntrack is asked afterwards: runner/exec/trace-queries.ts). One trace
 * at a time per lab (a lock file beside the lab's state); what a trace creates is recorded there, so the next
 * trace (and `lab down`, which deletes the namespaces and the state) removes what a killed one left.
 */
import { closeSync, openSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nsenterArgv } from '../plan/netns-argv.ts';
import { isAlive, NETNS_DIR } from './host.ts';
import { kill, runProcess, start, type ProcessResult, type StartedProcess } from './process.ts';
import { labDir } from './state.ts';
import { loadScript, removeScript, type TraceTableSpec } from './trace-tables.ts';

export interface TraceNamespace {
  readonly ns: string;
  /** The namespace has bridges: load the bridge table too. */
  readonly bridge: boolean;
}

export interface TraceProbe {
  readonly proto: 'icmp' | 'tcp' | 'udp';
  readonly dst: string;
  readonly port?: number;
  readonly family: 4 | 6;
}

export interface TraceSessionSpec {
  readonly lab: string;
  readonly namespaces: readonly TraceNamespace[];
  readonly sourceNs: string;
  readonly probe: TraceProbe;
  readonly tunnelPorts: readonly number[];
  /** How long to wait for the probe's answer. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface TraceSessionResult {
  /** `nft monitor trace` output by namespace. */
  readonly monitors: Map<string, string>;
  readonly probe: ProcessResult;
  readonly mark: number;
  readonly sport?: number;
  /** How long each phase took (ms). */
  readonly phases: Record<string, number>;
  /** Resolves when the trace's tables are removed (it goes on while the caller asks its questions). */
  readonly cleaned: Promise<void>;
}

/** Thrown when the trace cannot be made (another trace runs, a table does not load): `message` says why. */
export class TraceSessionError extends Error {
  readonly detail?: string;
  constructor(message: string, detail?: string) {
    super(message);
    this.name = 'TraceSessionError';
    this.detail = detail;
  }
}

interface LockRecord {
  readonly pid: number;
  readonly startedAt: string;
  readonly namespaces: readonly TraceNamespace[];
  monitors: number[];
}

const STEP_MS = 3000;
const lockPath = (lab: string): string => join(labDir(lab), 'trace.lock');
const inNs = (ns: string, argv: readonly string[]): string[] => [...nsenterArgv(ns), ...argv];

/** Remove the tables and monitors a trace recorded (a killed one's, or ours). */
async function removeDebris(rec: Pick<LockRecord, 'namespaces' | 'monitors'>): Promise<void> {
  for (const pid of rec.monitors) if (isAlive(pid) && isMonitor(pid)) kill(pid, 'SIGKILL');
  await Promise.all(rec.namespaces.map((n) => runProcess(inNs(n.ns, ['nft', '-f', '-']), { input: removeScript(n.bridge), timeoutMs: STEP_MS })));
}

function isMonitor(pid: number): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes('nft') && argv.includes('trace');
  } catch {
    return false;
  }
}

/** Take the lab's trace lock; a lock whose holder is gone is taken over after removing what it left. */
async function lock(spec: TraceSessionSpec): Promise<LockRecord> {
  const path = lockPath(spec.lab);
  const rec: LockRecord = { pid: process.pid, startedAt: new Date().toISOString(), namespaces: spec.namespaces, monitors: [] };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeFileSync(fd, JSON.stringify(rec));
      closeSync(fd);
      return rec;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new TraceSessionError(`cannot take the trace lock ${path}: ${(e as Error).message}`);
    }
    let old: LockRecord | undefined;
    try {
      old = JSON.parse(readFileSync(path, 'utf8')) as LockRecord;
    } catch {
      /* half written: its holder died at once */
    }
    if (old && old.pid !== process.pid && isAlive(old.pid)) throw new TraceSessionError(`another trace of lab ${spec.lab} is running (pid ${old.pid}); one trace at a time`);
    if (old) await removeDebris(old);
    rmSync(path, { force: true });
  }
  throw new TraceSessionError(`cannot take the trace lock ${path}`);
}

function record(spec: TraceSessionSpec, rec: LockRecord): void {
  try {
    writeFileSync(lockPath(spec.lab), JSON.stringify(rec));
  } catch {
    /* the lab went down under us */
  }
}

/** The trace-group NETLINK_NETFILTER sockets in the namespace of process `pid`, with their unread bytes (Rmem). */
function traceSockets(pid: number, ns: string): number[] | undefined {
  try {
    // until nsenter has entered the namespace, /proc/PID/net is the host's
    if (readlinkSync(`/proc/${pid}/ns/net`) !== `net:[${statSync(join(NETNS_DIR, ns)).ino}]`) return undefined;
    const lines = readFileSync(`/proc/${pid}/net/netlink`, 'utf8').split('\n').slice(1);
    // sk Eth Pid Groups Rmem …; NFNLGRP_NFTRACE is group 9: bit 8 of the Groups mask
    return lines.map((l) => l.trim().split(/\s+/)).filter((f) => f[1] === '12' && (parseInt(f[3] ?? '0', 16) & 0x100) !== 0).map((f) => Number(f[4] ?? 0));
  } catch {
    return undefined;
  }
}

/** Whether a `nft monitor trace` listens in the namespace of process `pid`. */
function monitorListening(pid: number, ns: string): boolean {
  return (traceSockets(pid, ns)?.length ?? 0) > 0;
}

/** Whether the monitor has read every trace event the kernel queued for it. */
function monitorDrained(m: Monitor): boolean {
  return m.proc.pid === undefined || m.proc.ended() || (traceSockets(m.proc.pid, m.ns) ?? []).every((rmem) => rmem === 0);
}

async function until(ok: () => boolean, ms: number, signal?: AbortSignal): Promise<boolean> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end || signal?.aborted) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

interface Monitor {
  readonly ns: string;
  readonly proc: StartedProcess;
  text: string;
  lastData: number;
  /** When this monitor first showed a drop. */
  droppedAt?: number;
}

function startMonitor(ns: string, lifetimeS: number): Monitor {
  const proc = start(inNs(ns, ['timeout', '-k', '1', String(lifetimeS), 'nft', 'monitor', 'trace']), { streamStdout: true, killGraceMs: 300 });
  const m: Monitor = { ns, proc, text: '', lastData: Date.now() };
  proc.stdout?.on('data', (d: Buffer) => {
    m.text += d.toString();
    m.lastData = Date.now();
  });
  return m;
}

const REPLY_IN = / nsl_trace inp /;
const DROP = /\(verdict drop\)|policy drop/;
/** How long after a drop the tracer waits for an answer it may cause (a REJECT's ICMP error or RST). */
const AFTER_DROP_MS = 150;

/**
 * Whether the probe need not wait any longer: an answer reached its namespace (a UDP probe waits for more
 * otherwise), or a rule dropped the probe a moment ago and no answer came.
 */
function answered(monitors: readonly Monitor[], sourceNs: string): boolean {
  const src = monitors.find((m) => m.ns === sourceNs);
  if (src && REPLY_IN.test(src.text)) return true;
  const drop = monitors.find((m) => DROP.test(m.text));
  if (!drop) return false;
  drop.droppedAt ??= Date.now();
  return Date.now() - drop.droppedAt > AFTER_DROP_MS;
}

function probeArgv(p: TraceProbe, sport: number | undefined, waitS: number): { argv: string[]; input?: string } {
  const host = p.family === 6 ? `[${p.dst}]` : p.dst;
  if (p.proto === 'icmp') return { argv: ['ping', ...(p.family === 6 ? ['-6'] : []), '-n', '-c', '1', '-W', String(waitS), '-Q', '0xac', p.dst] };
  const v = p.family === 6 ? '6' : '4';
  if (p.proto === 'tcp') return { argv: ['socat', '-u', 'OPEN:/dev/null', `TCP${v}:${host}:${p.port},sourceport=${sport},connect-timeout=${waitS}`] };
  return { argv: ['socat', '-t', '0.3', '-T', String(waitS), '-', `UDP${v}:${host}:${p.port},sourceport=${sport}`], input: 'nslab trace\n' };
}

/** The traces of each lab running in this process: one waits for the one before (they share the table's name). */
const queue = new Map<string, Promise<unknown>>();

/**
 * Run a trace: everything it loaded or started is gone when it returns or throws (also on SIGINT/SIGTERM). Traces
 * of one lab in this process take turns; a trace of it in another process makes this one fail.
 */
export async function runTraceSession(spec: TraceSessionSpec): Promise<TraceSessionResult> {
  const before = queue.get(spec.lab) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(() => runOne(spec));
  const tail = mine.then((r) => r.cleaned).catch(() => undefined);
  queue.set(spec.lab, tail);
  void tail.then(() => {
    if (queue.get(spec.lab) === tail) queue.delete(spec.lab);
  });
  return mine;
}

/** Everything one trace has going: its mark, the probe's source port, its monitors. */
interface Trace {
  readonly spec: TraceSessionSpec;
  readonly mark: number;
  readonly sport?: number;
  readonly monitors: Monitor[];
  readonly abort: AbortController;
}

/**
 * Start the monitors and load the tables side by side: both must be in place before the probe. (A monitor reads
 * the rule set once, when it starts: the tracer's own rules show as `unknown rule handle N`, the lab's by their text.)
 */
async function setUp(t: Trace, rec: LockRecord): Promise<void> {
  const { spec, abort } = t;
  // a monitor outlives a killed `lab trace` by a few seconds at most
  const lifetimeS = Math.ceil((spec.timeoutMs + 2 * STEP_MS) / 1000);
  for (const n of spec.namespaces) t.monitors.push(startMonitor(n.ns, lifetimeS));
  rec.monitors = t.monitors.map((m) => m.proc.pid).filter((p): p is number => p !== undefined);
  record(spec, rec);
  const tagged = (ns: string): TraceTableSpec['tag'] => (ns === spec.sourceNs && t.sport !== undefined && spec.probe.proto !== 'icmp' ? { proto: spec.probe.proto, sport: t.sport } : undefined);
  const [loads, ready] = await Promise.all([
    Promise.all(
      spec.namespaces.map((n) => {
        const tag = tagged(n.ns);
        return runProcess(inNs(n.ns, ['nft', '-f', '-']), { input: loadScript({ mark: t.mark, tunnelPorts: spec.tunnelPorts, ...(tag ? { tag } : {}) }, n.bridge), timeoutMs: STEP_MS, signal: abort.signal });
      }),
    ),
    until(() => t.monitors.every((m) => m.proc.pid !== undefined && !m.proc.ended() && monitorListening(m.proc.pid, m.ns)), STEP_MS, abort.signal),
  ]);
  const bad = loads.find((r) => r.exitCode !== 0);
  if (bad) throw new TraceSessionError(`could not load the trace table: ${bad.stderr.trim().split('\n')[0] || `exit ${bad.exitCode}`}`, bad.stderr);
  if (!ready) {
    const dead = t.monitors.find((m) => m.proc.ended());
    const why = dead ? (await dead.proc.done).stderr.trim() : '';
    throw new TraceSessionError(abort.signal.aborted ? 'the trace was cancelled' : `nft monitor trace did not start${why ? `: ${why}` : ''}`, why);
  }
}

/** Send the probe; stop it once answered (or a moment after a drop); then let the monitors read and print everything. */
async function probeAndDrain(t: Trace): Promise<ProcessResult> {
  const { spec, abort, monitors } = t;
  const waitS = Math.max(1, Math.ceil(spec.timeoutMs / 1000));
  const { argv, input } = probeArgv(spec.probe, t.sport, waitS);
  const sent = start(inNs(spec.sourceNs, argv), { ...(input ? { input } : {}), timeoutMs: spec.timeoutMs + 500, killGraceMs: 200, signal: abort.signal });
  await until(() => sent.ended() || answered(monitors, spec.sourceNs), spec.timeoutMs + 1000, abort.signal);
  const probe = sent.ended() ? await sent.done : await sent.stop(200);
  // every event of the probe is queued by now: wait until each monitor has read its queue, then until none has
  // printed anything for a moment
  await until(() => monitors.every(monitorDrained), 1000, abort.signal);
  await until(() => Date.now() - Math.max(...monitors.map((m) => m.lastData)) > 30, 400, abort.signal);
  await Promise.all(monitors.map((m) => m.proc.stop(300)));
  return probe;
}

async function runOne(spec: TraceSessionSpec): Promise<TraceSessionResult> {
  const rec = await lock(spec);
  const t: Trace = {
    spec,
    mark: 0x5e000000 + Math.floor(Math.random() * 0xffffff),
    ...(spec.probe.proto === 'icmp' ? {} : { sport: 20000 + Math.floor(Math.random() * 20000) }),
    monitors: [],
    abort: new AbortController(),
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  let cleaned: Promise<void> | undefined;
  const cleanup = (): Promise<void> => (cleaned ??= (async () => {
    await Promise.all(t.monitors.map((m) => m.proc.stop(300)));
    await removeDebris({ namespaces: spec.namespaces, monitors: [] });
    rmSync(lockPath(spec.lab), { force: true });
  })());
  // Ctrl-C or a kill: remove what the trace made, then end as the signal would have
  const onSignal = (sig: NodeJS.Signals): void => {
    t.abort.abort();
    void cleanup().finally(() => {
      for (const s of signals) process.removeListener(s, onSignal);
      process.kill(process.pid, sig);
    });
  };
  for (const s of signals) process.once(s, onSignal);
  const forward = (): void => t.abort.abort();
  spec.signal?.addEventListener('abort', forward, { once: true });
  const phases: Record<string, number> = {};
  let at = performance.now();
  const phase = (name: string): void => {
    const now = performance.now();
    phases[name] = Math.round(now - at);
    at = now;
  };
  try {
    await setUp(t, rec);
    phase('setup');
    const probe = await probeAndDrain(t);
    phase('probe');
    const monitors = new Map(t.monitors.map((m) => [m.ns, m.text]));
    return { monitors, probe, mark: t.mark, ...(t.sport !== undefined ? { sport: t.sport } : {}), phases, cleaned: cleanup() };
  } catch (e) {
    await cleanup();
    throw e;
  } finally {
    spec.signal?.removeEventListener('abort', forward);
    void cleanup().finally(() => {
      for (const s of signals) process.removeListener(s, onSignal);
    });
  }
}
