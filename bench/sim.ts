/**
 * Simulator and reducer throughput (issue 2). Run: `npx tsx bench/sim.ts`.
 * Never a timed test: the figures are recorded by hand in bench/README.md.
 */
import { kvApp } from '../src/core/apps/kv.js';
import { replicaContext, replicaStep } from '../src/core/replica/reducer.js';
import type { ReplicaState } from '../src/core/replica/state.js';
import type { Input } from '../src/core/types.js';
import { FAULTS, simulate } from '../harness/sim/simulate.js';
import { applyAction, type Action } from '../harness/model/step.js';
import { initialWorld, makeConfig } from '../harness/model/world.js';
import { Random } from '../harness/random.js';
import { randomOp } from '../harness/sim/workload.js';

function time<T>(f: () => T): { value: T; ms: number } {
  const start = process.hrtime.bigint();
  const value = f();
  return { value, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

const STEPS = Number(process.argv[2] ?? 20000);
console.log(`node ${process.version}; ${STEPS} scheduler steps per run`);
console.log('| N | faults | steps/s | transitions | requests completed | slots chosen | ms |');
console.log('|---|---|---|---|---|---|---|');
for (const replicas of [3, 5]) {
  for (const faults of [[], [...FAULTS]]) {
    simulate({ replicas, clients: 3, seed: 1, steps: 2000, faults, app: kvApp }); // warm-up
    const { value: r, ms } = time(() =>
      simulate({ replicas, clients: 3, seed: 7, steps: STEPS, faults, app: kvApp }),
    );
    const transitions = r.messages.delivered + r.messages.dropped;
    console.log(
      `| ${replicas} | ${faults.length ? 'all' : 'none'} | ${Math.round((r.steps / ms) * 1000)} | ${transitions} | ${r.requests.completed} | ${r.slotsChosen} | ${ms.toFixed(0)} |`,
    );
    if (r.violation) throw new Error(`violation in bench run: ${r.violation.message}`);
  }
}

/** Record every (replica state, input) pair of a fault-free run, then replay them through the reducer alone. */
function reducerPairs(replicas: number): { state: ReplicaState; input: Input }[] {
  const cfg = makeConfig({
    replicas,
    clients: 3,
    app: kvApp,
    replicaParams: { electionTicks: 5, heartbeatTicks: 2 },
  });
  const rng = new Random(3);
  let world = initialWorld(cfg);
  const pairs: { state: ReplicaState; input: Input }[] = [];
  for (let i = 0; i < STEPS; i++) {
    const idle = world.clients.filter((c) => c.pending === null);
    let action: Action;
    if (world.network.length > 0 && rng.chance(0.8)) {
      const p = world.network[0]!;
      action = { kind: 'Deliver', packet: p.id };
      const node = world.replicas.find((n) => n.state.id === p.to);
      if (node) pairs.push({ state: node.state, input: { kind: 'Receive', msg: p.msg } });
    } else if (idle.length > 0 && rng.chance(0.5)) {
      action = { kind: 'Submit', client: rng.pick(idle).id, op: randomOp(kvApp, rng) };
    } else {
      const node = rng.pick([...cfg.replicas, ...cfg.clients]);
      action = { kind: 'Tick', node };
      const r = world.replicas.find((n) => n.state.id === node);
      if (r) pairs.push({ state: r.state, input: { kind: 'Tick' } });
    }
    world = applyAction(cfg, world, action).world;
  }
  return pairs;
}

console.log('\n| N | reducer steps | reducer steps/s |');
console.log('|---|---|---|');
for (const replicas of [3, 5]) {
  const pairs = reducerPairs(replicas);
  const ctx = replicaContext(kvApp);
  for (const { state, input } of pairs.slice(0, 2000)) replicaStep(state, input, ctx); // warm-up
  const { ms } = time(() => {
    for (const { state, input } of pairs) replicaStep(state, input, ctx);
  });
  console.log(`| ${replicas} | ${pairs.length} | ${Math.round((pairs.length / ms) * 1000)} |`);
}
