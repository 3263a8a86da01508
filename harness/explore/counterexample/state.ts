/**
 * What the counterexample page shows of a cluster state (src/view/sequence.ts): each replica's
 * and client's variables, named as the spec names them (promised, accepted, chosen, role,
 * ballot, promises, proposals, nextSlot, executed, sessions, app — spec/Smr.tla), plus what
 * the core keeps beside them (its checkpoint, what is on disk, the state digest), and the ghost
 * state the invariants judge by: the chosen log, the state a correct replica has after each
 * prefix of it, the client history. Values are the data themselves, not only digests, so a
 * PrefixConsistency or CheckpointSafety violation shows the differing states.
 */
import { formatBallot as ballotText } from '../../../src/core/ballot.js';
import { canonicalEncode } from '../../../src/core/canonical.js';
import type { ClientState } from '../../../src/core/client.js';
import type { Ballot, Checkpoint, DurableState, Json } from '../../../src/core/types.js';
import type { InvariantName, Violation } from '../../../src/spec/violation.js';
import type { Culprit, NodeState, Snapshot } from '../../../src/view/sequence.js';
import { describeCommand } from '../../model/invariants.js';
import { stateDigestOf } from '../../model/reconfig.js';
import type { ClusterConfig, Ghost, ReplicaNode, World } from '../../model/world.js';

const formatBallot = (b: Ballot): string => (b.round === 0 ? 'none' : ballotText(b));

/** The id of the state column that shows the ghost state. */
export const GHOST = 'invariants';
export const GHOST_CAPTION = 'what the invariants know (ghost state)';

/**
 * Remembers the correct state after each prefix of the chosen log as the run reaches it (the
 * ghost keeps the latest and a digest of every earlier one), so a violation at slot k can show
 * the state a correct replica has there, not just its digest.
 */
export class ReferenceStates {
  private readonly texts = new Map<number, string>();

  constructor(private readonly cfg: ClusterConfig) {}

  note(ghost: Ghost): void {
    const r = ghost.reference;
    if (!this.texts.has(r.executed))
      this.texts.set(
        r.executed,
        `app ${canonicalEncode(this.cfg.app.view(r.app))}; sessions ${sessionsText(r.sessions) || '—'}`,
      );
  }

  at(slot: number): string | undefined {
    return this.texts.get(slot);
  }
}

export function snapshotOf(cfg: ClusterConfig, world: World, refs: ReferenceStates): Snapshot {
  refs.note(world.ghost);
  const out: Record<string, NodeState> = {};
  world.replicas.forEach((node) => (out[node.state.id] = replicaState(cfg, node, world.ghost)));
  world.clients.forEach((c) => (out[c.id] = clientState(c, world.ghost)));
  out[GHOST] = ghostState(world.ghost, refs);
  return out;
}

