/**
 * The CLI's exit-code contract (DESIGN.md): 0 ok, 1 a violation / invalid trace /
 * non-linearizable, 2 bad input or usage (3 is lincheck's "unknown within budget").
 */
export const EXIT = { ok: 0, violation: 1, badInput: 2, unknown: 3 } as const;

/** Bad flags or arguments: printed as one line, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A bad input file: printed as `file:line: what was wrong`, exit 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(line === undefined ? `${file}: ${reason}` : `${file}:${line}: ${reason}`);
  }
}
