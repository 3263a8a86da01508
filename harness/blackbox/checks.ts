/**
 * What `smr test` concludes from a run: the clients' history (Jepsen semantics: `ok` with its
 * result, unknown when the client gave up, left out when every request was refused), checked
 * for linearizability with the `kv` model, for appends executed twice, and for replies that
 * disagree (seen while the run went, in Cluster).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/errors.js';
import { checkLinearizability, type LincheckResult } from '../../src/oracle/lincheck.js';
import { checkTrace } from '../../src/trace/checker.js';
import { formatResult } from '../../src/trace/report.js';
import { kvModel } from '../../src/oracle/models.js';
import type { HistoryOp } from '../../src/oracle/types.js';
import type { Json } from '../../src/core/types.js';
import { describeOp, outcomeOf, type ClientOp, type LiveViolation } from './cluster.js';

export interface ClientHistory {
  readonly history: readonly HistoryOp[];
  /** The client operation of each history entry. */
  readonly ops: readonly ClientOp[];
  readonly counts: { invoked: number; ok: number; failed: number; unknown: number };
}

export function clientHistory(all: Iterable<ClientOp>): ClientHistory {
  const history: HistoryOp[] = [];
  const ops: ClientOp[] = [];
  const counts = { invoked: 0, ok: 0, failed: 0, unknown: 0 };
  for (const op of [...all].sort((a, b) => a.call - b.call)) {
    counts.invoked++;
    const outcome = outcomeOf(op);
    if (outcome === 'fail') {
      counts.failed++;
      continue; // certainly never took effect (a wrong claim shows up in the reads)
    }
    if (outcome === 'ok') counts.ok++;
    else counts.unknown++;
    history.push({
      process: op.process,
      input: op.op as unknown as Json,
      output: op.ok?.value,
      call: op.call,
      ret: op.ok?.step ?? null,
    });
    ops.push(op);
  }
  return { history, ops, counts };
}

export type Verdict =
  | { readonly kind: 'pass'; readonly lincheck: LincheckResult }
  | {
      readonly kind: 'violation';
      readonly check: 'linearizability' | 'exactly-once' | 'agreement' | 'trace';
      readonly message: string;
      readonly lincheck?: LincheckResult;
    }
  | { readonly kind: 'unknown'; readonly message: string; readonly lincheck: LincheckResult };

export interface CheckOptions {
  /** Explain a non-linearizable history (the final report; shrinking probes skip it). */
  readonly explain: boolean;
  readonly timeoutMs: number;
}

export function judge(
  client: ClientHistory,
  live: LiveViolation | null,
  options: CheckOptions,
): Verdict {
  if (live !== null) return { kind: 'violation', check: live.check, message: live.message };
  const twice = appendedTwice(client);
  if (twice !== null) return { kind: 'violation', check: 'exactly-once', message: twice };
  const lincheck = checkLinearizability(client.history, kvModel, {
    explain: options.explain,
    timeoutMs: options.timeoutMs,
  });
  if (lincheck.verdict === 'linearizable') return { kind: 'pass', lincheck };
  if (lincheck.verdict === 'unknown')
    return {
      kind: 'unknown',
      lincheck,
      message: `the linearizability check ran out of its budget (${lincheck.exhausted ?? 'budget'})`,
    };
  return {
    kind: 'violation',
    check: 'linearizability',
    lincheck,
    message: linearizabilityMessage(client, lincheck),
  };
}

/**
 * An append's value is unique in the run (` c1:5`), so a read that holds it twice shows the
 * append executed twice, whatever else is wrong.
 */
function appendedTwice(client: ClientHistory): string | null {
  const appends = new Map<string, ClientOp>();
  for (const op of client.ops) if (op.op.f === 'append') appends.set(op.op.value.trim(), op);
  for (const op of client.ops) {
    if (op.op.f !== 'get' || typeof op.ok?.value !== 'string') continue;
    const seen = new Set<string>();
    for (const token of op.ok.value.split(' ')) {
      if (token === '' || !appends.has(token)) continue;
      if (seen.has(token)) {
        const append = appends.get(token) as ClientOp;
        return `request ${append.id} (${describeOp(append.op)}) was executed twice: request ${op.id} (get ${op.op.key}, answered at step ${op.ok.step} by ${op.ok.node}) read ${JSON.stringify(op.ok.value)}`;
      }
      seen.add(token);
    }
  }
  return null;
}

function linearizabilityMessage(client: ClientHistory, result: LincheckResult): string {
  const failure = result.failures[0];
  if (failure === undefined) return 'the clients’ history is not linearizable';
  const broken = client.ops[failure.breakingOp] as ClientOp;
  const why =
    failure.window.reason === 'real-time'
      ? 'its result fits only an order that contradicts real time (a stale read)'
      : 'no order of the operations before it gives its result';
  return `the clients’ history is not linearizable: request ${broken.id} (${describeOp(broken.op)} → ${JSON.stringify(broken.ok?.value)}, answered at step ${broken.ok?.step ?? '?'} by ${broken.ok?.node ?? '?'}): ${why}; ${failure.window.ops.length} operations cannot be ordered: ${failure.window.ops.map((i) => (client.ops[i] as ClientOp).id).join(', ')}`;
}

/** What the trace checker said of the nodes' own traces (docs/node-protocol.md, `trace`). */
export type TraceVerdict =
  | { readonly kind: 'valid' | 'invalid' | 'inconclusive'; readonly report: string }
  /** A trace the checker cannot read: the node broke the protocol (exit 2). */
  | { readonly kind: 'unreadable'; readonly report: string };

/**
 * The trace items the nodes emitted, as smr-trace files: a header item starts a file (a node may
 * log on behalf of its clients, each in a file of its own, as per-node traces are); items before
 * any header of their node's get the first header any node emitted, without its `nodes`.
 */
export function traceFiles(traces: ReadonlyMap<string, readonly Json[]>): Map<string, string> {
  const isHeader = (e: Json): e is { readonly [k: string]: Json } =>
    typeof e === 'object' && e !== null && !Array.isArray(e) && 'format' in e;
  const first = [...traces.values()].flat().find(isHeader);
  const shared =
    first === undefined
      ? []
      : [Object.fromEntries(Object.entries(first).filter(([k]) => k !== 'nodes'))];
  const files = new Map<string, string>();
  for (const [node, items] of traces) {
    const segments: Json[][] = [];
    for (const item of items) {
      if (isHeader(item) || segments.length === 0) segments.push(isHeader(item) ? [] : [...shared]);
      (segments[segments.length - 1] as Json[]).push(item);
    }
    segments.forEach((lines, k) =>
      files.set(
        segments.length === 1 ? node : `${node}-${k + 1}`,
        lines.map((e) => JSON.stringify(e)).join('\n') + '\n',
      ),
    );
  }
  return files;
}

/** Check the nodes' trace items (traceFiles), merged by their clocks, against the spec. */
export function checkNodeTraces(traces: ReadonlyMap<string, readonly Json[]>): TraceVerdict | null {
  if (traces.size === 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'smr-test-traces-'));
  try {
    const files = [...traceFiles(traces)].map(([node, text]) => {
      const file = join(dir, `trace-${node}.ndjson`);
      writeFileSync(file, text);
      return file;
    });
    const result = checkTrace(files, { partial: true });
    const report = formatResult(result).replaceAll(`${dir}/`, '');
    return { kind: result.verdict, report };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { kind: 'unreadable', report: error.message.replaceAll(`${dir}/`, '') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
