/**
 * Every model-checking configuration of spec/Smr.tla (the MCSmr_*.cfg constants) by name, as a
 * Protocol the explorer can run (`smr explore --model spec --constants NAME`). Each entry
 * mirrors spec/MCSmr_NAME.tla/.cfg; test/spec pins TLC's distinct-state count for each
 * (spec/README.md).
 */
import type { Protocol } from './transition-system.js';
import { specProtocol, type SpecModel } from './protocol.js';

export type SpecModelFactory = () => Protocol<unknown, unknown>;

/** MCSmr_F1: three replicas, two competing ballots, two clients, one slot, r1 crashes. */
export const MODEL_F1: SpecModel = {
  name: 'F1',
  module: 'MCSmr_F1',
  constants: {
    replicas: ['r1', 'r2', 'r3'],
    clients: ['c1', 'c2'],
    maxSeq: 1,
    numSlots: 1,
    maxBallot: 1,
  },
  crashable: ['r1'],
};

/** MCSmr_F2: five replicas, one ballot, one client, one slot, r1 and r2 crash. */
export const MODEL_F2: SpecModel = {
  name: 'F2',
  module: 'MCSmr_F2',
  constants: {
    replicas: ['r1', 'r2', 'r3', 'r4', 'r5'],
    clients: ['c1'],
    maxSeq: 1,
    numSlots: 1,
    maxBallot: 0,
  },
  crashable: ['r1', 'r2'],
};

/** MCSmr_Ckpt: three replicas, one ballot, one client, two slots (a request, then a checkpoint). */
export const MODEL_CKPT: SpecModel = {
  name: 'Ckpt',
  module: 'MCSmr_Ckpt',
  constants: {
    replicas: ['r1', 'r2', 'r3'],
    clients: ['c1'],
    maxSeq: 1,
    numSlots: 2,
    maxBallot: 0,
  },
  crashable: ['r1'],
};

export const SPEC_MODEL_LIST: readonly SpecModel[] = [MODEL_F1, MODEL_F2, MODEL_CKPT];

export const SPEC_MODELS: ReadonlyMap<string, SpecModelFactory> = new Map(
  SPEC_MODEL_LIST.map((m) => [
    m.name,
    () => specProtocol(m) as unknown as Protocol<unknown, unknown>,
  ]),
);
