/**
 * What to explore, as plain data: worker threads, checkpoints and replay files carry this and
 * rebuild the same Protocol from it. `core` is the reference cluster (harness/explore/cluster);
 * `spec` is a model-checking configuration of the TS twin of spec/Smr.tla (src/spec/models.ts).
 */
import { SPEC_MODELS } from '../../src/spec/models.js';
import { createPackedClusterProtocol } from './cluster/packed.js';
import {
  createClusterProtocol,
  type ClusterOptions,
  type ClusterProtocol,
  type TransitionCheck,
} from './cluster/protocol.js';
import type { ClusterScope } from './cluster/scope.js';
import type { Protocol } from '../../src/spec/transition-system.js';

export interface CoreModelSpec {
  readonly model: 'core';
  readonly scope: ClusterScope;
  readonly symmetry: boolean;
  readonly por: boolean;
  readonly determinism: boolean;
  /** Check every step against the TLA+ twin (harness/refinement's checkRefinementStep). */
  readonly refinement: boolean;
  /**
   * Drop messages the reference ballot rules make dead (dead-messages.ts). Off by default: it
   * is sound only for reducers that follow those rules, and checked as it runs.
   */
  readonly pruneDeadMessages?: boolean;
}

export interface TwinModelSpec {
  readonly model: 'spec';
  /** A key of SPEC_MODELS (an MCSmr_*.cfg configuration). */
  readonly constants: string;
}

export type ModelSpec = CoreModelSpec | TwinModelSpec;

/** Thrown for a model the user asked for that does not exist (a usage error, exit 2). */
export class UnknownModelError extends Error {
  override readonly name = 'UnknownModelError';
}

export function specModelNames(): string[] {
  return [...SPEC_MODELS.keys()].sort();
}

/** Why `--constants NAME` cannot be used, or null. */
export function checkSpecModel(name: string | undefined): string | null {
  const names = specModelNames();
  if (names.length === 0)
    return '--model spec: no spec models are registered yet (src/spec/models.ts SPEC_MODELS is empty)';
  if (name === undefined)
    return `--model spec needs --constants NAME (one of: ${names.join(', ')})`;
  if (!SPEC_MODELS.has(name))
    return `--constants: unknown spec model ${JSON.stringify(name)} (one of: ${names.join(', ')})`;
  return null;
}

/**
 * The module that provides refinement checking (the spec twin's work). Loaded by path at run
 * time so the explorer builds before it exists; it must export `checkRefinementStep`.
 */
export const REFINEMENT_MODULE = '../refinement/index.js';

export async function loadRefinementCheck(): Promise<TransitionCheck> {
  let mod: { checkRefinementStep?: unknown };
  try {
    const path = REFINEMENT_MODULE;
    mod = (await import(path)) as { checkRefinementStep?: unknown };
  } catch {
    throw new UnknownModelError(
      '--refinement: the refinement checker (harness/refinement/index.ts) is not available yet',
    );
  }
  if (typeof mod.checkRefinementStep !== 'function')
    throw new UnknownModelError(
      '--refinement: harness/refinement does not export checkRefinementStep',
    );
  return mod.checkRefinementStep as TransitionCheck;
}

export async function buildProtocol(spec: ModelSpec): Promise<Protocol<unknown, unknown>> {
  if (spec.model === 'spec') {
    const problem = checkSpecModel(spec.constants);
    if (problem !== null) throw new UnknownModelError(problem);
    return (SPEC_MODELS.get(spec.constants) as () => Protocol<unknown, unknown>)();
  }
  const options = await clusterOptions(spec);
  // Searches run on packed states; an extra transition check must see every object step.
  const protocol =
    options.transitionChecks.length === 0
      ? createPackedClusterProtocol(spec.scope, options)
      : createClusterProtocol(spec.scope, options);
  return protocol as unknown as Protocol<unknown, unknown>;
}

/** The object-world protocol of a core model: what counterexamples and schedules replay on. */
export async function buildClusterProtocol(spec: CoreModelSpec): Promise<ClusterProtocol> {
  return createClusterProtocol(spec.scope, await clusterOptions(spec));
}

async function clusterOptions(
  spec: CoreModelSpec,
): Promise<ClusterOptions & { transitionChecks: TransitionCheck[] }> {
  return {
    symmetry: spec.symmetry,
    por: spec.por,
    determinism: spec.determinism,
    collectDeadMessages: spec.pruneDeadMessages === true,
    transitionChecks: spec.refinement ? [await loadRefinementCheck()] : [],
  };
}
