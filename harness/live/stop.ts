/**
 * How a live run ends, shared by the clients, the fault scheduler and the supervisor. `finish`
 * (the duration is over) is soft: no new operations or faults, but operations in flight may
 * still return. `interrupt` (Ctrl-C) and `broken` (an adapter or a node misbehaved) are hard:
 * everything stops at once and what is still open stays open in the history. The first reason
 * wins.
 */
export type StopReason =
  | { readonly kind: 'done' }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'broken'; readonly message: string };

export class RunStop {
  reason: StopReason | null = null;
  private readonly wakers = new Set<() => void>();
  private readonly hardListeners = new Set<() => void>();

  get stopped(): boolean {
    return this.reason !== null;
  }

  get hard(): boolean {
    return this.reason !== null && this.reason.kind !== 'done';
  }

  finish(): void {
    this.end({ kind: 'done' });
  }

  interrupt(): void {
    this.end({ kind: 'interrupted' });
  }

  broken(message: string): void {
    this.end({ kind: 'broken', message });
  }

  /** Call `listener` at a hard stop (at once if there was one already). */
  onHard(listener: () => void): () => void {
    if (this.hard) listener();
    else this.hardListeners.add(listener);
    return () => this.hardListeners.delete(listener);
  }

  /** Sleep `ms`; resolves false at once when the run stops meanwhile (or has stopped). */
  sleep(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.wakers.delete(wake);
        resolve(true);
      }, ms);
      this.wakers.add(wake);
    });
  }

  private end(reason: StopReason): void {
    const wasHard = this.hard;
    // A hard stop may follow a soft one (Ctrl-C while the last operations return).
    if (this.reason !== null && (reason.kind === 'done' || this.hard)) return;
    this.reason = reason;
    for (const wake of [...this.wakers]) wake();
    if (!wasHard && this.hard) for (const listener of [...this.hardListeners]) listener();
  }
}
