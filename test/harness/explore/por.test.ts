/**
 * Partial-order reduction rule 2 (por.ts) takes a client's reply vote alone because majority
 * voting does not depend on the order of votes. That is a property of the client reducer, so it
 * is checked as it runs: with a client whose outcome depends on the order of its votes, the rule
 * takes no vote alone where two replies with different outputs are pending.
 */
import { describe, expect, it } from 'vitest';
import {
  createClusterProtocol,
  type ClusterState,
} from '../../../harness/explore/cluster/protocol.js';
import { createPackedClusterProtocol } from '../../../harness/explore/cluster/packed.js';
import { DEFAULT_SCOPE } from '../../../harness/explore/cluster/scope.js';
import { bfs } from '../../../harness/explore/bfs.js';
import type { ClientRules } from '../../../src/core/client.js';
import { REFERENCE_CLIENT_RULES } from '../../../src/core/client.js';
import type { Json } from '../../../src/core/types.js';

const SCOPE = {
  ...DEFAULT_SCOPE,
  faults: ['loss', 'dup', 'corrupt'] as const,
  maxCrashes: 0,
  maxElections: 1,
} as const;

/** Accepts the first reply's output as soon as two replies are in, whatever the second says. */
const ORDERED: ClientRules = {
  decide: (votes) => {
    if (votes.size < 2) return undefined;
    const [first] = votes.values();
    return { ok: true, output: first as Json };
  },
};

/** A state where client c1 has no vote yet and two replies with different outputs wait for it. */
function splitVoteState(clientRules: ClientRules) {
  const p = createClusterProtocol({ ...SCOPE }, { stepRefinement: false, clientRules });
  const seen = new Set<string>();
  let frontier: ClusterState[] = [...p.initialStates()];
  for (let depth = 0; depth < 16 && frontier.length > 0; depth++) {
    const next: ClusterState[] = [];
    for (const s of frontier) {
      const replies = s.world.network.filter(
        (q) => q.msg.type === 'Reply' && s.world.clients[0]?.pending?.seq === q.msg.seq,
      );
      const outputs = new Set(
        replies.map((q) => JSON.stringify(q.msg.type === 'Reply' && q.msg.output)),
      );
      if (s.world.clients[0]?.pending?.votes.size === 0 && outputs.size >= 2) return { p, s };
      for (const a of p.actions(s).slice(0, 6)) {
        const w = p.step(s, a).world;
        const key = p.encode(w);
        if (!seen.has(key)) {
          seen.add(key);
          next.push(w);
        }
      }
    }
    frontier = next.slice(0, 4000);
  }
  throw new Error('no state with two differing replies found');
}

describe('partial-order reduction rule 2 is checked as it runs', () => {
  it('takes one vote alone for the reference client', () => {
    const { p, s } = splitVoteState(REFERENCE_CLIENT_RULES);
    const chosen = p.persistent?.(s, p.actions(s));
    expect(chosen).toBeDefined();
    const packets = new Set(chosen?.map((i) => (p.actions(s)[i] as { packet?: number }).packet));
    expect(packets.size).toBe(1);
  });

  it('takes no vote alone when the outcome depends on the order of the votes', () => {
    const { p, s } = splitVoteState(ORDERED);
    const actions = p.actions(s);
    const chosen = p.persistent?.(s, actions);
    const onlyVotes =
      chosen !== undefined &&
      chosen.every((i) => {
        const a = actions[i];
        return a?.kind === 'Deliver' || a?.kind === 'Drop' || a?.kind === 'Duplicate';
      });
    expect(onlyVotes).toBe(false);
  });

  it('the packed protocol (what smr explore searches) reduces exactly as the object protocol', () => {
    for (const clientRules of [REFERENCE_CLIENT_RULES, ORDERED]) {
      const options = { stepRefinement: false, clientRules };
      const objects = bfs(createClusterProtocol({ ...SCOPE }, options), { maxDepth: 14 });
      const packed = bfs(createPackedClusterProtocol({ ...SCOPE }, options), { maxDepth: 14 });
      expect(packed.distinctStates).toBe(objects.distinctStates);
    }
  });
});
