/**
 * Seeded bugs: named variants of the reference reducer, each a classic SMR / Paxos mistake made
 * by replacing one entry of its decision table (src/core/replica/rules.ts). `smr explore
 * --mutant NAME` must find a counterexample for every one of them: a checker that misses a known
 * bug proves nothing about the reference (mutation testing, as DSLabs grades labs).
 */
import { ZERO_BALLOT } from '../../src/core/ballot.js';
import type { ReplyPolicy } from '../../src/core/client.js';
import { majority } from '../../src/core/quorum.js';
import { NOOP, REFERENCE_RULES, type ReplicaRules } from '../../src/core/replica/rules.js';
import type { ReplicaId } from '../../src/core/types.js';
import type { InvariantName } from '../model/invariants.js';

export interface Mutant {
  readonly name: string;
  /** The mistake, in one sentence, and where the correct rule comes from. */
  readonly description: string;
  /** The invariants a counterexample may violate first (the shortest one names one of them). */
  readonly breaks: readonly InvariantName[];
  readonly rules: ReplicaRules;
  /**
   * How the default scope changes for this bug: what it needs on top (a second request, so two
   * commands can disagree; the corrupt fault) and what it does not need (crashes), so that its
   * shortest counterexample is found in seconds. Explicit command-line flags win over these.
   */
  readonly scope?: {
    readonly requests?: number;
    readonly clients?: number;
    readonly maxCrashes?: number;
    readonly policy?: ReplyPolicy;
    readonly addFaults?: readonly ('corrupt' | 'crash')[];
  };
}

const rules = (patch: Partial<ReplicaRules>): ReplicaRules => ({ ...REFERENCE_RULES, ...patch });

const LIST: readonly Mutant[] = [
  {
    name: 'forget-promise-on-restart',
    description:
      'an acceptor does not keep its promise across a restart (Paxos Made Simple §2.3: acceptors remember through failures)',
    breaks: ['Durability'],
    rules: rules({ recover: (durable) => ({ ...durable, promised: ZERO_BALLOT }) }),
  },
  {
    name: 'forget-accepted-on-restart',
    description:
      'an acceptor loses the values it accepted when it restarts (they must be on stable storage)',
    breaks: ['Durability'],
    rules: rules({ recover: (durable) => ({ ...durable, accepted: new Map() }) }),
  },
  {
    name: 'forget-chosen-on-restart',
    description:
      'a replica keeps its learned log in memory only, so a restart forgets which slots are chosen (the input log must be durable)',
    breaks: ['Durability'],
    rules: rules({ recover: (durable) => ({ ...durable, chosen: new Map() }) }),
  },
  {
    name: 'minority-quorum',
    description: 'a quorum of majority−1 replicas: two quorums need not intersect (Paxos §2.2)',
    breaks: ['Agreement', 'PrefixConsistency', 'Linearizability'],
    rules: rules({
      isQuorum: (voters, config) => {
        const members = new Set(config);
        let count = 0;
        for (const v of new Set<ReplicaId>(voters)) if (members.has(v)) count++;
        return count >= majority(config.length) - 1;
      },
    }),
    scope: { requests: 2, maxCrashes: 0 },
  },
  {
    name: 'ignore-promised-values',
    description:
      'a new leader fills every slot with a no-op instead of adopting the highest-ballot value reported in phase 1 (P2c)',
    breaks: ['Agreement', 'PrefixConsistency', 'Linearizability'],
    rules: rules({ adopt: () => NOOP }),
    scope: { requests: 2, maxCrashes: 0 },
  },
  {
    name: 'execute-unchosen',
    description:
      'a replica executes (and replies for) a slot as soon as it accepted a value there, before it is chosen',
    breaks: ['PrefixConsistency', 'Linearizability', 'OutputFilter', 'ExactlyOnce'],
    rules: rules({
      executable: (durable, slot) => durable.chosen.get(slot) ?? durable.accepted.get(slot)?.cmd,
    }),
    scope: { clients: 2, requests: 2, maxCrashes: 0 },
  },
  {
    name: 'execute-past-gap',
    description:
      'a replica that knows a later slot is chosen executes a no-op for an unknown slot instead of catching up (seed: execute in slot order)',
    breaks: ['PrefixConsistency', 'Linearizability', 'ExactlyOnce'],
    rules: rules({
      executable(durable, slot) {
        const cmd = durable.chosen.get(slot);
        if (cmd !== undefined) return cmd;
        for (const later of durable.chosen.keys()) if (later > slot) return NOOP;
        return undefined;
      },
    }),
    scope: { requests: 2, maxCrashes: 0 },
  },
  {
    name: 'no-session-dedup',
    description:
      'no client-session check: a duplicated request is ordered and executed again (seed: sessions give exactly-once)',
    breaks: ['ExactlyOnce', 'Linearizability'],
    rules: rules({ isDuplicate: () => false }),
    scope: { maxCrashes: 0 },
  },
  {
    name: 'session-off-by-one',
    description:
      'the session check compares seq with > instead of ≥, so the last executed request runs again when retransmitted',
    breaks: ['ExactlyOnce', 'Linearizability'],
    rules: rules({ isDuplicate: (session, seq) => session !== undefined && session.seq > seq }),
    scope: { maxCrashes: 0 },
  },
  {
    name: 'ballot-ignores-replica-id',
    description:
      'ballots are compared by round only, so two candidates share a ballot (proposal numbers must be unique, Paxos §2.2)',
    breaks: ['Durability', 'Agreement', 'PrefixConsistency', 'Linearizability'],
    rules: rules({
      compareBallots: (a, b) => (a.round === b.round ? 0 : a.round < b.round ? -1 : 1),
    }),
    scope: { requests: 2, maxCrashes: 0 },
  },
  {
    name: 'accept-stale-ballot',
    description:
      'an acceptor takes part in ballots below the one it promised (phase 1b and 2b must check the promise)',
    breaks: ['Durability', 'Agreement', 'PrefixConsistency', 'Linearizability'],
    rules: rules({ admits: () => true }),
    scope: { requests: 2, maxCrashes: 0 },
  },
  {
    name: 'command-seq-off-by-one',
    description:
      "a leader writes the request's sequence number plus one into the command it proposes, so a command no client issued is chosen (consensus validity: only proposed values are chosen)",
    breaks: ['Validity'],
    rules: rules({
      proposal: (request) => ({
        kind: 'op',
        client: request.from,
        seq: request.seq + 1,
        op: request.op,
      }),
    }),
    scope: { maxCrashes: 0 },
  },
  {
    name: 'trust-first-reply',
    description:
      'clients accept the first reply (the fail-stop policy) although a replica may be corrupt; the seed asks for a majority of equal outputs',
    breaks: ['OutputFilter'],
    rules: REFERENCE_RULES,
    scope: { policy: 'first-reply', addFaults: ['corrupt'], maxCrashes: 0 },
  },
];

export const MUTANTS: ReadonlyMap<string, Mutant> = new Map(LIST.map((m) => [m.name, m]));
