/**
 * A replica's stable storage (Paxos Made Simple §2.3): the write-ahead log of durable-state
 * deltas and the snapshot file of its latest checkpoint. `stage` takes the durable state a
 * Persist effect carries; `commit` makes everything staged durable (one write, one fsync), and
 * the host sends nothing that followed a Persist before it returns (host.ts).
 *
 * Files under the data directory: wal/wal-*.log (wal.ts) and snap-SLOT-DIGEST.snap (one record
 * in the WAL's framing: the checkpoint, codec.ts). A snapshot is written and synced before the
 * record that names it is staged; the others are removed once a later one is durable.
 */
import { join } from 'node:path';
import type { AnyApp } from '../core/app.js';
import { EMPTY_DURABLE, type ReplicaParams } from '../core/replica/state.js';
import type { Checkpoint, DurableState, Json } from '../core/types.js';
import {
  applyRecord,
  baseRecord,
  checkpointFromJson,
  checkpointJson,
  deltaRecord,
  EMPTY_IMAGE,
  refOf,
  type CheckpointRef,
  type DurableImage,
} from './codec.js';
import type { FsLayer } from './fs-layer.js';
import { decodeRecords, describeProblem, encodeRecord, Wal, type WalProblem } from './wal.js';

const SNAP_MAGIC = Buffer.from('SMRSNAP1');
const SNAPSHOT = /^snap-\d+-[0-9a-f]+\.snap$/;

export interface StoreOptions {
  /** Start a new segment (with the whole state first) once the current one is this large. */
  readonly segmentBytes?: number;
}

export interface Recovered {
  readonly durable: DurableState;
  /** The step number of the last good record (null: an empty log). */
  readonly lastStep: number | null;
  /** Records read. */
  readonly records: number;
  /** The problem that stopped reading early, as one line, or null. */
  readonly warning: string | null;
  readonly problem: WalProblem | null;
}

/** Refused to start: the log names a snapshot that is missing or not the checkpoint it names. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
}

export class DurableStore {
  private readonly wal: Wal;
  private last: DurableState = EMPTY_DURABLE;
  private snapshotToClean = false;

  constructor(
    readonly dir: string,
    private readonly app: AnyApp,
    private readonly params: ReplicaParams,
    private readonly fs: FsLayer,
    private readonly options: StoreOptions = {},
  ) {
    this.wal = new Wal(join(dir, 'wal'), fs);
  }

  /** Reads the log (and the snapshot it names): the durable state the replica restarts from. */
  open(): Recovered {
    this.fs.mkdirp(this.dir);
    const { records, problem } = this.wal.open();
    let image: DurableImage = EMPTY_IMAGE;
    for (const r of records) image = applyRecord(image, r);
    const ref = image.checkpoint;
    const durable: DurableState = {
      ...image,
      checkpoint: ref === null ? null : this.readSnapshot(ref),
    };
    const lastStep = records.length === 0 ? null : (records[records.length - 1]?.s ?? null);
    this.last = durable;
    return {
      durable,
      lastStep,
      records: records.length,
      warning: problem === null ? null : describeProblem(problem, lastStep),
      problem,
    };
  }

  /** Queues what `durable` changed since the last staged state (a Persist effect of step `step`). */
  stage(step: number, durable: DurableState): void {
    if (durable.checkpoint !== this.last.checkpoint && durable.checkpoint !== null) {
      this.writeSnapshot(durable.checkpoint);
      this.snapshotToClean = true;
    }
    const record = deltaRecord(step, this.last, durable);
    this.last = durable;
    if (record !== null) this.wal.stage(record);
  }

  /** True when `commit` has something to write. */
  get dirty(): boolean {
    return this.wal.staged;
  }

  /**
   * Writes and syncs everything staged. Then, past the segment size, starts a new segment with
   * the whole state and removes snapshots no record needs any more.
   */
  commit(step: number): void {
    if (!this.wal.staged) return;
    this.wal.commit();
    if (this.wal.segmentBytes > (this.options.segmentBytes ?? 16 * 1024 * 1024)) {
      this.wal.rotate(baseRecord(step, this.last));
    }
    if (this.snapshotToClean) {
      this.snapshotToClean = false;
      this.removeSnapshotsBut(refOf(this.last.checkpoint));
    }
  }

  close(): void {
    this.wal.close();
  }

  private snapshotName(ref: CheckpointRef): string {
    return `snap-${ref.slot}-${ref.digest}.snap`;
  }

  private writeSnapshot(cp: Checkpoint): void {
    const name = this.snapshotName(cp);
    const path = join(this.dir, name);
    if (this.fs.exists(path)) return;
    const temp = `${path}.tmp`;
    if (this.fs.exists(temp)) this.fs.unlink(temp);
    const fd = this.fs.openAppend(temp);
    this.fs.write(fd, Buffer.concat([SNAP_MAGIC, encodeRecord(checkpointJson(this.app, cp))]));
    this.fs.sync(fd);
    this.fs.close(fd);
    this.fs.rename(temp, path);
    this.fs.syncDir(this.dir);
  }

  private readSnapshot(ref: CheckpointRef): Checkpoint {
    const path = join(this.dir, this.snapshotName(ref));
    if (!this.fs.exists(path))
      throw new StorageError(
        `${path}: missing, but the write-ahead log names it as the checkpoint`,
      );
    const buf = this.fs.readFile(path);
    const decoded = buf.subarray(0, 8).equals(SNAP_MAGIC) ? decodeRecords(buf, 8) : null;
    if (decoded === null || decoded.reason !== null || decoded.records.length !== 1)
      throw new StorageError(`${path}: not a whole snapshot (${decoded?.reason ?? 'no header'})`);
    const cp = checkpointFromJson(this.app, this.params, decoded.records[0] as Json, ref);
    if (cp === null)
      throw new StorageError(
        `${path}: its content does not have the digest ${ref.digest} the log names`,
      );
    return cp;
  }

  private removeSnapshotsBut(keep: CheckpointRef | null): void {
    const keepName = keep === null ? null : this.snapshotName(keep);
    let removed = false;
    for (const name of this.fs.list(this.dir)) {
      if (SNAPSHOT.test(name) && name !== keepName) {
        this.fs.unlink(join(this.dir, name));
        removed = true;
      }
    }
    if (removed) this.fs.syncDir(this.dir);
  }
}
