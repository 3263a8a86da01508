/**
 * Scripted scenarios over the cluster world (etcd's datadriven style, STYLE.md §7): a script of
 * directives, each followed by the transcript it must produce. The runner is in the harness so
 * users can script their own scenarios; tests keep theirs under test/data/scenarios/.
 *
 *   init replicas=3 clients=1 electionTicks=1 heartbeatTicks=0 policy=majority app=kv
 *        checkpointEvery=0 transferChunk=64 window=8 auditEvery=0
 *   tick r1 [times=K]
 *   deliver [from=X] [to=Y] [type=T] [slot=S]   deliver every matching in-flight message, in order
 *   drop [from=X] [to=Y] [type=T]               lose every matching in-flight message
 *   duplicate [from=X] [to=Y] [type=T]
 *   crash r1 | restart r1 | corrupt r1        corrupt: garble r1's app state (the harness fault)
 *   submit c1 {"type":"put","key":"x","value":"1"}
 *   inject {"type":"Reply",...} to=c1           put a hand-made message in flight
 *   state r1 | network | history
 */
import { APPS } from '../src/core/apps/index.js';
import { formatBallot } from '../src/core/ballot.js';
import { canonicalEncode } from '../src/core/canonical.js';
import type { Json, Message, NodeId } from '../src/core/types.js';
import { describeCommand } from './model/invariants.js';
import { StepRefinement } from './refinement/local.js';
import { applyAction, replicaNode, type Action, type Transition } from './model/step.js';
import {
  initialWorld,
  makeConfig,
  type ClusterConfig,
  type Packet,
  type World,
} from './model/world.js';

export interface ScenarioBlock {
  readonly line: number;
  readonly directive: string;
  readonly expected: string;
}

/** Parse `directive\n----\nexpected\n` blocks separated by blank lines; `#` lines are comments. */
export function parseScenario(text: string): ScenarioBlock[] {
  const lines = text.split('\n');
  const blocks: ScenarioBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (line.trim() === '' || line.startsWith('#')) {
      i++;
      continue;
    }
    const start = i + 1;
    if (lines[i + 1] !== '----')
      throw new Error(`line ${start}: expected '----' after the directive`);
    i += 2;
    const expected: string[] = [];
    while (i < lines.length && (lines[i] ?? '') !== '') expected.push(lines[i++] ?? '');
    blocks.push({ line: start, directive: line, expected: expected.join('\n') });
  }
  return blocks;
}

export function formatScenario(
  header: string,
  blocks: readonly ScenarioBlock[],
  actual: readonly string[],
): string {
  const parts = blocks.map((b, i) => `${b.directive}\n----\n${actual[i] ?? ''}`.trimEnd() + '\n');
  return header + parts.join('\n');
}

/** Runs directives one by one against a world and renders what happened. */
export class ScenarioRunner {
  private cfg: ClusterConfig | null = null;
  private world: World | null = null;

  run(directive: string): string {
    const [verb = '', ...rest] = directive.trim().split(/\s+/);
    const { args, positional, json } = parseArgs(rest.join(' '));
    if (verb === 'init') return this.init(args);
    const cfg = this.cfg;
    const world = this.world;
    if (cfg === null || world === null) throw new Error('the first directive must be init');
    switch (verb) {
      case 'tick': {
        const out: string[] = [];
        for (let k = 0; k < Number(args['times'] ?? 1); k++)
          out.push(this.apply({ kind: 'Tick', node: need(positional[0], 'node') }));
        return out.filter((s) => s !== '').join('\n');
      }
      case 'deliver':
      case 'drop':
      case 'duplicate':
        return this.network(verb, args);
      case 'crash':
        return this.apply({ kind: 'Crash', replica: need(positional[0], 'replica') });
      case 'restart':
        return this.apply({ kind: 'Restart', replica: need(positional[0], 'replica') });
      case 'corrupt': {
        const replica = need(positional[0], 'replica');
        const shown = this.apply({ kind: 'Corrupt', replica });
        return [`corrupted ${replica}'s app state`, shown].filter((s) => s !== '').join('\n');
      }
      case 'submit':
        return this.apply({
          kind: 'Submit',
          client: need(positional[0], 'client'),
          op: JSON.parse(need(json, 'op JSON')) as Json,
        });
      case 'inject': {
        const msg = JSON.parse(need(json, 'message JSON')) as Message;
        const packet: Packet = {
          id: world.nextPacketId,
          from: msg.from,
          to: need(args['to'], 'to'),
          msg,
        };
        this.world = {
          ...world,
          network: [...world.network, packet],
          nextPacketId: world.nextPacketId + 1,
        };
        return `injected ${renderPacket(packet)}`;
      }
      case 'state':
        return renderReplica(cfg, world, need(positional[0], 'replica'));
      case 'network':
        return world.network.map(renderPacket).join('\n') || '(empty)';
      case 'history':
        return (
          world.ghost.history
            .map(
              (op) =>
                `${op.process} ${canonicalEncode(op.input)} → ${op.ret === null ? 'pending' : op.output === undefined ? 'FAIL' : canonicalEncode(op.output)}`,
            )
            .join('\n') || '(empty)'
        );
      default:
        throw new Error(`unknown directive ${verb}`);
    }
  }

