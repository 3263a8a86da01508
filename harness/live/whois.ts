/**
 * Which of our process groups opened a TCP connection on loopback, from the kernel's tables
 * (Linux /proc; no root needed for our own children). The proxies need it: every node reaches
 * node j's peer port through one advertised address — etcd, for one, derives member ids from
 * the peer URLs, so the URL cannot differ per sender — and the link i→j is then told apart by
 * asking who owns the connecting socket. Elsewhere, or when the owner is gone already, the
 * answer is undefined and the proxy treats the connection as coming from an unknown node.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * The inode of the socket whose local port is `port` and that is connected to `peerPort`:
 * the connecting end of a connection the proxy accepted (remote port `port`, local `peerPort`).
 */
export function socketInode(port: number, peerPort: number): string | undefined {
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      const remote = fields[2];
      const inode = fields[9];
      if (local === undefined || remote === undefined || inode === undefined) continue;
      if (portOf(local) === port && portOf(remote) === peerPort && inode !== '0') return inode;
    }
  }
  return undefined;
}

function portOf(address: string): number {
  return parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
}

/** Does process `pid` hold the socket `inode`? */
function holds(pid: number, inode: string): boolean {
  const target = `socket:[${inode}]`;
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return true;
    } catch {
      // Closed meanwhile.
    }
  }
  return false;
}

/** The process group of `pid` (field 5 of /proc/PID/stat), or undefined. */
function groupOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: read after its end.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(rest[2]);
    return Number.isInteger(pgrp) ? pgrp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Which of `groups` (process group ids) holds the connecting end of a connection from remote
 * port `port` to local port `peerPort`. Group leaders are asked first (a server started
 * without a shell is its group's leader); then every process in those groups.
 */
export function connectingGroup(
  port: number,
  peerPort: number,
  groups: readonly number[],
): number | undefined {
  const inode = socketInode(port, peerPort);
  if (inode === undefined) return undefined;
  for (const pgid of groups) if (holds(pgid, inode)) return pgid;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const wanted = new Set(groups);
  for (const name of pids) {
    const pid = Number(name);
    if (wanted.has(pid)) continue;
    const pgid = groupOf(pid);
    if (pgid !== undefined && wanted.has(pgid) && holds(pid, inode)) return pgid;
  }
  return undefined;
}
