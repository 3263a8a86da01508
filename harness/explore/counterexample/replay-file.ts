/**
 * `smr replay FILE`: re-execute a counterexample step by step against the model it was found
 * in (rebuilt from the file), checking every invariant after every step, as the explorer did.
 */
import { describeIoError } from '../../../src/files.js';
import { readFileSync } from 'node:fs';
import type { Violation } from '../../../src/spec/violation.js';
import { replayChoices } from '../bfs.js';
import { replay } from '../cluster/replay.js';
import { buildClusterProtocol, buildProtocol } from '../model-spec.js';
import { checkScope, type ClusterScope } from '../cluster/scope.js';
import { REPLAY_FORMAT, REPLAY_VERSION, type ReplayFile } from './files.js';
import { renderClusterPage } from './html.js';
import { renderSpecPage } from './spec-page.js';

/** The file is unreadable or not a replay file (bad input, exit 2). */
export class ReplayFileError extends Error {
  override readonly name = 'ReplayFileError';
}

export function readReplayFile(path: string): ReplayFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ReplayFileError(`${path}: cannot read: ${describeIoError(e)}`);
  }
  let file: Partial<ReplayFile>;
  try {
    file = JSON.parse(text) as Partial<ReplayFile>;
  } catch {
    throw new ReplayFileError(`${path}: not JSON`);
  }
  if (
    typeof file !== 'object' ||
    file === null ||
    Array.isArray(file) ||
    file.format !== REPLAY_FORMAT
  )
    throw new ReplayFileError(`${path}: not an smr replay file`);
  if (file.version !== REPLAY_VERSION)
    throw new ReplayFileError(
      `${path}: replay file version ${String(file.version)}, expected ${REPLAY_VERSION}`,
    );
  if (typeof file.spec !== 'object' || file.spec === null)
    throw new ReplayFileError(`${path}: no model`);
  if (file.spec.model === 'core' ? !Array.isArray(file.steps) : !Array.isArray(file.choices))
    throw new ReplayFileError(`${path}: no steps`);
  if (file.spec.model === 'core') {
    const scope = (file.spec as { scope?: unknown }).scope;
    if (typeof scope !== 'object' || scope === null)
      throw new ReplayFileError(`${path}: spec.scope is not an object`);
    const problem = checkScope(scope as ClusterScope);
    if (problem !== null) throw new ReplayFileError(`${path}: spec.scope: ${problem}`);
    (file.steps ?? []).forEach((step, i) => {
      const why = stepProblem(step);
      if (why !== null) throw new ReplayFileError(`${path}: steps[${i}]: ${why}`);
    });
  } else if (!(file.choices ?? []).every((c) => Number.isSafeInteger(c) && c >= 0))
    throw new ReplayFileError(`${path}: choices must be integers ≥ 0`);
  return file as ReplayFile;
}

/** Why a step of a core replay file is not one the cluster can take, or null. */
function stepProblem(step: unknown): string | null {
  if (typeof step !== 'object' || step === null) return 'not an object';
  const s = step as Record<string, unknown>;
  const text = (k: string) => typeof s[k] === 'string' && s[k] !== '';
  switch (s['kind']) {
    case 'Deliver':
    case 'Drop':
    case 'Duplicate':
      return text('from') && text('to') && typeof s['msg'] === 'object' && s['msg'] !== null
        ? null
        : `${s['kind']} needs "from", "to" and "msg"`;
    case 'Tick':
      return text('node') ? null : 'Tick needs "node"';
    case 'Crash':
    case 'Restart':
    case 'Corrupt':
      return text('replica') ? null : `${s['kind']} needs "replica"`;
    case 'Submit':
      return text('client') && 'op' in s ? null : 'Submit needs "client" and "op"';
    default:
      return `unknown kind ${JSON.stringify(s['kind'] ?? null)} (expected Deliver, Drop, Duplicate, Tick, Crash, Restart, Corrupt or Submit)`;
  }
}

export interface ReplayOutcome {
  /** One line per step: label, then what the nodes did. */
  readonly lines: readonly string[];
  readonly violation: (Violation & { readonly step: number }) | null;
  /** A step the model could not take (the file does not fit the model). */
  readonly infeasible: number | null;
}

export async function replayFile(file: ReplayFile): Promise<ReplayOutcome> {
  if (file.spec.model === 'core') {
    const run = replay(await buildClusterProtocol(file.spec), file.steps ?? []);
    const lines = run.steps.map((s, i) => {
      const sent = s.t.sent.length > 0 ? ` (sent ${s.t.sent.length})` : '';
      return `${String(i + 1).padStart(3)}. ${s.label}${sent}`;
    });
    return {
      lines,
      violation:
        run.violation === null
          ? null
          : { ...run.violation.violation, step: run.violation.index + 1 },
      infeasible: run.infeasible === null ? null : run.infeasible + 1,
    };
  }
  const protocol = await buildProtocol(file.spec);
  const choices = file.choices ?? [];
  let world = protocol.initialStates()[choices[0] as number];
  const lines: string[] = [];
  if (world === undefined) return { lines, violation: null, infeasible: 0 };
  const first = protocol.check(world)[0];
  if (first !== undefined) return { lines, violation: { ...first, step: 0 }, infeasible: null };
  for (let i = 1; i < choices.length; i++) {
    const action = protocol.actions(world)[choices[i] as number];
    if (action === undefined) return { lines, violation: null, infeasible: i };
    lines.push(`${String(i).padStart(3)}. ${protocol.describe(action)}`);
    const succ = protocol.step(world, action);
    world = succ.world;
    const bad = succ.violations[0] ?? protocol.check(world)[0];
    if (bad !== undefined) return { lines, violation: { ...bad, step: i }, infeasible: null };
  }
  void replayChoices;
  return { lines, violation: null, infeasible: null };
}

/**
 * The page of a replayed counterexample (`smr replay --html`): the same page `smr explore`
 * wrote for it, or for a run that no longer violates anything, the run as far as it went.
 */
export async function replayPage(file: ReplayFile): Promise<string> {
  if (file.spec.model === 'core') {
    const protocol = await buildClusterProtocol(file.spec);
    return renderClusterPage(protocol, replay(protocol, file.steps ?? []), 'smr replay');
  }
  const protocol = await buildProtocol(file.spec);
  return renderSpecPage(file.spec.constants, protocol, file.choices ?? [], file.violation);
}
