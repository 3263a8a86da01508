/**
 * Regenerates traces/ (STYLE.md §7: data regenerated only on purpose, then read as a diff):
 *   npx tsx test/trace/regenerate-corpus.ts --rewrite
 * Valid traces come from the simulator (seeds, fault mixes, observation levels, clocks, per-node
 * files). Invalid ones come from mutants (harness/mutants), recorded until the checker rejects
 * them, and from hand edits of a valid trace; each gets NAME.why.md. The why files are written
 * only when missing, so the prose in them is edited by hand and kept.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { counterApp, kvApp } from '../../src/core/apps/index.js';
import type { AnyApp } from '../../src/core/app.js';
import type { ReplicaRules } from '../../src/core/replica/rules.js';
import { checkTrace } from '../../src/trace/checker.js';
import type { ClockKind, ObserveLevel } from '../../src/trace/format.js';
import { MUTANTS } from '../../harness/mutants/index.js';
import { INPUT_FAULTS, simulate, type FaultName } from '../../harness/sim/simulate.js';

const ROOT = join(import.meta.dirname, '..', '..', 'traces');

interface Run {
  readonly seed: number;
  readonly steps: number;
  readonly replicas?: number;
  readonly clients?: number;
  readonly faults: readonly FaultName[];
  readonly observe: ObserveLevel;
  readonly clock?: ClockKind;
  readonly app?: AnyApp;
  readonly rules?: ReplicaRules;
  /** A leader proposes CHECKPOINT every this many slots (default the core's 64). */
  readonly checkpointEvery?: number;
  /** Members audit every this many executed slots (default 0: never). */
  readonly auditEvery?: number;
}

function record(run: Run): string[] {
  const lines: string[] = [];
  simulate({
    replicas: run.replicas ?? 3,
    clients: run.clients ?? 2,
    seed: run.seed,
    steps: run.steps,
    faults: run.faults,
    app: run.app ?? kvApp,
    ...(run.rules ? { rules: run.rules } : {}),
    ...(run.checkpointEvery !== undefined ? { checkpointEvery: run.checkpointEvery } : {}),
    ...(run.auditEvery !== undefined ? { auditEvery: run.auditEvery } : {}),
    observe: run.observe,
    traceClock: run.clock ?? 'lamport',
    onTraceLine: (l) => void lines.push(l),
  });
  return lines;
}

/** One file per node, each with its own header naming the node (what a real deployment logs). */
function splitByNode(lines: readonly string[]): Map<string, string[]> {
  const header = JSON.parse(lines[0] as string) as { replicas: string[]; clients: string[] };
  const out = new Map<string, string[]>();
  for (const node of [...header.replicas, ...header.clients])
    out.set(node, [JSON.stringify({ ...header, nodes: [node] })]);
  for (const line of lines.slice(1))
    out.get((JSON.parse(line) as { node: string }).node)?.push(line);
  return out;
}

const VALID: readonly (Run & { readonly name: string; readonly split?: boolean })[] = [
  { name: 'seed1-full-no-faults', seed: 1, steps: 300, faults: [], observe: 'full' },
  {
    name: 'seed2-full-loss-dup-crash',
    seed: 2,
    steps: 500,
    faults: ['loss', 'dup', 'crash'],
    observe: 'full',
  },
  {
    name: 'seed3-messages-all-faults',
    seed: 3,
    steps: 500,
    faults: INPUT_FAULTS,
    observe: 'messages',
  },
  {
    name: 'seed4-messages-5-replicas',
    seed: 4,
    steps: 400,
    replicas: 5,
    faults: ['loss', 'reorder', 'partition'],
    observe: 'messages',
  },
  {
    name: 'seed5-actions-reorder-delay',
    seed: 5,
    steps: 300,
    faults: ['reorder', 'delay'],
    observe: 'actions',
  },
  {
    name: 'seed6-actions-counter-crash',
    seed: 6,
    steps: 300,
    faults: ['crash', 'dup'],
    observe: 'actions',
    app: counterApp,
  },
  {
    name: 'seed7-per-node-vector-clocks',
    seed: 7,
    steps: 400,
    faults: ['loss', 'dup', 'crash'],
    observe: 'full',
    clock: 'vc',
    split: true,
  },
  {
    name: 'seed8-per-node-lamport',
    seed: 8,
    steps: 400,
    faults: ['reorder', 'partition'],
    observe: 'messages',
    split: true,
  },
  {
    name: 'seed9-full-checkpoints-transfer',
    seed: 10,
    steps: 500,
    faults: ['loss', 'dup', 'crash'],
    observe: 'full',
    checkpointEvery: 2,
  },
  {
    name: 'seed11-full-reconfig-audit',
    seed: 4,
    steps: 1600,
    faults: ['reconfig', 'loss', 'crash'],
    observe: 'full',
    auditEvery: 4,
  },
];

