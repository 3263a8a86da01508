/**
 * Canonical text of the twin's per-node variables: equal text ⇔ equal Smr.tla values (ballots
 * as numbers, commands and outputs by their canonical keys, the app state by the app's digest).
 * The model-checking configurations build their VIEW from it (protocol.ts) and the refinement
 * checks compare the core's abstract state with the twin's by it; `describe*` is the same in
 * words, for reports.
 */
import type { CheckpointVars, ClientVars, ReplicaVars, Session, SpecContext } from './state.js';
import { confText, memberIds } from './config.js';
import { describeCmd, UNKNOWN } from './values.js';

/** Text of a replica's variables, per context: states share unchanged variables by identity. */
const replicaTexts = new WeakMap<SpecContext, WeakMap<ReplicaVars, string>>();

/** Fields that mean nothing in the replica's role are encoded as Smr.tla keeps them: initial. */
export function encodeReplica(ctx: SpecContext, v: ReplicaVars): string {
  let texts = replicaTexts.get(ctx);
  if (texts === undefined) {
    texts = new WeakMap();
    replicaTexts.set(ctx, texts);
  }
  let text = texts.get(v);
  if (text === undefined) {
    text = replicaText(ctx, v);
    texts.set(v, text);
  }
  return text;
}

function replicaText(ctx: SpecContext, v: ReplicaVars): string {
  const accepted: string[] = [];
  for (const [slot, x] of v.accepted.from(0)) accepted.push(`${slot}:${x.bal}:${x.cmd.key}`);
  const chosen: string[] = [];
  for (const [slot, c] of v.chosen.from(0)) chosen.push(`${slot}:${c.key}`);
  const promises =
    v.role === 'candidate'
      ? [...v.promises]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(
            ([from, p]) =>
              `${from}<${p.accepted.map((e) => `${e.slot}:${e.bal}:${e.cmd.key}`).join(',')}>${p.ckpt}`,
          )
      : [];
  const proposals =
    v.role === 'leader'
      ? [...v.proposals].sort(([a], [b]) => a - b).map(([slot, p]) => `${slot}:${p.cmd.key}:${p.votes}`)
      : [];
  return [
    v.promised,
    accepted.join(','),
    chosen.join(','),
    checkpointText(ctx, v.ckpt),
    v.role,
    v.role === 'follower' ? -1 : v.ballot,
    v.role === 'candidate' ? v.prepareFrom : 0,
    promises.join(','),
    v.promisers,
    proposals.join(','),
    v.role === 'leader' ? v.nextSlot : 0,
    v.executed,
    sessionsText(ctx, v.sessions),
    appText(ctx, v.app),
    confText(v.conf),
  ].join('|');
}

function sessionsText(ctx: SpecContext, sessions: ReadonlyMap<string, Session>): string {
  return ctx.clients
    .map((c) => {
      const x = sessions.get(c);
      return x === undefined ? '0:0' : `${x.seq}:${x.outKey}`;
    })
    .join(',');
}

const checkpointTexts = new WeakMap<SpecContext, WeakMap<CheckpointVars, string>>();

/** Text of a checkpoint (its slot, app state and sessions); shared checkpoints are encoded once. */
export function checkpointText(ctx: SpecContext, c: CheckpointVars): string {
  let texts = checkpointTexts.get(ctx);
  if (texts === undefined) {
    texts = new WeakMap();
    checkpointTexts.set(ctx, texts);
  }
  let text = texts.get(c);
  if (text === undefined) {
    text = `${c.slot}:${appText(ctx, c.app)}:${sessionsText(ctx, c.sessions)}:${confText(c.conf)}`;
    texts.set(c, text);
  }
  return text;
}

/** Equal keys ⇔ equal checkpoints; null when the app state is unknown (nothing to compare). */
export function checkpointKey(ctx: SpecContext, c: CheckpointVars): string | null {
  return c.app === UNKNOWN || ctx.app === null ? null : checkpointText(ctx, c);
}

const clientTexts = new WeakMap<ClientVars, string>();

export function encodeClient(c: ClientVars): string {
  let text = clientTexts.get(c);
  if (text === undefined) {
    text = clientText(c);
    clientTexts.set(c, text);
  }
  return text;
}

function clientText(c: ClientVars): string {
  const replies = [...c.replies]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([f, o]) => `${f}:${o.outKey}`);
  return `${c.clientSeq}|${c.pending ? 1 : 0}|${c.pending ? replies.join(',') : ''}`;
}

function appText(ctx: SpecContext, app: unknown): string {
  if (app === UNKNOWN || ctx.app === null) return '?';
  return ctx.app.digest(app);
}

/** A replica's variables in words, for a report. */
export function describeReplica(ctx: SpecContext, v: ReplicaVars): string {
  const b = (x: number): string => ctx.ballots.format(x);
  const accepted: string[] = [];
  for (const [slot, x] of v.accepted.from(0)) accepted.push(`${slot}:${b(x.bal)}:${describeCmd(x.cmd)}`);
  const chosen: string[] = [];
  for (const [slot, c] of v.chosen.from(0)) chosen.push(`${slot}:${describeCmd(c)}`);
  const proposals = [...v.proposals].map(
    ([slot, p]) =>
      `${slot}:${describeCmd(p.cmd)}:{${ctx.replicas.filter((_, i) => (p.votes & (1 << i)) !== 0).join(',')}}`,
  );
  const sessions = [...v.sessions].map(([c, x]) => `${c}:${x.seq}:${x.outKey}`);
  return (
    `promised=${b(v.promised)} accepted=[${accepted.join(' ')}] chosen=[${chosen.join(' ')}] ` +
    `ckpt=${v.ckpt.slot} ` +
    `role=${v.role} ballot=${b(v.ballot)} proposals=[${proposals.join(' ')}] nextSlot=${v.nextSlot} ` +
    `executed=${v.executed} sessions=[${sessions.join(' ')}] app=${appText(ctx, v.app)} ` +
    `conf=[${v.conf.map((e) => `${e.from}:{${memberIds(ctx, e.members).join(',')}}`).join(' ')}]`
  );
}

export function describeClient(c: ClientVars): string {
  const replies = [...c.replies].map(([f, o]) => `${f}:${o.outKey}`);
  return `clientSeq=${c.clientSeq} pending=${c.pending} replies=[${replies.join(' ')}]`;
}
