/**
 * One external process (a diff-test replica, an `smr test` node): write a line, read exactly
 * one line back, with a per-step timeout. A crash, a hang or garbage is reported as such (the run ends with exit 2), never a
 * hang of our own.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export class ExternalReplica {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private readonly lines: string[] = [];
  private waiter: ((line: string | Error) => void) | null = null;
  private exited: Error | null = null;
  private stderr = '';

  constructor(
    command: string,
    args: readonly string[],
    env: Readonly<Record<string, string>> = {},
  ) {
    this.child = spawn(command, [...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.onData(chunk));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-2000);
    });
    this.child.stdin.on('error', () => undefined); // reported through 'exit' instead
    this.child.on('error', (error) =>
      this.fail(new Error(`could not start ${command}: ${error.message}`)),
    );
    this.child.on('exit', (code, signal) => {
      const tail = this.stderr.trim().split('\n').at(-1) ?? '';
      this.fail(new Error(`exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`));
    });
  }

  /** Send one line and wait for one line back. */
  async exchange(line: string, timeoutMs: number): Promise<string> {
    if (this.exited) throw this.exited;
    this.child.stdin.write(line + '\n');
    const next = this.lines.shift();
    if (next !== undefined) return next;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = (result) => {
        clearTimeout(timer);
        this.waiter = null;
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
    });
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }

  /** Kill the process at once (SIGKILL), as a crash: nothing it did not hand over survives. */
  crash(): void {
    this.exited ??= new Error('was crashed');
    this.child.kill('SIGKILL');
  }

  /** The last lines the process wrote on stderr (for reports of a broken process). */
  stderrTail(): string {
    return this.stderr.trim().split('\n').slice(-3).join(' | ');
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      if (line.trim() === '') continue;
      if (this.waiter) this.waiter(line);
      else this.lines.push(line);
    }
  }

  private fail(error: Error): void {
    if (this.exited) return;
    this.exited = error;
    this.waiter?.(error);
  }
}
