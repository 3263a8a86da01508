/**
 * The history of a live run, recorded as it happens: call and return times from
 * `process.hrtime.bigint()` (nanoseconds since the run started; a double holds them exactly for
 * 104 days), one NDJSON operation record per line in the format `smr lincheck` reads
 * (schema/history.schema.json), written when the operation completes — so a run that breaks
 * or is interrupted leaves what it saw on disk. `close` adds the operations still open
 * (no "ret": an unknown outcome).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Json } from '../../src/core/types.js';
import type { HistoryOp } from '../../src/oracle/types.js';

export type Status = 'ok' | 'fail' | 'info';

interface Entry {
  readonly process: string;
  readonly input: Json;
  readonly call: number;
  ret: number | null;
  status: Status | null;
  output: Json | undefined;
}

export class HistoryRecorder {
  private readonly entries: Entry[] = [];
  private fd: number | null;
  readonly counts: Record<Status, number> = { ok: 0, fail: 0, info: 0 };

  constructor(
    readonly file: string,
    private readonly t0: bigint,
  ) {
    this.fd = openSync(file, 'w');
  }

  /** Nanoseconds since the run started. */
  now(): number {
    return Number(process.hrtime.bigint() - this.t0);
  }

  /** An operation is called now; returns its id. */
  invoke(process: string, input: Json): number {
    this.entries.push({
      process,
      input,
      call: this.now(),
      ret: null,
      status: null,
      output: undefined,
    });
    return this.entries.length - 1;
  }

  /** It returned now: `ok` with its output, `fail` (did not happen) or `info` (unknown). */
  complete(id: number, status: Status, output?: Json, at = this.now()): void {
    const e = this.entries[id];
    if (e === undefined || e.status !== null) return;
    e.ret = at;
    e.status = status;
    e.output = status === 'ok' ? (output ?? null) : undefined;
    this.counts[status]++;
    this.write(e);
  }

  /** Operations called and not (yet) returned. */
  get open(): number {
    return this.entries.length - this.counts.ok - this.counts.fail - this.counts.info;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Write the open operations (never returned) and close the file. */
  close(): void {
    if (this.fd === null) return;
    for (const e of this.entries) if (e.status === null) this.write(e);
    closeSync(this.fd);
    this.fd = null;
  }

  /** The history for the checker: failed operations left out (they did not happen). */
  history(): HistoryOp[] {
    return this.entries
      .filter((e) => e.status !== 'fail')
      .map((e) => ({
        process: e.process,
        input: e.input,
        output: e.status === 'ok' ? e.output : undefined,
        call: e.call,
        ret: e.ret,
      }));
  }

  private write(e: Entry): void {
    if (this.fd === null) return;
    const record: Record<string, Json> = { process: e.process, input: e.input };
    if (e.status === 'ok') record['output'] = e.output ?? null;
    else if (e.status !== null) record['status'] = e.status;
    record['call'] = e.call;
    if (e.ret !== null) record['ret'] = e.ret;
    writeSync(this.fd, JSON.stringify(record) + '\n');
  }
}
