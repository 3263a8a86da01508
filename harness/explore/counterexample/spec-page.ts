/**
 * A counterexample of a spec (twin) model as a page (src/view/sequence.ts): the same diagram
 * as the reference cluster's — a lane per replica and client of the model, each Smr.tla action
 * in its node's lane, messages from the action that put them in `msgs` to the one that
 * consumed them — and every node's spec variables after each step.
 */
import { canonicalEncode } from '../../../src/core/canonical.js';
import { memberIds } from '../../../src/spec/config.js';
import type { GhostState } from '../../../src/spec/invariants.js';
import { modelContext } from '../../../src/spec/model-context.js';
import { SPEC_MODEL_LIST } from '../../../src/spec/models.js';
import type { ModelAction } from '../../../src/spec/protocol.js';
import type { ClientVars, ReplicaVars, SpecContext, World } from '../../../src/spec/state.js';
import type { Protocol } from '../../../src/spec/transition-system.js';
import { describeCmd, UNKNOWN, type Msg } from '../../../src/spec/values.js';
import type { Violation } from '../../../src/spec/violation.js';
import {
  renderSequencePage,
  type NodeState,
  type SequenceMessage,
  type SequenceStep,
  type Snapshot,
} from '../../../src/view/sequence.js';
import { culpritsOf } from './state.js';

export function renderSpecPage(
  constants: string,
  protocol: Protocol<unknown, unknown>,
  choices: readonly number[],
  violation: Violation,
): string {
  const model = SPEC_MODEL_LIST.find((m) => m.name === constants);
  if (model === undefined) throw new Error(`no spec model ${constants}`);
  const ctx = modelContext(model.constants);
  const nodes = [...ctx.replicas, ...ctx.clients];
  let state = protocol.initialStates()[choices[0] ?? 0] as GhostState;
  const initial = snapshot(ctx, state.w);
  const steps: SequenceStep[] = [];
  for (const k of choices.slice(1)) {
    const a = protocol.actions(state)[k] as ModelAction | undefined;
    if (a === undefined) break;
    const next = protocol.step(state, a).world as GhostState;
    const before = new Set([...state.w.net.above(null)].map((r) => r.msg.key));
    const sent = [...next.w.net.above(null)].map((r) => r.msg).filter((m) => !before.has(m.key));
    const m = a.msg;
    const consumed = m !== undefined && m.from !== a.node && !sent.includes(m);
    steps.push({
      label: protocol.describe(a),
      node: a.node,
      kind: a.action === 'Restart' ? 'restart' : 'act',
      actions: [`${a.action}${a.slot === undefined ? '' : ` slot ${a.slot}`}`],
      ...(consumed && m !== undefined
        ? { receives: { id: `${m.key}|${a.node}`, from: m.from, text: msgText(ctx, m) } }
        : {}),
      sends: sent.flatMap((msg) => receivers(ctx, msg).map((to) => sendOf(ctx, msg, to))),
      state: snapshot(ctx, next.w),
    });
    state = next;
  }
  const at = steps.length - 1;
  const after = steps[at]?.state ?? initial;
  const prior = steps[at - 1]?.state ?? initial;
  return renderSequencePage({
    title: `smr explore: ${violation.invariant} violated`,
    subtitle: `spec model ${constants} (spec/MCSmr_${constants}.cfg): replicas ${ctx.replicas.join(', ')}, clients ${ctx.clients.join(', ')}, crashable ${model.crashable.join(', ') || 'none'} — ${steps.length} steps`,
    nodes,
    clients: ctx.clients,
    initial,
    steps,
    violation: {
      heading: `${violation.invariant} violated`,
      message: violation.message,
      ...(violation.node === undefined ? {} : { node: violation.node }),
      step: at,
      culprits: culpritsOf(violation, after, prior, nodes),
    },
  });
}

function sendOf(ctx: SpecContext, m: Msg, to: string): SequenceMessage {
  return { id: `${m.key}|${to}`, from: m.from, to, text: msgText(ctx, m) };
}

