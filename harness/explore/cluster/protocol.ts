/**
 * The reference Multi-Paxos cluster (harness/model) as a Protocol for the explorer: the same
 * world and transitions as the simulator, so every counterexample replays in both. Explorer
 * parameters follow the issue: electionTicks = 1 and no heartbeats (time only matters through
 * Tick actions), client retransmission off (duplication covers it), and bounds on requests,
 * crashes, corruptions, copies and ballot rounds.
 *
 * This object-world protocol is the meaning; `smr explore` searches its packed form (packed.ts),
 * which takes node steps on interned ids and hands every other step to this one. Counterexamples,
 * replays and `--refinement` (which must see every step) run here.
 */
import { APPS } from '../../../src/core/apps/index.js';
import type { ClientRules } from '../../../src/core/client.js';
import type { ReplicaRules } from '../../../src/core/replica/rules.js';
import type { Effect, Input, Json } from '../../../src/core/types.js';
import { MUTANTS } from '../../mutants/index.js';
import type { Violation } from '../../../src/spec/violation.js';
import { applyAction, QUIET_EVENTS, type Action, type Transition } from '../../model/step.js';
import { describeClusterAction, type ClusterAction } from './action.js';
import {
  initialWorld,
  makeConfig,
  mayCorrupt,
  type ClusterConfig,
  type Packet,
  type World,
} from '../../model/world.js';
import type { Protocol, Successor } from '../../../src/spec/transition-system.js';
import {
  ballotRulesAreReference,
  isDead,
  verifyDeadDelivery,
  type DeliveryProbe,
} from './dead-messages.js';
import { clientRenamings, WorldEncoder, type Hash, type KnownHashes } from './encode.js';
import { GhostSteps } from './ghost-steps.js';
import { HistoryChecker } from './history.js';
import { LocalSteps } from './local-steps.js';
import { holds, nextNetwork } from './network.js';
import { persistentSet } from './por.js';
import { StepSummaries } from './step-summaries.js';
import { faultTolerance, workloadOp, type ClusterScope } from './scope.js';
import { milestonesOf, scheduledAction } from './schedule.js';
import { StepRefinement } from '../../refinement/local.js';

/** The explorer's state: the world plus the counters its bounds need. */
export interface ClusterState {
  readonly world: World;
  readonly crashes: number;
  readonly corruptions: number;
  /** Candidacies started (Phase1a): the scope bounds them like TLC's Ballot constant. */
  readonly elections: number;
  /**
   * Component hashes kept from the parent state, one set per client renaming, so a step
   * rehashes only what it changed.
   */
  readonly hashes?: readonly KnownHashes[];
}

/** An extra check on every transition, e.g. refinement of the TLA+ twin (harness/refinement). */
export type TransitionCheck = (cfg: ClusterConfig, before: World, t: Transition) => Violation[];

export interface ClusterOptions {
  /** Merge client-renaming orbits (default true). */
  readonly symmetry?: boolean;
  /** Persistent-set partial-order reduction (default true). */
  readonly por?: boolean;
  /** Run each new node step twice and compare (default true). */
  readonly determinism?: boolean;
  readonly transitionChecks?: readonly TransitionCheck[];
  /**
   * Drop dead messages from the state (default false). Sound only for reducers that follow the
   * reference ballot rules (dead-messages.ts); each pruned message is checked to leave its
   * receiver unchanged, and the search stops with UnsoundPruningError when one would not.
   */
  readonly collectDeadMessages?: boolean;
  /** Check every node step against the spec twin (harness/refinement/local.ts; default true). */
  readonly stepRefinement?: boolean;
  /** Explore these decision tables instead of the reference ones (or the scope's mutant's). */
  readonly rules?: ReplicaRules;
  readonly clientRules?: ClientRules;
}

export interface ClusterProtocol extends Protocol<ClusterState, ClusterAction> {
  readonly cfg: ClusterConfig;
  readonly scope: ClusterScope;
  /** The memo tables and settings behind it, shared with the packed protocol (packed.ts). */
  readonly parts: ClusterParts;
  /** Steps a receiver on a message, for the pruning self-check (dead-messages.ts). */
  readonly deliveryProbe: DeliveryProbe;
  /** The full transition (events, messages), for traces and diagrams. */
  transition(state: ClusterState, action: Action): { state: ClusterState; t: Transition };
}

