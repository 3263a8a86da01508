/**
 * What `smr test` writes to its output directory, and reads back for `--replay`:
 *  - replay.json: the run's setup and every action it executed (format `smr-test-replay`,
 *    version 1), so `smr test --replay FILE -- CMD` executes the same schedule again;
 *  - history.ndjson: the clients' operations in the record format `smr lincheck` reads;
 *  - steps.ndjson: the transcript, every event and answer line, per node;
 *  - timeline.html: the history drawn by `smr lincheck --html`.
 * Files are written to a temporary name and renamed, so a file is either whole or absent.
 */
import { closeSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { describeIoError } from '../../src/files.js';
import type { Json } from '../../src/core/types.js';
import type { Executed } from './cluster.js';
import { outcomeOf, type ClientOp } from './cluster.js';
import { nodeIds, type RunSetup } from './run.js';
import { TEST_FAULTS, type TestFault } from './scheduler.js';

export const REPLAY_FORMAT = 'smr-test-replay';
export const REPLAY_VERSION = 1;

export interface TestReplayFile {
  readonly format: typeof REPLAY_FORMAT;
  readonly version: typeof REPLAY_VERSION;
  /** The node command the run was recorded with (informational: --replay takes one). */
  readonly command: readonly string[];
  readonly setup: Omit<RunSetup, 'command' | 'args'>;
  /** The digest of the run that was recorded (same digest on replay ⇒ the same run). */
  readonly digest: string;
  readonly verdict: string;
  readonly actions: readonly Executed[];
}

/** A replay file that cannot be used (bad input, exit 2). */
export class TestReplayError extends Error {
  override readonly name = 'TestReplayError';
}

/** The replay file, a piece at a time: one action per line, readable and diffable. */
export function* replayChunks(file: TestReplayFile): Generator<string> {
  const { actions, ...head } = file;
  yield `${JSON.stringify(head, null, 2).replace(/\n}$/, '')},\n  "actions": [\n`;
  for (let i = 0; i < actions.length; i++)
    yield `    ${JSON.stringify(actions[i])}${i + 1 < actions.length ? ',' : ''}\n`;
  yield '  ]\n}\n';
}

/**
 * Write `chunks` to `path` through a temporary file and a rename, never holding the whole text
 * in one string (a long run's transcript passes the longest string V8 can make).
 */
export function writeChunksAtomically(path: string, chunks: Iterable<string>): void {
  const temporary = `${path}.tmp-${process.pid}`;
  const fd = openSync(temporary, 'w');
  try {
    let pending: string[] = [];
    let size = 0;
    for (const chunk of chunks) {
      pending.push(chunk);
      size += chunk.length;
      if (size >= 1 << 20) {
        writeSync(fd, pending.join(''));
        pending = [];
        size = 0;
      }
    }
    if (pending.length > 0) writeSync(fd, pending.join(''));
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

const SETUP_NUMBERS = [
  'replicas',
  'clients',
  'seed',
  'timeMs',
  'quietMs',
  'tickMs',
  'attemptTimeoutMs',
  'requestTimeoutMs',
  'stepTimeoutMs',
  'maxSteps',
  'lincheckTimeoutMs',
] as const;

export function readReplay(path: string): TestReplayFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TestReplayError(`${path}: cannot read: ${describeIoError(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TestReplayError(`${path}: not JSON (${(error as Error).message})`);
  }
  const bad = (what: string) => new TestReplayError(`${path}: ${what}`);
  if (!isObject(value) || value['format'] !== REPLAY_FORMAT)
    throw bad(`not an smr test replay file (no "format": "${REPLAY_FORMAT}")`);
  if (value['version'] !== REPLAY_VERSION)
    throw bad(
      `version ${JSON.stringify(value['version'])}, this kit reads version ${REPLAY_VERSION}`,
    );
  const setup = value['setup'];
  if (!isObject(setup)) throw bad('"setup" is not an object');
  for (const field of SETUP_NUMBERS)
    if (!Number.isSafeInteger(setup[field]) || (setup[field] as number) < 0)
      throw bad(`setup.${field} is not a non-negative integer`);
  const faults = setup['faults'];
  if (!Array.isArray(faults) || !faults.every((f) => TEST_FAULTS.includes(f as TestFault)))
    throw bad(`setup.faults is not a list of ${TEST_FAULTS.join(', ')}`);
  const actions = value['actions'];
  if (!Array.isArray(actions)) throw bad('"actions" is not a list');
  const nodes = nodeIds(setup['replicas'] as number);
  actions.forEach((a, i) => {
    const why = actionProblem(a, nodes);
    if (why !== null) throw bad(`actions[${i}] ${why}`);
  });
  return value as unknown as TestReplayFile;
}

function actionProblem(a: unknown, nodes: readonly string[]): string | null {
  if (!isObject(a)) return 'is not an object';
  if (typeof a['node'] !== 'string' || !nodes.includes(a['node']))
    return `has "node" ${JSON.stringify(a['node'])}, not one of ${nodes.join(', ')}`;
  if (!Number.isSafeInteger(a['time'])) return 'has no integer "time"';
  switch (a['do']) {
    case 'start':
    case 'crash':
    case 'tick':
      return null;
    case 'deliver':
      if (typeof a['from'] !== 'string' || !nodes.includes(a['from']))
        return `has "from" ${JSON.stringify(a['from'])}, not a node`;
      return 'body' in a ? null : 'is a delivery without a "body"';
    case 'request':
      return typeof a['client'] === 'string' && typeof a['id'] === 'string' && isObject(a['op'])
        ? null
        : 'is a request without "client", "id" and "op"';
    default:
      return `has "do" ${JSON.stringify(a['do'])} (expected start, crash, tick, deliver or request)`;
  }
}

/** The history as operation records (`smr lincheck --model kv FILE` reads them). */
export function historyText(ops: Iterable<ClientOp>): string {
  const lines: string[] = [];
  for (const op of [...ops].sort((a, b) => a.call - b.call)) {
    const outcome = outcomeOf(op);
    const record: Record<string, Json> = {
      process: op.process,
      input: op.op as unknown as Json,
      call: op.call,
      ...(outcome === 'ok'
        ? { output: op.ok?.value ?? null, ret: op.ok?.step ?? null }
        : { status: outcome === 'fail' ? 'fail' : 'info', ret: null }),
    };
    lines.push(JSON.stringify(record));
  }
  return lines.join('\n') + (lines.length > 0 ? '\n' : '');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
