import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ZERO_BALLOT,
  ballotEquals,
  compareBallots,
  formatBallot,
  maxBallot,
  nextBallot,
} from '../../src/core/ballot.js';
import { isMajority, majority } from '../../src/core/quorum.js';

const ballot = fc.record({ round: fc.nat(5), leader: fc.constantFrom('r1', 'r2', 'r3', 'r10') });

describe('ballots (Paxos Made Simple §2.2: a total order, disjoint per proposer)', () => {
  it('is a total order: antisymmetric, transitive, and total', () => {
    fc.assert(
      fc.property(ballot, ballot, ballot, (a, b, c) => {
        expect(Math.sign(compareBallots(a, b)) + Math.sign(compareBallots(b, a))).toBe(0);
        expect(compareBallots(a, b) === 0).toBe(ballotEquals(a, b));
        if (compareBallots(a, b) <= 0 && compareBallots(b, c) <= 0)
          expect(compareBallots(a, c)).toBeLessThanOrEqual(0);
      }),
    );
  });

  it('nextBallot is the smallest ballot of that leader above the given one', () => {
    fc.assert(
      fc.property(ballot, fc.constantFrom('r1', 'r2', 'r3'), (above, leader) => {
        const next = nextBallot(above, leader);
        expect(next.leader).toBe(leader);
        expect(compareBallots(next, above)).toBeGreaterThan(0);
        expect(next.round).toBeGreaterThanOrEqual(1);
        const smaller = { round: next.round - 1, leader };
        if (smaller.round >= 1) expect(compareBallots(smaller, above)).toBeLessThanOrEqual(0);
      }),
    );
  });

  it('ZERO_BALLOT is below every real ballot; maxBallot and formatBallot', () => {
    expect(compareBallots(ZERO_BALLOT, { round: 1, leader: 'r1' })).toBeLessThan(0);
    expect(maxBallot({ round: 1, leader: 'r2' }, { round: 1, leader: 'r1' })).toEqual({
      round: 1,
      leader: 'r2',
    });
    expect(maxBallot({ round: 1, leader: 'r1' }, { round: 2, leader: 'r1' })).toEqual({
      round: 2,
      leader: 'r1',
    });
    expect(formatBallot({ round: 3, leader: 'r2' })).toBe('3.r2');
  });
});

describe('quorums (Paxos Made Simple §2.2: any two majorities intersect)', () => {
  // The naive definition: more than half of the configuration voted (etcd quorum/quick_test.go style).
  const naive = (voters: string[], config: string[]): boolean =>
    config.filter((r) => voters.includes(r)).length * 2 > config.length;

  it('isMajority agrees with the naive definition, ignoring duplicates and outsiders', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), { minLength: 1 }),
        fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'x', 'y')),
        (config, voters) => {
          expect(isMajority(voters, config)).toBe(naive(voters, config));
        },
      ),
    );
  });

  it('every two majorities of the same configuration intersect', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.infiniteStream(fc.boolean()), (n, bits) => {
        const config = Array.from({ length: n }, (_, i) => `r${i}`);
        const it = bits[Symbol.iterator]();
        const q1 = config.filter(() => it.next().value);
        const q2 = config.filter(() => it.next().value);
        if (isMajority(q1, config) && isMajority(q2, config))
          expect(q1.some((r) => q2.includes(r))).toBe(true);
      }),
    );
    expect([1, 2, 3, 4, 5].map(majority)).toEqual([1, 2, 2, 3, 3]);
  });
});
