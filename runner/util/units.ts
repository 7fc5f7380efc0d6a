/** Durations, rates and percentages as people write them in lab files. */

/** The longest wait or duration a lab may ask for (issue 17: `within: 1e76` retried for ever). */
export const MAX_DURATION_MS = 3_600_000;

/** Why a parsed duration cannot be used (longer than MAX_DURATION_MS), or undefined. */
export function durationTooLong(ms: number): string | undefined {
  return ms > MAX_DURATION_MS ? `${Number.isFinite(ms) && ms < 1e12 ? formatLong(ms) : 'that'} is longer than nslab waits (at most 1 hour)` : undefined;
}

function formatLong(ms: number): string {
  return ms >= 60_000 ? `${+(ms / 60_000).toFixed(1)} minutes` : `${ms / 1000} s`;
}

export function parseDurationMs(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v * 1000;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return unit === 'ms' ? n : unit === 's' ? n * 1000 : n * 60_000;
}

const RATE_UNITS: Record<string, number> = {
  bit: 1,
  kbit: 1e3,
  mbit: 1e6,
  gbit: 1e9,
  tbit: 1e12,
  k: 1e3,
  m: 1e6,
  g: 1e9,
};

/**
 * Why a rate is ambiguous, or undefined. `mbps` and its kin: tc reads "mbps" as megaBYTES per second, while most
 * people who write it mean megabits; nslab takes neither reading silently (issue 18: `rate: 200 mbps` was read as
 * 200 mbit), and asks for bits (`mbit`, `Mbit/s`) or bytes (`MB/s`).
 */
export function ambiguousRate(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)bps\s*$/i.exec(v);
  if (!m) return undefined;
  const n = m[1];
  const p = m[2].toLowerCase();
  return `${JSON.stringify(v)} is ambiguous: tc reads ${p}bps as ${p ? `${{ k: 'kilo', m: 'mega', g: 'giga', t: 'tera' }[p]}` : ''}bytes per second, many people mean ${p ? `${{ k: 'kilo', m: 'mega', g: 'giga', t: 'tera' }[p]}` : ''}bits: write ${n} ${p}bit for bits per second, or ${n} ${p.toUpperCase()}B/s for bytes`;
}

const BYTE_RATE_UNITS: Record<string, number> = { b: 8, kb: 8e3, mb: 8e6, gb: 8e9, tb: 8e12 };

/** "900 mbit", "1.5 Gbit/s", "100M", "50 MB/s" (bytes, written as such) → bits per second; "20 mbps" is refused (ambiguousRate). */
export function parseRate(v: unknown): number | undefined {
  if (typeof v === 'string') {
    const bytes = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?B)\/s\s*$/.exec(v);
    if (bytes) return Number(bytes[1]) * BYTE_RATE_UNITS[bytes[2].toLowerCase()];
  }
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)?(?:\/s)?\s*$/.exec(v);
  if (!m) return undefined;
  const unit = (m[2] ?? 'bit').toLowerCase();
  const mult = RATE_UNITS[unit];
  return mult === undefined ? undefined : Number(m[1]) * mult;
}

export function formatRate(bps: number): string {
  if (bps >= 1e9) return `${(bps / 1e9).toFixed(2)} Gbit/s`;
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(1)} Mbit/s`;
  if (bps >= 1e3) return `${(bps / 1e3).toFixed(1)} kbit/s`;
  return `${bps.toFixed(0)} bit/s`;
}

/** 5, "5", "5%" → 5 (percent). */
export function parsePercent(v: unknown): number | undefined {
  if (typeof v === 'number' && v >= 0 && v <= 100) return v;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n <= 100 ? n : undefined;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)}s`;
}
