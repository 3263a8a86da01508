/**
 * The proposer/leader role of Multi-Paxos (Paxos Made Simple §3): one phase 1 for every open
 * slot at once, then phase 2 per slot, with chosen detection by a quorum in one ballot.
 */
import { isCheckpointRequest } from '../app.js';
import { ballotEquals, nextBallot } from '../ballot.js';
import type {
  AcceptedMsg,
  Ballot,
  Command,
  PromiseMsg,
  ReplicaId,
  RequestMsg,
  Slot,
} from '../types.js';
import type { StepBuilder } from './builder.js';
import { knownMembership, quorumMembers, windowEnd } from './config.js';
import { sameMembers } from '../membership.js';
import { executeReady, learn, requestFrom } from './learner.js';
import { CHECKPOINT } from './rules.js';
import { acceptedFrom, checkpointSlot, chosenPrefix } from './state.js';

/**
 * A leader that reached a slot governed by a configuration whose quorum did not promise its
 * ballot (a JOIN or QUIT took effect) steps down and runs phase 1 again with a new ballot,
 * keeping the requests it had queued.
 */
function reelect(b: StepBuilder): void {
  const { queue } = b.v; // proposed once it leads again
  stepDown(b);
  startCandidacy(b, queue);
}

/** Phase1a: start a candidacy with a ballot above every ballot seen, promising to ourselves. */
export function startCandidacy(b: StepBuilder, queue: readonly RequestMsg[] = []): void {
  const ballot = nextBallot(b.v.highestSeen, b.id);
  const fromSlot = chosenPrefix(b.durable, b.v.executed);
  b.setDurable({ promised: ballot });
  b.setVolatile({
    role: 'candidate',
    ballot,
    highestSeen: ballot,
    prepareFrom: fromSlot,
    promises: new Map([
      [
        b.id,
        { accepted: acceptedFrom(b.durable, fromSlot), checkpoint: checkpointSlot(b.durable) },
      ],
    ]),
    proposals: new Map(),
    queue,
    covered: [],
    adopted: new Map(),
    sinceCandidacy: 0,
  });
  const prepare = { type: 'Prepare', from: b.id, ballot, fromSlot } as const;
  b.trace({ action: 'Phase1a', msg: prepare });
  b.broadcast(prepare);
  maybeBecomeLeader(b);
}

/**
 * ReceivePromise: a candidate collects phase-1b replies for its current ballot. An acceptor
 * whose log starts past this replica's chosen prefix truncated slots it must learn first: it
 * asks that acceptor for them (the answer is a state transfer).
 */
export function onPromise(b: StepBuilder, msg: PromiseMsg): void {
  if (b.v.role !== 'candidate' || !ballotEquals(msg.ballot, b.v.ballot)) return;
  const promises = new Map(b.v.promises);
  promises.set(msg.from, { accepted: msg.accepted, checkpoint: msg.checkpoint });
  b.setVolatile({ promises });
  b.trace({ action: 'ReceivePromise', msg });
  if (msg.checkpoint > chosenPrefix(b.durable, b.v.executed)) requestFrom(b, msg.from);
  maybeBecomeLeader(b);
}

/** A candidate whose chosen prefix grew (it learned or installed a checkpoint) may now lead. */
export function resumeCandidacy(b: StepBuilder): void {
  if (b.v.role === 'candidate') maybeBecomeLeader(b);
}

function maybeBecomeLeader(b: StepBuilder): void {
  const { rules } = b.ctx;
  if (!coversWindow(b, b.v.promises.keys())) return;
  if (!rules.mayLead(b.v.promises.values(), chosenPrefix(b.durable, b.v.executed))) return;
  becomeLeader(b);
}

/**
 * Do these promisers form a quorum of the configuration of every slot from the candidacy's first
 * slot to the window's end (the slots whose configuration this replica knows)?
 */
function coversWindow(b: StepBuilder, promisers: Iterable<ReplicaId>): boolean {
  const who = [...promisers];
  for (const members of windowConfigs(b)) if (!b.ctx.rules.isQuorum(who, members)) return false;
  return true;
}

/**
 * Did a quorum of the configuration of `slot` promise this leader's ballot? Only the
 * configurations checked when it became leader count: a slot governed by a new one (a JOIN or
 * QUIT took effect) needs a new phase 1. Keeping the configurations rather than the promisers
 * keeps two leaders that differ only in who promised one state, as they behave alike.
 */
function covers(b: StepBuilder, slot: Slot): boolean {
  const members = quorumMembers(b, slot);
  return b.v.covered.some((c) => sameMembers(c, members));
}

/**
 * The distinct configurations of the slots from the candidacy's first slot to the window's end.
 * One membership serves them all: a change chosen at or after a slot governs only later slots.
 */
