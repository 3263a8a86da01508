/**
 * One transition of the cluster world: deliver, drop or duplicate a message, tick a node,
 * crash or restart a replica, or have a client submit an operation. Pure: returns the next
 * world, what the nodes did, and the invariant violations the transition exposed.
 */
import { clientStep, type ClientState } from '../../src/core/client.js';
import { replicaContext, replicaStep } from '../../src/core/replica/reducer.js';
import type { ReplicaState } from '../../src/core/replica/state.js';
import { isReconfig } from '../../src/core/replica/config.js';
import { membersAt, reconfigOp } from '../../src/core/membership.js';
import type {
  AcceptedValue,
  Ballot,
  Checkpoint,
  ClientId,
  Command,
  DurableState,
  Effect,
  Slot,
  Input,
  Json,
  NodeId,
  ReplicaId,
  StepResult,
  TraceEvent,
  ActionName,
} from '../../src/core/types.js';
import { corruptAppState, referenceOutput, sameOutput } from './corrupt.js';
import { auditChecks, declaredFaulty } from './audit-checks.js';
import { heldDigest, referenceReconfig, stateDigestOf, trueConfig } from './reconfig.js';
import {
  checkCheckpointStep,
  checkDurable,
  checkPersistOrder,
  describeCommand,
  sameCommand,
} from './invariants.js';
import { type Violation } from '../../src/spec/violation.js';
import {
  requestKey,
  type BallotVotes,
  type ClusterConfig,
  type Ghost,
  type GhostChange,
  type Packet,
  type ReplicaNode,
  type World,
} from './world.js';

export type Action =
  | { readonly kind: 'Deliver'; readonly packet: number }
  | { readonly kind: 'Drop'; readonly packet: number }
  | { readonly kind: 'Duplicate'; readonly packet: number }
  | { readonly kind: 'Tick'; readonly node: NodeId }
  | { readonly kind: 'Crash'; readonly replica: ReplicaId }
  | { readonly kind: 'Restart'; readonly replica: ReplicaId }
  | { readonly kind: 'Submit'; readonly client: ClientId; readonly op: Json }
  /** Garble an up replica's app state (non-malicious corruption; a restart heals it). */
  | { readonly kind: 'Corrupt'; readonly replica: ReplicaId };

/** A spec action one node performed during the transition. */
export interface NodeEvent {
  readonly node: NodeId;
  readonly event: TraceEvent;
}

export interface Transition {
  readonly world: World;
  /** The node that stepped, if any, and the packet it consumed. */
  readonly node?: NodeId;
  readonly consumed?: Packet;
  readonly sent: readonly Packet[];
  readonly events: readonly NodeEvent[];
  readonly rejected: readonly string[];
  readonly violations: readonly Violation[];
}

export function applyAction(cfg: ClusterConfig, world: World, action: Action): Transition {
  switch (action.kind) {
    case 'Deliver': {
      const { packet, rest } = takePacket(world, action.packet);
      return stepNode(
        cfg,
        { ...world, network: rest },
        packet.to,
        { kind: 'Receive', msg: packet.msg },
        packet,
      );
    }
    case 'Drop':
      return quiet({ ...world, network: takePacket(world, action.packet).rest });
    case 'Duplicate': {
      const { packet } = takePacket(world, action.packet);
      const copy = { ...packet, id: world.nextPacketId };
      return quiet({
        ...world,
        network: [...world.network, copy],
        nextPacketId: world.nextPacketId + 1,
      });
    }
    case 'Tick':
      return stepNode(cfg, world, action.node, { kind: 'Tick' });
    case 'Crash':
      return quiet(updateReplica(world, action.replica, (n) => ({ ...n, up: false })));
    case 'Restart': {
      const node = replicaNode(world, action.replica);
      // The host rebuilds the replica from its disk; the reducer's Restart does the rest.
      const revived = updateReplica(world, action.replica, (n) => ({
        ...n,
        up: true,
        // The same object when the disk holds the durable state (memoising callers key on it).
        state: n.disk === n.state.durable ? n.state : { ...n.state, durable: n.disk },
      }));
      const t = stepNode(cfg, revived, action.replica, { kind: 'Restart' });
      const lost = checkDurable(
        action.replica,
        node.state.durable,
        replicaNode(t.world, action.replica).state.durable,
      );
      return { ...t, violations: [...t.violations, ...lost] };
    }
    case 'Submit':
      return stepNode(cfg, world, action.client, { kind: 'ClientRequest', op: action.op });
    case 'Corrupt': {
      const corrupted = updateReplica(world, action.replica, (n) => ({
        ...n,
        state: {
          ...n.state,
          volatile: { ...n.state.volatile, app: corruptAppState(cfg.app, n.state.volatile.app) },
        },
      }));
      const ghost = {
        ...world.ghost,
        corrupted: new Set(world.ghost.corrupted).add(action.replica),
        faulty: new Set(world.ghost.faulty).add(action.replica),
      };
      return quiet({ ...corrupted, ghost });
    }
  }
}

