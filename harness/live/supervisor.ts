/**
 * The processes `smr live` starts: server nodes and client adapters. Each runs in its own
 * process group (spawned detached), so a fault or the clean-up reaches everything a command
 * started — `sh -c` and its children, a wrapper script and its server — with one signal to the
 * group. Every group is killed on every way out: the normal end, a broken run, Ctrl-C (run.ts),
 * and synchronously in `process.on('exit')` as the last resort. Only a SIGKILL of the kit itself
 * can leave servers behind, and commands that daemonize (leave their group) are not supported.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Every process group started, so that none outlives the run. */
export class ProcessGroups {
  private readonly live = new Set<number>();
  private readonly children = new Set<ChildProcess>();
  /** Every pid ever started (tests check that none is left). */
  readonly started: number[] = [];
  private readonly onExit = () => this.killAllSync();

  constructor() {
    process.on('exit', this.onExit);
  }

  /** Spawn `file args` as the leader of a new process group. */
  spawn(
    file: string,
    args: readonly string[],
    options: { cwd: string; env?: NodeJS.ProcessEnv; stdio: StdioOptions },
  ): ChildProcess {
    const child = spawn(file, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: options.stdio,
      detached: true,
    });
    const pid = child.pid;
    if (pid !== undefined) {
      this.live.add(pid);
      this.children.add(child);
      this.started.push(pid);
      // When the leader is gone, take the rest of its group with it; then forget the group id,
      // which the system may give to somebody else's group later.
      child.once('exit', () => {
        signalGroup(pid, 'SIGKILL');
        this.live.delete(pid);
        this.children.delete(child);
      });
    }
    return child;
  }

  /** SIGKILL every group still alive. Synchronous: usable in an 'exit' handler. */
  killAllSync(): void {
    for (const pgid of this.live) signalGroup(pgid, 'SIGKILL');
  }

  /**
   * Kill everything, wait until every leader has been reaped (a killed process is a zombie
   * until then), and stop watching for the process exit.
   */
  async dispose(): Promise<void> {
    this.killAllSync();
    await Promise.all([...this.children].map((child) => exitOf(child, 10_000)));
    process.off('exit', this.onExit);
  }
}

/** Send a signal to a whole process group; false when it is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Wait for a child's exit, or give up after `ms` (undefined). */
export function exitOf(child: ChildProcess, ms: number): Promise<Exit | undefined> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(undefined);
    }, ms);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      resolve({ code, signal });
    };
    child.once('exit', onExit);
  });
}

/** The last non-empty line of a log file (for the one line that says why a process broke). */
export function lastLine(file: string): string {
  try {
    const text = readFileSync(file, 'utf8');
    const lines = text.slice(-8192).trim().split('\n');
    return (lines.at(-1) ?? '').trim().slice(0, 300);
  } catch {
    return '';
  }
}

export type NodeState = 'down' | 'up' | 'paused';

export interface NodeSpec {
  readonly id: string;
  readonly index: number;
  /** The command line, placeholders filled. */
  readonly file: string;
  readonly args: readonly string[];
  readonly text: string;
  /** The graceful stop command, if the config has one ({pid} filled at stop time). */
  readonly stop?: (pid: number) => { file: string; args: readonly string[] };
  readonly cwd: string;
  /** stdout and stderr of every incarnation, appended. */
  readonly log: string;
}

/**
 * One server node. Its faults: `kill` (SIGKILL to the group), `pause`/`resume`
 * (SIGSTOP/SIGCONT), `stop` (the config's stop command, or SIGTERM; SIGKILL after a grace).
 * An exit nobody asked for is reported through `onUnexpectedExit` — a node that cannot start,
 * or crashes by itself, breaks the run (exit 2).
 */
export class NodeProcess {
  state: NodeState = 'down';
  private child: ChildProcess | null = null;
  private expecting = false;
  /** Times it was started (1 = the first start). */
  starts = 0;

  constructor(
    readonly spec: NodeSpec,
    private readonly groups: ProcessGroups,
    private readonly onUnexpectedExit: (node: NodeProcess, how: string) => void,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.state !== 'down') return;
    const fd = openSync(this.spec.log, 'a');
    let child: ChildProcess;
    try {
      child = this.groups.spawn(this.spec.file, this.spec.args, {
        cwd: this.spec.cwd,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    this.child = child;
    this.expecting = false;
    this.state = 'up';
    this.starts++;
    child.once('error', (error) => {
      this.state = 'down';
      this.onUnexpectedExit(this, `could not start ${this.spec.file}: ${error.message}`);
    });
    child.once('exit', (code, signal) => {
      if (this.child === child) this.state = 'down';
      if (this.expecting || this.child !== child) return;
      const tail = lastLine(this.spec.log);
      this.onUnexpectedExit(
        this,
        `exited by itself (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`,
      );
    });
  }

  /** SIGKILL, and wait until the leader is gone (so a restart finds its port and data free). */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === null || this.state === 'down') return;
    this.expecting = true;
    signalGroup(child.pid ?? 0, 'SIGKILL');
    await exitOf(child, 10_000);
    this.state = 'down';
  }

  pause(): void {
    if (this.state !== 'up' || this.child?.pid === undefined) return;
    signalGroup(this.child.pid, 'SIGSTOP');
    this.state = 'paused';
  }

  resume(): void {
    if (this.state !== 'paused' || this.child?.pid === undefined) return;
    signalGroup(this.child.pid, 'SIGCONT');
    this.state = 'up';
  }

  /** A graceful stop: the stop command (or SIGTERM), then SIGKILL if it takes over `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (child === null || this.state === 'down' || child.pid === undefined) return;
    this.expecting = true;
    if (this.state === 'paused') signalGroup(child.pid, 'SIGCONT');
    if (this.spec.stop === undefined) {
      signalGroup(child.pid, 'SIGTERM');
    } else {
      const { file, args } = this.spec.stop(child.pid);
      const fd = openSync(this.spec.log, 'a');
      try {
        const stopper = this.groups.spawn(file, args, {
          cwd: this.spec.cwd,
          stdio: ['ignore', fd, fd],
        });
        stopper.on('error', () => undefined); // the SIGKILL below stops the node anyway
        await exitOf(stopper, graceMs);
        signalGroup(stopper.pid ?? 0, 'SIGKILL');
      } finally {
        closeSync(fd);
      }
    }
    if ((await exitOf(child, graceMs)) === undefined) {
      signalGroup(child.pid, 'SIGKILL');
      await exitOf(child, graceMs);
    }
    this.state = 'down';
  }
}
