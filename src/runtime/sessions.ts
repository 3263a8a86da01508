/**
 * Client ids are leased: the config names the clients (they are trace nodes), and a process
 * that wants to be one takes a lock file, DIR/clients/ID.lock with its pid, for as long as it
 * runs. Two processes never use one id at once (their sequence numbers would collide in the
 * replicas' sessions); a lock whose process is gone is taken over, and the new process goes on
 * from the client's trace (client.ts).
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientId } from '../core/types.js';
import { UsageError } from '../errors.js';

export interface Lease {
  readonly id: ClientId;
  release(): void;
}

/** Takes the first free id of `ids` (or exactly `wanted`), or throws a UsageError. */
export function leaseClient(dir: string, ids: readonly ClientId[], wanted?: ClientId): Lease {
  const locks = join(dir, 'clients');
  mkdirSync(locks, { recursive: true });
  if (wanted !== undefined && !ids.includes(wanted))
    throw new UsageError(
      `--id: ${JSON.stringify(wanted)} is not a client of the config (${ids.join(', ')})`,
    );
  for (const id of wanted === undefined ? ids : [wanted]) {
    const lease = tryLock(join(locks, `${id}.lock`), id);
    if (lease !== null) return lease;
  }
  throw new UsageError(
    wanted === undefined
      ? `every client id of the config is in use (${ids.length}; see ${locks})`
      : `client ${wanted} is in use by another process (${join(locks, `${wanted}.lock`)})`,
  );
}

function tryLock(path: string, id: ClientId): Lease | null {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let held = true;
      return {
        id,
        release() {
          if (!held) return;
          held = false;
          try {
            unlinkSync(path);
          } catch {
            // gone already
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let pid = Number.NaN;
      try {
        pid = Number(readFileSync(path, 'utf8').trim());
      } catch {
        // removed meanwhile: try again
      }
      if (Number.isSafeInteger(pid) && pid > 0 && processAlive(pid)) return null;
      try {
        unlinkSync(path);
      } catch {
        // another process took it over first
      }
    }
  }
  return null;
}

/** Is `pid` a running process? A zombie (dead, not yet reaped by its parent) is not. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/PID/stat: "pid (comm) S …"; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc here
  }
}