function quiet(world: World): Transition {
  return { world, sent: [], events: [], rejected: [], violations: [] };
}

function takePacket(world: World, id: number): { packet: Packet; rest: Packet[] } {
  const index = world.network.findIndex((p) => p.id === id);
  const packet = world.network[index];
  if (packet === undefined) throw new Error(`no packet ${id} in flight`);
  return { packet, rest: world.network.filter((_, i) => i !== index) };
}

export function replicaNode(world: World, id: ReplicaId): ReplicaNode {
  const node = world.replicas.find((n) => n.state.id === id);
  if (node === undefined) throw new Error(`unknown replica ${id}`);
  return node;
}

function updateReplica(world: World, id: ReplicaId, f: (n: ReplicaNode) => ReplicaNode): World {
  return { ...world, replicas: world.replicas.map((n) => (n.state.id === id ? f(n) : n)) };
}

/** Feed one input to one node and carry out its effects. */
function stepNode(
  cfg: ClusterConfig,
  world: World,
  node: NodeId,
  input: Input,
  consumed?: Packet,
): Transition {
  const replica = world.replicas.find((n) => n.state.id === node);
  const client = world.clients.find((c) => c.id === node);
  let result: StepResult<ReplicaState> | StepResult<ClientState>;
  let stepped: ReplicaNode | undefined;
  let next: World;
  const violations: Violation[] = [];
  if (replica !== undefined) {
    // A message to a crashed replica is lost; a crashed replica does not tick.
    if (!replica.up && input.kind !== 'Restart')
      return { ...quiet(world), node, ...(consumed ? { consumed } : {}) };
    const r = (cfg.stepReplica ?? replicaStep)(
      replica.state,
      input,
      replicaContext(cfg.app, cfg.rules),
    );
    result = r;
    stepped = { ...replica, state: r.state, disk: lastPersist(r.effects) ?? replica.disk };
    const steppedNode = stepped;
    next = updateReplica(world, node, () => steppedNode);
    if (input.kind !== 'Restart')
      violations.push(
        ...checkDurable(node, replica.state.durable, r.state.durable, truncates(r.effects)),
      );
    violations.push(...checkPersistOrder(node, r.effects));
    if (cfg.stepChecks) violations.push(...cfg.stepChecks.replica(replica.state, input, r));
  } else if (client !== undefined) {
    const c = cfg.stepClient
      ? cfg.stepClient(client, input)
      : clientStep(client, input, cfg.clientRules);
    result = c;
    if (cfg.stepChecks) violations.push(...cfg.stepChecks.client(client, input, c));
    next = { ...world, clients: world.clients.map((x) => (x.id === node ? c.state : x)) };
  } else {
    return { ...quiet(world), node, rejected: [`no node ${node}`] };
  }
  const change = (cfg.ghostStep ?? ghostStep)(
    cfg,
    world.ghost,
    node,
    input,
    result,
    stepped,
    replica,
  );
  violations.push(...change.violations);
  return carryOut(next, change.ghost, node, result.effects, violations, consumed);
}

const truncates = (effects: readonly Effect[]): boolean =>
  effects.some((e) => e.kind === 'Trace' && e.event.action === 'Truncate');

function lastPersist(effects: readonly Effect[]) {
  let disk;
  for (const e of effects) if (e.kind === 'Persist') disk = e.durable;
  return disk;
}

