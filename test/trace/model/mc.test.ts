/**
 * The trace model's actions, with every parameter of Next enumerated within an MC model's
 * bounds, explore the same distinct states TLC reports for that model (spec/README.md): the
 * trace checker's model of the spec is Smr.tla, action for action.
 */
import { describe, expect, it } from 'vitest';
import { bfs } from '../../../harness/explore/bfs.js';
import { mcProtocol } from '../../../src/trace/model/mc.js';
import { SPEC_MODEL_LIST } from '../../../src/spec/models.js';
import type { Protocol } from '../../../src/spec/transition-system.js';

const TLC = { F1: 45_266, F2: 31_786 } as const;

describe('the trace model explores the MC models to TLC counts', () => {
  for (const model of SPEC_MODEL_LIST)
    it(`${model.module}: ${TLC[model.name as keyof typeof TLC]} distinct states`, () => {
      const r = bfs(mcProtocol(model) as unknown as Protocol<unknown, unknown>);
      expect(r.complete).toBe(true);
      expect(r.distinctStates).toBe(TLC[model.name as keyof typeof TLC]);
    }, 60_000);
});
