/**
 * Refinement of the TLA+ twin by the core, on the whole world: every core step, replayed as the
 * spec actions it reports (replay.ts), must take abstract(before) to abstract(after) — every
 * replica and client — and send exactly the spec-visible messages the actions send. A step with
 * no events must be a stutter. The explorer runs this on every transition with `--refinement`
 * (its TransitionCheck hook); a failure is a `Refinement` violation that describes both states.
 * The per-step check every run makes by default (local.ts) is the same replay on one node.
 *
 * Messages are compared as what each side newly sent: the core's in-flight network does not keep
 * the history of Smr.tla's `msgs`, so the twin's guards see the messages in flight, every
 * request ever issued, and the messages the sender's state proves it sent (abstractWorld).
 */
import { jsonKey } from '../../src/spec/values.js';
import { FAIL_KEY, outcome } from '../../src/spec/client.js';
import { describeClient, describeReplica, encodeClient } from '../../src/spec/encode.js';
import type { ClientVars, ReplicaVars, World as SpecWorld } from '../../src/spec/state.js';
import type { Violation } from '../../src/spec/violation.js';
import type { Transition } from '../model/step.js';
import type { ClusterConfig, World } from '../model/world.js';
import { abstractWorld, refinementText, specContext, specMessage } from './abstract.js';
import { describeEvents, refinementEnv, replayEvents } from './replay.js';

/** Check one core transition against the twin. */
export function checkRefinementStep(cfg: ClusterConfig, before: World, t: Transition): Violation[] {
  const ctx = specContext(cfg);
  const from = abstractWorld(ctx, before);
  const fail = (message: string): Violation[] => [
    {
      invariant: 'Refinement',
      ...(t.node !== undefined ? { node: t.node } : {}),
      message: `${describeEvents(t.events)}: ${message}`,
    },
  ];
  const replayed = replayEvents(refinementEnv(ctx), from, t.events);
  if (!replayed.ok) return fail(replayed.reason);

  const to = abstractWorld(ctx, t.world);
  const same = (w: SpecWorld): boolean =>
    w.replicas.every(
      (v, i) => refinementText(ctx, v) === refinementText(ctx, to.replicas[i] as ReplicaVars),
    ) && w.clients.every((c, i) => encodeClient(c) === encodeClient(to.clients[i] as ClientVars));
  const twin = replayed.worlds.find(same);
  if (twin === undefined) {
    const w = replayed.worlds[0] as SpecWorld;
    const diffs: string[] = [];
    ctx.replicas.forEach((r, i) => {
      const c = to.replicas[i] as ReplicaVars;
      const s = w.replicas[i] as ReplicaVars;
      if (refinementText(ctx, c) !== refinementText(ctx, s))
        diffs.push(`${r}: core ${describeReplica(ctx, c)} | spec ${describeReplica(ctx, s)}`);
    });
    ctx.clients.forEach((name, i) => {
      const c = to.clients[i] as ClientVars;
      const s = w.clients[i] as ClientVars;
      if (encodeClient(c) !== encodeClient(s))
        diffs.push(`${name}: core ${describeClient(c)} | spec ${describeClient(s)}`);
    });
    return fail(`the states differ after the step — ${diffs.join('; ')}`);
  }

  // The outcome a client accepted: the spec's Outcome of its votes (Smr.tla's `done`).
  for (const e of t.events) {
    if (e.event.action !== 'ClientReceive') continue;
    const j = ctx.clientIndex.get(e.node) as number;
    const was = from.clients[j] as ClientVars;
    const now = to.clients[j] as ClientVars;
    const m = e.event.msg === undefined ? null : specMessage(ctx, e.event.msg);
    if (!was.pending || now.pending || m?.type !== 'Reply') continue;
    const spec = outcome(
      new Map(was.replies).set(m.from, { output: m.output, outKey: m.outKey }),
      ctx.replicas.length,
      ctx.policy === 'first-reply',
    );
    const op = [...t.world.ghost.history]
      .reverse()
      .find((x) => x.process === e.node && x.ret !== null);
    const core =
      op === undefined ? undefined : op.output === undefined ? FAIL_KEY : jsonKey(op.output);
    if (spec !== core)
      return fail(
        `${e.node} accepted ${core ?? 'nothing'} where the spec accepts ${spec ?? 'nothing'}`,
      );
  }

  // Newly sent messages: the twin's must be the core's (a silent replay re-sends nothing).
  const old = (key: string): boolean => from.net.get(key) !== undefined;
  const restart = t.events[0]?.event.action === 'Restart';
  const coreNew = new Set<string>();
  for (const p of t.sent) {
    const m = specMessage(ctx, p.msg);
    if (m !== null && m.type !== 'Decision' && !old(m.key)) coreNew.add(m.key);
  }
  for (const r of to.net.above(null)) if (!old(r.msg.key)) coreNew.add(r.msg.key);
  const twinNew = new Set(
    twin.sent
      .map((r) => r.msg)
      .filter((m) => m.type !== 'Decision' && !old(m.key) && !(restart && m.type === 'Reply'))
      .map((m) => m.key),
  );
  const missing = [...twinNew].filter((key) => !coreNew.has(key));
  const extra = [...coreNew].filter((key) => !twinNew.has(key));
  if (missing.length > 0 || extra.length > 0) {
    const show = (keys: readonly string[]) =>
      keys.map((k) => k.split('\u0000').join('|')).join(', ');
    return fail(
      [
        missing.length > 0 ? `the spec sends ${show(missing)} but the core does not` : '',
        extra.length > 0 ? `the core sends ${show(extra)} which the spec's actions do not` : '',
      ]
        .filter((x) => x !== '')
        .join('; '),
    );
  }
  return [];
}
