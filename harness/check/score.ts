/**
 * The mutation score: the default main job (main-job.ts), unchanged, run against every seeded
 * bug of harness/mutants. A mutant is caught when some part of the job fails on it; the score
 * records which part, the invariant, the time to the first violation and the counterexample's
 * length. No mutant gets a scope of its own: the job's defaults must see every one.
 */
import { MUTANTS } from '../mutants/index.js';
import { runMainJob, type MainJobOptions, type PartName } from './main-job.js';

export interface MutantScore {
  readonly mutant: string;
  readonly caught: boolean;
  /** The part that failed first. */
  readonly part?: PartName;
  readonly invariant?: string;
  /** From the start of the job to the end of the part that failed. */
  readonly timeToViolationMs: number;
  /** Steps of the counterexample (explore and walks), or inputs of a failing probe. */
  readonly counterexampleLength?: number;
  readonly finding?: string;
}

export interface ScoreResult {
  readonly caught: number;
  readonly total: number;
  readonly elapsedMs: number;
  readonly mutants: readonly MutantScore[];
}

export async function mutationScore(
  options: Pick<MainJobOptions, 'parts'> & {
    readonly only?: readonly string[];
    readonly onScore?: (s: MutantScore) => void;
  } = {},
): Promise<ScoreResult> {
  const started = performance.now();
  const out: MutantScore[] = [];
  for (const name of options.only ?? [...MUTANTS.keys()]) {
    const t = performance.now();
    const r = await runMainJob({
      mutant: name,
      failFast: true,
      ...(options.parts !== undefined ? { parts: options.parts } : {}),
    });
    const bad = r.parts.find((p) => !p.ok);
    const probe = r.probes?.result.finding;
    const score: MutantScore = {
      mutant: name,
      caught: bad !== undefined,
      timeToViolationMs: Math.round(performance.now() - t),
      ...(bad === undefined
        ? {}
        : {
            part: bad.part,
            ...(bad.invariant !== undefined ? { invariant: bad.invariant } : {}),
            ...(bad.finding !== undefined ? { finding: bad.finding } : {}),
            ...(bad.counterexampleSteps !== undefined
              ? { counterexampleLength: bad.counterexampleSteps }
              : bad.part === 'probes' && probe != null
                ? { counterexampleLength: probe.inputs.length }
                : {}),
          }),
    };
    out.push(score);
    options.onScore?.(score);
  }
  return {
    caught: out.filter((s) => s.caught).length,
    total: out.length,
    elapsedMs: Math.round(performance.now() - started),
    mutants: out,
  };
}
