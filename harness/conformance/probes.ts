/**
 * Node probes: the spec's actions checked on inputs the search did not happen to deliver.
 *
 * A bug in how a leader adopts values, counts votes or orders ballots shows only when a replica
 * receives a particular message in a particular state — say, a promise reporting a value at a
 * higher ballot than its own, or a vote from an older ballot — and reaching that combination
 * through whole-cluster interleavings needs scopes far beyond a CI budget. A node step, though,
 * depends only on the node's state and its input. So the probes take replica and client states
 * the explorer reached, hand each one synthetic messages of every kind around its ballots,
 * slots and votes (well-formed, from members of the configuration), and check each step with
 * the per-step refinement of the spec twin (harness/refinement/local.ts) and the step-level
 * invariants (Durability, persist order). It is differential testing of each handler against
 * the TLA+ action of the same name, with the explorer's states as the corpus.
 *
 * Every probe is a pure function of the state and the seed: the same run finds the same probe.
 */
import type { ClientState } from '../../src/core/client.js';
import { canonicalEncode } from '../../src/core/canonical.js';
import { clientStep } from '../../src/core/client.js';
import { replicaContext, replicaStep } from '../../src/core/replica/reducer.js';
import { chosenPrefix, type ReplicaState } from '../../src/core/replica/state.js';
import type {
  AcceptedEntry,
  Ballot,
  Checkpoint,
  ChosenEntry,
  Command,
  Input,
  Message,
  ReplicaId,
  SnapshotPart,
  StepResult,
} from '../../src/core/types.js';
import { checkCheckpointStep, checkDurable, checkPersistOrder } from '../model/invariants.js';
import { type Violation } from '../../src/spec/violation.js';
import type { ClusterConfig, StepChecks } from '../model/world.js';
import { Random } from '../random.js';

export interface ProbeOptions {
  /** Replica states probed per role (follower, candidate, leader); default 400. */
  readonly statesPerRole?: number;
  /** Client states with a request pending probed; default 400. */
  readonly clientStates?: number;
  /** Probes per state (each one a sequence of one to three inputs); default 24. */
  readonly probesPerState?: number;
  readonly seed?: number;
}

/** A probe that exposed a violation: the state, the inputs, and what the check said. */
export interface ProbeFinding {
  readonly violation: Violation;
  readonly node: string;
  /** The node's state before the probe, as the reducer's own data (JSON-friendly text). */
  readonly state: string;
  readonly inputs: readonly string[];
}

export interface ProbeResult {
  readonly replicaStates: number;
  readonly clientStates: number;
  readonly probes: number;
  readonly steps: number;
  readonly elapsedMs: number;
  readonly finding: ProbeFinding | null;
}

const ROLES = ['follower', 'candidate', 'leader'] as const;

export function probeNodeSteps(
  cfg: ClusterConfig & { readonly stepChecks: StepChecks },
  replicas: Iterable<ReplicaState>,
  clients: Iterable<ClientState>,
  options: ProbeOptions = {},
): ProbeResult {
  const started = performance.now();
  const rng = new Random(options.seed ?? 1);
  const perRole = options.statesPerRole ?? 400;
  const perState = options.probesPerState ?? 24;
  const ctx = replicaContext(cfg.app, cfg.rules);
  const pool = commandPool(cfg);
  const all = [...replicas];
  const checkpoints = checkpointPool(all);
  let probes = 0;
  let steps = 0;

  const byRole = new Map<string, ReplicaState[]>(ROLES.map((r) => [r, []]));
  for (const s of all) byRole.get(s.volatile.role)?.push(s);
  const chosenStates: ReplicaState[] = [];
  for (const role of ROLES) chosenStates.push(...sample(rng, byRole.get(role) ?? [], perRole));
  const pending = sample(
    rng,
    [...clients].filter((c) => c.pending !== null),
    options.clientStates ?? 400,
  );

  const finding = (
    node: string,
    state: unknown,
    inputs: readonly Input[],
    violation: Violation,
  ) => ({
    violation,
    node,
    state: describeState(state),
    inputs: inputs.map(describeInput),
  });

  for (const state of chosenStates) {
    const candidates = [
      ...replicaProbes(cfg, state, pool),
      ...checkpointProbes(cfg, state, checkpoints),
    ];
    for (const inputs of sample(rng, candidates, perState)) {
      probes++;
      let s = state;
      for (const input of inputs) {
        steps++;
        const r: StepResult<ReplicaState> = replicaStep(s, input, ctx);
        const found = [
          ...checkDurable(s.id, s.durable, r.state.durable),
          ...checkPersistOrder(s.id, r.effects),
          ...checkCheckpointStep(cfg.app, cfg.replicas.length, s, r.state, r.effects),
          ...cfg.stepChecks.replica(s, input, r),
        ];
        if (found.length > 0) return done(finding(state.id, state, inputs, found[0] as Violation));
        s = r.state;
      }
    }
  }
  for (const client of pending) {
    for (const inputs of sample(rng, clientProbes(cfg, client), perState)) {
      probes++;
      let c = client;
      for (const input of inputs) {
        steps++;
        const r = clientStep(c, input, cfg.clientRules);
        const found = cfg.stepChecks.client(c, input, r);
        if (found.length > 0)
          return done(finding(client.id, client, inputs, found[0] as Violation));
        c = r.state;
      }
    }
  }
  return done(null);

  function done(f: ProbeFinding | null): ProbeResult {
    return {
      replicaStates: chosenStates.length,
      clientStates: pending.length,
      probes,
      steps,
      elapsedMs: Math.round(performance.now() - started),
      finding: f,
    };
  }
}