  private init(args: Record<string, string>): string {
    const num = (k: string, d: number): number => Number(args[k] ?? d);
    const app = APPS.get(args['app'] ?? 'kv');
    if (app === undefined) throw new Error(`unknown app ${args['app']}`);
    const base = makeConfig({
      replicas: num('replicas', 3),
      clients: num('clients', 1),
      app,
      replicaParams: {
        electionTicks: num('electionTicks', 1),
        heartbeatTicks: num('heartbeatTicks', 0),
        window: num('window', 8),
        checkpointEvery: num('checkpointEvery', 0),
        transferChunk: num('transferChunk', 64),
        auditEvery: num('auditEvery', 0),
      },
      clientParams: {
        policy: args['policy'] === 'first-reply' ? 'first-reply' : 'majority',
        retransmitTicks: num('retransmitTicks', 0),
      },
    });
    // Every node step is checked against the TLA+ twin, as in the explorer and the simulator:
    // a transcript that shows no VIOLATION line is a behaviour of the spec.
    this.cfg = { ...base, stepChecks: new StepRefinement(base) };
    this.world = initialWorld(this.cfg);
    return `replicas ${this.cfg.replicas.join(' ')}; clients ${this.cfg.clients.join(' ')}`;
  }

  private network(verb: 'deliver' | 'drop' | 'duplicate', args: Record<string, string>): string {
    const matches = (this.world?.network ?? []).filter(
      (p) =>
        (args['from'] === undefined || p.from === args['from']) &&
        (args['to'] === undefined || p.to === args['to']) &&
        (args['type'] === undefined || p.msg.type === args['type']) &&
        (args['slot'] === undefined || ('slot' in p.msg && String(p.msg.slot) === args['slot'])),
    );
    if (matches.length === 0) return '(no matching message)';
    const kind = verb === 'deliver' ? 'Deliver' : verb === 'drop' ? 'Drop' : 'Duplicate';
    return matches
      .map((p) =>
        kind === 'Deliver'
          ? this.apply({ kind, packet: p.id })
          : (this.apply({ kind, packet: p.id }), `${verb} ${renderPacket(p)}`),
      )
      .filter((s) => s !== '')
      .join('\n');
  }

  private apply(action: Action): string {
    const cfg = this.cfg as ClusterConfig;
    const t = applyAction(cfg, this.world as World, action);
    this.world = t.world;
    return renderTransition(t);
  }
}

function renderTransition(t: Transition): string {
  const out: string[] = [];
  if (t.consumed !== undefined) out.push(`${t.consumed.to} ← ${renderPacket(t.consumed)}`);
  for (const { node, event } of t.events) {
    const where = event.slot === undefined ? '' : ` slot=${event.slot}`;
    const applied = event.applied === undefined ? '' : event.applied ? ' applied' : ' skipped';
    out.push(`  ${node} ${event.action}${where}${applied}`);
  }
  for (const p of t.sent) out.push(`  ${p.from} → ${p.to} ${renderMessage(p.msg)}`);
  for (const r of t.rejected) out.push(`  rejected: ${r}`);
  for (const v of t.violations) out.push(`  VIOLATION ${v.invariant}: ${v.message}`);
  return out.join('\n');
}

export function renderPacket(p: Packet): string {
  return `${p.from}→${p.to} ${renderMessage(p.msg)}`;
}

