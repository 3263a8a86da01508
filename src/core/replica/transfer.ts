/**
 * State transfer (DESIGN.md "State transfer"): a replica asked for log entries its checkpoint
 * covers sends the checkpoint instead, in chunks as a real host sends a large state, with only
 * the app parts whose version differs from the asker's (seed: send only the state components
 * that differ). The receiver assembles the chunks in order, rebuilds the state from them and
 * its own copies of the parts not sent, and installs it only if the digest matches; then it
 * applies the entries it collected after the checkpoint. Compression belongs to the host's
 * transport, not here.
 */
import type { App } from '../app.js';
import type { ClientId, Session, SnapshotChunkMsg, SnapshotPart } from '../types.js';
import type { StepBuilder } from './builder.js';
import { checkpointDigest, digestedMembership, vouch } from './checkpoint.js';
import { initialMembership, membershipFromJson } from '../membership.js';
import { checkpointSlot, startingMembers } from './state.js';
import { executeReady } from './learner.js';
import type { Transfer } from './state.js';

/** A chunk of a peer's checkpoint: collect it; with the last one, install the checkpoint. */
export function onSnapshotChunk(b: StepBuilder, msg: SnapshotChunkMsg): void {
  const chunk = `chunk ${msg.index + 1}/${msg.count} of checkpoint ${msg.slot} from ${msg.from}`;
  // A replica rebuilding its state after declaring itself faulty (audit.ts) takes any checkpoint
  // its log reaches; otherwise only one past what it executed.
  if (b.v.repair?.awaitingTransfer === true) {
    if (msg.slot < checkpointSlot(b.durable))
      return b.rejected(
        `${chunk}: this replica rebuilds from a checkpoint at slot ${checkpointSlot(b.durable)} or later`,
      );
  } else if (msg.slot <= b.v.executed)
    return b.rejected(`${chunk}: this replica has executed up to slot ${b.v.executed} already`);
  const t = withChunk(b.v.transfer, msg);
  // Not the next chunk of the transfer under way: a copy, a straggler of an abandoned
  // transfer, or a chunk whose predecessor was lost. Normal on a lossy network, and refused
  // (never assembled out of order); the next catch-up request starts a fresh transfer.
  if (t === null) {
    const now = b.v.transfer;
    return b.rejected(
      `${chunk} out of order: ${now === null ? 'no transfer under way (chunk 1 starts one)' : `expected chunk ${now.next + 1}/${now.count} of checkpoint ${now.slot} from ${now.from}`}`,
    );
  }
  if (t.next < t.count) return b.setVolatile({ transfer: t });
  install(b, t);
}

/** The transfer with `msg` added, or null when `msg` is not the chunk it expects next. */
export function withChunk(current: Transfer | null, msg: SnapshotChunkMsg): Transfer | null {
  if (msg.index === 0)
    return {
      from: msg.from,
      slot: msg.slot,
      digest: msg.digest,
      count: msg.count,
      next: 1,
      names: msg.names ?? [],
      sessions: msg.sessions ?? [],
      membership: msg.membership ?? null,
      parts: msg.parts,
    };
  const t = current;
  if (
    t === null ||
    t.from !== msg.from ||
    t.slot !== msg.slot ||
    t.digest !== msg.digest ||
    t.count !== msg.count ||
    t.next !== msg.index
  )
    return null;
  return { ...t, next: t.next + 1, parts: [...t.parts, ...msg.parts] };
}

/** The state a complete transfer describes: the parts sent, and the receiver's own for the rest. */
export function assembled<S>(
  app: App<S>,
  t: Transfer,
  own: S,
): { readonly state: S; readonly sessions: ReadonlyMap<ClientId, Session> } {
  const sent = new Map(t.parts.map((p) => [p.name, p]));
  const mine = new Map(app.snapshot(own).map((p) => [p.name, p]));
  const parts: SnapshotPart[] = [];
  for (const name of t.names) {
    const part = sent.get(name) ?? mine.get(name);
    if (part !== undefined) parts.push(part);
  }
  return {
    state: app.restore(parts),
    sessions: new Map(t.sessions.map((s) => [s.client, { seq: s.seq, output: s.output }])),
  };
}

/** InstallCheckpoint: the transfer is complete; check its digest, then take it as this state. */
function install(b: StepBuilder, t: Transfer): void {
  const { app, rules } = b.ctx;
  const { state, sessions } = assembled(app, t, b.v.app);
  const membership =
    t.membership === null
      ? initialMembership(startingMembers(b.base.params))
      : membershipFromJson(t.membership);
  const digest = checkpointDigest(
    app,
    t.slot,
    state,
    sessions,
    digestedMembership(b.base.params, membership, t.slot),
  );
  if (!rules.acceptsTransfer(digest, t.digest)) {
    b.setVolatile({ transfer: null, wholeTransfer: true });
    return b.rejected(
      `state transfer of checkpoint ${t.slot} from ${t.from}: the state assembled has digest ${digest}, not ${t.digest}`,
    );
  }
  b.setDurable({
    checkpoint: { slot: t.slot, app: state, sessions, membership, digest: t.digest },
  });
  b.setVolatile({
    app: state,
    sessions,
    membership,
    executed: rules.resumeAfterInstall(t.slot, b.v.executed),
    transfer: null,
    wholeTransfer: false,
    audits: new Map(),
    // A faulty replica waiting for a state to rebuild from has one now (audit.ts).
    repair: b.v.repair === null ? null : { ...b.v.repair, awaitingTransfer: false },
    // The sender vouches for what it sent: it serves only stable checkpoints.
    votes: new Map(b.v.votes).set(t.from, { slot: t.slot, digest: t.digest }),
  });
  b.trace({
    action: 'InstallCheckpoint',
    msg: { type: 'Snapshot', from: t.from, slot: t.slot, digest: t.digest },
  });
  // The entries collected meanwhile: those after the checkpoint are applied on top of it.
  executeReady(b);
  vouch(b);
}