/** Up to `n` items, a deterministic sample (all of them when there are few). */
function sample<T>(rng: Random, items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  const copy = [...items];
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(copy.length - i);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, n);
}

/** Distinct commands to put in synthetic messages: a no-op and two requests per client. */
function commandPool(cfg: ClusterConfig): Command[] {
  const out: Command[] = [{ kind: 'noop' }];
  for (const client of cfg.clients)
    for (const seq of [1, 2]) out.push({ kind: 'op', client, seq, op: probeOp(cfg, seq) });
  return out;
}

function probeOp(cfg: ClusterConfig, seq: number) {
  return cfg.app.name === 'counter'
    ? { type: 'inc', by: seq }
    : { type: 'append', key: 'x', value: `p${seq}` };
}

const ballotOf = (round: number, leader: ReplicaId): Ballot => ({ round, leader });

/** Ballots of `config` in rounds [lo, hi], in ballot order. */
function ballotsBetween(config: readonly ReplicaId[], lo: number, hi: number): Ballot[] {
  const leaders = [...config].sort();
  const out: Ballot[] = [];
  for (let round = Math.max(lo, 1); round <= hi; round++)
    for (const leader of leaders) out.push(ballotOf(round, leader));
  return out;
}

const below = (a: Ballot, b: Ballot): boolean =>
  a.round < b.round || (a.round === b.round && a.leader < b.leader);

/** Input sequences for one replica state: every message kind around its ballots and slots. */
function replicaProbes(cfg: ClusterConfig, s: ReplicaState, pool: readonly Command[]): Input[][] {
  const out: Input[][] = [];
  const me = s.id;
  const peers = cfg.replicas.filter((r) => r !== me);
  const receive = (msg: Message): Input => ({ kind: 'Receive', msg });
  const d = s.durable;
  const v = s.volatile;
  const round = Math.max(d.promised.round, v.highestSeen.round, 1);
  const near = ballotsBetween(cfg.replicas, round - 1, round + 1);
  let top = v.executed;
  for (const slot of d.accepted.keys()) top = Math.max(top, slot);
  for (const slot of d.chosen.keys()) top = Math.max(top, slot);
  const slots = [...new Set([0, v.executed, top, top + 1])];
  const two = pool.slice(0, 3);
  const known = knownValues(s);

  for (const p of peers) {
    for (const b of near.filter((x) => x.leader === p)) {
      for (const fromSlot of new Set([0, v.executed]))
        out.push([receive({ type: 'Prepare', from: p, ballot: b, fromSlot })]);
      for (const slot of slots)
        for (const cmd of two)
          if (!conflicts(known, slot, b, cmd))
            out.push([receive({ type: 'Accept', from: p, ballot: b, slot, cmd })]);
    }
    for (const slot of [v.executed, v.executed + 1])
      for (const cmd of two) out.push([receive({ type: 'Decision', from: p, slot, cmd })]);
    for (const fromSlot of new Set([0, v.executed]))
      out.push([receive({ type: 'CatchUpRequest', from: p, fromSlot })]);
    for (const entries of catchUpEntries(v.executed, two))
      out.push([receive({ type: 'CatchUpReply', from: p, entries })]);
    for (const b of near)
      for (const leading of [true, false])
        out.push([
          receive({ type: 'Heartbeat', from: p, ballot: b, leading, chosenPrefix: v.executed + 2 }),
        ]);
  }
  for (const client of cfg.clients) {
    const seq = v.sessions.get(client)?.seq ?? 0;
    for (const q of new Set([Math.max(seq - 1, 1), Math.max(seq, 1), seq + 1]))
      out.push([receive({ type: 'Request', from: client, seq: q, op: probeOp(cfg, q) })]);
  }

  // A candidate: promises for its ballot (and others) reporting values at lower ballots —
  // where adoption (P2c) is decided.
  if (v.role === 'candidate') {
    const lower = ballotsBetween(cfg.replicas, 1, v.ballot.round).filter((b) => below(b, v.ballot));
    const missing = peers.filter((p) => !v.promises.has(p));
    for (const reports of promiseReports(v.prepareFrom, lower, pool, d.accepted)) {
      if (reports.some((e) => conflicts(known, e.slot, e.ballot, e.cmd))) continue;
      // Enough promises for a quorum, each with these reports (the first) or none.
      const seqs: Input[] = missing.map((p, i) =>
        receive({
          type: 'Promise',
          from: p,
          ballot: v.ballot,
          accepted: i === 0 ? reports : [],
          checkpoint: 0,
        }),
      );
      for (let k = 1; k <= seqs.length; k++) out.push(seqs.slice(0, k));
    }
    // A promise from an acceptor that truncated past what the candidate knows chosen: it
    // reports nothing for those slots, so the candidate must not lead on it yet.
    const ahead = chosenPrefix(d, v.executed) + 1;
    const truncated: Input[] = missing.map((p, i) =>
      receive({
        type: 'Promise',
        from: p,
        ballot: v.ballot,
        accepted: [],
        checkpoint: i === 0 ? ahead : 0,
      }),
    );
    for (let k = 1; k <= truncated.length; k++) out.push(truncated.slice(0, k));
    for (const p of peers)
      for (const b of near.filter((x) => !sameBallot(x, v.ballot)))
        out.push([receive({ type: 'Promise', from: p, ballot: b, accepted: [], checkpoint: 0 })]);
  }

  // A leader: votes for its proposals, from its ballot and from others, once and twice.
  if (v.role === 'leader') {
    for (const slot of v.proposals.keys()) {
      for (const p of peers) {
        const vote = (ballot: Ballot): Input =>
          receive({ type: 'Accepted', from: p, ballot, slot });
        out.push([vote(v.ballot), vote(v.ballot)]);
        for (const b of ballotsBetween(cfg.replicas, 1, v.ballot.round + 1))
          if (!sameBallot(b, v.ballot)) out.push([vote(b)]);
      }
      const others = peers.map((p) =>
        receive({ type: 'Accepted', from: p, ballot: v.ballot, slot }),
      );
      out.push(others);
    }
  }
  return out;
}

