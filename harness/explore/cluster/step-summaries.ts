/**
 * Node step summaries, one per memoised step result: what the explorer's hot paths need to know
 * of a node step without walking its effects again.
 */
import type { ClientState } from '../../../src/core/client.js';
import type { ReplicaState } from '../../../src/core/replica/state.js';
import type { StepResult } from '../../../src/core/types.js';
import { checkDurable, checkPersistOrder } from '../../model/invariants.js';
import type { ReplicaNode } from '../../model/world.js';
import type { KeyedPacket, WorldEncoder } from './encode.js';

/** What a node step does to the world besides the node's own state and the ghost. */
export interface StepSummary {
  /** False when the node step itself exposes a violation (Durability, persist order). */
  readonly clean: boolean;
  /** The packets it sends, with their identities (sender, receiver, message). */
  readonly sends: readonly KeyedPacket[];
  /** What its last Persist wrote, if any. */
  readonly persisted: ReplicaNode['disk'] | undefined;
  /** Candidacies it started (the scope's election counter). */
  readonly phase1a: number;
}

/**
 * Node step summaries, one per memoised step result (one object per node state and input): the
 * packets a step sends with their identities, computed once for the explorer's hot paths.
 */
export class StepSummaries {
  private readonly summaries = new WeakMap<StepResult<unknown>, StepSummary>();

  constructor(private readonly encoder: WorldEncoder) {}

  /** `before`: the replica's state before the step (undefined for a client). */
  of(
    before: ReplicaState | undefined,
    result: StepResult<ReplicaState> | StepResult<ClientState>,
  ): StepSummary {
    let summary = this.summaries.get(result);
    if (summary === undefined) {
      summary = this.summarise(before, result);
      this.summaries.set(result, summary);
    }
    return summary;
  }

  private summarise(
    before: ReplicaState | undefined,
    result: StepResult<ReplicaState> | StepResult<ClientState>,
  ): StepSummary {
    const id = result.state.id;
    let clean = true;
    if (before !== undefined) {
      const after = (result as StepResult<ReplicaState>).state;
      clean =
        checkDurable(id, before.durable, after.durable).length === 0 &&
        checkPersistOrder(id, result.effects).length === 0;
    }
    const sends: KeyedPacket[] = [];
    let persisted: ReplicaNode['disk'] | undefined;
    let phase1a = 0;
    for (const e of result.effects) {
      if (e.kind === 'Send' || e.kind === 'Reply') {
        sends.push(this.encoder.keyed({ id: 0, from: id, to: e.to, msg: e.msg }));
      } else if (e.kind === 'Persist') persisted = e.durable;
      else if (e.kind === 'Trace' && e.event.action === 'Phase1a') phase1a++;
    }
    return { clean, sends, persisted, phase1a };
  }
}