/** Put the step's sends on the network and collect what it did. */
function carryOut(
  world: World,
  ghost: Ghost,
  node: NodeId,
  effects: readonly Effect[],
  violations: Violation[],
  consumed: Packet | undefined,
): Transition {
  const sent: Packet[] = [];
  const events: NodeEvent[] = [];
  const rejected: string[] = [];
  let nextId = world.nextPacketId;
  for (const effect of effects) {
    if (effect.kind === 'Send' || effect.kind === 'Reply')
      sent.push({ id: nextId++, from: node, to: effect.to, msg: effect.msg });
    else if (effect.kind === 'Trace') events.push({ node, event: effect.event });
    else if (effect.kind === 'Rejected') rejected.push(effect.reason);
  }
  const next: World = {
    ...world,
    ghost,
    network: [...world.network, ...sent],
    nextPacketId: nextId,
  };
  return {
    world: next,
    node,
    ...(consumed ? { consumed } : {}),
    sent,
    events,
    rejected,
    violations,
  };
}

/**
 * The ghost bookkeeping of one node step (a pure function of the ghost, the node, and the step's
 * result), with the invariants it checks: Agreement, Validity, ExactlyOnce, OutputFilter,
 * PrefixConsistency.
 */
export function ghostStep(
  cfg: ClusterConfig,
  before: Ghost,
  node: NodeId,
  input: Input,
  result: StepResult<unknown>,
  stepped: ReplicaNode | undefined,
  previous: ReplicaNode | undefined,
): GhostChange {
  const violations: Violation[] = [];
  let ghost = input.kind === 'Restart' ? restarted(cfg, before, node, stepped, previous) : before;
  if (stepped !== undefined && previous !== undefined)
    ghost = recordVotes(
      ghost,
      node,
      previous.state.durable.accepted,
      withTruncatedVotes(previous, stepped, result.effects),
    );
  let executed = false;
  let declared = false;
  for (const effect of result.effects) {
    if (effect.kind === 'Trace') {
      executed ||= MOVES_EXECUTION.has(effect.event.action);
      declared ||= effect.event.action === 'DeclareFaulty';
      ghost = observe(cfg, ghost, node, effect.event, violations, stepped);
    } else if (effect.kind === 'Complete') {
      if (effect.outcome.ok)
        checkOutput(cfg, ghost, node, effect.seq, effect.outcome.output, violations);
      ghost = complete(ghost, node, effect.outcome.ok ? effect.outcome.output : undefined);
    }
  }
  violations.push(
    ...auditChecks(cfg, ghost, node, before.corrupted.has(node), result.effects, stepped),
  );
  if (
    declared &&
    stepped !== undefined &&
    !(stepped.state.volatile.repair?.awaitingTransfer ?? false)
  ) {
    const corrupted = markCorrupted(ghost, node, declaredFaulty(cfg, ghost, stepped));
    if (corrupted !== ghost.corrupted) ghost = { ...ghost, corrupted };
  }
  if (executed) checkPrefix(cfg, stepped, ghost, node, violations);
  if (stepped !== undefined && previous !== undefined)
    checkCheckpoint(cfg, ghost, node, previous, stepped, result.effects, violations);
  return { ghost, violations };
}

/**
 * Execute the chosen log as a correct replica does, as far as it is contiguous, recording the
 * digest of the state after each slot (the reference PrefixConsistency and CheckpointSafety
 * compare replicas with).
 */
function advanceReference(cfg: ClusterConfig, ghost: Ghost, out: Violation[]): Ghost {
  let { executed, app, sessions, membership } = ghost.reference;
  let digests: Map<number, string> | undefined;
  for (let cmd = ghost.chosen.get(executed); cmd !== undefined; cmd = ghost.chosen.get(executed)) {
    checkConfigQuorum(cfg, ghost, executed, cmd, membersAt(membership, executed), out);
    if (cmd.kind === 'op' && (sessions.get(cmd.client)?.seq ?? 0) < cmd.seq) {
      const result = cfg.app.apply(app, cmd.op);
      app = result.state;
      sessions = new Map(sessions).set(cmd.client, { seq: cmd.seq, output: result.output });
    } else if (isReconfig(cmd) && (sessions.get(cmd.client)?.seq ?? 0) < cmd.seq) {
      const result = referenceReconfig(cfg, membership, executed, cmd);
      membership = result.membership;
      sessions = new Map(sessions).set(cmd.client, { seq: cmd.seq, output: result.output });
    }
    executed++;
    digests ??= new Map(ghost.digests);
    digests.set(
      executed,
      stateDigestOf(cfg.app, cfg.replicaParams, executed, app, sessions, membership),
    );
  }
  return digests === undefined
    ? ghost
    : { ...ghost, digests, reference: { executed, app, sessions, membership } };
}

