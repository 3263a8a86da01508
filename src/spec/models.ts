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

const QUIT_THEN_JOIN = (quit: string, join: string) =>
  ({
    op: [
      { kind: 'quit', replica: quit },
      { kind: 'join', replica: join },
    ],
  }) as const;

/**
 * MCSmr_Reconfig_F1: three replicas, one ballot, an operator whose requests are QUIT r3 then
 * JOIN r3, two slots, α = 1 (the QUIT governs slot 1), audits after every slot, r2 crashes.
 */
export const MODEL_RECONFIG_F1: SpecModel = {
  name: 'Reconfig_F1',
  module: 'MCSmr_Reconfig_F1',
  constants: {
    replicas: ['r1', 'r2', 'r3'],
    clients: ['op'],
    maxSeq: 2,
    numSlots: 2,
    maxBallot: 0,
    script: QUIT_THEN_JOIN('r3', 'r3'),
    members0: ['r1', 'r2', 'r3'],
    alpha: 1,
    auditEvery: 1,
  },
  crashable: ['r2'],
};

/**
 * MCSmr_Reconfig_F2: five replicas of which r1..r3 are the configuration (F+1 = 3 members; r4
 * and r5 observe), one ballot, one slot, an operator whose request is QUIT r3 — refused, two
 * members would remain. No crash, no audit.
 */
export const MODEL_RECONFIG_F2: SpecModel = {
  name: 'Reconfig_F2',
  module: 'MCSmr_Reconfig_F2',
  constants: {
    replicas: ['r1', 'r2', 'r3', 'r4', 'r5'],
    clients: ['op'],
    maxSeq: 1,
    numSlots: 1,
    maxBallot: 0,
    script: { op: [{ kind: 'quit', replica: 'r3' }] },
    members0: ['r1', 'r2', 'r3'],
    alpha: 1,
    auditEvery: 0,
  },
  crashable: [],
};

/**
 * MCSmr_Join_F2: five replicas of which r1..r4 are the configuration (r5 observes), one ballot,
 * one slot, an operator whose request is JOIN r5 — applied. No crash, no audit.
 */
export const MODEL_JOIN_F2: SpecModel = {
  name: 'Join_F2',
  module: 'MCSmr_Join_F2',
  constants: {
    replicas: ['r1', 'r2', 'r3', 'r4', 'r5'],
    clients: ['op'],
    maxSeq: 1,
    numSlots: 1,
    maxBallot: 0,
    script: { op: [{ kind: 'join', replica: 'r5' }] },
    members0: ['r1', 'r2', 'r3', 'r4'],
    alpha: 1,
    auditEvery: 0,
  },
  crashable: [],
};

export const SPEC_MODEL_LIST: readonly SpecModel[] = [
  MODEL_F1,
  MODEL_F2,
  MODEL_CKPT,
  MODEL_RECONFIG_F1,
  MODEL_RECONFIG_F2,
  MODEL_JOIN_F2,
];

export const SPEC_MODELS: ReadonlyMap<string, SpecModelFactory> = new Map(
  SPEC_MODEL_LIST.map((m) => [
    m.name,
    () => specProtocol(m) as unknown as Protocol<unknown, unknown>,
  ]),
);
