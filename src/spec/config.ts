/**
 * Smr.tla's configuration history (Epochs, MembersAt, Latest, Applies, Reconfigured) and a
 * replica's knowledge of it (Dup, KnownConf, WindowEnd, SlotMembers), on the twin's values:
 * member sets are bit sets over the context's replica indexes, like a proposal's votes.
 */
import {
  popcount,
  type Conf,
  type Epoch,
  type ReplicaVars,
  type SpecContext,
} from './state.js';
import { isClientCmd, isReconfig, type Cmd } from './values.js';

export type { Conf, Epoch } from './state.js';

/** InitConf == {[from |-> 0, members |-> Members0]} */
export const initConf = (ctx: SpecContext): Conf => [{ from: 0, members: ctx.members0 }];

/** MembersAt(E, s): the members governing slot s. */
export function membersAt(conf: Conf, s: number): number {
  let members = (conf[0] as Epoch).members;
  for (const e of conf) if (e.from <= s) members = e.members;
  return members;
}

/** Latest(E): the newest configuration, the one the next change modifies. */
export const latest = (conf: Conf): number => (conf[conf.length - 1] as Epoch).members;

/** IsQuorumOf(Q, M) == 2 * Cardinality(Q \cap M) > Cardinality(M) */
export const isQuorumOf = (q: number, m: number): boolean => 2 * popcount(q & m) > popcount(m);

/*
Applies(E, cmd) ==
  IF cmd.kind = "join" THEN cmd.replica \notin Latest(E)
  ELSE /\ cmd.replica \in Latest(E)
       /\ 2 * (Cardinality(Latest(E)) - 1) > N
*/
/** Why a JOIN or QUIT is refused in `conf`, or null when it applies. */
export function refusal(ctx: SpecContext, conf: Conf, cmd: Cmd): string | null {
  const bit = replicaBit(ctx, cmd);
  if (bit === 0) return 'not a replica of the deployment';
  const base = latest(conf);
  if (cmd.kind === 'join') return (base & bit) !== 0 ? 'already a member' : null;
  if ((base & bit) === 0) return 'not a member';
  const remaining = popcount(base) - 1;
  const n = ctx.replicas.length;
  return 2 * remaining > n
    ? null
    : `system failure: ${remaining} members would remain, fewer than F+1 = ${Math.floor(n / 2) + 1}`;
}

export const applies = (ctx: SpecContext, conf: Conf, cmd: Cmd): boolean =>
  refusal(ctx, conf, cmd) === null;

/*
Reconfigured(E, s, cmd) ==
  E \cup {[from |-> s + Alpha,
           members |-> IF cmd.kind = "join" THEN Latest(E) \cup {cmd.replica}
                       ELSE Latest(E) \ {cmd.replica}]}
*/
export function reconfigured(ctx: SpecContext, conf: Conf, s: number, cmd: Cmd): Conf {
  const bit = replicaBit(ctx, cmd);
  const base = latest(conf);
  const members = cmd.kind === 'join' ? base | bit : base & ~bit;
  return [...conf, { from: s + ctx.alpha, members }];
}

function replicaBit(ctx: SpecContext, cmd: Cmd): number {
  const i = cmd.replica === undefined ? undefined : ctx.replicaIndex.get(cmd.replica);
  return i === undefined ? 0 : 1 << i;
}

/*
Dup(r, t, cmd) ==
  \/ sessions[r][cmd.client].seq >= cmd.seq
  \/ \E u \in executed[r]..(t - 1) :
       /\ ChosenCmd(r, u).kind \notin {"noop", "checkpoint"}
       /\ ChosenCmd(r, u).client = cmd.client
       /\ ChosenCmd(r, u).seq >= cmd.seq
*/
export function dup(v: ReplicaVars, t: number, cmd: Cmd): boolean {
  if ((v.sessions.get(cmd.client)?.seq ?? 0) >= cmd.seq) return true;
  for (let u = v.executed; u < t; u++) {
    const c = v.chosen.get(u);
    if (c !== undefined && isClientCmd(c) && c.client === cmd.client && c.seq >= cmd.seq)
      return true;
  }
  return false;
}

/*
\* E changed by r's chosen commands in slots t..k-1.
RECURSIVE KnownFrom(_, _, _, _)
KnownFrom(r, E, t, k) ==
  IF t >= k THEN E
  ELSE LET cmd == ChosenCmd(r, t)
       IN  KnownFrom(r, IF IsReconfig(cmd) /\ ~Dup(r, t, cmd) /\ Applies(E, cmd)
                        THEN Reconfigured(E, t, cmd) ELSE E, t + 1, k)

KnownConf(r) == KnownFrom(r, conf[r], executed[r], ChosenPrefix(r))
*/
export function knownConf(ctx: SpecContext, v: ReplicaVars): Conf {
  let conf = v.conf;
  for (let t = v.executed; t < v.chosenPrefix; t++) {
    const cmd = v.chosen.get(t);
    // Slots below the chosen prefix are learned (executed ones are not visited): never undefined.
    if (cmd === undefined) break;
    if (isReconfig(cmd) && !dup(v, t, cmd) && applies(ctx, conf, cmd))
      conf = reconfigured(ctx, conf, t, cmd);
  }
  return conf;
}

/** WindowEnd(r) == ChosenPrefix(r) + Alpha */
export const windowEnd = (ctx: SpecContext, v: ReplicaVars): number => v.chosenPrefix + ctx.alpha;

/** SlotMembers(r, s) == MembersAt(KnownConf(r), s) */
export const slotMembers = (ctx: SpecContext, v: ReplicaVars, s: number): number =>
  membersAt(knownConf(ctx, v), s);

/** The members of a bit set, by id. */
export const memberIds = (ctx: SpecContext, bits: number): string[] =>
  ctx.replicas.filter((_, i) => (bits & (1 << i)) !== 0);

/** Canonical text of a configuration history. */
export const confText = (conf: Conf): string => conf.map((e) => `${e.from}:${e.members}`).join(';');
