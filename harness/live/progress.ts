/**
 * Progress lines of a live run, at most once a second. Events (a fault, a phase) are never
 * lost: one that comes too soon waits for the second to pass, joined with any other waiting.
 * The periodic status line is only a heartbeat: every 5 s, when nothing else was said.
 */
export class Progress {
  private last = -Infinity;
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly write: ((line: string) => void) | undefined) {}

  event(line: string): void {
    if (this.write === undefined) return;
    this.pending.push(line);
    const wait = this.last + 1000 - performance.now();
    if (wait <= 0) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), wait);
  }

  status(line: string): void {
    if (this.write === undefined || this.pending.length > 0) return;
    if (performance.now() - this.last < 5000) return;
    this.last = performance.now();
    this.write(line);
  }

  /** Say what is waiting now, and stop. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length > 0) this.flush();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.write === undefined || this.pending.length === 0) return;
    this.last = performance.now();
    this.write(this.pending.join('; '));
    this.pending = [];
  }
}