/** Mutants whose traces the spec rejects; TLC (which abstracts outputs) must reject them too. */
const MUTANT_RUNS: readonly {
  readonly mutant: string;
  readonly faults: readonly FaultName[];
  readonly replicas?: number;
  readonly checkpointEvery?: number;
}[] = [
  { mutant: 'minority-quorum', faults: [] },
  { mutant: 'execute-unchosen', faults: ['loss'] },
  { mutant: 'accept-stale-ballot', faults: ['loss', 'crash', 'partition', 'reorder'] },
  { mutant: 'ignore-promised-values', faults: ['loss', 'crash', 'partition'] },
  { mutant: 'no-session-dedup', faults: ['dup', 'loss'] },
  { mutant: 'forget-promise-on-restart', faults: ['crash', 'loss'] },
  { mutant: 'forget-accepted-on-restart', faults: ['crash', 'loss'] },
  { mutant: 'forget-chosen-on-restart', faults: ['crash', 'loss'] },
  { mutant: 'command-seq-off-by-one', faults: [] },
  { mutant: 'execute-past-gap', faults: ['loss'] },
  { mutant: 'ballot-ignores-replica-id', faults: ['loss', 'crash', 'partition', 'reorder'] },
  { mutant: 'truncate-unexecuted', faults: ['loss', 'crash'], checkpointEvery: 2 },
  { mutant: 'install-keeps-position', faults: ['loss', 'crash'], checkpointEvery: 2 },
];

/**
 * Hand edits of valid/seed1-full-no-faults: each changes one thing the spec (and TLC's
 * projection of it) can see, at the first line that matches.
 */
