/**
 * Unknown-outcome writes (issue 16, item 3): reads and writes of unique values on one register,
 * a fraction of the writes timing out (outcome unknown; half of those never took effect). Checked
 * with the model's neverNeeded pruning (unobserved unknown writes left out) and without it.
 * Run: `npx tsx bench/lincheck-unknown.ts`. Figures in bench/README.md, never a timed test.
 */
import type { Json } from '../src/core/types.js';
import { checkLinearizability } from '../src/oracle/lincheck.js';
import { registerModel } from '../src/oracle/models.js';
import type { HistoryOp, Model } from '../src/oracle/types.js';
import { Random } from '../harness/random.js';
// Reads and writes of unique values; a fraction of writes time out: their outcome is unknown and
// half of them never took effect (as with a client timeout before the request reached the leader).
function gen(clients: number, n: number, unknownFrac: number, seed: number): HistoryOp[] {
  const rng = new Random(seed);
  const rand = (): number => rng.next();
  const free = new Array(clients).fill(0);
  const drafts: {
    p: string;
    input: Json;
    call: number;
    ret: number;
    point: number;
    unknown: boolean;
    applied: boolean;
  }[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % clients;
    const call = free[c] + Math.floor(rand() * 3);
    const ret = call + 1 + Math.floor(rand() * 4 * clients);
    free[c] = ret + 1;
    const write = rand() < 0.5;
    const unknown = write && rand() < unknownFrac;
    drafts.push({
      p: `c${c}`,
      input: write ? { f: 'write', value: i } : { f: 'read' },
      call,
      ret,
      point: call + rand() * (ret - call),
      unknown,
      applied: !unknown || rand() < 0.5,
    });
  }
  let state: Json = null;
  const out: Json[] = new Array(n).fill(null);
  for (const i of drafts.map((_, i) => i).sort((a, b) => drafts[a]!.point - drafts[b]!.point)) {
    const d = drafts[i]!;
    const op = d.input as { f: string; value?: Json };
    if (op.f === 'read') out[i] = state;
    else if (d.applied) state = op.value ?? null;
  }
  return drafts.map((d, i) => ({
    process: d.p,
    input: d.input,
    output: d.unknown ? undefined : out[i],
    call: d.call,
    ret: d.ret,
  }));
}
const { neverNeeded: _x, ...plain } = registerModel as Model;
for (const [clients, n, frac] of [
  [10, 2000, 0.02],
  [10, 2000, 0.05],
  [10, 5000, 0.02],
] as const) {
  const h = gen(clients, n, frac, 3);
  const unknown = h.filter((o) => o.output === undefined).length;
  for (const [name, model] of [
    ['pruned', registerModel as Model],
    ['unpruned', plain as Model],
  ] as const) {
    const t = performance.now();
    const r = checkLinearizability(h, model, { explain: false, timeoutMs: 30_000 });
    console.log(
      `${clients} clients ${n} ops ${unknown} unknown writes, ${name}: ${r.verdict} ${r.steps} steps ${(performance.now() - t).toFixed(0)} ms; dropped ${registerModel.neverNeeded!(h).length}`,
    );
  }
}
// A stale read near the end: not linearizable, with and without pruning.
{
  const h = gen(10, 5000, 0.05, 4);
  const victim = h.findIndex(
    (o, i) =>
      i > 4500 &&
      (o.input as { f: string }).f === 'read' &&
      o.output !== undefined &&
      o.output !== null,
  );
  const first = h.find((o) => (o.input as { f: string }).f === 'write' && o.output !== undefined)!;
  const broken = h.map((o, i) =>
    i === victim ? { ...o, output: (first.input as { value: Json }).value } : o,
  );
  for (const [name, model] of [
    ['pruned', registerModel as Model],
    ['unpruned', plain as Model],
  ] as const) {
    const t = performance.now();
    const r = checkLinearizability(broken, model, { explain: false, timeoutMs: 30_000 });
    console.log(
      `stale read, ${name}: ${r.verdict} ${r.steps} steps ${(performance.now() - t).toFixed(0)} ms`,
    );
  }
}
