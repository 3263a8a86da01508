/** Random client operations for the reference apps, over a small key space so ops conflict. */
import type { AnyApp } from '../../src/core/app.js';
import type { Json } from '../../src/core/types.js';
import type { Random } from '../random.js';

const KEYS = ['x', 'y', 'z'];

export function randomOp(app: AnyApp, rng: Random): Json {
  if (app.name === 'counter')
    return rng.chance(0.6) ? { type: 'inc', by: 1 + rng.int(3) } : { type: 'get' };
  const key = rng.pick(KEYS);
  const value = String(rng.int(10));
  switch (rng.weighted({ get: 3, put: 3, append: 2, cas: 2 })) {
    case 'get':
      return { type: 'get', key };
    case 'put':
      return { type: 'put', key, value };
    case 'append':
      return { type: 'append', key, value };
    case 'cas':
      return { type: 'cas', key, expected: rng.chance(0.3) ? null : String(rng.int(10)), value };
  }
}
