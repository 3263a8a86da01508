/**
 * The write-ahead log: append-only segments of length-prefixed records, each with a CRC-32 of
 * its bytes (etcd's wal, LevelDB's log). Layout of a segment `wal-NNNNNNNNNNNNNNNN.log`:
 *
 *   "SMRWAL01"                                      8 bytes of magic
 *   [u32 LE length][u32 LE crc32(payload)][payload] one record (JSON, codec.ts), repeated
 *
 * Opening reads every segment in order and stops at the first record that is cut short (a torn
 * write: the process or the machine stopped in the middle) or whose CRC does not match: that
 * record and everything after it are set aside (`*.discarded`, never deleted) and the log is
 * truncated to the last good record, with a one-line report of where and why. A torn tail is the
 * normal trace of a crash — the record was never synced, so nothing that depends on it was sent;
 * a bad record before the end is corruption, and the report says which it was.
 */
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import { recordProblem, type WalRecord } from './codec.js';
import type { FsLayer } from './fs-layer.js';

export const WAL_MAGIC = Buffer.from('SMRWAL01');
const HEADER = 8;
/** A length beyond this is garbage, not a record. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/** Where reading stopped early, and why. */
export interface WalProblem {
  readonly segment: string;
  readonly offset: number;
  /** `torn`: cut short at the end of the last segment; `corrupt`: a bad record anywhere else. */
  readonly kind: 'torn' | 'corrupt';
  readonly reason: string;
  /** Bytes set aside. */
  readonly discarded: number;
}

export interface WalReadResult {
  readonly records: readonly WalRecord[];
  readonly problem: WalProblem | null;
}