const EDITS: readonly {
  readonly name: string;
  /** The valid trace edited (default seed1-full-no-faults). */
  readonly base?: string;
  readonly why: string;
  readonly at: (event: Record<string, unknown>) => boolean;
  readonly edit: (lines: string[], index: number) => void;
}[] = [
  {
    name: 'edited-accepted-command',
    why: 'the Accept that r2 consumes names another request (c1#9 instead of the one the leader proposed): no such Accept was sent, so `m \\in msgs` fails for Phase2b',
    at: (e) => e['action'] === 'Phase2b',
    edit: (lines, i) => {
      const e = JSON.parse(lines[i] as string) as {
        msg: { cmd: { kind: string; client?: string; seq?: number } };
      };
      e.msg.cmd =
        e.msg.cmd.kind === 'noop' ? { kind: 'op', client: 'c1', seq: 9 } : { ...e.msg.cmd, seq: 9 };
      lines[i] = JSON.stringify(e);
    },
  },
  {
    name: 'edited-state-accepted',
    why: 'the state r2 logs after Phase2b shows the value it accepted at ballot 2.r1, a ballot no one started (it accepted at 1.r1): the state check after the step fails on `state.accepted`',
    at: (e) => e['action'] === 'Phase2b',
    edit: (lines, i) => {
      const e = JSON.parse(lines[i] as string) as {
        state: { accepted: Record<string, { ballot: { round: number } }> };
      };
      for (const entry of Object.values(e.state.accepted)) entry.ballot.round += 1;
      lines[i] = JSON.stringify(e);
    },
  },
  {
    name: 'edited-session-seq',
    why: "the state a replica logs after executing a request shows the client's session one request further than it executed: the state check after the step fails on `state.sessions`",
    at: (e) => (e['state'] as { sessions?: object } | undefined)?.sessions !== undefined,
    edit: (lines, i) => {
      const e = JSON.parse(lines[i] as string) as {
        state: { sessions: Record<string, { seq: number } | null> };
      };
      for (const session of Object.values(e.state.sessions)) if (session) session.seq += 1;
      lines[i] = JSON.stringify(e);
    },
  },
  {
    name: 'deleted-send',
    why: 'the line where the leader sends its second Accept (Phase2a) is deleted, so the Phase2b that consumes it receives a message that was never sent (`m \\in msgs`)',
    at: (e) => e['action'] === 'Phase2a' && (e['slot'] as number) === 1,
    edit: (lines, i) => void lines.splice(i, 1),
  },
  {
    name: 'edited-executed-count',
    why: "an Execute event's logged state says `executed` is one more than the slots the replica executed: the state check after the step fails on `state.executed`",
    at: (e) => e['action'] === 'Execute' && e['state'] !== undefined,
    edit: (lines, i) => {
      const e = JSON.parse(lines[i] as string) as { state: { executed: number } };
      e.state.executed += 1;
      lines[i] = JSON.stringify(e);
    },
  },
  {
    name: 'decide-without-quorum',
    why: 'the leader decides slot 0 right after proposing it, before any Accepted came back: `IsQuorumOf(p.votes, SlotMembers(r, s))` fails for Decide (a value is chosen by a majority, Paxos Made Simple §2.2)',
    at: (e) => e['action'] === 'Phase2a',
    edit: (lines, i) => {
      const accept = JSON.parse(lines[i] as string) as {
        node: string;
        clock: { lamport: number };
        slot: number;
        msg: { cmd: unknown };
      };
      const decide = {
        node: accept.node,
        action: 'Decide',
        clock: { lamport: accept.clock.lamport },
        slot: accept.slot,
        msg: { type: 'Decision', from: accept.node, slot: accept.slot, cmd: accept.msg.cmd },
      };
      // The leader's later events move one clock tick on, so per-node clocks still advance.
      const node = accept.node;
      for (let j = i + 1; j < lines.length; j++) {
        const e = JSON.parse(lines[j] as string) as { node: string; clock: { lamport: number } };
        if (e.node === node || e.clock.lamport > accept.clock.lamport) {
          e.clock.lamport += 1;
          lines[j] = JSON.stringify(e);
        }
      }
      lines.splice(
        i + 1,
        0,
        JSON.stringify({ ...decide, clock: { lamport: accept.clock.lamport + 1 } }),
      );
    },
  },
  {
    name: 'edited-install-unknown-checkpoint',
    base: 'seed9-full-checkpoints-transfer',
    why: 'the first state transfer names a checkpoint ten slots beyond the one the sender took: no replica took a checkpoint there, so `c \\in snapshots` fails for InstallCheckpoint',
    at: (e) => e['action'] === 'InstallCheckpoint',
    edit: (lines, i) => {
      const e = JSON.parse(lines[i] as string) as { msg: { slot: number } };
      e.msg.slot += 10;
      lines[i] = JSON.stringify(e);
    },
  },
  {
    name: 'edited-forged-audit-digest',
    base: 'seed11-full-reconfig-audit',
    why: "a replica's audit of a slot another member already audited carries a digest that is not the hash of its state after that slot (one hex digit changed): the native checker computes the digest and Audit's message conjunct fails; TLC, which sees digests only as tags, finds two audits of one slot that differ",
    at: secondAuditOfASlot(),
    edit: (lines, i) => {
      const e = JSON.parse(lines[i] as string) as { msg: { digest: string } };
      const d = e.msg.digest;
      e.msg.digest = `${d.slice(0, -1)}${d.endsWith('0') ? '1' : '0'}`;
      lines[i] = JSON.stringify(e);
    },
  },
  {
    name: 'edited-vote-after-quit',
    base: 'seed11-full-reconfig-audit',
    why: "the leader counts, for a slot governed by the configuration after a QUIT, the vote of the replica that quit (its Accepted, which observers still send) instead of a member's: the votes are no quorum of the slot's configuration, so `IsQuorumOf(p.votes, SlotMembers(r, s))` fails for Decide",
    at: () => false,
    edit: (lines) => swapVoteToOutsider(lines, 'quit'),
  },
  {
    name: 'edited-join-used-early',
    base: 'seed11-full-reconfig-audit',
    why: "the leader counts the vote of a replica whose JOIN is chosen but does not govern the slot yet (a JOIN chosen at i governs from i + α), instead of a member's: `IsQuorumOf(p.votes, SlotMembers(r, s))` fails for Decide",
    at: () => false,
    edit: (lines) => swapVoteToOutsider(lines, 'join'),
  },
  {
    name: 'actions-decide-without-votes',
    base: 'seed5-actions-reorder-delay',
    why: 'only action names are logged; the ReceiveAccepted events of the leader for slot 0 are deleted, so no candidate state has a quorum for the Decide that follows (`IsQuorumOf(p.votes, SlotMembers(r, s))`), whichever messages the unlogged events consumed',
    at: (e) => e['action'] === 'ReceiveAccepted' && e['slot'] === 0,
    edit: (lines) => {
      for (let i = lines.length - 1; i > 0; i--) {
        const e = JSON.parse(lines[i] as string) as { action: string; slot?: number };
        if (e.action === 'ReceiveAccepted' && e.slot === 0) lines.splice(i, 1);
      }
    },
  },
];

