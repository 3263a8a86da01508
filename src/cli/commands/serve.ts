/**
 * `smr serve --id r1 --config cluster.json`: one replica of the reference protocol over TCP,
 * with a write-ahead log (fsync before any send that follows a Persist), crash recovery and its
 * own trace file (src/runtime/server.ts; issue 19). Runs until SIGTERM or SIGINT (exit 0). A bad
 * config, a data directory in use, a port taken or a trace file of another cluster: one line,
 * exit 2. A failed write or fsync stops the replica: exit 1.
 */
import { EXIT, UsageError } from '../../errors.js';
import { OBSERVE_LEVELS, type ClockKind, type ObserveLevel } from '../../trace/format.js';
import { serve } from '../../runtime/server.js';
import type { ReplicaRules } from '../../core/replica/rules.js';
import { MUTANTS } from '../../../harness/mutants/index.js';
import { StorageError } from '../../runtime/store.js';
import { NodeTraceError } from '../../runtime/node-trace.js';
import { choiceOption, intOption } from '../options.js';
import type { RegisterCommand } from './register.js';

interface ServeFlags {
  readonly id: string;
  readonly config: string;
  readonly data?: string;
  readonly trace?: string;
  readonly observe?: ObserveLevel;
  readonly clock?: ClockKind;
  readonly batch: number;
  readonly fsync: boolean;
  readonly mutant?: string;
  readonly insecure?: boolean;
  readonly segmentBytes?: number;
}

export const registerServe: RegisterCommand = (program, setExit) => {
  program
    .command('serve')
    .description(
      'run one replica over TCP: write-ahead log with fsync and CRCs, recovery after a crash, its own trace file',
    )
    .requiredOption('--id <ID>', 'this replica’s id in the config')
    .requiredOption(
      '--config <FILE>',
      'the cluster config (JSON: replicas, clients, key, app, timing)',
    )
    .option('--data <DIR>', 'the write-ahead log and snapshots (default: ID/ next to the config)')
    .option('--trace <FILE>', 'the trace file, or "off" (default: ID.ndjson next to the config)')
    .option(
      '--observe <LEVEL>',
      `what the trace logs: ${OBSERVE_LEVELS.join(' | ')} (default: the config's trace.observe, else messages)`,
      choiceOption('--observe', OBSERVE_LEVELS),
    )
    .option(
      '--clock <KIND>',
      "trace clocks: lamport | vc (default: the config's trace.clock, else lamport)",
      choiceOption('--clock', ['lamport', 'vc'] as const),
    )
    .option(
      '--batch <N>',
      'inputs stepped per fsync (group commit; 1: an fsync after every persisting step)',
      intOption('--batch', { min: 1, max: 4096 }),
      64,
    )
    .option(
      '--no-fsync',
      'write the log without fsync (measuring only: a machine crash may lose acknowledged writes)',
    )
    .option('--mutant <NAME>', 'run this replica with a seeded bug of `smr mutants`')
    .option('--insecure', 'start without a cluster key (frames are not authenticated)')
    .option(
      '--segment-bytes <N>',
      'start a new log segment past this size (default 16 MiB)',
      intOption('--segment-bytes', { min: 1024, max: 2 ** 31 }),
    )
    .action(async (flags: ServeFlags) => {
      setExit(await runServe(flags));
    });
};

/** A seeded bug's rules (the server itself knows only rules, not the harness's mutants). */
function rulesOf(mutant: string): ReplicaRules {
  const m = MUTANTS.get(mutant);
  if (m === undefined)
    throw new UsageError(
      `--mutant: unknown seeded bug ${JSON.stringify(mutant)} (smr mutants lists them)`,
    );
  return m.rules;
}

async function runServe(flags: ServeFlags): Promise<number> {
  let server;
  try {
    server = await serve({
      config: flags.config,
      id: flags.id,
      ...(flags.data === undefined ? {} : { data: flags.data }),
      ...(flags.trace === undefined ? {} : { trace: flags.trace === 'off' ? null : flags.trace }),
      ...(flags.observe === undefined ? {} : { observe: flags.observe }),
      ...(flags.clock === undefined ? {} : { clock: flags.clock }),
      batch: flags.batch,
      fsync: flags.fsync,
      ...(flags.mutant === undefined ? {} : { mutant: flags.mutant, rules: rulesOf(flags.mutant) }),
      insecure: flags.insecure === true,
      ...(flags.segmentBytes === undefined ? {} : { segmentBytes: flags.segmentBytes }),
      log: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (error) {
    if (error instanceof StorageError || error instanceof NodeTraceError)
      throw new UsageError(error.message);
    throw error;
  }
  const stop = () => void server.close();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const code = await server.stopped;
  process.off('SIGTERM', stop);
  process.off('SIGINT', stop);
  return code === 0 ? EXIT.ok : EXIT.violation;
}