export function encodeRecord(record: unknown): Buffer {
  const payload = Buffer.from(JSON.stringify(record), 'utf8');
  const header = Buffer.alloc(HEADER);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

/** The records of one buffer from `offset`, and where and why they stop if not at the end. */
export function decodeRecords(
  buf: Buffer,
  offset: number,
): { records: unknown[]; end: number; reason: string | null; cut: boolean } {
  const records: unknown[] = [];
  let at = offset;
  while (at < buf.length) {
    if (at + HEADER > buf.length)
      return { records, end: at, reason: 'a record header cut short', cut: true };
    const length = buf.readUInt32LE(at);
    const crc = buf.readUInt32LE(at + 4);
    if (length > MAX_RECORD_BYTES)
      return { records, end: at, reason: `a record length of ${length} bytes`, cut: false };
    if (at + HEADER + length > buf.length)
      return {
        records,
        end: at,
        reason: `a record of ${length} bytes cut short at ${buf.length - at - HEADER}`,
        cut: true,
      };
    const payload = buf.subarray(at + HEADER, at + HEADER + length);
    if (crc32(payload) !== crc) return { records, end: at, reason: 'CRC mismatch', cut: false };
    let value: unknown;
    try {
      value = JSON.parse(payload.toString('utf8'));
    } catch {
      return { records, end: at, reason: 'a record that is not JSON (CRC matched)', cut: false };
    }
    records.push(value);
    at += HEADER + length;
  }
  return { records, end: at, reason: null, cut: false };
}

const SEGMENT = /^wal-(\d{16})\.log$/;

export class Wal {
  private fd: number | null = null;
  private segment = 0;
  private size = 0;
  private readonly pending: Buffer[] = [];

  constructor(
    readonly dir: string,
    private readonly fs: FsLayer,
  ) {}

  /** Reads the log, truncating it to the last good record; then appends after it. */
  open(): WalReadResult {
    this.fs.mkdirp(this.dir);
    const segments = this.segments();
    const records: WalRecord[] = [];
    let problem: WalProblem | null = null;
    for (const [i, name] of segments.entries()) {
      const path = join(this.dir, name);
      const buf = this.fs.readFile(path);
      const last = i === segments.length - 1;
      const magicOk = buf.subarray(0, HEADER).equals(WAL_MAGIC);
      const decoded = magicOk
        ? decodeRecords(buf, HEADER)
        : {
            records: [],
            end: 0,
            reason: 'no segment header',
            cut: WAL_MAGIC.subarray(0, buf.length).equals(buf),
          };
      let { reason, end, cut } = decoded;
      for (const [n, value] of decoded.records.entries()) {
        const bad = recordProblem(value);
        if (bad !== null) {
          reason = `record ${n + 1}: ${bad}`;
          end = offsetOfRecord(buf, n);
          cut = false;
          break;
        }
        records.push(value as WalRecord);
      }
      if (reason === null) continue;
      const kind = last && cut ? 'torn' : 'corrupt';
      problem = this.setAside(segments.slice(i), end, kind, reason);
      break;
    }
    const kept = this.segments();
    this.segment = kept.length === 0 ? 0 : segmentNumber(kept[kept.length - 1] as string);
    if (kept.length === 0) this.startSegment(1, []);
    else this.reopen(kept[kept.length - 1] as string);
    return { records, problem };
  }

  /** Queues a record; `commit` writes and syncs everything queued. */
  stage(record: WalRecord): void {
    this.pending.push(encodeRecord(record));
  }

  get staged(): boolean {
    return this.pending.length > 0;
  }

  /** Writes the queued records in one write, then syncs: after this they survive a crash. */
  commit(): void {
    if (this.pending.length === 0) return;
    const data =
      this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    this.pending.length = 0;
    this.fs.write(this.fd as number, data);
    this.fs.sync(this.fd as number);
    this.size += data.length;
  }

  /** Bytes in the current segment. */
  get segmentBytes(): number {
    return this.size;
  }

  /**
   * Starts a new segment whose first record is `base` (the whole state), makes it durable, then
   * removes the older segments: the log stays as long as what the state holds.
   */
  rotate(base: WalRecord): void {
    if (this.pending.length > 0) throw new Error('wal: rotate with records staged');
    const old = this.segments();
    if (this.fd !== null) this.fs.close(this.fd);
    this.startSegment(this.segment + 1, [encodeRecord(base)]);
    for (const name of old) this.fs.unlink(join(this.dir, name));
    this.fs.syncDir(this.dir);
  }

  close(): void {
    if (this.fd !== null) this.fs.close(this.fd);
    this.fd = null;
  }

  private startSegment(n: number, records: Buffer[]): void {
    const data = Buffer.concat([WAL_MAGIC, ...records]);
    this.segment = n;
    this.fd = this.fs.openAppend(join(this.dir, segmentName(n)));
    this.fs.write(this.fd, data);
    this.fs.sync(this.fd);
    this.fs.syncDir(this.dir);
    this.size = data.length;
  }

  private reopen(name: string): void {
    const path = join(this.dir, name);
    const size = this.fs.readFile(path).length;
    if (size < HEADER) {
      // A segment whose header was torn: it held nothing.
      this.fs.unlink(path);
      this.startSegment(segmentNumber(name), []);
      return;
    }
    this.fd = this.fs.openAppend(path);
    this.size = size;
  }

  private segments(): string[] {
    return this.fs.list(this.dir).filter((n) => SEGMENT.test(n));
  }

  /** Truncates `from[0]` at `end`, keeping the cut bytes and later segments as `*.discarded`. */
  private setAside(
    from: readonly string[],
    end: number,
    kind: WalProblem['kind'],
    reason: string,
  ): WalProblem {
    const first = join(this.dir, from[0] as string);
    const buf = this.fs.readFile(first);
    let discarded = buf.length - end;
    if (discarded > 0) {
      const aside = this.fs.openAppend(`${first}.discarded`);
      this.fs.write(aside, buf.subarray(end));
      this.fs.sync(aside);
      this.fs.close(aside);
    }
    this.fs.truncate(first, end);
    for (const name of from.slice(1)) {
      discarded += this.fs.readFile(join(this.dir, name)).length;
      this.fs.rename(join(this.dir, name), join(this.dir, `${name}.discarded`));
    }
    this.fs.syncDir(this.dir);
    return { segment: first, offset: end, kind, reason, discarded };
  }
}

/** The byte offset of record `n` (0-based) of a segment. */
function offsetOfRecord(buf: Buffer, n: number): number {
  let at = HEADER;
  for (let i = 0; i < n; i++) at += HEADER + buf.readUInt32LE(at);
  return at;
}

function segmentName(n: number): string {
  return `wal-${String(n).padStart(16, '0')}.log`;
}

function segmentNumber(name: string): number {
  return Number(SEGMENT.exec(name)?.[1] ?? 0);
}

/** The report line for a log that stopped early. */
export function describeProblem(p: WalProblem, lastStep: number | null): string {
  const what = p.kind === 'torn' ? 'torn tail (a write the crash cut short)' : 'corrupt record';
  const upTo = lastStep === null ? 'no good record' : `the last good record (step ${lastStep})`;
  return `wal: ${p.segment} byte ${p.offset}: ${what}: ${p.reason}; recovery stops at ${upTo}, ${p.discarded} bytes set aside in *.discarded`;
}
