/**
 * The invariants and properties of spec/Smr.tla, with the same names. A state invariant returns
 * why it is violated, or null; Durability and ConsensusRefinement look at one step.
 */
import { cmdKey, isChosenSlot, isQuorum } from './state.js';
import { FAIL, NO_BALLOT, type Cmd, type Msg, type SpecConstants, type SpecState } from './types.js';

/** The state invariants (INVARIANTS of the MC models), in Smr.tla's order. */
export const STATE_INVARIANTS = [
  'TypeOK',
  'Agreement',
  'Validity',
  'ExactlyOnce',
  'PrefixConsistency',
  'Linearizability',
] as const;
/** The temporal properties (PROPERTIES of the MC models): both are checked on each step. */
export const PROPERTIES = ['Durability', 'ConsensusRefinement'] as const;
export type SpecInvariantName = (typeof STATE_INVARIANTS)[number] | (typeof PROPERTIES)[number];

const chosenAtCache = new WeakMap<object, Map<number, string[]>>();

/**
 * ChosenAt(s): the commands a quorum voted for in one ballot (cmd keys). A leader's vote is its
 * Accept, an acceptor's vote its Accepted for the same ballot and slot.
 */
export function chosenAt(k: SpecConstants, s: SpecState, slot: number): readonly string[] {
  let bySlot = chosenAtCache.get(s.msgs);
  if (bySlot === undefined) {
    bySlot = new Map();
    for (const a of s.msgs.byKey.values()) {
      if (a.type !== 'Accept') continue;
      let voters = 1;
      for (const q of k.replicas) if (q !== a.from && s.msgs.byKey.has(`2b|${q}|${a.bal}|${a.slot}`)) voters++;
      if (!isQuorum(k, voters)) continue;
      const list = bySlot.get(a.slot) ?? [];
      const key = cmdKey(a.cmd);
      if (!list.includes(key)) list.push(key);
      bySlot.set(a.slot, list.sort());
    }
    chosenAtCache.set(s.msgs, bySlot);
  }
  return bySlot.get(slot) ?? [];
}

const inRange = (x: number, lo: number, hi: number): boolean => Number.isInteger(x) && x >= lo && x <= hi;

function cmdOk(k: SpecConstants, c: Cmd): boolean {
  return c.kind === 'noop' || (k.clients.includes(c.client) && inRange(c.seq, 1, k.maxSeq));
}

function msgOk(k: SpecConstants, m: Msg): boolean {
  const bal = 'bal' in m ? inRange(m.bal, 0, k.maxBallot) : true;
  switch (m.type) {
    case 'Prepare':
      return bal && k.replicas.includes(m.from) && inRange(m.fromSlot, 0, k.numSlots);
    case 'Promise':
      return bal && k.replicas.includes(m.from) && m.accepted.every((e) => inRange(e.slot, 0, k.numSlots - 1) && cmdOk(k, e.cmd));
    case 'Accept':
      return bal && k.replicas.includes(m.from) && inRange(m.slot, 0, k.numSlots - 1) && cmdOk(k, m.cmd);
    case 'Accepted':
      return bal && k.replicas.includes(m.from) && inRange(m.slot, 0, k.numSlots - 1);
    case 'Request':
      return k.clients.includes(m.from) && inRange(m.seq, 1, k.maxSeq);
    case 'Reply':
      return k.replicas.includes(m.from) && k.clients.includes(m.to) && inRange(m.seq, 1, k.maxSeq);
  }
}

/** TypeOK */
export function TypeOK(k: SpecConstants, s: SpecState): string | null {
  for (const [i, v] of s.replicas.entries()) {
    const r = k.replicas[i];
    const slotOk = (x: number) => inRange(x, 0, k.numSlots - 1);
    const balOk = (x: number) => x === NO_BALLOT || inRange(x, 0, k.maxBallot);
    if (!balOk(v.promised) || !balOk(v.ballot)) return `${r}: a ballot out of range`;
    if (!v.accepted.every((e) => slotOk(e.slot) && inRange(e.bal, 0, k.maxBallot) && cmdOk(k, e.cmd)))
      return `${r}: accepted out of type`;
    if (!v.chosen.every((e) => slotOk(e.slot) && cmdOk(k, e.cmd))) return `${r}: chosen out of type`;
    if (![v.prepareFrom, v.nextSlot, v.executed].every((x) => inRange(x, 0, k.numSlots)))
      return `${r}: a slot counter out of range`;
    if (!inRange(v.app, 0, k.numSlots)) return `${r}: app out of range`;
  }
  for (const c of s.clients) if (!inRange(c.clientSeq, 0, k.maxSeq)) return 'clientSeq out of range';
  for (const m of s.msgs.byKey.values()) if (!msgOk(k, m)) return `message out of type: ${JSON.stringify(m)}`;
  return null;
}

/** Agreement: one command per slot, and replicas learn only the chosen one. */
export function Agreement(k: SpecConstants, s: SpecState): string | null {
  for (let slot = 0; slot < k.numSlots; slot++) {
    const ca = chosenAt(k, s, slot);
    if (ca.length > 1) return `slot ${slot}: ${ca.join(' and ')} are both chosen`;
  }
  for (const [i, v] of s.replicas.entries()) {
    for (const e of v.chosen) {
      if (!chosenAt(k, s, e.slot).includes(cmdKey(e.cmd)))
        return `${k.replicas[i]} learned ${cmdKey(e.cmd)} in slot ${e.slot}, which no quorum voted for`;
    }
  }
  return null;
}

