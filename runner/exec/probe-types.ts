/** What a host probe (runner/exec/probes.ts) is and says: plain data, shown by `lab doctor`. */
import type { FeatureProbe } from '../model/host-features.ts';

export type CheckKind = 'host' | 'tool' | 'kernel' | 'docker';

export interface ProbeResult {
  readonly ok: boolean;
  /** What was found (a version, a path) or, on failure, what went wrong. */
  readonly detail: string;
  /** A more precise "how to get it" than the table's fix text, when the probe knows one. */
  readonly hint?: string;
}

export interface ProbeRunResult {
  readonly ok: boolean;
  readonly out: string;
  readonly err: string;
  /** The command was not found. */
  readonly missing: boolean;
}

export interface ProbeContext {
  /** Scratch network namespace for kernel probes (`nsl-doctor.<pid>`); empty when none was made. */
  readonly ns: string;
  /** Why the scratch namespace could not be made, if it could not. */
  readonly nsError?: string;
  readonly root: boolean;
  /** Whether this kernel can load modules (then a missing feature may only be an unloaded module). */
  readonly modules: boolean;
  which(cmd: string): Which;
  run(argv: readonly string[], input?: string): Promise<ProbeRunResult>;
}

export interface Check {
  readonly name: string;
  readonly kind: CheckKind;
  /** A failed optional check is a warning (!) and does not change the exit code. */
  readonly optional: boolean;
  readonly probe: (ctx: ProbeContext) => Promise<ProbeResult>;
  /** How to get it: a Debian package to install, or why it cannot be had here. */
  readonly fix: string;
  /** The Debian package `--fix` installs when this check fails. */
  readonly pkg?: string;
  /** What nslab uses it for (shown by `lab doctor`). */
  readonly why?: string;
}

export interface CheckResult {
  readonly name: string;
  readonly kind: CheckKind;
  readonly optional: boolean;
  readonly ok: boolean;
  readonly detail: string;
  /** Present when the check failed. */
  readonly fix?: string;
  readonly pkg?: string;
  /** What nslab uses it for. */
  readonly why?: string;
}

/** What the engine gets for one feature (a kernel feature, a tool): the same shape the model checks. */
export type FeatureResult = FeatureProbe;

/** Node with type stripping on by default (22.18): the tests, the benchmark and the scripts run .ts directly. */
export const MIN_NODE = '22.18.0';
export const MIN_IPROUTE2_MAJOR = 5;
export const SCRATCH_PREFIX = 'nsl-doctor.';
export const PROBE_TIMEOUT_MS = 4000;
export const DOCKER_PING_TIMEOUT_MS = 1500;


export interface Which {
  /** Absolute path when the command is on PATH. */
  readonly path?: string;
  /** Where it is when it exists but its directory is not on PATH (e.g. /usr/sbin for a non-root PATH). */
  readonly offPath?: string;
}