/** Events after which a replica's executed prefix (and so its state) may have moved. */
const MOVES_EXECUTION: ReadonlySet<ActionName> = new Set([
  'Execute',
  'Reconfigure',
  'Checkpoint',
  'InstallCheckpoint',
  'DeclareFaulty',
]);

/**
 * CheckpointSafety: a replica's checkpoint never covers more than it executed, its digest is the
 * digest of what it holds (so a transferred state has the checkpoint's digest), and, unless the
 * replica is corrupt, it is the state every correct replica had after executing its slots.
 */
function checkCheckpoint(
  cfg: ClusterConfig,
  ghost: Ghost,
  node: NodeId,
  previous: ReplicaNode,
  stepped: ReplicaNode,
  effects: readonly Effect[],
  out: Violation[],
): void {
  if (!stepped.up) return;
  const cp = stepped.state.durable.checkpoint;
  if (cp === null) return;
  out.push(
    ...checkCheckpointStep(cfg.app, cfg.replicas.length, previous.state, stepped.state, effects),
  );
  if (cp === previous.state.durable.checkpoint) return;
  const held = heldDigest(cfg.app, cfg.replicaParams, cp);
  const reference = ghost.digests.get(cp.slot);
  if (!ghost.corrupted.has(node) && reference !== undefined && reference !== held)
    out.push({
      invariant: 'CheckpointSafety',
      node,
      message: `${node}'s checkpoint at slot ${cp.slot} is not the state after executing the slots below it (digest ${held}, correct replicas had ${reference})`,
    });
}

/** Events that never change a ghost variable (`observe` and `checkPrefix` below ignore them). */
export const QUIET_EVENTS: ReadonlySet<ActionName> = new Set([
  'Phase1a',
  'Phase1b',
  'ReceivePromise',
  'BecomeLeader',
  'Phase2a',
  'Phase2b',
  'ReceiveAccepted',
  'ReplyFromSession',
  'StepDown',
]);

/** Ghost bookkeeping and the event-level invariants: Agreement, Validity, ExactlyOnce. */
function observe(
  cfg: ClusterConfig,
  ghost: Ghost,
  node: NodeId,
  ev: TraceEvent,
  out: Violation[],
  stepped: ReplicaNode | undefined,
): Ghost {
  const msg = ev.msg;
  if (ev.action === 'InstallCheckpoint' && msg?.type === 'Snapshot')
    return installed(cfg, ghost, node, msg.slot, stepped);
  // The replica forgot what it executed and replays from `slot` (src/core/replica/audit.ts).
  if (ev.action === 'DeclareFaulty')
    return { ...ghost, applied: withApplied(ghost, node, requestsBelow(ghost, ev.slot ?? 0)) };
  if ((ev.action === 'Decide' || ev.action === 'Learn') && msg?.type === 'Decision') {
    if (!chosenByQuorum(cfg, ghost, msg.slot, msg.cmd)) {
      const config = trueConfig(cfg, ghost, msg.slot);
      // A leader that decided with a majority of the deployment but not of the slot's own
      // configuration counted the wrong quorum; a learner is told by someone else.
      const deploymentMajority =
        ev.action === 'Decide' && chosenByQuorum(cfg, ghost, msg.slot, msg.cmd, cfg.replicas);
      out.push({
        invariant: deploymentMajority ? 'ConfigSafety' : 'Agreement',
        node,
        message: `slot ${msg.slot}: ${node} ${ev.action === 'Decide' ? 'decided' : 'learned'} ${describeCommand(msg.cmd)}, but no majority ${deploymentMajority ? `of the slot's configuration {${(config ?? []).join(',')}} ` : ''}accepted it in one ballot (${describeVotes(ghost, msg.slot)})`,
      });
      return ghost;
    }
    const known = ghost.chosen.get(msg.slot);
    if (known !== undefined) {
      if (!sameCommand(known, msg.cmd)) {
        out.push({
          invariant: 'Agreement',
          node,
          message: `slot ${msg.slot}: ${node} has ${describeCommand(msg.cmd)} but ${describeCommand(known)} was chosen`,
        });
      }
      return ghost;
    }
    if (isReconfig(msg.cmd) && msg.cmd.client !== msg.cmd.replica) {
      // An operator's JOIN/QUIT (a replica may ask only about itself: validate.ts).
      const op = ghost.submitted.get(requestKey(msg.cmd.client, msg.cmd.seq));
      if (op === undefined || !sameOutput(op, reconfigOp(msg.cmd.kind, msg.cmd.replica)))
        out.push({
          invariant: 'Validity',
          node,
          message: `slot ${msg.slot}: ${describeCommand(msg.cmd)} was never submitted`,
        });
    }
    if (msg.cmd.kind === 'op') {
      const op = ghost.submitted.get(requestKey(msg.cmd.client, msg.cmd.seq));
      if (op === undefined || !sameCommand({ ...msg.cmd, op }, msg.cmd)) {
        out.push({
          invariant: 'Validity',
          node,
          message: `slot ${msg.slot}: ${describeCommand(msg.cmd)} was never submitted`,
        });
      }
    }
    return advanceReference(
      cfg,
      { ...ghost, chosen: new Map(ghost.chosen).set(msg.slot, msg.cmd) },
      out,
    );
  }
  if (ev.action === 'ClientRequest' && msg?.type === 'Request') {
    const history = [
      ...ghost.history,
      { process: node, input: msg.op, output: undefined, call: ghost.history.length, ret: null },
    ];
    return {
      ...ghost,
      submitted: new Map(ghost.submitted).set(requestKey(node, msg.seq), msg.op),
      history,
      open: new Map(ghost.open).set(node, history.length - 1),
    };
  }
  if (ev.action === 'Execute' && ev.applied === true && msg?.type === 'Reply') {
    const key = requestKey(msg.to, msg.seq);
    const applied = ghost.applied.get(node) ?? new Set<string>();
    if (applied.has(key)) {
      out.push({ invariant: 'ExactlyOnce', node, message: `${node} applied request ${key} twice` });
      return ghost;
    }
    return { ...ghost, applied: withApplied(ghost, node, new Set(applied).add(key)) };
  }
  void cfg;
  return ghost;
}

