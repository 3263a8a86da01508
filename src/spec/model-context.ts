/**
 * The SpecContext of a model-checking configuration (an MCSmr_*.cfg's constants): the replicas
 * and clients, ballots numbered as Smr.tla does, the counter app whose outputs are Smr.tla's, and
 * the configuration constants (Members0, Alpha, AuditEvery). One context per Bounds object.
 */
import { counterApp } from '../core/apps/counter.js';
import type { SpecContext } from './state.js';
import { Ballots } from './values.js';

/** The bounds of a model-checking configuration (Smr.tla's CONSTANTS). */
export interface Bounds {
  readonly replicas: readonly string[];
  readonly clients: readonly string[];
  readonly maxSeq: number;
  readonly numSlots: number;
  readonly maxBallot: number;
  /** Script[c][q]: what request q of client c asks (Smr.tla's Script), by default `inc`. */
  readonly script?: { readonly [client: string]: readonly ScriptEntry[] };
  /** Members0 (default: every replica). */
  readonly members0?: readonly string[];
  /** Alpha (default NumSlots: every slot of the model in the window). */
  readonly alpha?: number;
  /** AuditEvery (default 0). */
  readonly auditEvery?: number;
}

/** An entry of Script: the app's operation, or a JOIN or QUIT of a replica. */
export type ScriptEntry =
  | { readonly kind: 'op' }
  | { readonly kind: 'join' | 'quit'; readonly replica: string };

const contexts = new WeakMap<Bounds, SpecContext>();

export function modelContext(k: Bounds): SpecContext {
  let ctx = contexts.get(k);
  if (ctx === undefined) {
    ctx = {
      replicas: k.replicas,
      clients: k.clients,
      replicaIndex: new Map(k.replicas.map((r, i) => [r, i])),
      clientIndex: new Map(k.clients.map((c, i) => [c, i])),
      ballots: new Ballots(k.replicas),
      app: counterApp,
      policy: 'majority',
      members0: (k.members0 ?? k.replicas).reduce((bits, r) => bits | (1 << k.replicas.indexOf(r)), 0),
      alpha: k.alpha ?? k.numSlots,
      auditEvery: k.auditEvery ?? 0,
    };
    contexts.set(k, ctx);
  }
  return ctx;
}
