/** The parsed impairment of one interface (a field of ResolvedInterface): parsed and checked in runner/model/impair.ts. */
import type { SourcePos } from '../config/diagnostics.ts';

export interface Impairment {
  /** Egress rate limit in bits per second (tbf). */
  readonly rateBps?: number;
  /** tbf bucket size in bytes: as written, or DEFAULT_BURST(rate) when `burst` is omitted. */
  readonly burstBytes?: number;
  /** Loss in percent (0–100, at most three decimals). */
  readonly lossPct?: number;
  /** netem delay and jitter, in microseconds. */
  readonly delayUs?: number;
  readonly jitterUs?: number;
  /** The `impair` key. */
  readonly pos: SourcePos;
  /** Where `delay` (or `jitter`) is written: the "no netem here" error points there. */
  readonly netemPos?: SourcePos;
}
