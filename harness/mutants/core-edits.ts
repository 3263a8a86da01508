/**
 * Classic Paxos / SMR bugs written as edits of the core's source, the way a user (or a reviewer
 * testing the kit) injects them by hand: each replaces text in src/core. Unlike the seeded
 * mutants (index.ts), which swap one entry of the reducer's rule table, these change code inside
 * the handlers, so nothing in the harness can recognise them as mutants. `smr check` on embedded
 * defaults must catch every one (test/harness/mutants/core-edits.test.ts; bench/README.md has the
 * table of which part of the main job catches which edit, and how fast).
 */
export interface SourceEdit {
  /** A path under the package root. */
  readonly file: string;
  /** Text that occurs exactly once in the file. */
  readonly find: string;
  readonly replace: string;
}

export interface CoreEdit {
  readonly name: string;
  /** The kind of bug, as issue 12 lists them. */
  readonly kind:
    | 'adoption'
    | 'vote-counting'
    | 'ballot-order'
    | 'acceptor'
    | 'catch-up'
    | 'execution'
    | 'output-filter'
    | 'durability'
    | 'heartbeat';
  readonly description: string;
  readonly edits: readonly SourceEdit[];
}

const PROPOSER = 'src/core/replica/proposer.ts';
const ACCEPTOR = 'src/core/replica/acceptor.ts';
const LEARNER = 'src/core/replica/learner.ts';
const RULES = 'src/core/replica/rules.ts';
const QUORUM = 'src/core/quorum.ts';
const BALLOT = 'src/core/ballot.ts';
const CLIENT = 'src/core/client.ts';
const STATE = 'src/core/replica/state.ts';

const one = (file: string, find: string, replace: string): SourceEdit[] => [
  { file, find, replace },
];