function replicaState(cfg: ClusterConfig, node: ReplicaNode, ghost: Ghost): NodeState {
  const { state, up, disk } = node;
  const v = state.volatile;
  const d = state.durable;
  const id = state.id;
  const out: Record<string, string> = {};
  const status = [up ? 'up' : 'down (crashed)'];
  if (ghost.corrupted.has(id)) status.push('app state corrupted');
  if (v.repair !== null) status.push(`declared itself faulty at audit slot ${v.repair.slot}`);
  out['status'] = status.join(', ');
  out['role'] = v.role;
  out['promised'] = formatBallot(d.promised);
  if (v.role !== 'follower') out['ballot'] = formatBallot(v.ballot);
  if (v.role === 'candidate') out['prepareFrom'] = String(v.prepareFrom);
  // A leader keeps the promises that made it one: the quorum it counted.
  if (v.role === 'candidate' || v.promises.size > 0) {
    out['promises'] =
      [...v.promises]
        .map(
          ([from, p]) =>
            `from ${from}: [${p.accepted.map((e) => `${e.slot}:${formatBallot(e.ballot)} ${describeCommand(e.cmd)}`).join(', ')}]${p.checkpoint > 0 ? ` checkpoint ${p.checkpoint}` : ''}`,
        )
        .join('\n') || 'none yet';
  }
  if (v.role === 'leader') {
    out['nextSlot'] = String(v.nextSlot);
    if (v.proposals.size > 0)
      out['proposals'] = [...v.proposals]
        .sort((a, b) => a[0] - b[0])
        .map(([s, p]) => `${s}: ${describeCommand(p.cmd)} votes {${[...p.votes].join(',')}}`)
        .join('\n');
    if (v.queue.length > 0)
      out['queue'] = v.queue.map((r) => `${r.from}#${r.seq} ${canonicalEncode(r.op)}`).join('\n');
  }
  out['accepted'] = acceptedText(d) || '—';
  out['chosen'] = chosenText(d) || '—';
  out['executed'] = String(v.executed);
  out['app'] = canonicalEncode(cfg.app.view(v.app));
  out['digest'] = stateDigestOf(
    cfg.app,
    cfg.replicaParams,
    v.executed,
    v.app,
    v.sessions,
    v.membership,
  );
  out['sessions'] = sessionsText(v.sessions) || '—';
  if (d.checkpoint !== null) out['checkpoint'] = checkpointText(cfg, d.checkpoint);
  if (disk !== d) out['disk'] = diskText(disk);
  const epochs = v.membership.epochs;
  if (epochs.length > 1 || (epochs[0]?.members.length ?? 0) !== cfg.replicas.length)
    out['configuration'] = epochs
      .map((e) => `{${e.members.join(',')}} from slot ${e.from}`)
      .join('\n');
  if (v.transfer !== null)
    out['transfer'] =
      `checkpoint ${v.transfer.slot} from ${v.transfer.from}, chunk ${v.transfer.next + 1} of ${v.transfer.count}, digest ${v.transfer.digest}`;
  if (v.votes.size > 0)
    out['checkpoint votes'] = [...v.votes]
      .map(([r, x]) => `${r}: checkpoint ${x.slot} ${x.digest}`)
      .join('\n');
  if (v.audits.size > 0)
    out['audits'] = [...v.audits]
      .map(
        ([s, a]) =>
          `slot ${s}: own ${a.own ?? '—'}; ${[...a.peers].map(([p, x]) => `${p} ${x}`).join(', ')}`,
      )
      .join('\n');
  return out;
}

function clientState(c: ClientState, ghost: Ghost): NodeState {
  const out: Record<string, string> = { clientSeq: String(c.seq) };
  out['pending'] = c.pending === null ? 'no' : `#${c.pending.seq} ${canonicalEncode(c.pending.op)}`;
  if (c.pending !== null && c.pending.votes.size > 0)
    out['replies'] = [...c.pending.votes].map(([r, o]) => `${r}: ${canonicalEncode(o)}`).join('\n');
  const done = ghost.history.filter((op) => op.process === c.id && op.ret !== null);
  if (done.length > 0)
    out['outputs'] = done
      .map((op) => `${canonicalEncode(op.input)} → ${canonicalEncode(op.output ?? null)}`)
      .join('\n');
  return out;
}

function ghostState(ghost: Ghost, refs: ReferenceStates): NodeState {
  const out: Record<string, string> = {};
  out['chosen log'] =
    [...ghost.chosen]
      .sort((a, b) => a[0] - b[0])
      .map(([s, c]) => `${s}: ${describeCommand(c)}`)
      .join('\n') || '—';
  const r = ghost.reference;
  out['reference'] =
    `after ${r.executed} slot${r.executed === 1 ? '' : 's'}: ${refs.at(r.executed) ?? '?'}`;
  if (ghost.digests.size > 0)
    out['digests'] = [...ghost.digests]
      .sort((a, b) => a[0] - b[0])
      .map(([k, digest]) => {
        const state = refs.at(k);
        return `after ${k}: ${digest}${state === undefined ? '' : ` (${state})`}`;
      })
      .join('\n');
  if (ghost.corrupted.size > 0) out['corrupted'] = [...ghost.corrupted].join(', ');
  if (ghost.history.length > 0)
    out['history'] = ghost.history
      .map(
        (op) =>
          `${op.process} ${canonicalEncode(op.input)} → ${op.output === undefined ? '?' : canonicalEncode(op.output)} [${op.call}, ${op.ret ?? '…'}]`,
      )
      .join('\n');
  return out;
}

const acceptedText = (d: DurableState): string =>
  [...d.accepted]
    .sort((a, b) => a[0] - b[0])
    .map(([s, a]) => `${s}: ${formatBallot(a.ballot)} ${describeCommand(a.cmd)}`)
    .join('\n');

const chosenText = (d: DurableState): string =>
  [...d.chosen]
    .sort((a, b) => a[0] - b[0])
    .map(([s, c]) => `${s}: ${describeCommand(c)}`)
    .join('\n');

function sessionsText(sessions: ReadonlyMap<string, { seq: number; output: Json }>): string {
  return [...sessions].map(([c, s]) => `${c}#${s.seq} → ${canonicalEncode(s.output)}`).join(', ');
}