function windowConfigs(b: StepBuilder): readonly (readonly ReplicaId[])[] {
  const known = knownMembership(b, chosenPrefix(b.durable, b.v.executed));
  const out: (readonly ReplicaId[])[] = [];
  for (let slot = b.v.prepareFrom, end = windowEnd(b); slot < end; slot++) {
    const members = b.ctx.rules.quorumMembers(known, slot);
    if (!out.some((c) => sameMembers(c, members))) out.push(members);
  }
  return out;
}

/**
 * BecomeLeader: with promises from a quorum, re-propose in every open slot the value with the
 * highest ballot reported (P2c), fill gaps below the highest reported slot with no-ops, and
 * skip slots this replica already knows are chosen.
 */
function becomeLeader(b: StepBuilder): void {
  const bySlot = new Map<Slot, PromiseMsg['accepted'][number][]>();
  let top = b.v.prepareFrom - 1;
  for (const { accepted: entries } of b.v.promises.values()) {
    for (const e of entries) {
      if (e.slot < b.v.prepareFrom) continue;
      const list = bySlot.get(e.slot) ?? [];
      list.push(e);
      bySlot.set(e.slot, list);
      top = Math.max(top, e.slot);
    }
  }
  for (const slot of b.durable.chosen.keys()) top = Math.max(top, slot);
  // Slots past the window α wait: their configuration depends on slots not yet chosen.
  const { rules } = b.ctx;
  const end = windowEnd(b);
  const adopted = new Map<Slot, Command>();
  for (let slot = Math.max(b.v.prepareFrom, end); slot <= top; slot++)
    if (!b.durable.chosen.has(slot))
      adopted.set(slot, rules.adopt(slot, bySlot.get(slot) ?? [], rules.compareBallots));
  b.setVolatile({
    role: 'leader',
    covered: windowConfigs(b),
    promises: new Map(),
    nextSlot: top + 1,
    adopted,
  });
  b.trace({ action: 'BecomeLeader' });
  for (let slot = b.v.prepareFrom; slot <= top && slot < end; slot++) {
    if (b.durable.chosen.has(slot) || slot < checkpointSlot(b.durable)) continue;
    propose(b, slot, rules.adopt(slot, bySlot.get(slot) ?? [], rules.compareBallots));
  }
  drainQueue(b);
}

/** Phase2a: propose `cmd` in `slot` at the leader's ballot, accepting it ourselves first. */
export function propose(b: StepBuilder, slot: Slot, cmd: Command): void {
  const ballot = b.v.ballot;
  const accepted = new Map(b.durable.accepted);
  accepted.set(slot, { ballot, cmd });
  b.setDurable({ accepted });
  const proposals = new Map(b.v.proposals);
  proposals.set(slot, { cmd, votes: new Set([b.id]) });
  b.setVolatile({ proposals, nextSlot: Math.max(b.v.nextSlot, slot + 1) });
  const accept = { type: 'Accept', from: b.id, ballot, slot, cmd } as const;
  b.trace({ action: 'Phase2a', slot, msg: accept });
  b.broadcast(accept);
  maybeDecide(b, slot);
}

/** ReceiveAccepted: the leader counts a phase-2b vote for its proposal in `msg.slot`. */
export function onAccepted(b: StepBuilder, msg: AcceptedMsg): void {
  const proposal = b.v.proposals.get(msg.slot);
  if (b.v.role !== 'leader' || proposal === undefined) return;
  if (!b.ctx.rules.countsVote(b.v.ballot, msg.ballot)) return;
  const proposals = new Map(b.v.proposals);
  proposals.set(msg.slot, { cmd: proposal.cmd, votes: new Set([...proposal.votes, msg.from]) });
  b.setVolatile({ proposals });
  b.trace({ action: 'ReceiveAccepted', slot: msg.slot, msg });
  maybeDecide(b, msg.slot);
}

/** Decide: a quorum accepted the proposal in one ballot, so it is chosen; tell the learners. */
function maybeDecide(b: StepBuilder, slot: Slot): void {
  const proposal = b.v.proposals.get(slot);
  if (proposal === undefined || !b.ctx.rules.isQuorum(proposal.votes, quorumMembers(b, slot)))
    return;
  const proposals = new Map(b.v.proposals);
  proposals.delete(slot);
  b.setVolatile({ proposals });
  learn(b, slot, proposal.cmd, 'Decide');
  // A slot its checkpoint covers is executed and gone from the log: peers get the checkpoint.
  const decided = b.durable.chosen.get(slot);
  if (decided !== undefined) b.broadcast({ type: 'Decision', from: b.id, slot, cmd: decided });
  executeReady(b);
  drainQueue(b);
}

/** A client request reaching the leader: propose it unless it is already in flight. */
export function onLeaderRequest(b: StepBuilder, msg: RequestMsg): void {
  if (isInFlight(b, msg)) return;
  b.setVolatile({ queue: [...b.v.queue, msg] });
  drainQueue(b);
}

