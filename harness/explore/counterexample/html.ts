/**
 * A counterexample as a page (src/view/sequence.ts renders it): for the reference cluster, one
 * lane per replica and client, each step's box labelled with the spec actions it performed and
 * the message or fault that caused it, every message from its send to its delivery, drop,
 * duplication — or to nowhere, when it was never delivered — and the whole cluster's state after
 * every step, with the ghost state the invariants judge by. `smr explore --out` and
 * `smr replay --html` write the same page for the same run.
 */
import { canonicalEncode } from '../../../src/core/canonical.js';
import {
  renderSequencePage,
  type SequenceMessage,
  type SequenceStep,
  type StepKind,
} from '../../../src/view/sequence.js';
import { renderMessage } from '../../scenario.js';
import type { ClusterProtocol } from '../cluster/protocol.js';
import type { Replay } from '../cluster/replay.js';
import type { ClusterScope } from '../cluster/scope.js';
import { culpritsOf, GHOST, GHOST_CAPTION, ReferenceStates, snapshotOf } from './state.js';

export function renderClusterPage(
  protocol: ClusterProtocol,
  run: Replay,
  heading = 'smr explore',
): string {
  const { cfg, scope } = protocol;
  const refs = new ReferenceStates(cfg);
  const first = run.steps[0]?.before ?? protocol.initialStates()[0];
  const initial = first === undefined ? {} : snapshotOf(cfg, first.world, refs);
  const nodes = [...cfg.replicas, ...cfg.clients];
  const steps: SequenceStep[] = run.steps.map((s) => {
    const step = s.step;
    const packet = packetOf(s);
    const actions = s.t.events.map(
      (e) =>
        `${e.node === actorOf(s) ? '' : `${e.node} `}${e.event.action}${e.event.slot === undefined ? '' : ` slot ${e.event.slot}`}`,
    );
    const kind: StepKind =
      step.kind === 'Crash' || step.kind === 'Restart' || step.kind === 'Corrupt'
        ? (step.kind.toLowerCase() as StepKind)
        : step.kind === 'Drop' || step.kind === 'Duplicate'
          ? (step.kind.toLowerCase() as StepKind)
          : 'act';
    const cause =
      step.kind === 'Tick'
        ? 'Tick'
        : step.kind === 'Submit'
          ? `Submit ${canonicalEncode(step.op)}`
          : step.kind === 'Crash' || step.kind === 'Restart' || step.kind === 'Corrupt'
            ? `${step.kind} ${step.replica}`
            : undefined;
    const sends: SequenceMessage[] = s.t.sent.map((p) => ({
      id: String(p.id),
      from: p.from,
      to: p.to,
      text: renderMessage(p.msg),
    }));
    return {
      label: s.label,
      node: actorOf(s),
      kind,
      actions,
      ...(cause === undefined ? {} : { cause }),
      ...(packet === undefined
        ? {}
        : {
            receives: { id: String(packet.id), from: packet.from, text: renderMessage(packet.msg) },
          }),
      ...(step.kind === 'Duplicate' ? { copy: String(s.before.world.nextPacketId) } : {}),
      sends,
      state: snapshotOf(cfg, s.after.world, refs),
      inFlight: s.after.world.network.map((p) => `${p.from}→${p.to} ${renderMessage(p.msg)}`),
    };
  });
  const found = run.violation;
  const violation = found === null ? null : found.violation;
  const at = found?.index ?? -1;
  const state = at < 0 ? initial : (steps[at]?.state ?? initial);
  const details = violation === null ? [] : detailsOf(violation.message);
  const conjunct = details.find((d) => d.label === 'failed conjunct')?.value;
  const before = at <= 0 ? initial : (steps[at - 1]?.state ?? initial);
  return renderSequencePage({
    title: `${heading}: ${violation === null ? 'no violation' : `${violation.invariant} violated`}${scope.mutant === undefined ? '' : ` (mutant ${scope.mutant})`}`,
    subtitle: `${describeScope(scope)} — ${run.steps.length} step${run.steps.length === 1 ? '' : 's'}`,
    nodes,
    clients: cfg.clients,
    columns: [{ id: GHOST, caption: GHOST_CAPTION }],
    initial,
    steps,
    violation:
      violation === null
        ? null
        : {
            heading: `${violation.invariant} violated`,
            message: violation.message,
            ...(violation.node === undefined ? {} : { node: violation.node }),
            step: at,
            culprits: culpritsOf(violation, state, before, nodes, conjunct),
            details,
          },
  });
}

