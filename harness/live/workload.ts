/**
 * What each client asks: key-value operations on a few keys, drawn from the seed. Written
 * values are unique in the whole history (client i writes i+1, i+1+C, i+1+2C, …), which keeps
 * the checker fast and lets a timed-out write nobody read be left out (models.ts
 * unobservedUnknownWrites). A cas expects the last value this client saw for the key, so some
 * succeed. With appends in the mix every value is a string (an append to a number is no
 * operation of the model).
 */
import type { Json } from '../../src/core/types.js';
import type { Random } from '../random.js';
import { OP_KINDS, type OpKind } from './config.js';

/** An operation as the model and the adapter see it: `{f, key, value?}`. */
export type LiveOp =
  | { readonly f: 'get'; readonly key: string }
  | { readonly f: 'put' | 'append'; readonly key: string; readonly value: Json }
  | { readonly f: 'cas'; readonly key: string; readonly value: readonly [Json, Json] };

export class Workload {
  private written = 0;
  private readonly seen = new Map<string, Json>();
  private readonly strings: boolean;

  constructor(
    private readonly rng: Random,
    private readonly keys: number,
    private readonly mix: Readonly<Record<OpKind, number>>,
    private readonly client: number,
    private readonly clients: number,
  ) {
    this.strings = mix.append > 0;
  }

  next(): LiveOp {
    const f = this.rng.weighted(Object.fromEntries(OP_KINDS.map((k) => [k, this.mix[k]])));
    const key = `k${this.rng.int(this.keys)}`;
    switch (f) {
      case 'get':
        return { f, key };
      case 'put':
        return { f, key, value: this.fresh() };
      case 'append':
        return { f, key, value: `${this.fresh()},` };
      case 'cas':
        return { f, key, value: [this.seen.get(key) ?? null, this.fresh()] };
      default:
        return { f: 'get', key };
    }
  }

  /** What the client learnt from an operation that completed with `output`. */
  observe(op: LiveOp, output: Json): void {
    if (op.f === 'get') this.seen.set(op.key, output);
    else if (op.f === 'put') this.seen.set(op.key, op.value);
    else if (op.f === 'cas' && output === true) this.seen.set(op.key, op.value[1]);
    else if (op.f === 'append') this.seen.delete(op.key);
  }

  private fresh(): Json {
    const n = this.client + 1 + this.clients * this.written++;
    return this.strings ? String(n) : n;
  }
}