/** What the cluster protocol is made of, for a faster representation built on the same tables. */
export interface ClusterParts {
  readonly encoder: WorldEncoder;
  readonly local: LocalSteps;
  readonly summaries: StepSummaries;
  readonly ghosts: GhostSteps;
  readonly history: HistoryChecker;
  /** The network is a set of sent messages (DSLabs), not a multiset. */
  readonly setNetwork: boolean;
  /** Dead messages are collected, and with the reference ballot rules ballot messages too. */
  readonly collect: boolean;
  readonly gcBallots: boolean;
  /** A crash is explored fused with the following restart (see `fuseCrashes`). */
  readonly fuseCrashes: boolean;
  readonly maxCrashes: number;
  readonly maxCorruptions: number;
  /** Replicas that may be down (or corrupt) at once. */
  readonly f: number;
}

export function clusterConfig(scope: ClusterScope): ClusterConfig {
  const app = APPS.get(scope.app);
  if (app === undefined) throw new Error(`unknown app ${scope.app}`);
  const mutant = scope.mutant === undefined ? undefined : MUTANTS.get(scope.mutant);
  return makeConfig({
    replicas: scope.replicas,
    clients: scope.clients,
    app,
    ...(mutant?.rules ? { rules: mutant.rules } : {}),
    ...(mutant?.clientRules ? { clientRules: mutant.clientRules } : {}),
    replicaParams: {
      electionTicks: scope.electionTicks ?? 1,
      heartbeatTicks: scope.heartbeatTicks ?? 0,
      window: scope.window,
      checkpointEvery: scope.checkpointEvery ?? 0,
      auditEvery: scope.auditEvery ?? 0,
    },
    clientParams: { policy: scope.policy, retransmitTicks: 0 },
  });
}