/** Up to eight distinct checkpoints the search's replicas hold, for state-transfer probes. */
function checkpointPool(states: readonly ReplicaState[]): Checkpoint[] {
  const out = new Map<string, Checkpoint>();
  for (const s of states) {
    const cp = s.durable.checkpoint;
    if (cp !== null && !out.has(`${cp.slot}|${cp.digest}`) && out.size < 8)
      out.set(`${cp.slot}|${cp.digest}`, cp);
  }
  return [...out.values()];
}

/**
 * Checkpoint inputs: peers vouching for the replica's checkpoint (with its digest, or another
 * one as a corrupt peer would), a catch-up request from before it (state transfer), and the
 * chunks of a later checkpoint — whole, split in two, or leaving out every part as if the
 * receiver had them all at the same version (its own copy must then fail the digest check).
 */
function checkpointProbes(
  cfg: ClusterConfig,
  s: ReplicaState,
  checkpoints: readonly Checkpoint[],
): Input[][] {
  const out: Input[][] = [];
  const me = s.id;
  const peers = cfg.replicas.filter((r) => r !== me);
  const receive = (msg: Message): Input => ({ kind: 'Receive', msg });
  const own = s.durable.checkpoint;
  if (own !== null) {
    const vote = (from: ReplicaId, digest: string): Input =>
      receive({ type: 'CheckpointVote', from, slot: own.slot, digest });
    out.push(peers.map((p) => vote(p, own.digest)));
    out.push(peers.map((p) => vote(p, `${own.digest}-other`)));
    for (const p of peers) {
      out.push([vote(p, own.digest)]);
      out.push([receive({ type: 'CatchUpRequest', from: p, fromSlot: 0, versions: {} })]);
    }
  }
  const versions: Record<string, number> = {};
  for (const part of cfg.app.snapshot(s.volatile.app)) versions[part.name] = part.version;
  for (const cp of checkpoints) {
    if (cp.slot <= s.volatile.executed) continue;
    const every = cfg.app.snapshot(cp.app);
    const names = every.map((p) => p.name);
    const sessions = [...cp.sessions]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([client, x]) => ({ client, seq: x.seq, output: x.output }));
    const differing = every.filter((p) => versions[p.name] !== p.version);
    for (const from of peers.slice(0, 1)) {
      const chunks = (parts: readonly SnapshotPart[], count: number): Input[] => {
        const size = Math.max(1, Math.ceil(parts.length / count));
        return Array.from({ length: count }, (_, index) =>
          receive({
            type: 'SnapshotChunk',
            from,
            slot: cp.slot,
            digest: cp.digest,
            index,
            count,
            parts: parts.slice(index * size, (index + 1) * size),
            ...(index === 0 ? { names, sessions } : {}),
          }),
        );
      };
      out.push(chunks(differing, 1));
      if (differing.length > 1) out.push(chunks(differing, 2));
      out.push(chunks(every, 1));
      if (differing.length > 0) out.push(chunks([], 1));
    }
  }
  return out;
}

