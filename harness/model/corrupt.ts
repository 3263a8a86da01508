/**
 * Non-malicious corruption of one replica's application state (DESIGN.md fault model: "≤ F
 * replicas"), and the reference outputs that OutputFilter judges client outputs against.
 *
 * Corruption is deterministic (the explorer must stay a function of its inputs): it garbles the
 * app state in a way the reference workloads can observe in their next output.
 */
import type { AnyApp } from '../../src/core/app.js';
import type { KvState } from '../../src/core/apps/kv.js';
import { canonicalEncode } from '../../src/core/canonical.js';
import type { ClientId, Command, Json, Slot } from '../../src/core/types.js';

const WORKLOAD_KEYS = ['x', 'y', 'z'];

/** Apps the harness knows how to corrupt. */
export const CORRUPTIBLE_APPS: readonly string[] = ['kv', 'counter'];

/** A garbled copy of `state`; throws for an app the harness cannot corrupt. */
export function corruptAppState(app: AnyApp, state: unknown): unknown {
  switch (app.name) {
    case 'kv': {
      // Every value gains a stray character, and the keys the reference workloads use
      // (harness/sim/workload.ts, the explorer's "x") get one if absent: a later get or append
      // on them returns what no correct replica returns. Silently: versions do not move (a
      // state transfer that reuses such a part must be caught by the checkpoint's digest).
      const kv = state as KvState;
      const next = new Map(kv);
      for (const [key, cell] of kv)
        next.set(key, { value: `${cell.value}~`, version: cell.version });
      for (const key of WORKLOAD_KEYS) if (!kv.has(key)) next.set(key, { value: '~', version: 1 });
      return next;
    }
    case 'counter':
      return (state as number) + 1000;
    default:
      throw new Error(`the harness cannot corrupt the state of app ${app.name}`);
  }
}

/**
 * The output a correct replica computes for request `client#seq`: execute the chosen log from
 * slot 0 with the session table (exactly-once, as the replicas do) until the request is applied.
 * Undefined when the log does not (yet) contain the request contiguously from slot 0.
 */
export function referenceOutput(
  app: AnyApp,
  chosen: ReadonlyMap<Slot, Command>,
  client: ClientId,
  seq: number,
): Json | undefined {
  let state = app.init();
  const sessions = new Map<ClientId, number>();
  for (let slot = 0; ; slot++) {
    const cmd = chosen.get(slot);
    if (cmd === undefined) return undefined;
    if (cmd.kind !== 'op' || (sessions.get(cmd.client) ?? 0) >= cmd.seq) continue;
    const result = app.apply(state, cmd.op);
    if (cmd.client === client && cmd.seq === seq) return result.output;
    state = result.state;
    sessions.set(cmd.client, cmd.seq);
  }
}

export const sameOutput = (a: Json, b: Json): boolean => canonicalEncode(a) === canonicalEncode(b);