/** Validity: only no-ops and requests clients issued are learned. */
export function Validity(k: SpecConstants, s: SpecState): string | null {
  for (const [i, v] of s.replicas.entries()) {
    for (const e of v.chosen) {
      if (e.cmd.kind === 'noop') continue;
      const c = s.clients[k.clients.indexOf(e.cmd.client)];
      if (c === undefined || e.cmd.seq > c.clientSeq)
        return `${k.replicas[i]} learned ${cmdKey(e.cmd)} in slot ${e.slot}, which its client never issued`;
    }
  }
  return null;
}

/** PrefixConsistency: execution only of learned slots; equal prefixes, equal app states. */
export function PrefixConsistency(k: SpecConstants, s: SpecState): string | null {
  for (const [i, v] of s.replicas.entries()) {
    for (let slot = 0; slot < v.executed; slot++) {
      if (!isChosenSlot(v, slot)) return `${k.replicas[i]} executed slot ${slot} without learning it`;
    }
  }
  for (const [i, v] of s.replicas.entries()) {
    for (const [j, w] of s.replicas.entries()) {
      if (j <= i || v.executed !== w.executed) continue;
      const same = v.app === w.app && v.sessions.every((x, c) => x.seq === w.sessions[c]?.seq && x.output === w.sessions[c]?.output);
      if (!same) return `${k.replicas[i]} and ${k.replicas[j]} executed ${v.executed} slots but differ`;
    }
  }
  return null;
}

/** ExactlyOnce: the app applied each distinct request of the executed prefix once. */
export function ExactlyOnce(k: SpecConstants, s: SpecState): string | null {
  for (const [i, v] of s.replicas.entries()) {
    const distinct = new Set(v.chosen.filter((e) => e.slot < v.executed && e.cmd.kind === 'op').map((e) => cmdKey(e.cmd)));
    if (v.app !== distinct.size) return `${k.replicas[i]} applied ${v.app} requests for ${distinct.size} distinct ones`;
  }
  return null;
}

/** Linearizability: every accepted output is the request's position in the chosen log. */
export function Linearizability(_k: SpecConstants, s: SpecState): string | null {
  const log = new Map<number, string>();
  for (const v of s.replicas) for (const e of v.chosen) log.set(e.slot, cmdKey(e.cmd));
  for (const d of s.done) {
    const key = `${d.client}#${d.seq}`;
    if (d.output === FAIL) return `${key} completed with FAIL`;
    const slots = [...log.entries()].filter(([, c]) => c === key).map(([slot]) => slot);
    if (slots.length === 0) return `${key} completed with ${d.output} but is in no learned slot`;
    const first = Math.min(...slots);
    const before = new Set([...log.entries()].filter(([slot, c]) => slot < first && c !== 'noop' && c !== key).map(([, c]) => c));
    if (d.output !== before.size + 1) return `${key} completed with ${d.output}, its position in the log is ${before.size + 1}`;
  }
  return null;
}

/** Durability (an action property): promises never fall, learned and accepted values stay. */
export function Durability(k: SpecConstants, before: SpecState, after: SpecState): string | null {
  for (const [i, v] of before.replicas.entries()) {
    const w = after.replicas[i];
    if (w === undefined || v === w) continue;
    const r = k.replicas[i];
    if (w.promised < v.promised) return `${r}'s promise fell from ${v.promised} to ${w.promised}`;
    for (const e of v.chosen) if (!w.chosen.some((f) => f.slot === e.slot && cmdKey(f.cmd) === cmdKey(e.cmd))) return `${r} forgot slot ${e.slot} is chosen`;
    for (const e of v.accepted) if (!w.accepted.some((f) => f.slot === e.slot && f.bal >= e.bal)) return `${r} lost its acceptance of slot ${e.slot} at ballot ${e.bal}`;
  }
  return null;
}

/** ConsensusRefinement: per slot, ChosenAt only goes from {} to {v}, or stays (C(s)!Spec). */
export function ConsensusRefinement(k: SpecConstants, before: SpecState, after: SpecState): string | null {
  if (before.msgs === after.msgs) return null;
  for (let slot = 0; slot < k.numSlots; slot++) {
    const a = chosenAt(k, before, slot);
    const b = chosenAt(k, after, slot);
    if (a.join() === b.join()) continue;
    if (a.length === 0 && b.length === 1) continue;
    return `slot ${slot}: chosen went from {${a.join(', ')}} to {${b.join(', ')}}`;
  }
  return null;
}

/** Every state invariant, in order: the first violation found, named. */
export function checkState(k: SpecConstants, s: SpecState): { name: SpecInvariantName; message: string } | null {
  for (const name of STATE_INVARIANTS) {
    const message = STATE_CHECKS[name](k, s);
    if (message !== null) return { name, message };
  }
  return null;
}

/** Both step properties: the first violation found, named. */
export function checkStep(k: SpecConstants, before: SpecState, after: SpecState): { name: SpecInvariantName; message: string } | null {
  const durable = Durability(k, before, after);
  if (durable !== null) return { name: 'Durability', message: durable };
  const refines = ConsensusRefinement(k, before, after);
  return refines === null ? null : { name: 'ConsensusRefinement', message: refines };
}

const STATE_CHECKS: { readonly [N in (typeof STATE_INVARIANTS)[number]]: (k: SpecConstants, s: SpecState) => string | null } = {
  TypeOK,
  Agreement,
  Validity,
  ExactlyOnce,
  PrefixConsistency,
  Linearizability,
};
