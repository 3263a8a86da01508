/** Option parsers for commander: each throws a UsageError that names the flag and the value. */
import { UsageError } from '../errors.js';

export function intOption(
  flag: string,
  { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = {},
) {
  return (raw: string): number => {
    const integral = /^-?\d+$/.test(raw.trim());
    const value = integral ? Number(raw) : Number.NaN;
    // An integer too large to hold exactly is out of range, not "not an integer".
    if (integral && !Number.isSafeInteger(value))
      throw new UsageError(
        Math.abs(max) >= Number.MAX_SAFE_INTEGER && Math.abs(min) >= Number.MAX_SAFE_INTEGER
          ? `${flag} must be at most ${Number.MAX_SAFE_INTEGER} in size, got ${raw.trim()}`
          : outOfRange(flag, min, max, value),
      );
    if (!Number.isSafeInteger(value))
      throw new UsageError(`${flag} expects an integer, got ${JSON.stringify(raw)}`);
    if (value < min || value > max) throw new UsageError(outOfRange(flag, min, max, value));
    return value;
  };
}

export function numberOption(flag: string, { min = -Infinity, max = Infinity } = {}) {
  return (raw: string): number => {
    const value = raw.trim() === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(value))
      throw new UsageError(`${flag} expects a number, got ${JSON.stringify(raw)}`);
    if (value < min || value > max) throw new UsageError(outOfRange(flag, min, max, value));
    return value;
  };
}

/** "must be between 1 and 64", or "must be at least 0" when there is no real upper bound. */
function outOfRange(flag: string, min: number, max: number, value: number): string {
  const unbounded = (n: number) => !Number.isFinite(n) || Math.abs(n) >= Number.MAX_SAFE_INTEGER;
  if (unbounded(max)) return `${flag} must be at least ${min}, got ${value}`;
  if (unbounded(min)) return `${flag} must be at most ${max}, got ${value}`;
  return `${flag} must be between ${min} and ${max}, got ${value}`;
}

/** A comma-separated list whose items must come from `allowed`. */
export function listOption<T extends string>(flag: string, allowed: readonly T[]) {
  return (raw: string): T[] => {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    for (const item of items) {
      if (!(allowed as readonly string[]).includes(item)) {
        throw new UsageError(
          `${flag}: unknown value ${JSON.stringify(item)} (expected one of: ${allowed.join(', ')})`,
        );
      }
    }
    return [...new Set(items)] as T[];
  };
}

export function choiceOption<T extends string>(flag: string, allowed: readonly T[]) {
  return (raw: string): T => {
    if (!(allowed as readonly string[]).includes(raw)) {
      throw new UsageError(
        `${flag}: unknown value ${JSON.stringify(raw)} (expected one of: ${allowed.join(', ')})`,
      );
    }
    return raw as T;
  };
}
