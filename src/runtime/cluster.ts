/**
 * `smr cluster up|down|status`: a local cluster of `smr serve` processes in one directory.
 *
 *   DIR/cluster.json   the config (written by the first `up`: free loopback ports, a fresh key)
 *   DIR/ID.pid         the pid of replica ID's process      DIR/ID.cmd   its command line (JSON)
 *   DIR/ID.log         its stderr, appended                  DIR/ID/      its log and snapshots
 *   DIR/NODE.ndjson    every node's trace (clients' files get their header at `up`)
 *
 * Replicas run detached (their own session), so they outlive the command. `up` starts those not
 * running and returns once every replica answers a status question and one leads; `down` stops
 * them (SIGTERM, then SIGKILL). A pid file whose process is gone, or is not that replica, is
 * stale and removed: both commands can be run again safely.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  renameSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { Json } from '../core/types.js';
import { UsageError } from '../errors.js';
import { writeAtomically } from '../files.js';
import { SmrClient } from './client.js';
import {
  clusterTraceHeader,
  configJson,
  LOOPBACK,
  loadClusterConfig,
  type ClusterConfig,
} from './config.js';
import { processAlive } from './sessions.js';
import { smrCommand } from './self.js';

export interface UpOptions {
  readonly dir: string;
  readonly replicas: number;
  readonly clients: number;
  /** Extra `smr serve` flags for every replica (--batch, --observe, --no-fsync, …). */
  readonly serveArgs?: readonly string[];
  /** Extra flags for one replica (a seeded bug: ['--mutant', NAME]). */
  readonly replicaArgs?: Readonly<Record<string, readonly string[]>>;
  /** For a new config: the cluster's timing and parameters. */
  readonly tickMs?: number;
  readonly params?: Readonly<Record<string, number>>;
  readonly trace?: ClusterConfig['trace'];
  readonly insecure?: boolean;
  /** Seconds to wait for the cluster to answer. */
  readonly timeout?: number;
  readonly log?: (line: string) => void;
}

export interface ReplicaProcess {
  readonly id: string;
  readonly pid: number;
}

export const configPath = (dir: string): string => join(resolve(dir), 'cluster.json');

/** Starts the replicas of DIR that are not running (writing the config first if there is none). */
export async function clusterUp(
  o: UpOptions,
): Promise<{ config: ClusterConfig; started: ReplicaProcess[] }> {
  const dir = resolve(o.dir);
  mkdirSync(dir, { recursive: true });
  const file = configPath(dir);
  if (!existsSync(file)) await writeNewConfig(file, o);
  else o.log?.(`using the existing ${file} (its replicas, clients and key)`);
  const config = loadClusterConfig(file, { insecure: o.insecure === true });
  for (const c of config.clients) ensureTraceFile(dir, config, c);
  const started: ReplicaProcess[] = [];
  for (const r of config.replicas) {
    if (runningPid(dir, r.id) !== null) continue;
    const args = [
      'serve',
      '--id',
      r.id,
      '--config',
      file,
      ...(o.serveArgs ?? []),
      ...(o.replicaArgs?.[r.id] ?? []),
    ];
    if (o.insecure === true) args.push('--insecure');
    writeAtomically(join(dir, `${r.id}.cmd`), `${JSON.stringify(args)}\n`);
    started.push(startReplica(dir, r.id));
    o.log?.(`started ${r.id} (pid ${started[started.length - 1]?.pid}) on ${r.host}:${r.port}`);
  }
  try {
    await waitForLeader(config, (o.timeout ?? 30) * 1000, dir, started, o.log);
  } catch (error) {
    // Leave nothing half-started behind.
    await stopProcesses(dir, started, 2000);
    throw error;
  }
  return { config, started };
}

/** Starts replica `id` of DIR again with the command line it was first started with. */
export function startReplica(dir: string, id: string): ReplicaProcess {
  const args = JSON.parse(readFileSync(join(dir, `${id}.cmd`), 'utf8')) as string[];
  const command = smrCommand(args);
  const log = openSync(join(dir, `${id}.log`), 'a');
  try {
    const child = spawn(command.file, [...command.args], {
      cwd: command.cwd ?? dir,
      detached: true,
      stdio: ['ignore', log, log],
    });
    child.unref();
    if (child.pid === undefined) throw new UsageError(`cannot start ${id}: ${command.file}`);
    writeFileSync(join(dir, `${id}.pid`), `${child.pid}\n`);
    return { id, pid: child.pid };
  } finally {
    closeSync(log);
  }
}

/** Stops every replica of DIR: SIGTERM, then SIGKILL after `graceMs`. Returns those it stopped. */
export async function clusterDown(dirArg: string, graceMs = 5000): Promise<ReplicaProcess[]> {
  const dir = resolve(dirArg);
  const config = loadClusterConfig(configPath(dir), { insecure: true });
  const running = config.replicas.flatMap((r) => {
    const pid = runningPid(dir, r.id);
    return pid === null ? [] : [{ id: r.id, pid }];
  });
  await stopProcesses(dir, running, graceMs);
  return running;
}

