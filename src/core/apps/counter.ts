import { digestOf } from '../canonical.js';
import { errorOutput, isRecord, withOperatorRequests, type App } from '../app.js';
import type { Json } from '../types.js';

/** A counter: `inc` (by an integer, default 1) returns the new value; `get` returns it. */
export const counterApp: App<number> = withOperatorRequests<number>({
  name: 'counter',
  init: () => 0,
  apply(state, op) {
    const problem = checkCounterOp(op);
    if (problem !== null || !isRecord(op)) return { state, output: errorOutput(problem ?? '') };
    if (op['type'] === 'get') return { state, output: state };
    const next = state + ((op['by'] as number | undefined) ?? 1);
    return { state: next, output: next };
  },
  digest: (state) => digestOf(state),
  view: (state) => state,
  // One part; its value is its version (equal counters are equal states).
  snapshot: (state) => [{ name: 'value', version: state, value: state }],
  restore: (parts) => Number(parts.find((p) => p.name === 'value')?.value ?? 0),
  checkOp: checkCounterOp,
});

function checkCounterOp(op: Json): string | null {
  if (!isRecord(op)) return 'a counter operation is an object';
  if (op['type'] === 'get') return null;
  if (op['type'] === undefined) return 'a counter operation needs "type": "inc" or "get"';
  if (op['type'] !== 'inc')
    return `unknown counter operation ${JSON.stringify(op['type'])} (expected "inc" or "get")`;
  const by = op['by'];
  if (by === undefined) return null;
  return typeof by === 'number' && Number.isSafeInteger(by) ? null : '"by" must be an integer';
}
