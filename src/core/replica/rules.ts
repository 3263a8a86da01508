import { ballotEquals, compareBallots } from '../ballot.js';
import { isMajority } from '../quorum.js';
import type {
  AcceptedEntry,
  AcceptedValue,
  Ballot,
  Command,
  DurableState,
  ReplicaId,
  RequestMsg,
  Slot,
} from '../types.js';
import { keepsFPlusOne, membersAt, reconfigRequestOf, type Membership } from '../membership.js';
import type { AuditRound, PromiseReport, Session } from './state.js';

/**
 * The protocol's decision points, as one table (STYLE.md §4). The reference reducer uses
 * `REFERENCE_RULES`; a mutant (harness/mutants) is the same reducer with one rule replaced by a
 * classic mistake, so every invariant can be shown to catch a real bug.
 */
export interface ReplicaRules {
  /** The order on ballots. */
  readonly compareBallots: (a: Ballot, b: Ballot) => number;
  /** May an acceptor that promised `promised` take part in `ballot` (phase 1b or 2b)? */
  readonly admits: (
    promised: Ballot,
    ballot: Ballot,
    compare: (a: Ballot, b: Ballot) => number,
  ) => boolean;
  /** Do these voters form a quorum of the configuration? */
  readonly isQuorum: (voters: Iterable<ReplicaId>, config: readonly ReplicaId[]) => boolean;
  /** Does an Accepted vote at `voteBallot` count for the leader's proposal at `leaderBallot`? */
  readonly countsVote: (leaderBallot: Ballot, voteBallot: Ballot) => boolean;
  /**
   * The command a new leader proposes in `slot`, from the phase-1b reports of a quorum
   * (Paxos Made Simple §2.2, P2c): the value of the highest-ballot report, or a no-op.
   */
  readonly adopt: (
    slot: Slot,
    reports: readonly AcceptedEntry[],
    compare: (a: Ballot, b: Ballot) => number,
  ) => Command;
  /** What survives a restart: exactly the persisted state. */
  readonly recover: (durable: DurableState) => DurableState;
  /** Is the request `seq` of a client with this session already executed (exactly-once)? */
  readonly isDuplicate: (session: Session | undefined, seq: number) => boolean;
  /** The command this replica may execute at `slot` now: only a chosen one. */
  readonly executable: (durable: DurableState, slot: Slot) => Command | undefined;
  /**
   * What a catch-up reply may hand a lagging peer for `slot`: only what is known chosen. A slot
   * the checkpoint covers has no entry: the peer gets the checkpoint instead (state transfer).
   */
  readonly catchUpEntry: (durable: DurableState, slot: Slot) => Command | undefined;
  /**
   * May a candidate lead with these promises and this chosen prefix? Only if it knows chosen
   * every slot an acceptor truncated (it reported nothing for those).
   */
  readonly mayLead: (reports: Iterable<PromiseReport>, prefix: Slot) => boolean;
  /** Is a checkpoint that `vouchers` replicas hold (its own included) stable: F+1 of them? */
  readonly checkpointStable: (vouchers: number, replicas: number) => boolean;
  /** The slot below which a replica with a stable checkpoint at `checkpoint` truncates its log. */
  readonly truncationPoint: (checkpoint: Slot, durable: DurableState) => Slot;
  /** Is an assembled state transfer the checkpoint it claims to be (its digest is the one sent)? */
  readonly acceptsTransfer: (assembled: string, advertised: string) => boolean;
  /** Where execution resumes after installing a checkpoint at `checkpoint` (was `executed`). */
  readonly resumeAfterInstall: (checkpoint: Slot, executed: Slot) => Slot;
  /**
   * The command a leader proposes for a client's request: that request, unchanged; an
   * operator's (or a faulty replica's own) JOIN/QUIT request becomes that command.
   */
  readonly proposal: (request: RequestMsg) => Command;
  /** The first slot a configuration chosen at `slot` governs: slot + α (membership.ts). */
  readonly effectiveFrom: (slot: Slot, alpha: number) => Slot;
  /** The members whose votes count for `slot`: the configuration governing it. */
  readonly quorumMembers: (membership: Membership, slot: Slot) => readonly ReplicaId[];
  /** May a QUIT leave `remaining` members of a deployment of `universe` replicas? */
  readonly quitAllowed: (remaining: number, universe: number) => boolean;
  /** The peers' digests an audit of `slot` compares this replica's own digest with. */
  readonly auditEvidence: (
    audits: ReadonlyMap<Slot, AuditRound>,
    slot: Slot,
  ) => ReadonlyMap<ReplicaId, string>;
}

export const NOOP: Command = Object.freeze({ kind: 'noop' });
export const CHECKPOINT: Command = Object.freeze({ kind: 'checkpoint' });

export const REFERENCE_RULES: ReplicaRules = {
  compareBallots,
  admits: (promised, ballot, compare) => compare(ballot, promised) >= 0,
  isQuorum: isMajority,
  countsVote: ballotEquals,
  adopt(_slot, reports, compare) {
    let best: AcceptedValue | undefined;
    for (const r of reports) if (best === undefined || compare(r.ballot, best.ballot) > 0) best = r;
    return best?.cmd ?? NOOP;
  },
  recover: (durable) => durable,
  isDuplicate: (session, seq) => session !== undefined && session.seq >= seq,
  executable: (durable, slot) => durable.chosen.get(slot),
  catchUpEntry: (durable, slot) => durable.chosen.get(slot),
  mayLead(reports, prefix) {
    for (const r of reports) if (r.checkpoint > prefix) return false;
    return true;
  },
  checkpointStable: (vouchers, replicas) => 2 * vouchers > replicas,
  truncationPoint: (checkpoint) => checkpoint,
  acceptsTransfer: (assembled, advertised) => assembled === advertised,
  resumeAfterInstall: (checkpoint) => checkpoint,
  proposal(request) {
    const reconfig = reconfigRequestOf(request.op);
    return reconfig === null
      ? { kind: 'op', client: request.from, seq: request.seq, op: request.op }
      : {
          kind: reconfig.change,
          replica: reconfig.replica,
          client: request.from,
          seq: request.seq,
        };
  },
  effectiveFrom: (slot, alpha) => slot + alpha,
  quorumMembers: membersAt,
  quitAllowed: keepsFPlusOne,
  auditEvidence: (audits, slot) => audits.get(slot)?.peers ?? new Map(),
};