export function createClusterProtocol(
  scope: ClusterScope,
  options: ClusterOptions = {},
): ClusterProtocol {
  const configured = clusterConfig(scope);
  const base: ClusterConfig = {
    ...configured,
    ...(options.rules !== undefined ? { rules: options.rules } : {}),
    ...(options.clientRules !== undefined ? { clientRules: options.clientRules } : {}),
  };
  const encoder = new WorldEncoder(
    clientRenamings(base.clients, options.symmetry ?? true),
    base.replicaParams.electionTicks === 1 && base.replicaParams.heartbeatTicks === 0,
  );
  const local = new LocalSteps(encoder, options.determinism ?? true, base.clientRules);
  const summaries = new StepSummaries(encoder);
  const ghosts = new GhostSteps();
  const cfg: ClusterConfig = {
    ...base,
    stepReplica: local.stepReplica,
    stepClient: local.stepClient,
    ghostStep: ghosts.step,
    ...(options.stepRefinement === false ? {} : { stepChecks: new StepRefinement(base) }),
  };
  const history = new HistoryChecker(cfg.app);
  const f = faultTolerance(scope.replicas);
  const maxCrashes = scope.faults.includes('crash') ? scope.maxCrashes : 0;
  const maxCorruptions = scope.faults.includes('corrupt') ? scope.maxCorruptions : 0;
  const setNetwork = scope.network === 'set';
  const checks = options.transitionChecks ?? [];
  const por = options.por ?? true;

  const extra = (s: ClusterState): number[] => [s.crashes, s.corruptions, s.elections];

  /**
   * What a node step would do, from the memo: 'over' when it leaves the scope (a ballot past
   * maxRound, a candidacy past maxElections: TLC-style state constraints), 'loop' when the world
   * would not change (set network: nothing new is sent and the node's state is unchanged, so no
   * ghost variable moves either), else 'ok'. Self-loops add no state and are not explored.
   */
  const outcome = (state: ClusterState, node: string, input: Input): 'over' | 'loop' | 'ok' => {
    const { world } = state;
    const replica = world.replicas.find((n) => n.state.id === node);
    if (replica === undefined) {
      const client = world.clients.find((c) => c.id === node);
      if (client === undefined || !setNetwork) return 'ok';
      const r = local.stepClient(client, input);
      if (cfg.stepChecks && cfg.stepChecks.client(client, input, r).length > 0) return 'ok';
      return r.state === client && r.effects.length === 0 ? 'loop' : 'ok';
    }
    const before = local.intern(replica.state);
    const r = local.stepReplica(before, input, { app: cfg.app, rules: cfg.rules });
    if (cfg.stepChecks && cfg.stepChecks.replica(before, input, r).length > 0) return 'ok';
    if (r.state.volatile.ballot.round > scope.maxRound) return 'over';
    if (state.elections >= scope.maxElections && r.effects.some(isPhase1a)) return 'over';
    if (r.state !== before || !(setNetwork || input.kind === 'Tick')) return 'ok';
    for (const e of r.effects)
      if ((e.kind === 'Trace' && !QUIET_EVENTS.has(e.event.action)) || e.kind === 'Rejected')
        return 'ok';
    for (const p of summaries.of(before, r).sends) if (!holds(world.network, p.text)) return 'ok';
    return 'loop';
  };

  /**
   * Lipton's reduction (1975) for crashes, part of --por. While a replica is down it takes no
   * step and, on the set network, messages to it wait; a crash only reads and writes the
   * crashed replica, so it commutes with every step of the others (a right mover) and can be
   * moved to just before its restart. Exploring crash-and-restart as one step therefore reaches
   * every state with all replicas up that crash-then-later-restart reaches, and the states in
   * between — a replica down, the others moving — only repeat what the others can do anyway.
   * On a multiset network a down replica loses what it is sent, which the fused step only
   * matches when loss is a fault (Drop covers it).
   */
  const fuseCrashes = por && (setNetwork || scope.faults.includes('loss'));
  const gcBallots = ballotRulesAreReference(cfg.rules);
  const collect = options.collectDeadMessages ?? false;
  const probe: DeliveryProbe = {
    replica: (state, input) => local.stepReplica(state, input, cfg),
    client: local.stepClient,
    intern: (state) => local.intern(state),
  };
  const prune = (w: World, p: Packet): boolean => {
    if (!collect || !isDead(w, p, gcBallots)) return false;
    const replica = w.replicas.find((n) => n.state.id === p.to)?.state;
    const client = w.clients.find((c) => c.id === p.to);
    verifyDeadDelivery(probe, replica ? { replica } : client ? { client } : {}, p);
    return true;
  };
  const transition = (
    state: ClusterState,
    action: Action,
  ): { state: ClusterState; t: Transition } => {
    const before = state.world;
    const t = applyAction(cfg, before, action);
    const replicas = t.world.replicas.map((n) => {
      if (n === before.replicas.find((b) => b.state.id === n.state.id)) return n;
      const state = local.intern(n.state);
      const node = state === n.state ? n : { ...n, state };
      // The last Persist wrote exactly the durable state: share the object (it hashes faster).
      return node.disk !== state.durable && encoder.sameDisk(node)
        ? { ...node, disk: state.durable }
        : node;
    });
    const stepped: World = { ...t.world, replicas, network: before.network };
    const consumed =
      action.kind === 'Deliver' || action.kind === 'Drop' ? action.packet : undefined;
    const update = nextNetwork(encoder, stepped, {
      ...(consumed !== undefined && !setNetwork ? { remove: consumed } : {}),
      add: action.kind === 'Duplicate' ? t.world.network.slice(-1) : t.sent,
      set: setNetwork,
      ...(t.node !== undefined ? { node: t.node } : {}),
      isDead: prune,
    });
    const network = update.network;
    const world: World = { ...stepped, network };
    const hashes = state.hashes?.map((known, r): KnownHashes => ({
      nodes: world.replicas.map((n, i) =>
        n === before.replicas[i] ? (known.nodes[i] as Hash) : encoder.nodeHash(n, r),
      ),
      clients:
        world.clients === before.clients ? known.clients : encoder.clientHashes(world.clients, r),
      network:
        network === before.network
          ? known.network
          : encoder.shiftSum(known.network, update.added, update.removed, r),
      ghost: world.ghost === before.ghost ? known.ghost : encoder.ghostHash(world.ghost, r),
    }));
    const next: ClusterState = {
      world,
      crashes: state.crashes + (action.kind === 'Crash' ? 1 : 0),
      corruptions: state.corruptions + (action.kind === 'Corrupt' ? 1 : 0),
      elections: state.elections + t.events.filter((e) => e.event.action === 'Phase1a').length,
      ...(hashes !== undefined ? { hashes } : {}),
    };
    const violations = [...t.violations, ...local.drain()];
    for (const check of checks) violations.push(...check(cfg, before, t));
    return { state: next, t: violations.length === t.violations.length ? t : { ...t, violations } };
  };

  const parts: ClusterParts = {
    encoder,
    local,
    summaries,
    ghosts,
    history,
    setNetwork,
    collect,
    gcBallots,
    fuseCrashes,
    maxCrashes,
    maxCorruptions,
    f,
  };

  return {
    name: 'multipaxos',
    checksDeterminism: true,
    cfg,
    scope,
    parts,
    deliveryProbe: probe,
    initialStates() {
      const w = initialWorld(cfg);
      const replicas = w.replicas.map((n) => ({ ...n, state: local.intern(n.state) }));
      const world = { ...w, replicas };
      const hashes = encoder.known(world);
      return [{ world, crashes: 0, corruptions: 0, elections: 0, hashes }];
    },
    actions(state) {
      const { world } = state;
      const out: ClusterAction[] = [];
      const up = (id: string) => world.replicas.find((n) => n.state.id === id)?.up ?? true;
      let lastKey = '';
      for (const p of world.network) {
        const key = encoder.packet(p);
        const duplicateCopy = key === lastKey;
        lastKey = key;
        if (duplicateCopy) continue; // equal copies lead to equal states
        if (setNetwork) {
          // A message to a crashed replica waits in the set until the restart.
          if (up(p.to) && outcome(state, p.to, { kind: 'Receive', msg: p.msg }) === 'ok')
            out.push({ kind: 'Deliver', packet: p.id });
          continue;
        }
        out.push({ kind: 'Deliver', packet: p.id });
        if (scope.faults.includes('loss')) out.push({ kind: 'Drop', packet: p.id });
        if (scope.faults.includes('dup')) {
          let copies = 0;
          for (const q of world.network) if (encoder.packet(q) === key) copies++;
          if (copies < scope.maxCopies) out.push({ kind: 'Duplicate', packet: p.id });
        }
      }
      const down = world.replicas.filter((n) => !n.up).length;
      for (const n of world.replicas) {
        const id = n.state.id;
        if (n.up) {
          if (outcome(state, id, { kind: 'Tick' }) === 'ok') out.push({ kind: 'Tick', node: id });
          if (state.crashes < maxCrashes && down < f)
            out.push({ kind: fuseCrashes ? 'CrashRestart' : 'Crash', replica: id });
          if (state.corruptions < maxCorruptions && mayCorrupt(world.ghost, id, f))
            out.push({ kind: 'Corrupt', replica: id });
        } else {
          out.push({ kind: 'Restart', replica: id });
        }
      }
      const submitted = world.clients.reduce((sum, c) => sum + c.seq, 0);
      if (submitted < scope.requests) {
        for (const c of world.clients)
          if (c.pending === null)
            out.push({
              kind: 'Submit',
              client: c.id,
              op: workloadOp(scope.app, c.seq + 1) as Json,
            });
      }
      return out;
    },
    step(state, action): Successor<ClusterState> {
      if (action.kind === 'CrashRestart') {
        const down = transition(state, { kind: 'Crash', replica: action.replica });
        const up = transition(down.state, { kind: 'Restart', replica: action.replica });
        return {
          world: up.state,
          violations: [...down.t.violations, ...up.t.violations],
          milestones: milestonesOf(action, up.t),
        };
      }
      const { state: next, t } = transition(state, action);
      return { world: next, violations: t.violations, milestones: milestonesOf(action, t) };
    },
    check(state) {
      return history.check(state.world.ghost.history);
    },
    encode(state) {
      return encoder.world(state.world, extra(state));
    },
    ...((options.symmetry ?? true)
      ? {
          encodeCanonical: (state: ClusterState) => encoder.canonical(state.world, extra(state)),
          fingerprint: (state: ClusterState) =>
            encoder.canonicalFingerprint(state.world, extra(state), state.hashes),
        }
      : {
          fingerprint: (state: ClusterState) =>
            encoder.fingerprint(state.world, extra(state), 0, state.hashes?.[0]),
        }),
    ...(por
      ? {
          persistent: (state: ClusterState, actions: readonly ClusterAction[]) =>
            persistentSet(scope, state.world, actions, local),
        }
      : {}),
    scheduled(state, actions) {
      return scheduledAction(state.world, actions);
    },
    describe(action) {
      return describeClusterAction(action);
    },
    transition,
  };
}

const isPhase1a = (e: Effect): boolean => e.kind === 'Trace' && e.event.action === 'Phase1a';