/**
 * The facts a Refinement message carries (harness/refinement/local.ts): the action the spec
 * refused with the conjunct that failed and what it expected and saw, or the variables where
 * the core and the spec part ways.
 */
export function detailsOf(message: string): { label: string; value: string }[] {
  const refused =
    /: (\w+) is not enabled in the spec: (.*) does not hold \(expected (.*), seen (.*)\)$/.exec(
      message,
    );
  if (refused !== null)
    return [
      { label: 'refused action', value: refused[1] ?? '' },
      { label: 'failed conjunct', value: refused[2] ?? '' },
      { label: 'expected', value: refused[3] ?? '' },
      { label: 'seen', value: refused[4] ?? '' },
    ];
  const differ = /the states differ after the step — core (.*) \| spec (.*)$/.exec(message);
  if (differ !== null)
    return [
      { label: 'the core has', value: differ[1] ?? '' },
      { label: 'the spec has', value: differ[2] ?? '' },
    ];
  return [];
}

/**
 * The scope that ran, in words: only the faults that could happen (a crash fault with no
 * crashes allowed is not one), with their bounds.
 */
export function describeScope(scope: ClusterScope): string {
  const faults: string[] = [];
  for (const f of scope.faults) {
    if (f === 'crash') {
      if (scope.maxCrashes > 0) faults.push(`crash (≤ ${scope.maxCrashes})`);
    } else if (f === 'corrupt') {
      if (scope.maxCorruptions > 0) faults.push(`corrupt (≤ ${scope.maxCorruptions})`);
    } else if (f === 'dup' && scope.network === 'multiset')
      faults.push(`dup (≤ ${scope.maxCopies} copies)`);
    else faults.push(f);
  }
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [
    plural(scope.replicas, 'replica'),
    plural(scope.clients, 'client'),
    plural(scope.requests, 'request'),
    `${scope.network} network`,
    `faults ${faults.join(', ') || 'none'}`,
    `≤ ${plural(scope.maxElections, 'election')} up to round ${scope.maxRound}`,
    `window ${scope.window}`,
  ];
  if ((scope.checkpointEvery ?? 0) > 0) parts.push(`checkpoint every ${scope.checkpointEvery}`);
  if ((scope.auditEvery ?? 0) > 0) parts.push(`audit every ${scope.auditEvery}`);
  if ((scope.electionTicks ?? 1) !== 1) parts.push(`election ticks ${scope.electionTicks}`);
  if ((scope.heartbeatTicks ?? 0) > 0) parts.push(`heartbeat ticks ${scope.heartbeatTicks}`);
  parts.push(`app ${scope.app}`, `${scope.policy} replies`);
  return parts.join(', ');
}

/** The packet a Deliver, Drop or Duplicate step acted on, as it was in flight. */
export function packetOf(s: Replay['steps'][number]) {
  const step = s.step;
  if (step.kind !== 'Deliver' && step.kind !== 'Drop' && step.kind !== 'Duplicate')
    return undefined;
  if (step.kind === 'Deliver' && s.t.consumed !== undefined) return s.t.consumed;
  const text = canonicalEncode(step.msg);
  return s.before.world.network.find(
    (p) => p.from === step.from && p.to === step.to && canonicalEncode(p.msg) === text,
  );
}

function actorOf(s: Replay['steps'][number]): string {
  const step = s.step;
  switch (step.kind) {
    case 'Tick':
      return step.node;
    case 'Submit':
      return step.client;
    case 'Deliver':
    case 'Drop':
    case 'Duplicate':
      return step.to;
    default:
      return step.replica;
  }
}
