/**
 * Canonical text of the twin's per-node variables: equal text ⇔ equal Smr.tla values (ballots
 * as numbers, commands and outputs by their canonical keys, the app state by the app's digest).
 * The model-checking configurations build their VIEW from it (protocol.ts) and the refinement
 * checks compare the core's abstract state with the twin's by it; `describe*` is the same in
 * words, for reports.
 */
import type { ClientVars, ReplicaVars, SpecContext } from './state.js';
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
          .map(([from, es]) => `${from}<${es.map((e) => `${e.slot}:${e.bal}:${e.cmd.key}`).join(',')}>`)
      : [];
  const proposals =
    v.role === 'leader'
      ? [...v.proposals].sort(([a], [b]) => a - b).map(([slot, p]) => `${slot}:${p.cmd.key}:${p.votes}`)
      : [];
  const sessions = ctx.clients.map((c) => {
    const x = v.sessions.get(c);
    return x === undefined ? '0:0' : `${x.seq}:${x.outKey}`;
  });
  return [
    v.promised,
    accepted.join(','),
    chosen.join(','),
    v.role,
    v.role === 'follower' ? -1 : v.ballot,
    v.role === 'candidate' ? v.prepareFrom : 0,
    promises.join(','),
    proposals.join(','),
    v.role === 'leader' ? v.nextSlot : 0,
    v.executed,
    sessions.join(','),
    appText(ctx, v.app),
  ].join('|');
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
    `role=${v.role} ballot=${b(v.ballot)} proposals=[${proposals.join(' ')}] nextSlot=${v.nextSlot} ` +
    `executed=${v.executed} sessions=[${sessions.join(' ')}] app=${appText(ctx, v.app)}`
  );
}

export function describeClient(c: ClientVars): string {
  const replies = [...c.replies].map(([f, o]) => `${f}:${o.outKey}`);
  return `clientSeq=${c.clientSeq} pending=${c.pending} replies=[${replies.join(' ')}]`;
}
