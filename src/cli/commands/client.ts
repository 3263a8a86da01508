/**
 * `smr client --dir DIR put x 1`: one operation of the kv app through the client library
 * (src/runtime/client.ts): sent to every replica, the output accepted once a majority agrees.
 * Prints the output (a string as it is, anything else as JSON). Exit 0 with an output, 1 when
 * the replicas' outputs disagreed (FAIL), 2 bad usage, 3 no outcome within --timeout (the
 * request may still take effect; the next client that takes this id completes it first).
 */
import { dirname, join, resolve } from 'node:path';
import type { Json } from '../../core/types.js';
import { EXIT, UsageError } from '../../errors.js';
import { SmrClient } from '../../runtime/client.js';
import { NodeTraceError } from '../../runtime/node-trace.js';
import { configPath } from '../../runtime/cluster.js';
import { loadClusterConfig } from '../../runtime/config.js';
import { leaseClient } from '../../runtime/sessions.js';
import { intOption } from '../options.js';
import type { RegisterCommand } from './register.js';

interface ClientFlags {
  readonly dir?: string;
  readonly config?: string;
  readonly id?: string;
  readonly timeout: number;
  readonly insecure?: boolean;
  readonly json?: boolean;
}

const USAGE =
  'get KEY | put KEY VALUE | append KEY VALUE | cas KEY EXPECTED VALUE (EXPECTED "-": absent) | checkpoint | op JSON';

export const registerClient: RegisterCommand = (program, setExit) => {
  program
    .command('client')
    .description(`one kv operation on a cluster: ${USAGE}`)
    .argument('<op>', 'get, put, append, cas, checkpoint, or op (a raw JSON operation)')
    .argument('[args...]', 'the operation’s arguments')
    .option('--dir <DIR>', 'the cluster directory (DIR/cluster.json)')
    .option('--config <FILE>', 'the cluster config (instead of --dir)')
    .option('--id <CLIENT>', 'use this client id of the config (default: the first one free)')
    .option(
      '--timeout <S>',
      'seconds to wait for the outcome',
      intOption('--timeout', { min: 1, max: 3600 }),
      10,
    )
    .option('--insecure', 'the config has no cluster key')
    .option('--json', 'print {"ok", "output"} as JSON')
    .action(async (op: string, args: string[], flags: ClientFlags) => {
      setExit(await runClient(parseOp(op, args), flags));
    });
};

export function parseOp(op: string, args: readonly string[]): Json {
  const want = (n: number) => {
    if (args.length !== n)
      throw new UsageError(
        `client ${op}: expected ${n} argument(s), got ${args.length} (${USAGE})`,
      );
  };
  switch (op) {
    case 'get':
      want(1);
      return { type: 'get', key: args[0] as string };
    case 'put':
    case 'append':
      want(2);
      return { type: op, key: args[0] as string, value: args[1] as string };
    case 'cas':
      want(3);
      return {
        type: 'cas',
        key: args[0] as string,
        expected: args[1] === '-' ? null : (args[1] as string),
        value: args[2] as string,
      };
    case 'checkpoint':
      want(0);
      return { type: 'checkpoint' };
    case 'op':
      want(1);
      try {
        return JSON.parse(args[0] as string) as Json;
      } catch {
        throw new UsageError(`client op: ${JSON.stringify(args[0])} is not JSON`);
      }
    default:
      throw new UsageError(`client: unknown operation ${JSON.stringify(op)} (${USAGE})`);
  }
}

async function runClient(op: Json, flags: ClientFlags): Promise<number> {
  if ((flags.dir === undefined) === (flags.config === undefined))
    throw new UsageError('client: give --dir DIR or --config FILE');
  const file = flags.config !== undefined ? resolve(flags.config) : configPath(flags.dir as string);
  const dir = dirname(file);
  const config = loadClusterConfig(file, { insecure: flags.insecure === true });
  const problem = config.app.checkOp(op);
  if (problem !== null)
    throw new UsageError(`client: not an operation of ${config.app.name}: ${problem}`);
  const lease = leaseClient(dir, config.clients, flags.id);
  // The client's trace file is also its session: the next process with this id goes on from it.
  let client: SmrClient;
  try {
    client = SmrClient.open({ config, id: lease.id, trace: join(dir, `${lease.id}.ndjson`) });
  } catch (error) {
    lease.release();
    if (error instanceof NodeTraceError) throw new UsageError(error.message);
    throw error;
  }
  try {
    const deadline = Date.now() + flags.timeout * 1000;
    const earlier = client.resume();
    if (earlier !== null) {
      process.stderr.write(
        `client ${lease.id}: completing request ${client.seq} of an earlier process first\n`,
      );
      if ((await within(earlier, deadline)) === null) return timedOut(lease.id);
    }
    const outcome = await within(client.submit(op), deadline);
    if (outcome === null) return timedOut(lease.id);
    if (flags.json === true)
      process.stdout.write(
        `${JSON.stringify(outcome.ok ? { ok: true, output: outcome.output } : { ok: false, reason: outcome.reason })}\n`,
      );
    if (!outcome.ok) {
      if (flags.json !== true)
        process.stderr.write(
          'smr: FAIL: the replicas answered, and no majority agreed on an output\n',
        );
      return EXIT.violation;
    }
    if (flags.json !== true)
      process.stdout.write(
        `${typeof outcome.output === 'string' ? outcome.output : JSON.stringify(outcome.output)}\n`,
      );
    return EXIT.ok;
  } finally {
    client.close();
    lease.release();
  }
}

function timedOut(id: string): number {
  process.stderr.write(
    `smr: client ${id}: no outcome within --timeout (the request may still take effect)\n`,
  );
  return EXIT.unknown;
}

function within<T>(p: Promise<T>, deadline: number): Promise<T | null> {
  return new Promise((ok) => {
    const timer = setTimeout(() => ok(null), Math.max(0, deadline - Date.now()));
    void p.then((v) => {
      clearTimeout(timer);
      ok(v);
    });
  });
}