/**
 * What the node knows was proposed at (slot, ballot): its own accepted values and the values
 * promises reported to it. Paxos proposes one value per slot and ballot, so a synthetic message
 * that contradicts these could not exist, and is not sent.
 */
function knownValues(s: ReplicaState): Map<string, string> {
  const out = new Map<string, string>();
  const note = (slot: number, b: Ballot, cmd: Command) =>
    out.set(`${slot}|${b.round}.${b.leader}`, canonicalEncode(cmd as never));
  for (const [slot, x] of s.durable.accepted) note(slot, x.ballot, x.cmd);
  for (const report of s.volatile.promises.values())
    for (const e of report.accepted) note(e.slot, e.ballot, e.cmd);
  return out;
}

function conflicts(
  known: ReadonlyMap<string, string>,
  slot: number,
  b: Ballot,
  cmd: Command,
): boolean {
  const seen = known.get(`${slot}|${b.round}.${b.leader}`);
  return seen !== undefined && seen !== canonicalEncode(cmd as never);
}

/** Promise reports for slots from `from`: each pairing of values and lower ballots that matters. */
function promiseReports(
  from: number,
  lower: readonly Ballot[],
  pool: readonly Command[],
  own: ReadonlyMap<number, { ballot: Ballot; cmd: Command }>,
): AcceptedEntry[][] {
  const out: AcceptedEntry[][] = [[]];
  if (lower.length === 0) return out;
  const highest = lower[lower.length - 1] as Ballot;
  const lowest = lower[0] as Ballot;
  const mine = own.get(from);
  for (const cmd of pool) {
    out.push([{ slot: from, ballot: highest, cmd }]);
    out.push([{ slot: from, ballot: lowest, cmd }]);
    out.push([{ slot: from + 1, ballot: highest, cmd }]);
    if (mine !== undefined) {
      // Reports on both sides of the candidate's own accepted ballot for that slot.
      for (const b of lower)
        if (!sameBallot(b, mine.ballot)) out.push([{ slot: from, ballot: b, cmd }]);
    }
  }
  const [a, b] = [pool[1] ?? pool[0], pool[pool.length - 1]] as [Command, Command];
  out.push([
    { slot: from, ballot: highest, cmd: a },
    { slot: from + 2, ballot: lowest, cmd: b },
  ]);
  return out;
}

function catchUpEntries(executed: number, cmds: readonly Command[]): ChosenEntry[][] {
  const out: ChosenEntry[][] = [];
  for (const cmd of cmds) {
    out.push([{ slot: executed, cmd }]);
    out.push([{ slot: executed + 1, cmd }]);
  }
  return out;
}

/** Reply sequences for a client with a request pending: equal and different outputs, stale seqs. */
function clientProbes(cfg: ClusterConfig, c: ClientState): Input[][] {
  const pending = c.pending;
  if (pending === null) return [];
  const receive = (from: ReplicaId, output: string, seq = pending.seq): Input => ({
    kind: 'Receive',
    msg: { type: 'Reply', from, to: c.id, seq, output },
  });
  const fresh = cfg.replicas.filter((r) => !pending.votes.has(r));
  const voted = [...pending.votes.keys()];
  const out: Input[][] = [];
  const outputs = ['a', 'b', 'c'];
  // Every assignment of outputs to the replicas that have not answered, in order.
  const assign = (k: number, acc: Input[]): void => {
    if (acc.length > 0) out.push([...acc]);
    if (k === fresh.length || acc.length >= 3) return;
    for (const o of outputs) assign(k + 1, [...acc, receive(fresh[k] as ReplicaId, o)]);
  };
  assign(0, []);
  for (const r of [...voted, ...fresh]) {
    out.push([receive(r, 'a'), receive(r, 'a')]);
    if (pending.seq > 1) out.push([receive(r, 'a', pending.seq - 1)]);
    out.push([receive(r, 'a', pending.seq + 1)]);
  }
  return out;
}

const sameBallot = (a: Ballot, b: Ballot): boolean => a.round === b.round && a.leader === b.leader;

function describeInput(input: Input): string {
  return input.kind === 'Receive' ? `Receive ${canonicalEncode(input.msg as never)}` : input.kind;
}

/** A replica or client state as text: Maps and Sets shown as entries. */
function describeState(state: unknown): string {
  return JSON.stringify(state, (_key, value: unknown) =>
    value instanceof Map ? Object.fromEntries(value) : value instanceof Set ? [...value] : value,
  );
}