/**
 * The accepted values after the step, with the votes a truncation in the same step forgot: a
 * lone replica (or a leader whose proposal completes its quorum at once) may accept a slot,
 * execute, checkpoint and truncate it in one step. Only slots the new checkpoint covers are
 * taken from the step's Phase2a/Phase2b events, so a core that reports votes it never cast
 * still cannot vouch for slots it keeps.
 */
function withTruncatedVotes(
  previous: ReplicaNode,
  stepped: ReplicaNode,
  effects: readonly Effect[],
): DurableState['accepted'] {
  const after = stepped.state.durable.accepted;
  const cp = stepped.state.durable.checkpoint;
  if (cp === null || cp === previous.state.durable.checkpoint) return after;
  let out: Map<Slot, AcceptedValue> | undefined;
  for (const effect of effects) {
    if (effect.kind !== 'Trace') continue;
    const { action, msg } = effect.event;
    if ((action !== 'Phase2a' && action !== 'Phase2b') || msg?.type !== 'Accept') continue;
    if (msg.slot >= cp.slot || after.has(msg.slot)) continue;
    out ??= new Map(after);
    out.set(msg.slot, { ballot: msg.ballot, cmd: msg.cmd });
  }
  return out ?? after;
}

/**
 * Votes: every accepted value that changed in this step is a vote of `node` (Lamport's Paxos.tla
 * keeps them as the set of 2b messages ever sent). Taken from the durable state rather than
 * from trace events, so a core that accepts without saying so is still seen.
 */
function recordVotes(
  ghost: Ghost,
  node: NodeId,
  before: DurableState['accepted'],
  after: DurableState['accepted'],
): Ghost {
  if (before === after) return ghost;
  let votes: Map<Slot, readonly BallotVotes[]> | undefined;
  for (const [slot, value] of after) {
    if (before.get(slot) === value) continue;
    const list = (votes ?? ghost.votes).get(slot) ?? [];
    const at = list.findIndex(
      (v) => sameBallot(v.ballot, value.ballot) && sameCommand(v.cmd, value.cmd),
    );
    const known = at >= 0 ? (list[at] as BallotVotes) : undefined;
    if (known?.voters.has(node)) continue;
    const entry: BallotVotes = {
      ballot: value.ballot,
      cmd: value.cmd,
      voters: new Set([...(known?.voters ?? []), node].sort()),
    };
    const next = at >= 0 ? list.map((v, i) => (i === at ? entry : v)) : [...list, entry];
    next.sort(byBallotThenCommand);
    votes ??= new Map(ghost.votes);
    votes.set(slot, next);
  }
  return votes === undefined ? ghost : { ...ghost, votes };
}

