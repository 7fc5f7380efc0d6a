/** Exit codes of `lab`, documented in the README; a LabError carries one, so they sit with it in the base layer. */
export const EXIT = {
  ok: 0,
  testsFailed: 1,
  invalidLab: 2,
  execFailed: 3,
  environment: 4,
  /** Every test that ran passed, but some were skipped: they need nodes that are not up (part of a lab, issue 15.4). */
  testsSkipped: 5,
  usage: 64,
} as const;