export function renderMessage(m: Message): string {
  switch (m.type) {
    case 'Prepare':
      return `Prepare ${formatBallot(m.ballot)} from=${m.fromSlot}`;
    case 'Promise':
      return `Promise ${formatBallot(m.ballot)} [${m.accepted.map((e) => `${e.slot}:${formatBallot(e.ballot)}:${describeCommand(e.cmd)}`).join(', ')}]${m.checkpoint > 0 ? ` checkpoint=${m.checkpoint}` : ''}`;
    case 'Accept':
      return `Accept ${formatBallot(m.ballot)} slot=${m.slot} ${describeCommand(m.cmd)}`;
    case 'Accepted':
      return `Accepted ${formatBallot(m.ballot)} slot=${m.slot}`;
    case 'Decision':
      return `Decision slot=${m.slot} ${describeCommand(m.cmd)}`;
    case 'Heartbeat':
      return `Heartbeat ${formatBallot(m.ballot)}${m.leading ? ' leading' : ''} prefix=${m.chosenPrefix}`;
    case 'CatchUpRequest':
      return `CatchUpRequest from=${m.fromSlot}${m.versions === undefined ? '' : ` versions=${canonicalEncode(m.versions)}`}`;
    case 'CheckpointVote':
      return `CheckpointVote checkpoint=${m.slot} ${m.digest}`;
    case 'Audit':
      return `Audit slot=${m.slot} ${m.digest}${m.echo ? ' echo' : ''}`;
    case 'SnapshotChunk':
      return `SnapshotChunk checkpoint=${m.slot} ${m.index + 1}/${m.count} parts=[${m.parts.map((p) => `${p.name}@${p.version}`).join(', ')}]`;
    case 'CatchUpReply':
      return `CatchUpReply [${m.entries.map((e) => `${e.slot}:${describeCommand(e.cmd)}`).join(', ')}]`;
    case 'Request':
      return `Request #${m.seq} ${canonicalEncode(m.op)}`;
    case 'Reply':
      return `Reply #${m.seq} ${canonicalEncode(m.output)}`;
  }
}

function renderReplica(cfg: ClusterConfig, world: World, id: NodeId): string {
  const { state, up, disk } = replicaNode(world, id);
  const v = state.volatile;
  const chosen = [...state.durable.chosen]
    .sort((a, b) => a[0] - b[0])
    .map(([s, c]) => `${s}:${describeCommand(c)}`);
  const accepted = [...state.durable.accepted]
    .sort((a, b) => a[0] - b[0])
    .map(([s, a]) => `${s}:${formatBallot(a.ballot)}:${describeCommand(a.cmd)}`);
  return [
    `${id} ${up ? 'up' : 'down'} ${v.role} ballot=${formatBallot(v.ballot)} promised=${formatBallot(state.durable.promised)} executed=${v.executed}`,
    `  accepted: ${accepted.join(', ') || '-'}`,
    `  chosen: ${chosen.join(', ') || '-'}`,
    `  checkpoint: ${state.durable.checkpoint === null ? '-' : `slot ${state.durable.checkpoint.slot} ${canonicalEncode(cfg.app.view(state.durable.checkpoint.app))}`}`,
    `  disk: promised=${formatBallot(disk.promised)} accepted=${disk.accepted.size} chosen=${disk.chosen.size} checkpoint=${disk.checkpoint?.slot ?? 0}`,
    `  app: ${canonicalEncode(cfg.app.view(v.app))} sessions: ${[...v.sessions].map(([c, s]) => `${c}#${s.seq}`).join(' ') || '-'}`,
    `  configuration: ${v.membership.epochs.map((e) => `{${e.members.join(',')}} from slot ${e.from}`).join(', ')}${v.membership.rejoin.length > 0 ? `; to rejoin: ${v.membership.rejoin.join(',')}` : ''}`,
  ].join('\n');
}

function parseArgs(text: string): {
  args: Record<string, string>;
  positional: string[];
  json: string | undefined;
} {
  const brace = text.search(/[{[]/);
  const json = brace >= 0 ? text.slice(brace, matchingEnd(text, brace) + 1) : undefined;
  const rest = json === undefined ? text : text.slice(0, brace) + text.slice(brace + json.length);
  const args: Record<string, string> = {};
  const positional: string[] = [];
  for (const word of rest.split(/\s+/).filter((w) => w !== '')) {
    const eq = word.indexOf('=');
    if (eq > 0) args[word.slice(0, eq)] = word.slice(eq + 1);
    else positional.push(word);
  }
  return { args, positional, json };
}

function matchingEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new Error('unbalanced JSON in directive');
}

function need(value: string | undefined, what: string): string {
  if (value === undefined) throw new Error(`missing ${what}`);
  return value;
}