const sameBallot = (a: Ballot, b: Ballot): boolean => a.round === b.round && a.leader === b.leader;

function byBallotThenCommand(a: BallotVotes, b: BallotVotes): number {
  if (a.ballot.round !== b.ballot.round) return a.ballot.round - b.ballot.round;
  if (a.ballot.leader !== b.ballot.leader) return a.ballot.leader < b.ballot.leader ? -1 : 1;
  const x = describeCommand(a.cmd);
  const y = describeCommand(b.cmd);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Chosen (Paxos Made Simple §2.2): a majority of the configuration accepted `cmd` in `slot` in
 * one ballot. Counted here, not with the core's quorum functions, so that a bug in those cannot
 * hide itself.
 */
export function chosenByQuorum(
  cfg: ClusterConfig,
  ghost: Ghost,
  slot: Slot,
  cmd: Command,
  config: readonly ReplicaId[] = trueConfig(cfg, ghost, slot) ?? cfg.replicas,
): boolean {
  for (const v of ghost.votes.get(slot) ?? []) {
    if (!sameCommand(v.cmd, cmd)) continue;
    let members = 0;
    for (const r of v.voters) if (config.includes(r)) members++;
    if (2 * members > config.length) return true;
  }
  return false;
}

/**
 * ConfigSafety: once every slot below `slot` is chosen, its configuration is known; the command
 * chosen there must have been accepted by a majority of that configuration in one ballot (a
 * leader that decided it earlier, with a configuration it could not yet know, or with an old
 * one, is caught here).
 */
function checkConfigQuorum(
  cfg: ClusterConfig,
  ghost: Ghost,
  slot: Slot,
  cmd: Command,
  config: readonly ReplicaId[],
  out: Violation[],
): void {
  if (chosenByQuorum(cfg, ghost, slot, cmd, config)) return;
  // The votes of a slot below a truncation may be gone from the ghost only if nobody kept them.
  if ((ghost.votes.get(slot) ?? []).length === 0) return;
  out.push({
    invariant: 'ConfigSafety',
    message: `slot ${slot}: ${describeCommand(cmd)} is chosen, but no majority of the slot's configuration {${config.join(',')}} accepted it in one ballot (${describeVotes(ghost, slot)})`,
  });
}

function describeVotes(ghost: Ghost, slot: Slot): string {
  const list = ghost.votes.get(slot) ?? [];
  if (list.length === 0) return 'no votes';
  return (
    'votes: ' +
    list
      .map(
        (v) =>
          `${v.ballot.round}.${v.ballot.leader} ${describeCommand(v.cmd)} by ${[...v.voters].join(',')}`,
      )
      .join('; ')
  );
}

function withApplied(ghost: Ghost, node: NodeId, set: ReadonlySet<string>) {
  return new Map(ghost.applied).set(node, set);
}

/**
 * A restart rebuilds the app from the checkpoint on disk and replays the log after it: what was
 * applied is what that checkpoint covers (the replay, which may take a later checkpoint in the
 * same step, then adds its own), and corruption is gone unless the state it ends with is not the
 * chosen log's (a checkpoint taken while corrupt).
 */
function restarted(
  cfg: ClusterConfig,
  ghost: Ghost,
  node: NodeId,
  stepped: ReplicaNode | undefined,
  previous: ReplicaNode | undefined,
): Ghost {
  const from = previous?.disk.checkpoint ?? null;
  const applied = withApplied(ghost, node, requestsBelow(ghost, from?.slot ?? 0));
  const cp = stepped?.state.durable.checkpoint ?? null;
  return { ...ghost, applied, corrupted: withCorruption(cfg, ghost, node, cp) };
}

/**
 * InstallCheckpoint: the replica's state is now the checkpoint's. It holds every request below
 * the checkpoint, and it is corrupt exactly when the checkpoint is (taken by a corrupt replica).
 */
function installed(
  cfg: ClusterConfig,
  ghost: Ghost,
  node: NodeId,
  slot: Slot,
  stepped: ReplicaNode | undefined,
): Ghost {
  const cp = stepped?.state.durable.checkpoint ?? null;
  const corrupted = withCorruption(cfg, ghost, node, cp);
  const faulty = corrupted.has(node) ? new Set(ghost.faulty).add(node) : ghost.faulty;
  return {
    ...ghost,
    applied: withApplied(ghost, node, requestsBelow(ghost, slot)),
    corrupted,
    faulty,
  };
}

/** `ghost.corrupted`, with `node` in it iff its state (from `cp`) differs from a correct replica's. */
function withCorruption(
  cfg: ClusterConfig,
  ghost: Ghost,
  node: NodeId,
  cp: Checkpoint | null,
): ReadonlySet<ReplicaId> {
  const reference = cp === null ? undefined : ghost.digests.get(cp.slot);
  const bad =
    cp !== null &&
    reference !== undefined &&
    heldDigest(cfg.app, cfg.replicaParams, cp) !== reference;
  return markCorrupted(ghost, node, bad);
}

/** `ghost.corrupted` with `node` in it iff `bad` (the same set when that changes nothing). */
function markCorrupted(ghost: Ghost, node: NodeId, bad: boolean): ReadonlySet<ReplicaId> {
  if (bad === ghost.corrupted.has(node)) return ghost.corrupted;
  const corrupted = new Set(ghost.corrupted);
  if (bad) corrupted.add(node);
  else corrupted.delete(node);
  return corrupted;
}

/** The requests (client#seq) in the chosen log below `slot`. */
function requestsBelow(ghost: Ghost, slot: Slot): ReadonlySet<string> {
  const out = new Set<string>();
  for (const [s, cmd] of ghost.chosen)
    if (s < slot && cmd.kind === 'op') out.add(requestKey(cmd.client, cmd.seq));
  return out;
}

/**
 * OutputFilter (seed: "sending outputs"): with at most F corrupt replicas, an output a client
 * accepts is the one the chosen log produces on a correct replica.
 */
function checkOutput(
  cfg: ClusterConfig,
  ghost: Ghost,
  client: NodeId,
  seq: number,
  output: Json,
  out: Violation[],
): void {
  const expected = referenceOutput(cfg.app, ghost.chosen, client, seq);
  if (expected === undefined || sameOutput(expected, output)) return;
  out.push({
    invariant: 'OutputFilter',
    node: client,
    message: `${client} accepted ${JSON.stringify(output)} for request ${requestKey(client, seq)}, but the chosen log gives ${JSON.stringify(expected)}`,
  });
}

/** A client accepted an output (or gave up with FAIL: output unknown). */
function complete(ghost: Ghost, client: NodeId, output: Json | undefined): Ghost {
  const index = ghost.open.get(client);
  if (index === undefined) return ghost;
  // Calls sit at integer positions (the history length when called); a return sits half a step
  // after every call made so far, so an operation called later starts strictly after it returned
  // (the oracle treats equal call and return times as overlapping).
  const history = ghost.history.map((op, i) =>
    i === index ? { ...op, output, ret: ghost.history.length - 0.5 } : op,
  );
  const open = new Map(ghost.open);
  open.delete(client);
  // With no operation open, no vote can count a reply from a replica repaired since.
  const faulty =
    open.size === 0 && ghost.faulty.size !== ghost.corrupted.size
      ? new Set(ghost.corrupted)
      : ghost.faulty;
  return { ...ghost, history, open, faulty };
}

/**
 * PrefixConsistency: every replica that executed k slots has the same state — app and sessions,
 * as a checkpoint at k would digest them.
 */
function checkPrefix(
  cfg: ClusterConfig,
  replica: ReplicaNode | undefined,
  ghost: Ghost,
  node: NodeId,
  out: Violation[],
): void {
  // A corrupted replica's digest is expected to differ: that is what audits and OutputFilter cover.
  if (replica === undefined || !replica.up || ghost.corrupted.has(node)) return;
  const { executed, app, sessions, membership } = replica.state.volatile;
  if (executed === 0) return;
  const digest = stateDigestOf(cfg.app, cfg.replicaParams, executed, app, sessions, membership);
  const reference = ghost.digests.get(executed);
  if (reference !== undefined && reference !== digest) {
    out.push({
      invariant: 'PrefixConsistency',
      node,
      message: `${node}'s state after ${executed} slots has digest ${digest}, the chosen log gives ${reference}`,
    });
  }
}