/** The second Audit event of some slot (another member audited it first). */
function secondAuditOfASlot(): (event: Record<string, unknown>) => boolean {
  const seen = new Set<number>();
  return (e) => {
    if (e['action'] !== 'Audit') return false;
    const slot = (e['msg'] as { slot: number }).slot;
    if (seen.has(slot)) return true;
    seen.add(slot);
    return false;
  };
}

interface Ev {
  node: string;
  action: string;
  slot?: number;
  msg?: { type: string; from?: string; slot?: number; ballot?: unknown; output?: unknown };
}

/**
 * Rewrites the leader's ReceiveAccepted that completed the quorum of some slot so that it
 * counts the vote of a replica outside the slot's configuration — one that quit (`quit`), or
 * whose JOIN is chosen but does not govern the slot yet (`join`) — which had sent its Accepted
 * before. The configuration of each slot comes from the replies of the Reconfigure events.
 */
function swapVoteToOutsider(lines: string[], kind: 'quit' | 'join'): void {
  const events = lines.map((l, i) => (i === 0 ? null : (JSON.parse(l) as Ev)));
  const header = JSON.parse(lines[0] as string) as { replicas: string[] };
  // Epochs from the applied changes (every replica executes the same ones; the first counts).
  const epochs = new Map<number, string[]>();
  const chosenAt = new Map<number, { kind: string; replica: string }>();
  for (const e of events) {
    if (e?.action !== 'Reconfigure' || e.slot === undefined) continue;
    const out = e.msg?.output as {
      from?: number;
      members?: string[];
      join?: string;
      quit?: string;
    };
    if (out.members === undefined || out.from === undefined || chosenAt.has(e.slot)) continue;
    epochs.set(out.from, out.members);
    chosenAt.set(e.slot, {
      kind: out.join !== undefined ? 'join' : 'quit',
      replica: out.join ?? out.quit ?? '',
    });
  }
  const membersAt = (s: number): string[] => {
    let best = -1;
    let members = header.replicas;
    for (const [from, m] of epochs) if (from <= s && from > best) [best, members] = [from, m];
    return members;
  };
  const outsider = (s: number, x: string): boolean => {
    if (membersAt(s).includes(x)) return false;
    for (const [j, c] of chosenAt)
      if (c.replica === x && c.kind === kind && j < s)
        return kind === 'quit' || !membersAt(s).includes(x);
    return false;
  };
  for (let i = 1; i < events.length; i++) {
    const decide = events[i];
    if (decide?.action !== 'Decide' || decide.slot === undefined) continue;
    const s = decide.slot;
    const leader = decide.node;
    // The leader's last counted vote for s before the Decide, from a member.
    let last = -1;
    for (let k = i - 1; k > 0; k--) {
      const e = events[k];
      if (e?.node === leader && e.action === 'ReceiveAccepted' && e.msg?.slot === s) {
        last = k;
        break;
      }
    }
    if (last < 0) continue;
    const counted = events[last]?.msg;
    for (const x of header.replicas) {
      if (x === leader || !outsider(s, x)) continue;
      const sent = events.findIndex(
        (e, k) =>
          k < last &&
          e?.node === x &&
          e.action === 'Phase2b' &&
          e.msg?.slot === s &&
          JSON.stringify(e.msg?.ballot) === JSON.stringify(counted?.ballot),
      );
      if (sent < 0) continue;
      lines[last] = JSON.stringify({ ...events[last], msg: { ...counted, from: x } });
      return;
    }
  }
  throw new Error(
    `no Decide whose quorum a replica outside the configuration (${kind}) could complete`,
  );
}