/** Who a message of `msgs` is for: broadcasts to the other replicas, answers to the leader. */
function receivers(ctx: SpecContext, m: Msg): string[] {
  switch (m.type) {
    case 'Prepare':
    case 'Accept':
    case 'Audit':
    case 'Decision':
      return ctx.replicas.filter((r) => r !== m.from);
    case 'Promise':
    case 'Accepted':
      return [ctx.ballots.owner(m.bal)];
    case 'Reply':
      return [m.to];
    default:
      return [];
  }
}

function msgText(ctx: SpecContext, m: Msg): string {
  const b = (x: number) => ctx.ballots.format(x);
  switch (m.type) {
    case 'Prepare':
      return `Prepare ${b(m.bal)} from=${m.fromSlot}`;
    case 'Promise':
      return `Promise ${b(m.bal)} [${m.accepted.map((e) => `${e.slot}:${b(e.bal)} ${describeCmd(e.cmd)}`).join(', ')}]${m.ckpt > 0 ? ` checkpoint=${m.ckpt}` : ''}`;
    case 'Accept':
      return `Accept ${b(m.bal)} slot=${m.slot} ${describeCmd(m.cmd)}`;
    case 'Accepted':
      return `Accepted ${b(m.bal)} slot=${m.slot}`;
    case 'Decision':
      return `Decision slot=${m.slot} ${describeCmd(m.cmd)}`;
    default:
      return m.key.split('\u0000').join(' ');
  }
}

function snapshot(ctx: SpecContext, w: World): Snapshot {
  const out: Record<string, NodeState> = {};
  ctx.replicas.forEach((r, i) => (out[r] = replicaVars(ctx, w.replicas[i] as ReplicaVars)));
  ctx.clients.forEach((c, i) => (out[c] = clientVars(w.clients[i] as ClientVars)));
  return out;
}

/** The variables of spec/Smr.tla for one replica, by their TLA+ names. */
function replicaVars(ctx: SpecContext, v: ReplicaVars): NodeState {
  const b = (x: number) => ctx.ballots.format(x);
  const out: Record<string, string> = { role: v.role, promised: b(v.promised) };
  if (v.role !== 'follower') out['ballot'] = b(v.ballot);
  if (v.role === 'candidate') {
    out['prepareFrom'] = String(v.prepareFrom);
    out['promises'] =
      [...v.promises]
        .map(
          ([from, p]) =>
            `from ${from}: [${p.accepted.map((e) => `${e.slot}:${b(e.bal)} ${describeCmd(e.cmd)}`).join(', ')}]`,
        )
        .join('\n') || 'none yet';
  }
  if (v.role === 'leader') {
    out['nextSlot'] = String(v.nextSlot);
    out['proposals'] =
      [...v.proposals]
        .map(
          ([s, p]) =>
            `${s}: ${describeCmd(p.cmd)} votes {${ctx.replicas.filter((_, i) => (p.votes & (1 << i)) !== 0).join(',')}}`,
        )
        .join('\n') || '—';
  }
  out['accepted'] =
    [...v.accepted.from(0)].map(([s, x]) => `${s}: ${b(x.bal)} ${describeCmd(x.cmd)}`).join('\n') ||
    '—';
  out['chosen'] =
    [...v.chosen.from(0)].map(([s, c]) => `${s}: ${describeCmd(c)}`).join('\n') || '—';
  out['executed'] = String(v.executed);
  out['app'] = v.app === UNKNOWN || ctx.app === null ? '?' : canonicalEncode(ctx.app.view(v.app));
  out['sessions'] =
    [...v.sessions].map(([c, s]) => `${c}#${s.seq} → ${s.outKey}`).join(', ') || '—';
  if (v.ckpt.slot > 0) out['ckpt'] = `slot ${v.ckpt.slot}`;
  out['conf'] = v.conf
    .map((e) => `{${memberIds(ctx, e.members).join(',')}} from slot ${e.from}`)
    .join('\n');
  return out;
}

function clientVars(c: ClientVars): NodeState {
  const out: Record<string, string> = {
    clientSeq: String(c.clientSeq),
    pending: String(c.pending),
  };
  if (c.replies.size > 0)
    out['replies'] = [...c.replies].map(([r, o]) => `${r}: ${o.outKey}`).join('\n');
  return out;
}