function checkpointText(cfg: ClusterConfig, cp: Checkpoint): string {
  return `slot ${cp.slot}, digest ${cp.digest}\napp ${canonicalEncode(cfg.app.view(cp.app))}; sessions ${sessionsText(cp.sessions) || '—'}`;
}

function diskText(disk: DurableState): string {
  return [
    `promised ${formatBallot(disk.promised)}`,
    `accepted ${acceptedText(disk).replace(/\n/g, ', ') || '—'}`,
    `chosen ${chosenText(disk).replace(/\n/g, ', ') || '—'}`,
    `checkpoint ${disk.checkpoint === null ? '—' : `slot ${disk.checkpoint.slot}`}`,
  ].join('\n');
}

/**
 * The variables whose values make each invariant fail, and whether they are the reporting
 * node's own (else every replica's: Agreement compares replicas).
 */
const CULPRITS: Partial<Record<InvariantName, { vars: readonly string[]; own: boolean }>> = {
  Agreement: { vars: ['chosen', 'accepted', 'chosen log'], own: false },
  Validity: { vars: ['chosen', 'chosen log', 'history'], own: true },
  PrefixConsistency: { vars: ['executed', 'app', 'digest', 'sessions', 'digests'], own: true },
  ExactlyOnce: { vars: ['sessions', 'app', 'executed', 'chosen'], own: true },
  Durability: { vars: ['status', 'promised', 'accepted', 'chosen', 'disk'], own: true },
  Linearizability: { vars: ['outputs', 'replies', 'history'], own: false },
  OutputFilter: { vars: ['replies', 'outputs', 'status', 'reference'], own: false },
  CheckpointSafety: { vars: ['checkpoint', 'executed', 'app', 'digest', 'digests'], own: true },
  ConfigSafety: { vars: ['configuration', 'chosen log'], own: true },
  AuditDetects: { vars: ['status', 'audits', 'digest', 'app', 'digests'], own: true },
};

/** Spec names in a Refinement message, and the variable of the page that holds each. */
const SPEC_NAMES: readonly [RegExp, string][] = [
  [/\bpromised\b/, 'promised'],
  [/\bpromises\b/, 'promises'],
  [/\baccepted\b/, 'accepted'],
  [/\bchosen\b|ChosenSlots|ChosenPrefix/, 'chosen'],
  [/\brole\b/, 'role'],
  [/\bballot\b|\bbal\b/, 'ballot'],
  [/\bprepareFrom\b/, 'prepareFrom'],
  [/\bproposals\b|\bvotes\b/, 'proposals'],
  [/\bnextSlot\b/, 'nextSlot'],
  [/\bexecuted\b/, 'executed'],
  [/\bsessions\b/, 'sessions'],
  [/\bapp\b/, 'app'],
  [/\bckpt\b|checkpoint/, 'checkpoint'],
  [/\bclientSeq\b/, 'clientSeq'],
  [/\bpending\b/, 'pending'],
  [/\breplies\b/, 'replies'],
  [/\bconf\b|configuration/, 'configuration'],
];

/**
 * The (node, variable) pairs a violation is about, among those the snapshot has: the
 * invariant's own variables, and the spec variables the failed conjunct names (Refinement's
 * message quotes it; pass it alone so that the English around it does not count). Falls back to
 * what the reporting node's step changed.
 */
export function culpritsOf(
  violation: Violation,
  state: Snapshot,
  before: Snapshot,
  nodes: readonly string[],
  conjunct: string = violation.message,
): Culprit[] {
  const out: Culprit[] = [];
  const seen = new Set<string>();
  const add = (node: string, variable: string) => {
    const key = `${node}|${variable}`;
    if (seen.has(key) || state[node]?.[variable] === undefined) return;
    seen.add(key);
    out.push({ node, variable });
  };
  const mine = violation.node === undefined ? nodes : [violation.node];
  const rule = CULPRITS[violation.invariant];
  for (const variable of rule?.vars ?? []) {
    for (const n of rule?.own === true ? mine : nodes) add(n, variable);
    add(GHOST, variable);
  }
  for (const [pattern, variable] of SPEC_NAMES)
    if (pattern.test(conjunct)) for (const n of mine) add(n, variable);
  if (out.length === 0)
    for (const n of mine)
      for (const [k, v] of Object.entries(state[n] ?? {})) if (before[n]?.[k] !== v) add(n, k);
  return out;
}