function isInFlight(b: StepBuilder, msg: RequestMsg): boolean {
  const same = (cmd: Command): boolean =>
    'client' in cmd && cmd.client === msg.from && cmd.seq === msg.seq;
  for (const p of b.v.proposals.values()) if (same(p.cmd)) return true;
  for (const q of b.v.queue) if (q.from === msg.from && q.seq === msg.seq) return true;
  for (const [slot, cmd] of b.durable.chosen) if (slot >= b.v.executed && same(cmd)) return true;
  return false;
}

/**
 * Propose what the window α now reaches: the values phase 1 adopted past it, then queued
 * requests, then a checkpoint if due. A slot whose configuration did not promise this ballot
 * (a JOIN or QUIT took effect) needs a new phase 1: the leader starts a new candidacy.
 */
function drainQueue(b: StepBuilder): void {
  if (b.v.role !== 'leader') return;
  if (!proposeAdopted(b)) return;
  while (b.v.role === 'leader' && b.v.queue.length > 0) {
    const slot = freeSlot(b);
    if (slot === undefined) return;
    if (!covers(b, slot)) return reelect(b);
    const [next, ...rest] = b.v.queue as [RequestMsg, ...RequestMsg[]];
    b.setVolatile({ queue: rest });
    // Executed since it was queued (chosen in another leader's slot): nothing to propose.
    if (b.ctx.rules.isDuplicate(b.v.sessions.get(next.from), next.seq)) continue;
    propose(b, slot, b.ctx.rules.proposal(next));
  }
  maybeProposeCheckpoint(b);
}

/** Propose the adopted values the window now reaches; false once the leader gave up leading. */
function proposeAdopted(b: StepBuilder): boolean {
  if (b.v.adopted.size === 0) return true;
  const end = windowEnd(b);
  const adopted = new Map(b.v.adopted);
  for (const [slot, cmd] of [...b.v.adopted].sort(([x], [y]) => x - y)) {
    if (slot >= end) break;
    if (!covers(b, slot)) {
      reelect(b);
      return false;
    }
    adopted.delete(slot);
    b.setVolatile({ adopted });
    if (!b.durable.chosen.has(slot) && slot >= checkpointSlot(b.durable)) propose(b, slot, cmd);
  }
  return b.v.role === 'leader';
}

/** The next slot a leader may propose in, or undefined while the window α is full. */
function freeSlot(b: StepBuilder): Slot | undefined {
  let slot = Math.max(b.v.nextSlot, checkpointSlot(b.durable));
  while (b.durable.chosen.has(slot)) slot++;
  return slot >= windowEnd(b) ? undefined : slot;
}

/**
 * A leader proposes a CHECKPOINT once `checkpointEvery` slots were executed since its last
 * checkpoint, or once it executed an operator's checkpoint request since then (app.ts; even
 * with `checkpointEvery` 0), unless one is already proposed or chosen and not yet executed.
 */
function maybeProposeCheckpoint(b: StepBuilder): void {
  if (b.v.role !== 'leader') return;
  const every = b.base.params.checkpointEvery;
  const due = every > 0 && b.v.executed - checkpointSlot(b.durable) >= every;
  if (!due && !checkpointRequested(b)) return;
  for (const p of b.v.proposals.values()) if (p.cmd.kind === 'checkpoint') return;
  for (const [slot, cmd] of b.durable.chosen)
    if (slot >= b.v.executed && cmd.kind === 'checkpoint') return;
  const slot = freeSlot(b);
  if (slot === undefined) return;
  if (!covers(b, slot)) return reelect(b);
  propose(b, slot, CHECKPOINT);
}

/** Did this replica execute an operator's checkpoint request after its last checkpoint? */
function checkpointRequested(b: StepBuilder): boolean {
  for (const [slot, cmd] of b.durable.chosen)
    if (slot >= checkpointSlot(b.durable) && slot < b.v.executed)
      if (cmd.kind === 'op' && isCheckpointRequest(cmd.op)) return true;
  return false;
}

/** StepDown when `ballot` (by default our own promise) outranks the one we lead or seek. */
export function stepDownIfOutranked(b: StepBuilder, ballot: Ballot = b.durable.promised): void {
  if (b.v.role === 'follower') return;
  if (b.ctx.rules.compareBallots(ballot, b.v.ballot) <= 0) return;
  stepDown(b);
}

/** StepDown: the candidacy or leadership is over; in-flight proposals are forgotten. */
export function stepDown(b: StepBuilder): void {
  b.setVolatile({
    role: 'follower',
    promises: new Map(),
    proposals: new Map(),
    queue: [],
    covered: [],
    adopted: new Map(),
  });
  b.trace({ action: 'StepDown' });
}
