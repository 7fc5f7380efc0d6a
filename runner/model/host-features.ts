/** What the host probes (runner/exec/probes.ts) found, as data the model and the compiler read: never a probe here. */

/** What a host probe found out about one feature. */
export interface FeatureProbe {
  readonly ok: boolean;
  /** What was found or, on failure, what went wrong; `not tested: …` when the probe could not tell (not root). */
  readonly detail: string;
  /** How to get it, when it is missing. */
  readonly hint?: string;
}

/** Probe answers by feature name (the probe names of runner/exec/probes.ts: netem, vxlan, ipvs, …). */
export type HostFeatures = ReadonlyMap<string, FeatureProbe>;

/** The probe could not try (not root, no scratch namespace): nothing is known either way. */
export const untested = (p: FeatureProbe): boolean => /^not tested/.test(p.detail);