function applyEdits(baseName: string, base: readonly string[]): void {
  for (const { name, why, at, edit } of EDITS.filter(
    (e) => (e.base ?? 'seed1-full-no-faults') === baseName,
  )) {
    const lines = [...base];
    const index = lines.findIndex((l, i) => i > 0 && at(JSON.parse(l) as Record<string, unknown>));
    edit(lines, index);
    const file = join(ROOT, 'invalid', `${name}.ndjson`);
    write(file, lines);
    const f = checkTrace([file]).failure;
    writeWhy(
      join(ROOT, 'invalid', `${name}.why.md`),
      `# ${name}\n\nFails at: line ${f?.line ?? '?'}\n\nEdited by hand from valid/${baseName}.ndjson: ${why}.\n\nCaught by: ${f ? `${f.node} ${f.action}: ${f.conjunct}` : 'NOT CAUGHT'}.\n`,
    );
    console.log(
      `invalid/${name}: fails at line ${f?.line ?? '?'} (${f?.conjunct ?? 'not caught'})`,
    );
  }
}

function write(file: string, lines: readonly string[]): void {
  writeFileSync(file, lines.join('\n') + '\n');
}

function writeWhy(file: string, text: string): void {
  if (!existsSync(file)) writeFileSync(file, text);
}

function regenerate(): void {
  for (const sub of ['valid', 'invalid']) {
    const dir = join(ROOT, sub);
    mkdirSync(dir, { recursive: true });
    for (const entry of readdirSync(dir))
      if (!entry.endsWith('.why.md')) rmSync(join(dir, entry), { recursive: true });
  }
  process.on('exit', dropOrphanWhyFiles);
  for (const run of VALID) {
    const lines = record(run);
    if (run.split === true) {
      const dir = join(ROOT, 'valid', run.name);
      mkdirSync(dir, { recursive: true });
      for (const [node, own] of splitByNode(lines)) write(join(dir, `${node}.ndjson`), own);
    } else {
      write(join(ROOT, 'valid', `${run.name}.ndjson`), lines);
    }
    console.log(`valid/${run.name}: ${lines.length - 1} events`);
    applyEdits(run.name, lines);
  }
  for (const { mutant, faults, replicas, checkpointEvery } of MUTANT_RUNS) {
    const rules = MUTANTS.get(mutant)?.rules;
    if (rules === undefined) {
      console.log(
        `invalid/mutant-${mutant}: harness/mutants has no such mutant any more — skipped`,
      );
      continue;
    }
    const found = firstRejected({
      seed: 0,
      steps: 800,
      faults,
      observe: 'full',
      rules,
      ...(replicas ? { replicas } : {}),
      ...(checkpointEvery !== undefined ? { checkpointEvery } : {}),
    });
    if (found === null) {
      console.log(`invalid/mutant-${mutant}: no rejected run found`);
      continue;
    }
    const name = `mutant-${mutant}`;
    write(join(ROOT, 'invalid', `${name}.ndjson`), found.lines);
    writeWhy(
      join(ROOT, 'invalid', `${name}.why.md`),
      whyTemplate(name, found.line, found.reason, MUTANTS.get(mutant)?.description ?? ''),
    );
    console.log(
      `invalid/${name}: seed ${found.seed}, fails at line ${found.line} (${found.reason})`,
    );
  }
}

/** The first seed whose trace the checker rejects, cut a few events after the failing one. */
function firstRejected(
  base: Run,
): { seed: number; lines: string[]; line: number; reason: string } | null {
  const tmp = join(ROOT, '.probe.ndjson');
  try {
    for (let seed = 1; seed <= 300; seed++) {
      const lines = record({ ...base, seed });
      write(tmp, lines);
      const result = checkTrace([tmp]);
      const f = result.failure;
      if (f === null || f.line > 700) continue;
      const kept = lines.slice(0, Math.min(lines.length, f.line + 5));
      return { seed, lines: kept, line: f.line, reason: `${f.node} ${f.action}: ${f.conjunct}` };
    }
    return null;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** A why file whose trace is gone (a mutant removed from harness/mutants) goes too. */
function dropOrphanWhyFiles(): void {
  const dir = join(ROOT, 'invalid');
  for (const entry of readdirSync(dir))
    if (entry.endsWith('.why.md') && !existsSync(join(dir, entry.replace(/\.why\.md$/, '.ndjson'))))
      rmSync(join(dir, entry));
}

function whyTemplate(name: string, line: number, reason: string, description: string): string {
  return `# ${name}\n\nFails at: line ${line}\n\nRecorded from the mutant: ${description}.\n\nCaught by: ${reason}.\n`;
}

if (process.argv.includes('--rewrite')) regenerate();
else console.log('usage: npx tsx test/trace/regenerate-corpus.ts --rewrite   (rewrites traces/)');
