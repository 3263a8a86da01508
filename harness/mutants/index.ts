/**
 * Seeded bugs: named variants of the reference reducer, each a classic SMR / Paxos mistake made
 * by replacing one entry of a decision table — the replica's (src/core/replica/rules.ts) or the
 * client's (src/core/client.ts). The default main job (`smr check`) must catch every one of them
 * with its own scopes, never one tuned to the bug (`smr mutants --score`, a gate in `npm test`):
 * a checker that misses a known bug proves nothing about the reference (mutation testing, as
 * DSLabs grades labs). core-edits.ts has the same kinds of bug written as source edits.
 */
import { ZERO_BALLOT } from '../../src/core/ballot.js';
import { canonicalEncode } from '../../src/core/canonical.js';
import type { ClientRules } from '../../src/core/client.js';
import { majority } from '../../src/core/quorum.js';
import { NOOP, REFERENCE_RULES, type ReplicaRules } from '../../src/core/replica/rules.js';
import type { Epoch } from '../../src/core/membership.js';
import type { Json, Outcome, ReplicaId } from '../../src/core/types.js';
import type { InvariantName } from '../../src/spec/violation.js';

export interface Mutant {
  readonly name: string;
  /** The mistake, in one sentence, and where the correct rule comes from. */
  readonly description: string;
  /** The invariants a counterexample may violate first. */
  readonly breaks: readonly InvariantName[];
  /** The replica's rules: the reference ones unless the bug is there. */
  readonly rules: ReplicaRules;
  /** The client's rules, when the bug is in the output filter. */
  readonly clientRules?: ClientRules;
}

const rules = (patch: Partial<ReplicaRules>): ReplicaRules => ({ ...REFERENCE_RULES, ...patch });