/** SIGTERM (after SIGCONT: a paused process cannot act on it), then SIGKILL after `graceMs`. */
async function stopProcesses(
  dir: string,
  procs: readonly ReplicaProcess[],
  graceMs: number,
): Promise<void> {
  for (const p of procs) signal(p.pid, 'SIGCONT');
  for (const p of procs) signal(p.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (procs.some((p) => processAlive(p.pid)) && Date.now() < deadline) await sleep(50);
  for (const p of procs) if (processAlive(p.pid)) signal(p.pid, 'SIGKILL');
  for (const p of procs) removeQuietly(join(dir, `${p.id}.pid`));
}

/** Each replica's status answer (null: no answer within `timeoutMs`). */
export async function clusterStatus(
  config: ClusterConfig,
  timeoutMs = 1000,
): Promise<Map<string, Json | null>> {
  const client = SmrClient.open({ config, id: '_status', trace: null });
  try {
    const answers = await Promise.all(config.replicas.map((r) => client.status(r.id, timeoutMs)));
    return new Map(config.replicas.map((r, i) => [r.id, answers[i] ?? null]));
  } finally {
    client.close();
  }
}

/**
 * The pid in DIR/ID.pid if that process runs and is replica ID of DIR (its command line says
 * so, where /proc can tell); otherwise null, and a stale pid file is removed.
 */
export function runningPid(dir: string, id: string): number | null {
  const file = join(dir, `${id}.pid`);
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8').trim());
  } catch {
    return null;
  }
  if (Number.isSafeInteger(pid) && pid > 0 && processAlive(pid) && isReplica(pid, dir, id))
    return pid;
  removeQuietly(file);
  return null;
}

export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

function isReplica(pid: number, dir: string, id: string): boolean {
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return true; // no /proc here: trust the pid file
  }
  const args = cmdline.split('\0');
  const at = args.indexOf('--id');
  return args.includes('serve') && at >= 0 && args[at + 1] === id && args.includes(configPath(dir));
}

async function writeNewConfig(file: string, o: UpOptions): Promise<void> {
  if (o.replicas < 1 || o.replicas % 2 === 0)
    throw new UsageError(`--replicas must be odd (2F+1), got ${o.replicas}`);
  const ports = await freePorts(o.replicas);
  const replicas = ports.map((port, i) => ({ id: `r${i + 1}`, host: LOOPBACK, port }));
  const clients = Array.from({ length: o.clients }, (_, i) => `c${i + 1}`);
  const text = configJson({
    replicas,
    clients,
    key: o.insecure === true ? null : randomBytes(32),
    app: 'kv',
    tickMs: o.tickMs ?? 25,
    retransmitTicks: 20,
    params: o.params ?? {},
    ...(o.trace === undefined ? {} : { trace: o.trace }),
  });
  // The key is a secret: only the owner may read the config.
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, file);
}

/** An empty trace file (its header) for a client, so that DIR/*.ndjson names every node. */
function ensureTraceFile(dir: string, config: ClusterConfig, client: string): void {
  const path = join(dir, `${client}.ndjson`);
  if (existsSync(path)) return;
  const header = clusterTraceHeader(config, client, config.trace.observe, config.trace.clock);
  writeAtomically(path, `${JSON.stringify(header)}\n`);
}

/**
 * Waits until every replica answers and one leads. A replica this call started that exits is an
 * error (its last log line says why); one that was already running and exits meanwhile (killed a
 * moment before, still going away when we looked) is started again.
 */
async function waitForLeader(
  config: ClusterConfig,
  timeoutMs: number,
  dir: string,
  started: ReplicaProcess[],
  log?: (line: string) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const status = await clusterStatus(config, 500);
    const answered = [...status.values()].filter((s) => s !== null) as { role?: string }[];
    const leader = answered.some((s) => s.role === 'leader');
    if (answered.length === status.size && leader) return;
    last = `${answered.length} of ${status.size} answered, ${leader ? 'a' : 'no'} leader`;
    for (const r of config.replicas) {
      if (runningPid(dir, r.id) !== null) continue;
      if (started.some((p) => p.id === r.id))
        throw new UsageError(`${r.id} exited at start: ${tail(join(dir, `${r.id}.log`))}`);
      started.push(startReplica(dir, r.id));
      log?.(`started ${r.id} again (pid ${started[started.length - 1]?.pid}): it was going away`);
    }
    await sleep(100);
  }
  throw new UsageError(
    `the cluster in ${dir} did not come up within ${timeoutMs / 1000} s (${last}); see ${dir}/*.log`,
  );
}

function tail(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    return (lines[lines.length - 1] ?? '').slice(0, 300);
  } catch {
    return '(no log)';
  }
}

/** `n` distinct free TCP ports on loopback (the system's choice, released at once). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((ok, fail) => {
          const s = createServer();
          s.once('error', fail);
          s.listen(0, LOOPBACK, () => ok(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  return ports;
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // not there
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));
