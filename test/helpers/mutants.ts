/** The seeded checkpoint bugs (issue 14): they need a scope that takes checkpoints. */
export const CHECKPOINT_MUTANTS: readonly string[] = [
  'lead-across-truncation',
  'truncate-unexecuted',
  'noop-for-truncated',
  'install-keeps-position',
  'install-without-digest',
  'unvouched-checkpoint',
];

/**
 * Seeded mutants the exhaustive F=1 scope cannot trigger — a promise reporting a value at a
 * higher ballot than the candidate's own, a vote from an older ballot, a catch-up across a gap
 * — and that the main job's node probes catch instead (test/harness/check/score.test.ts).
 */
export const PROBE_ONLY: readonly string[] = [
  'execute-past-gap',
  'adopt-lowest-ballot',
  'adopt-first-report',
  'votes-from-any-ballot',
  'catch-up-trusts-accepted',
];

/**
 * The seeded audit and reconfiguration bugs (issue 15): they need the audit on, a corrupt
 * replica, and an operator's JOIN and QUIT requests (the simulator's `reconfig` fault).
 */
export const AUDIT_MUTANTS: readonly string[] = [
  'join-effective-immediately',
  'audit-compares-any-slot',
  'quorum-of-old-config',
  'refused-quit-executed',
];
