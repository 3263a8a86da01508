/**
 * `smr cluster up|down|status --dir DIR`: a local cluster of `smr serve` processes on loopback
 * (src/runtime/cluster.ts; issue 19). `up` returns once every replica answers and one leads;
 * `down` stops them; both are safe to run again. Exit 2 with one line when the cluster does not
 * come up (the replica's last log line says why).
 */
import { EXIT, UsageError } from '../../errors.js';
import { OBSERVE_LEVELS, type ClockKind, type ObserveLevel } from '../../trace/format.js';
import { clusterDown, clusterStatus, clusterUp, configPath } from '../../runtime/cluster.js';
import { loadClusterConfig } from '../../runtime/config.js';
import { choiceOption, intOption } from '../options.js';
import type { RegisterCommand } from './register.js';

interface UpFlags {
  readonly dir: string;
  readonly replicas: number;
  readonly clients: number;
  readonly batch?: number;
  readonly observe: ObserveLevel;
  readonly clock: ClockKind;
  readonly fsync: boolean;
  readonly mutant: string[];
  readonly insecure?: boolean;
  readonly timeout: number;
}

export const registerCluster: RegisterCommand = (program, setExit) => {
  const cluster = program
    .command('cluster')
    .description('start, stop or ask a local cluster of `smr serve` replicas on loopback');
  cluster
    .command('up')
    .description(
      'start the replicas of DIR (writing DIR/cluster.json first if it is not there); returns once one leads',
    )
    .requiredOption('--dir <DIR>', 'the cluster directory: config, logs, pids, data, traces')
    .option(
      '--replicas <N>',
      'replicas of a new cluster (odd)',
      intOption('--replicas', { min: 1, max: 9 }),
      3,
    )
    .option(
      '--clients <N>',
      'client ids of a new cluster',
      intOption('--clients', { min: 1, max: 1024 }),
      8,
    )
    .option(
      '--batch <N>',
      'inputs stepped per fsync (smr serve --batch)',
      intOption('--batch', { min: 1, max: 4096 }),
    )
    .option(
      '--observe <LEVEL>',
      `what traces log: ${OBSERVE_LEVELS.join(' | ')}`,
      choiceOption('--observe', OBSERVE_LEVELS),
      'messages',
    )
    .option(
      '--clock <KIND>',
      'trace clocks: lamport | vc',
      choiceOption('--clock', ['lamport', 'vc'] as const),
      'lamport',
    )
    .option('--no-fsync', 'replicas write their logs without fsync (measuring only)')
    .option('--mutant <ID=NAME>', 'start replica ID with a seeded bug (repeatable)', collect, [])
    .option('--insecure', 'no cluster key (frames not authenticated)')
    .option(
      '--timeout <S>',
      'seconds to wait for a leader',
      intOption('--timeout', { min: 1, max: 600 }),
      30,
    )
    .action(async (flags: UpFlags) => setExit(await up(flags)));
  cluster
    .command('down')
    .description('stop the replicas of DIR (SIGTERM, then SIGKILL after 5 s)')
    .requiredOption('--dir <DIR>', 'the cluster directory')
    .action(async (flags: { dir: string }) => {
      const stopped = await clusterDown(flags.dir);
      process.stdout.write(
        stopped.length === 0
          ? `down: nothing was running in ${flags.dir}\n`
          : `down: stopped ${stopped.map((p) => `${p.id} (pid ${p.pid})`).join(', ')}\n`,
      );
      setExit(EXIT.ok);
    });
  cluster
    .command('status')
    .description("each replica's role, ballot, executed and chosen slots, and counters")
    .requiredOption('--dir <DIR>', 'the cluster directory')
    .option('--json', 'one JSON object on stdout')
    .action(async (flags: { dir: string; json?: boolean }) => {
      const config = loadClusterConfig(configPath(flags.dir), { insecure: true });
      const status = await clusterStatus(config);
      if (flags.json === true)
        process.stdout.write(`${JSON.stringify(Object.fromEntries(status))}\n`);
      else
        for (const [id, s] of status)
          process.stdout.write(
            `${id}: ${s === null ? 'no answer' : describe(s as Record<string, unknown>)}\n`,
          );
      setExit([...status.values()].every((s) => s !== null) ? EXIT.ok : EXIT.violation);
    });
};

async function up(flags: UpFlags): Promise<number> {
  const replicaArgs: Record<string, string[]> = {};
  for (const m of flags.mutant) {
    const [id, name] = m.split('=');
    if (id === undefined || name === undefined || id === '' || name === '')
      throw new UsageError(
        `--mutant expects ID=NAME (a replica and a seeded bug), got ${JSON.stringify(m)}`,
      );
    replicaArgs[id] = ['--mutant', name];
  }
  const serveArgs: string[] = [];
  if (flags.batch !== undefined) serveArgs.push('--batch', String(flags.batch));
  if (!flags.fsync) serveArgs.push('--no-fsync');
  const { config, started } = await clusterUp({
    dir: flags.dir,
    replicas: flags.replicas,
    clients: flags.clients,
    serveArgs,
    replicaArgs,
    trace: { observe: flags.observe, clock: flags.clock },
    ...(flags.insecure === true ? { insecure: true } : {}),
    timeout: flags.timeout,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const where = config.replicas.map((r) => `${r.id} ${r.host}:${r.port}`).join(', ');
  process.stdout.write(
    `up: ${config.replicas.length} replicas in ${flags.dir} (${where})${started.length < config.replicas.length ? `, ${config.replicas.length - started.length} already running` : ''}\n`,
  );
  return EXIT.ok;
}

function describe(s: Record<string, unknown>): string {
  const keys = [
    'role',
    'ballot',
    'promised',
    'executed',
    'chosen',
    'checkpoint',
    'steps',
    'fsyncs',
    'badMac',
    'malformed',
    'pid',
  ];
  return keys
    .filter((k) => s[k] !== undefined && s[k] !== null)
    .map((k) => `${k}=${String(s[k])}`)
    .join(' ');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