const LIST: readonly Mutant[] = [
  {
    name: 'forget-promise-on-restart',
    description:
      'an acceptor does not keep its promise across a restart (Paxos Made Simple §2.3: acceptors remember through failures)',
    breaks: ['Durability', 'Refinement'],
    rules: rules({ recover: (durable) => ({ ...durable, promised: ZERO_BALLOT }) }),
  },
  {
    name: 'forget-accepted-on-restart',
    description:
      'an acceptor loses the values it accepted when it restarts (they must be on stable storage)',
    breaks: ['Durability', 'Refinement'],
    rules: rules({ recover: (durable) => ({ ...durable, accepted: new Map() }) }),
  },
  {
    name: 'forget-chosen-on-restart',
    description:
      'a replica keeps its learned log in memory only, so a restart forgets which slots are chosen (the input log must be durable)',
    breaks: ['Durability', 'Refinement'],
    rules: rules({ recover: (durable) => ({ ...durable, chosen: new Map() }) }),
  },
  {
    name: 'minority-quorum',
    description: 'a quorum of majority−1 replicas: two quorums need not intersect (Paxos §2.2)',
    breaks: ['Refinement', 'Agreement', 'PrefixConsistency', 'Linearizability'],
    rules: rules({
      isQuorum: (voters, config) => {
        const members = new Set(config);
        let count = 0;
        for (const v of new Set<ReplicaId>(voters)) if (members.has(v)) count++;
        return count >= majority(config.length) - 1;
      },
    }),
  },
  {
    name: 'ignore-promised-values',
    description:
      'a new leader fills every slot with a no-op instead of adopting the highest-ballot value reported in phase 1 (P2c)',
    breaks: ['Refinement', 'Agreement', 'PrefixConsistency', 'Linearizability'],
    rules: rules({ adopt: () => NOOP }),
  },
  {
    name: 'execute-unchosen',
    description:
      'a replica executes (and replies for) a slot as soon as it accepted a value there, before it is chosen',
    breaks: ['Refinement', 'PrefixConsistency', 'Linearizability', 'OutputFilter', 'ExactlyOnce'],
    rules: rules({
      executable: (durable, slot) => durable.chosen.get(slot) ?? durable.accepted.get(slot)?.cmd,
    }),
  },
  {
    name: 'execute-past-gap',
    description:
      'a replica that knows a later slot is chosen executes a no-op for an unknown slot instead of catching up (seed: execute in slot order)',
    breaks: ['Refinement', 'PrefixConsistency', 'Linearizability', 'ExactlyOnce'],
    rules: rules({
      executable(durable, slot) {
        const cmd = durable.chosen.get(slot);
        if (cmd !== undefined) return cmd;
        for (const later of durable.chosen.keys()) if (later > slot) return NOOP;
        return undefined;
      },
    }),
  },
  {
    name: 'no-session-dedup',
    description:
      'no client-session check: a duplicated request is ordered and executed again (seed: sessions give exactly-once)',
    breaks: ['Refinement', 'ExactlyOnce', 'Linearizability'],
    rules: rules({ isDuplicate: () => false }),
  },
  {
    name: 'session-off-by-one',
    description:
      'the session check compares seq with > instead of ≥, so the last executed request runs again when retransmitted',
    breaks: ['Refinement', 'ExactlyOnce', 'Linearizability'],
    rules: rules({ isDuplicate: (session, seq) => session !== undefined && session.seq > seq }),
  },
  {
    name: 'ballot-ignores-replica-id',
    description:
      'ballots are compared by round only, so two candidates share a ballot (proposal numbers must be unique, Paxos §2.2)',
    breaks: ['Refinement', 'Durability', 'Agreement', 'PrefixConsistency', 'Linearizability'],
    rules: rules({
      compareBallots: (a, b) => (a.round === b.round ? 0 : a.round < b.round ? -1 : 1),
    }),
  },
  {
    name: 'accept-stale-ballot',
    description:
      'an acceptor takes part in ballots below the one it promised (phase 1b and 2b must check the promise)',
    breaks: ['Refinement', 'Durability', 'Agreement', 'PrefixConsistency', 'Linearizability'],
    rules: rules({ admits: () => true }),
  },
  {
    name: 'command-seq-off-by-one',
    description:
      "a leader writes the request's sequence number plus one into the command it proposes, so a command no client issued is chosen (consensus validity: only proposed values are chosen)",
    breaks: ['Refinement', 'Validity'],
    rules: rules({
      proposal: (request) => ({
        kind: 'op',
        client: request.from,
        seq: request.seq + 1,
        op: request.op,
      }),
    }),
  },
  {
    name: 'adopt-lowest-ballot',
    description:
      'a new leader adopts the value reported with the lowest ballot instead of the highest (Paxos Made Simple §2.2, P2c)',
    breaks: ['Refinement', 'Agreement', 'PrefixConsistency', 'Linearizability'],
    rules: rules({
      adopt(_slot, reports, compare) {
        let best: (typeof reports)[number] | undefined;
        for (const r of reports)
          if (best === undefined || compare(r.ballot, best.ballot) < 0) best = r;
        return best?.cmd ?? NOOP;
      },
    }),
  },
  {
    name: 'adopt-first-report',
    description:
      'a new leader adopts the first value reported for a slot, whatever its ballot (P2c asks for the highest)',
    breaks: ['Refinement', 'Agreement', 'PrefixConsistency', 'Linearizability'],
    rules: rules({ adopt: (_slot, reports) => reports[0]?.cmd ?? NOOP }),
  },
  {
    name: 'own-vote-counted-twice',
    description:
      "quorums are counted with one vote too many — the candidate's or leader's own vote counts twice (Paxos §2.2: a majority of distinct acceptors)",
    breaks: ['Refinement', 'Agreement', 'PrefixConsistency', 'Linearizability'],
    rules: rules({
      isQuorum: (voters, config) => {
        const members = new Set(config);
        let count = 1;
        for (const v of new Set<ReplicaId>(voters)) if (members.has(v)) count++;
        return count >= majority(config.length);
      },
    }),
  },
  {
    name: 'votes-from-any-ballot',
    description:
      "a leader counts Accepted votes from any ballot for its proposal in that slot (votes must be for the leader's own ballot)",
    breaks: ['Refinement', 'Agreement'],
    rules: rules({ countsVote: () => true }),
  },
  {
    name: 'catch-up-trusts-accepted',
    description:
      'a catch-up reply hands out values the sender has only accepted, not learned chosen (seed: the input log holds chosen inputs)',
    breaks: ['Refinement', 'Agreement', 'PrefixConsistency', 'Linearizability'],
    rules: rules({
      catchUpEntry: (durable, slot) => durable.chosen.get(slot) ?? durable.accepted.get(slot)?.cmd,
    }),
  },
  {
    name: 'trust-first-reply',
    description:
      'clients accept the first reply (the fail-stop policy) although a replica may be corrupt; the seed asks for a majority of equal outputs',
    breaks: ['Refinement', 'OutputFilter'],
    rules: REFERENCE_RULES,
    clientRules: { decide: (votes) => firstVote(votes) },
  },
  {
    name: 'client-accepts-f-replies',
    description:
      'clients accept an output once F replicas agree on it instead of F+1 (seed: sending outputs)',
    breaks: ['Refinement', 'OutputFilter'],
    rules: REFERENCE_RULES,
    clientRules: {
      decide: (votes, params) =>
        vote(votes, params.replicas.length, majority(params.replicas.length) - 1, 0),
    },
  },
  {
    name: 'client-missing-reply-agrees',
    description:
      'clients count every replica that has not answered yet as agreeing with an output (seed: sending outputs)',
    breaks: ['Refinement', 'OutputFilter'],
    rules: REFERENCE_RULES,
    clientRules: {
      decide: (votes, params) =>
        vote(
          votes,
          params.replicas.length,
          majority(params.replicas.length),
          params.replicas.length - votes.size,
        ),
    },
  },
  {
    name: 'lead-across-truncation',
    description:
      'a candidate leads as soon as a quorum promised, although an acceptor\'s log starts past its chosen prefix: a truncated, chosen slot looks empty and gets a no-op (phase 1 across truncation, DESIGN.md "Checkpoints")',
    breaks: ['Refinement', 'Agreement', 'PrefixConsistency', 'Linearizability', 'CheckpointSafety'],
    rules: rules({ mayLead: () => true }),
  },
  {
    name: 'truncate-unexecuted',
    description:
      'a replica truncates its whole log at a checkpoint, forgetting chosen slots after it that it has not executed (only what the checkpoint covers may go)',
    breaks: ['Refinement', 'Durability', 'CheckpointSafety'],
    rules: rules({
      truncationPoint(checkpoint, durable) {
        let end = checkpoint;
        for (const slot of durable.chosen.keys()) end = Math.max(end, slot + 1);
        for (const slot of durable.accepted.keys()) end = Math.max(end, slot + 1);
        return end;
      },
    }),
  },
  {
    name: 'noop-for-truncated',
    description:
      'a catch-up reply fills slots below the checkpoint with no-ops instead of sending the checkpoint (seed: a lagging replica gets the state, then the inputs after it)',
    breaks: ['Refinement', 'Agreement', 'PrefixConsistency', 'Linearizability', 'ExactlyOnce'],
    rules: rules({
      catchUpEntry: (durable, slot) =>
        durable.chosen.get(slot) ??
        (durable.checkpoint !== null && slot < durable.checkpoint.slot ? NOOP : undefined),
    }),
  },
  {
    name: 'install-keeps-position',
    description:
      'after installing a checkpoint a replica resumes from the slot it had reached, so it applies slots the checkpoint already holds on top of it (seed: apply the inputs after the checkpoint)',
    breaks: ['Refinement', 'PrefixConsistency', 'ExactlyOnce', 'CheckpointSafety'],
    rules: rules({ resumeAfterInstall: (_checkpoint, executed) => executed }),
  },
  {
    name: 'install-without-digest',
    description:
      'a replica installs a transferred checkpoint without comparing its digest, so its own stale or corrupt copy of a part the sender left out ends up in the state (seed: the digest checks the transfer)',
    breaks: ['Refinement', 'CheckpointSafety', 'PrefixConsistency', 'OutputFilter'],
    rules: rules({ acceptsTransfer: () => true }),
  },
  {
    name: 'unvouched-checkpoint',
    description:
      'a replica truncates and serves its checkpoint before F+1 replicas vouched for its digest, so a corrupt replica hands its state to a lagging one (DESIGN.md "Checkpoints": a stable checkpoint)',
    breaks: [
      'Refinement',
      'OutputFilter',
      'PrefixConsistency',
      'CheckpointSafety',
      'Linearizability',
    ],
    rules: rules({ checkpointStable: () => true }),
  },
  {
    name: 'join-effective-immediately',
    description:
      'a JOIN or QUIT chosen at slot i governs from slot i+1 instead of i+α, so a leader already proposing in slots up to i+α counts quorums of a configuration they do not have (Lamport, "Reconfiguring a State Machine")',
    breaks: ['ConfigSafety', 'PrefixConsistency', 'Agreement'],
    rules: rules({ effectiveFrom: (slot) => slot + 1 }),
  },
  {
    name: 'audit-compares-any-slot',
    description:
      "the audit compares a replica's digest of one slot with the peers' latest digests, whatever slot they are of, so a correct replica declares itself faulty",
    breaks: ['AuditDetects'],
    rules: rules({
      auditEvidence: (audits) => {
        const latest = new Map<ReplicaId, string>();
        for (const round of audits.values())
          for (const [peer, digest] of round.peers) latest.set(peer, digest);
        return latest;
      },
    }),
  },
  {
    name: 'quorum-of-old-config',
    description:
      'a quorum is counted over the configuration before the latest JOIN or QUIT took effect, so a replica that quit still votes (and one that joined does not)',
    breaks: ['ConfigSafety', 'Agreement', 'PrefixConsistency', 'AuditDetects'],
    rules: rules({
      quorumMembers: (m, slot) => {
        let previous = (m.epochs[0] as Epoch).members;
        let current = previous;
        for (const e of m.epochs)
          if (e.from <= slot) {
            previous = current;
            current = e.members;
          }
        return previous;
      },
    }),
  },
  {
    name: 'refused-quit-executed',
    description:
      'a QUIT that leaves fewer than F+1 members is executed anyway (seed: Quitting — it must be refused as a system failure)',
    breaks: ['ConfigSafety', 'PrefixConsistency'],
    rules: rules({ quitAllowed: (remaining) => remaining >= 1 }),
  },
];

export const MUTANTS: ReadonlyMap<string, Mutant> = new Map(LIST.map((m) => [m.name, m]));

function firstVote(votes: ReadonlyMap<ReplicaId, Json>): Outcome | undefined {
  const [first] = votes.values();
  return first === undefined ? undefined : { ok: true, output: first };
}

/** Majority voting with `need` equal outputs, each output credited `bonus` extra votes. */
function vote(
  votes: ReadonlyMap<ReplicaId, Json>,
  n: number,
  need: number,
  bonus: number,
): Outcome | undefined {
  const tally = new Map<string, { output: Json; count: number }>();
  for (const output of votes.values()) {
    const key = canonicalEncode(output);
    const entry = tally.get(key) ?? { output, count: bonus };
    entry.count++;
    tally.set(key, entry);
    if (entry.count >= need) return { ok: true, output: entry.output };
  }
  return votes.size >= n ? { ok: false, reason: 'FAIL' } : undefined;
}
