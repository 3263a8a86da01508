/**
 * Edits that must make TLC fail (tlaplus/Examples MultiPaxos-SMR's README idea): each is a
 * one-place change to spec/Smr.tla — a classic Paxos or SMR mistake — with the model it is
 * checked on and the invariant or property TLC must report. spec/README.md lists them;
 * `smr tlc --must-fail` applies each to a temporary copy of spec/ and runs TLC.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MustFailEdit {
  readonly id: string;
  /** What the edit does, in words. */
  readonly what: string;
  /** The MC module it is checked on. */
  readonly module: string;
  /** The exact text replaced (it must occur once in Smr.tla) and its replacement. */
  readonly find: string;
  readonly replace: string;
  /** What TLC must report violated. */
  readonly breaks: string;
}

export const MUST_FAIL_EDITS: readonly MustFailEdit[] = [
  {
    id: 'minority-quorum',
    what: 'Quorums of a minority: any replica alone decides',
    module: 'MCSmr_F1',
    find: 'IsQuorumOf(Q, M) == 2 * Cardinality(Q \\cap M) > Cardinality(M)',
    replace: 'IsQuorumOf(Q, M) == 2 * Cardinality(Q \\cap M) >= Cardinality(M) - 1',
    breaks: 'Agreement',
  },
  {
    id: 'accept-ignores-promise',
    what: 'Phase2b accepts a ballot below its promise in a slot where it accepted nothing yet',
    module: 'MCSmr_F1',
    find: "  /\\ m.bal >= promised[r]\n  /\\ m.slot >= ckpt[r].slot\n  /\\ promised' = [promised EXCEPT ![r] = m.bal]\n  /\\ accepted'",
    replace:
      '  /\\ m.bal >= promised[r] \\/ \\A e \\in accepted[r] : e.slot # m.slot\n' +
      '  /\\ m.slot >= ckpt[r].slot\n' +
      "  /\\ promised' = [promised EXCEPT ![r] = IF m.bal > @ THEN m.bal ELSE @]\n  /\\ accepted'",
    breaks: 'Agreement',
  },
  {
    id: 'adopt-ignores-reports',
    what: 'BecomeLeader proposes a no-op in every reported slot instead of the highest-ballot value (P2c)',
    module: 'MCSmr_F1',
    find: '  IN  IF here = {} THEN Noop',
    replace: '  IN  IF TRUE THEN Noop',
    breaks: 'Agreement',
  },
  {
    id: 'promise-hides-accepted',
    what: 'Phase1b promises without reporting what it accepted',
    module: 'MCSmr_F1',
    find: '           accepted |-> AcceptedFrom(r, m.fromSlot), ckpt |-> ckpt[r].slot])',
    replace: '           accepted |-> {}, ckpt |-> ckpt[r].slot])',
    breaks: 'Agreement',
  },
  {
    id: 'count-foreign-votes',
    what: 'ReceiveAccepted counts a vote cast in another ballot',
    module: 'MCSmr_F1',
    find: '  /\\ m.type = "Accepted"\n  /\\ m.bal = ballot[r]\n',
    replace: '  /\\ m.type = "Accepted"\n',
    breaks: 'Agreement',
  },
  {
    id: 'restart-forgets-accepted',
    what: 'Restart loses the accepted values (they were not persisted)',
    module: 'MCSmr_F2',
    find: '  /\\ UNCHANGED <<durableVars, clientVars, msgs, histVars, done>>',
    replace:
      "  /\\ accepted' = [accepted EXCEPT ![r] = {}]\n" +
      '  /\\ UNCHANGED <<promised, chosen, ckpt, clientVars, msgs, histVars, done>>',
    breaks: 'Durability',
  },
  {
    id: 'replay-onto-old-state',
    what: 'Restart keeps the app state, so replaying the log applies requests twice',
    module: 'MCSmr_F2',
    find:
      "  /\\ app' = [app EXCEPT ![r] = ckpt[r].app]\n" +
      "  /\\ conf' = [conf EXCEPT ![r] = ckpt[r].conf]\n" +
      '  /\\ UNCHANGED <<durableVars, clientVars, msgs, histVars, done>>',
    replace:
      "  /\\ conf' = [conf EXCEPT ![r] = ckpt[r].conf]\n" +
      '  /\\ UNCHANGED <<app, durableVars, clientVars, msgs, histVars, done>>',
    breaks: 'ExactlyOnce',
  },
  {
    id: 'propose-unissued-request',
    what: 'Phase2a proposes a request no client issued',
    module: 'MCSmr_F2',
    find: '              /\\ [type |-> "Request", from |-> v.client, seq |-> v.seq] \\in msgs\n',
    replace: '',
    breaks: 'Validity',
  },
  {
    id: 'off-by-one-output',
    what: 'Execute returns the counter before the increment',
    module: 'MCSmr_F2',
    find: '                          seq |-> cmd.seq, output |-> app[r] + 1])',
    replace: '                          seq |-> cmd.seq, output |-> app[r]])',
    breaks: 'Linearizability',
  },
  {
    id: 'lead-across-truncation',
    what: "BecomeLeader ignores where the acceptors' logs start: a slot one of them truncated looks empty and gets a no-op",
    module: 'MCSmr_F1',
    find: '  /\\ \\A p \\in promises[r] : p.ckpt <= ChosenPrefix(r)\n',
    replace: '',
    breaks: 'Agreement',
  },
  {
    id: 'checkpoint-without-sessions',
    what: 'Checkpoint copies the app state but not the session table',
    module: 'MCSmr_Ckpt',
    find: '  /\\ LET c == [slot |-> executed[r] + 1, app |-> app[r], sessions |-> sessions[r],',
    replace: '  /\\ LET c == [slot |-> executed[r] + 1, app |-> app[r], sessions |-> NoSessions,',
    breaks: 'CheckpointSafety',
  },
  {
    id: 'install-keeps-sessions',
    what: 'InstallCheckpoint installs the app state and keeps the old session table',
    module: 'MCSmr_Ckpt',
    find:
      "  /\\ sessions' = [sessions EXCEPT ![r] = c.sessions]\n" +
      "  /\\ conf' = [conf EXCEPT ![r] = c.conf]\n" +
      '  /\\ UNCHANGED <<promised, accepted, chosen, leaderVars, clientVars, msgs, histVars, done>>',
    replace:
      "  /\\ conf' = [conf EXCEPT ![r] = c.conf]\n" +
      '  /\\ UNCHANGED <<promised, accepted, chosen, sessions, leaderVars, clientVars, msgs, histVars,\n' +
      '                 done>>',
    breaks: 'PrefixConsistency',
  },
  {
    id: 'truncate-past-checkpoint',
    what: 'Truncate also forgets the first slot after the checkpoint, chosen but not executed',
    module: 'MCSmr_Ckpt',
    find: "  /\\ chosen' = [chosen EXCEPT ![r] = {e \\in @ : e.slot >= ckpt[r].slot}]",
    replace: "  /\\ chosen' = [chosen EXCEPT ![r] = {e \\in @ : e.slot > ckpt[r].slot}]",
    breaks: 'PrefixConsistency',
  },
  {
    id: 'reconfig-at-once',
    what: 'A JOIN or QUIT governs its own slot at once instead of from i + Alpha',
    module: 'MCSmr_Reconfig_F1',
    find: '  E \\cup {[from |-> s + Alpha,',
    replace: '  E \\cup {[from |-> s,',
    breaks: 'ConfigSafety',
  },
  {
    id: 'quorum-of-old-config',
    what: 'Decide counts a majority of the starting configuration after a QUIT took effect',
    module: 'MCSmr_Reconfig_F1',
    find: '  /\\ \\E p \\in proposals[r] : p.slot = s /\\ IsQuorumOf(p.votes, SlotMembers(r, s))',
    replace: '  /\\ \\E p \\in proposals[r] : p.slot = s /\\ IsQuorumOf(p.votes, Members0)',
    breaks: 'Agreement',
  },
  {
    id: 'refused-quit-applied',
    what: 'A QUIT that leaves fewer than F+1 members is applied instead of refused',
    module: 'MCSmr_Reconfig_F2',
    find: '  ELSE /\\ cmd.replica \\in Latest(E)\n       /\\ 2 * (Cardinality(Latest(E)) - 1) > N',
    replace: '  ELSE cmd.replica \\in Latest(E)',
    breaks: 'ConfigSafety',
  },
  {
    id: 'audit-wrong-slot',
    what: 'An audit names the first audited slot whatever slot its digest is of',
    module: 'MCSmr_Reconfig_F1',
    find: '  /\\ LET m == [type |-> "Audit", from |-> r, slot |-> executed[r],',
    replace: '  /\\ LET m == [type |-> "Audit", from |-> r, slot |-> AuditEvery,',
    breaks: 'AuditAgreement',
  },
];

/** Smr.tla with the edit applied; throws unless `find` occurs exactly once. */
export function applyEdit(text: string, edit: MustFailEdit): string {
  const at = text.indexOf(edit.find);
  if (at < 0 || text.indexOf(edit.find, at + 1) >= 0) {
    throw new Error(`edit ${edit.id}: its text must occur exactly once in Smr.tla`);
  }
  return text.slice(0, at) + edit.replace + text.slice(at + edit.find.length);
}

/** A temporary copy of the spec directory's .tla/.cfg files with the edit applied to Smr.tla. */
export function editedCopy(specDir: string, edit: MustFailEdit): string {
  const dir = mkdtempSync(join(tmpdir(), `smr-edit-${edit.id}-`));
  for (const f of readdirSync(specDir))
    if (/\.(tla|cfg)$/.test(f)) copyFileSync(join(specDir, f), join(dir, f));
  const smr = join(dir, 'Smr.tla');
  writeFileSync(smr, applyEdit(readFileSync(smr, 'utf8'), edit));
  return dir;
}
