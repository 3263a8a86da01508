/**
 * How check results read: one line for a valid trace; for an invalid one the event no candidate
 * could take (file:line, node, action) and why, for the closest candidate — the conjunct, what
 * the spec expects and what the trace shows.
 */
import type { CheckResult } from './checker.js';

export function formatResult(r: CheckResult): string {
  const files = r.files.join(' + ');
  const rate = r.elapsedMs > 0 ? Math.round((r.events / r.elapsedMs) * 1000) : r.events;
  const stats = `${r.events.toLocaleString('en-US')} events (observe ${r.observe}, ${r.clock} clocks), ${r.maxCandidates} candidate${r.maxCandidates === 1 ? '' : 's'} at most, ${(r.elapsedMs / 1000).toFixed(2)} s, ${rate.toLocaleString('en-US')} events/s`;
  const f = r.failure;
  const warnings = r.warnings.map((w) => `  warning: ${w}\n`).join('');
  if (f === null) return `valid: ${files} — ${stats}\n${warnings}`;
  const head =
    f.invariant !== undefined
      ? `invalid: ${f.file}:${f.line}: ${f.node} ${f.action} — invariant ${f.invariant} is violated`
      : `${r.verdict === 'inconclusive' ? 'inconclusive' : 'invalid'}: ${f.file}:${f.line}: ${f.node} ${f.action} — no candidate state of the spec can take this event`;
  const lines = [
    head,
    `  ${f.candidates === 1 ? 'the candidate' : `closest of ${f.candidates} candidates`}: ${f.conjunct}`,
    `    expected: ${f.expected}`,
    `    seen:     ${f.seen}`,
  ];
  if (r.verdict === 'inconclusive')
    lines.push(
      `  the candidate bound was hit earlier (--max-candidates): a state that allows this event may have been dropped`,
    );
  lines.push(`  (${stats})`);
  return lines.join('\n') + '\n' + warnings;
}