export const CORE_EDITS: readonly CoreEdit[] = [
  // --- adoption (P2c) --------------------------------------------------------------------
  {
    name: 'adopt-lowest-ballot',
    kind: 'adoption',
    description: 'a new leader adopts the lowest-ballot value reported in phase 1, not the highest',
    edits: one(RULES, 'compare(r.ballot, best.ballot) > 0', 'compare(r.ballot, best.ballot) < 0'),
  },
  {
    name: 'adopt-first-report',
    kind: 'adoption',
    description: 'a new leader adopts the first value reported for a slot, whatever its ballot',
    edits: one(
      RULES,
      'if (best === undefined || compare(r.ballot, best.ballot) > 0) best = r;',
      'if (best === undefined) best = r;',
    ),
  },
  {
    name: 'adopt-own-accepted-only',
    kind: 'adoption',
    description: "a new leader looks only at its own accepted values, not at the promises' reports",
    edits: one(
      PROPOSER,
      'for (const { accepted: entries } of b.v.promises.values()) {',
      'for (const { accepted: entries } of [b.v.promises.get(b.id) ?? { accepted: [] }]) {',
    ),
  },
  {
    name: 'promise-reports-nothing',
    kind: 'adoption',
    description: 'an acceptor promises without reporting the values it accepted (phase 1b)',
    edits: one(ACCEPTOR, 'accepted: acceptedFrom(b.durable, msg.fromSlot),', 'accepted: [],'),
  },
  {
    name: 'promise-report-off-by-one',
    kind: 'adoption',
    description: 'phase 1b reports accepted values from the slot after the first prepared one',
    edits: one(STATE, 'if (slot >= fromSlot) out.push', 'if (slot > fromSlot) out.push'),
  },
  {
    name: 'leader-skips-reported-slots',
    kind: 'adoption',
    description:
      'a new leader re-proposes only slots up to its own highest accepted one, so slots reported beyond it get fresh requests',
    edits: one(PROPOSER, '      top = Math.max(top, e.slot);\n', ''),
  },
  // --- vote counting ---------------------------------------------------------------------
  {
    name: 'own-vote-counted-twice',
    kind: 'vote-counting',
    description: "the leader's own vote is counted twice when it checks for a quorum",
    edits: [
      {
        file: PROPOSER,
        find: '!b.ctx.rules.isQuorum(proposal.votes, quorumMembers(b, slot))',
        replace: '!b.ctx.rules.isQuorum([...proposal.votes, b.id], quorumMembers(b, slot))',
      },
      {
        file: QUORUM,
        find: 'for (const v of new Set(voters))',
        replace: 'for (const v of voters)',
      },
    ],
  },
  {
    name: 'votes-from-any-ballot',
    kind: 'vote-counting',
    description: "Accepted votes for a slot count for the leader's proposal whatever their ballot",
    edits: one(PROPOSER, '  if (!b.ctx.rules.countsVote(b.v.ballot, msg.ballot)) return;\n', ''),
  },
  {
    name: 'duplicate-accepted-counted',
    kind: 'vote-counting',
    description:
      'the leader counts Accepted messages, not distinct acceptors, so a duplicated vote counts twice',
    edits: [
      {
        file: PROPOSER,
        find: 'votes: new Set([...proposal.votes, msg.from])',
        replace: 'votes: [...proposal.votes, msg.from]',
      },
      {
        file: PROPOSER,
        find: 'proposals.set(slot, { cmd, votes: new Set([b.id]) });',
        replace: 'proposals.set(slot, { cmd, votes: [b.id] });',
      },
      {
        file: 'src/core/replica/election.ts',
        find: 'if (!p.votes.has(peer))',
        replace: 'if (!p.votes.includes(peer))',
      },
      {
        file: QUORUM,
        find: 'for (const v of new Set(voters))',
        replace: 'for (const v of voters)',
      },
    ],
  },
  {
    name: 'leader-on-any-promise',
    kind: 'vote-counting',
    description: 'a candidate becomes leader with promises from a minority (its own and one less)',
    edits: one(
      PROPOSER,
      'if (!b.ctx.rules.isQuorum(who, members)) return false;',
      'if (who.length < Math.floor(members.length / 2)) return false;',
    ),
  },
  {
    name: 'promise-from-any-ballot',
    kind: 'vote-counting',
    description: 'a candidate counts promises made to its earlier ballots',
    edits: one(
      PROPOSER,
      "if (b.v.role !== 'candidate' || !ballotEquals(msg.ballot, b.v.ballot)) return;",
      "if (b.v.role !== 'candidate') return;",
    ),
  },
  // --- ballot order ----------------------------------------------------------------------
  {
    name: 'ballot-tie-is-equal',
    kind: 'ballot-order',
    description: 'two ballots of the same round compare equal, whoever owns them',
    edits: one(
      BALLOT,
      'if (a.leader === b.leader) return 0;\n  return a.leader < b.leader ? -1 : 1;',
      'return 0;',
    ),
  },
  {
    name: 'admit-by-round',
    kind: 'ballot-order',
    description: "an acceptor admits any ballot whose round is at least its promise's round",
    edits: one(
      RULES,
      'admits: (promised, ballot, compare) => compare(ballot, promised) >= 0,',
      'admits: (promised, ballot) => ballot.round >= promised.round,',
    ),
  },
  {
    name: 'candidacy-reuses-ballot',
    kind: 'ballot-order',
    description:
      'a replica that already owns the highest ballot seen starts its next candidacy with that same ballot',
    edits: one(
      BALLOT,
      'const round = leader > above.leader ? above.round : above.round + 1;',
      'const round = leader >= above.leader ? above.round : above.round + 1;',
    ),
  },
  // --- acceptor --------------------------------------------------------------------------
  {
    name: 'accept-ignores-promise',
    kind: 'acceptor',
    description: 'phase 2b accepts whatever ballot it is sent, ignoring the promise',
    edits: one(
      ACCEPTOR,
      'export function onAccept(b: StepBuilder, msg: AcceptMsg): void {\n  noteBallot(b, msg.ballot);\n  const { rules } = b.ctx;\n  if (!rules.admits(b.durable.promised, msg.ballot, rules.compareBallots)) return;',
      'export function onAccept(b: StepBuilder, msg: AcceptMsg): void {\n  noteBallot(b, msg.ballot);',
    ),
  },
  {
    name: 'prepare-keeps-old-promise',
    kind: 'acceptor',
    description: 'phase 1b answers a higher ballot without raising the promise',
    edits: one(
      ACCEPTOR,
      "  b.setDurable({ promised: raisePromise(b, msg.ballot) });\n  b.trace({ action: 'Phase1b', msg });",
      "  b.trace({ action: 'Phase1b', msg });",
    ),
  },
  // --- catch-up and execution ------------------------------------------------------------
  {
    name: 'catch-up-sends-accepted',
    kind: 'catch-up',
    description:
      'a catch-up reply includes values the sender has only accepted, not learned chosen',
    edits: one(
      LEARNER,
      'const cmd = b.ctx.rules.catchUpEntry(b.durable, slot);\n    if (cmd === undefined) break;',
      'const cmd = b.durable.chosen.get(slot) ?? b.durable.accepted.get(slot)?.cmd;\n    if (cmd === undefined) break;',
    ),
  },
  {
    name: 'execute-skips-gap',
    kind: 'execution',
    description:
      'a replica that knows a later slot is chosen skips the unknown slot and executes on',
    edits: one(
      LEARNER,
      '    const cmd = rules.executable(b.durable, slot);\n    if (cmd === undefined) return;',
      '    const cmd = rules.executable(b.durable, slot);\n    if (cmd === undefined) {\n      if (![...b.durable.chosen.keys()].some((s) => s > slot)) return;\n      b.setVolatile({ executed: slot + 1 });\n      continue;\n    }',
    ),
  },
  {
    name: 'execute-accepted',
    kind: 'execution',
    description: 'a replica executes a value it accepted before learning that it is chosen',
    edits: one(
      RULES,
      'executable: (durable, slot) => durable.chosen.get(slot),',
      'executable: (durable, slot) => durable.chosen.get(slot) ?? durable.accepted.get(slot)?.cmd,',
    ),
  },
  // --- the client's output filter --------------------------------------------------------
  {
    name: 'client-accepts-f-replies',
    kind: 'output-filter',
    description: 'a client accepts an output once F replicas agree on it instead of F+1',
    edits: one(
      CLIENT,
      'const need = majority(params.replicas.length);',
      'const need = majority(params.replicas.length) - 1;',
    ),
  },
  {
    name: 'client-missing-reply-agrees',
    kind: 'output-filter',
    description: 'a client counts every replica that has not answered yet as agreeing',
    edits: one(
      CLIENT,
      'if (entry.count >= need) return { ok: true, output: entry.output };',
      'if (entry.count + params.replicas.length - votes.size >= need) return { ok: true, output: entry.output };',
    ),
  },
  {
    name: 'client-counts-duplicate-replies',
    kind: 'output-filter',
    description: 'a client counts replies, not replicas: a duplicated reply votes twice',
    edits: one(
      CLIENT,
      'votes.set(msg.from, msg.output);',
      'votes.set(`${msg.from}#${votes.size}`, msg.output);',
    ),
  },
  {
    name: 'client-ignores-seq',
    kind: 'output-filter',
    description:
      'a client takes a late reply to its previous request as a vote for the current one',
    edits: one(
      CLIENT,
      'if (pending === null || msg.seq !== pending.seq || pending.votes.has(msg.from)) {',
      'if (pending === null || pending.votes.has(msg.from)) {',
    ),
  },
  {
    name: 'decision-carries-noop',
    kind: 'catch-up',
    description: 'a leader tells the learners a no-op was chosen instead of the command it decided',
    edits: one(
      PROPOSER,
      "b.broadcast({ type: 'Decision', from: b.id, slot, cmd: decided });",
      "b.broadcast({ type: 'Decision', from: b.id, slot, cmd: { kind: 'noop' } });",
    ),
  },
  {
    name: 'learn-next-slot',
    kind: 'catch-up',
    description: 'a learner files a Decision under the slot after the one it names',
    edits: one(
      LEARNER,
      "learn(b, msg.slot, msg.cmd, 'Learn', msg.from);",
      "learn(b, msg.slot + 1, msg.cmd, 'Learn', msg.from);",
    ),
  },
  {
    name: 'output-of-second-apply',
    kind: 'execution',
    description: 'a replica replies with the output of applying the command a second time',
    edits: one(
      LEARNER,
      'const { state, output } = app.apply(b.v.app, cmd.op);',
      'const { state } = app.apply(b.v.app, cmd.op);\n    const { output } = app.apply(state, cmd.op);',
    ),
  },
  {
    name: 'session-records-next-seq',
    kind: 'execution',
    description:
      'the session table records the request after the one executed, so that one is skipped as a duplicate',
    edits: one(
      LEARNER,
      'sessions.set(cmd.client, { seq: cmd.seq, output });',
      'sessions.set(cmd.client, { seq: cmd.seq + 1, output });',
    ),
  },
  {
    name: 'retransmit-as-new-request',
    kind: 'output-filter',
    description: 'a client retransmits its pending request under the next sequence number',
    edits: one(
      CLIENT,
      "const msg = { type: 'Request', from: state.id, seq: pending.seq, op: pending.op } as const;",
      "const msg = { type: 'Request', from: state.id, seq: pending.seq + 1, op: pending.op } as const;",
    ),
  },
  // --- durability ------------------------------------------------------------------------
  {
    name: 'send-before-persist',
    kind: 'durability',
    description: 'a step hands its messages to the network before its state is on disk',
    edits: one(
      'src/core/replica/builder.ts',
      "? [{ kind: 'Persist', durable: this.durable }, ...this.effects]",
      "? [...this.effects, { kind: 'Persist', durable: this.durable }]",
    ),
  },
  // --- heartbeats ------------------------------------------------------------------------
  {
    name: 'heartbeat-sets-promise',
    kind: 'heartbeat',
    description:
      "a follower takes a leader's heartbeat ballot as its promise, even when it is lower",
    edits: one(
      'src/core/replica/election.ts',
      '  if (msg.leading) stepDownIfOutranked(b, msg.ballot);\n',
      '  if (msg.leading) stepDownIfOutranked(b, msg.ballot);\n  if (msg.leading) b.setDurable({ promised: msg.ballot });\n',
    ),
  },
];
