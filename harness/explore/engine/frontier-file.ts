/**
 * A breadth-first level's states kept on disk instead of in memory (TLC's DiskStateQueue):
 * under `--memory-limit` the level being built is appended to a file, one exported state per
 * line, and read back a chunk at a time when its turn comes. The order of states within a
 * level does not matter to BFS, so spilling changes no count and no depth.
 */
import { closeSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/** Bytes buffered before a write, and read at a time. */
const IO_BYTES = 1 << 20;

export class FrontierFile {
  private readonly fd: number;
  private pending: string[] = [];
  private pendingBytes = 0;
  count = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w');
  }

  /** Append lines (each one state's JSON, without a newline). */
  append(lines: Iterable<string>): void {
    for (const line of lines) {
      this.pending.push(line);
      this.pendingBytes += line.length + 1;
      this.count++;
      if (this.pendingBytes >= IO_BYTES) this.flush();
    }
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    writeSync(this.fd, this.pending.join('\n') + '\n');
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Done writing: read it back from the start. */
  finish(): FrontierReader {
    this.flush();
    closeSync(this.fd);
    return new FrontierReader(this.path, this.count);
  }

  /** Abandon it (the search ended). */
  discard(): void {
    closeSync(this.fd);
    rmSync(this.path, { force: true });
  }
}

export class FrontierReader {
  private readonly fd: number;
  private readonly buffer = Buffer.alloc(IO_BYTES);
  private readonly decoder = new StringDecoder('utf8');
  private lines: string[] = [];
  private next = 0;
  private partial = '';
  private ended = false;

  constructor(
    readonly path: string,
    /** Lines not read yet. */
    public unread: number,
  ) {
    this.fd = openSync(path, 'r');
  }

  /** Up to `max` more lines, in order; none at the end. */
  read(max: number): string[] {
    const out: string[] = [];
    while (out.length < max) {
      if (this.next < this.lines.length) {
        out.push(this.lines[this.next++] as string);
        continue;
      }
      if (this.ended) break;
      const n = readSync(this.fd, this.buffer, 0, IO_BYTES, null);
      const text =
        this.partial +
        (n === 0 ? this.decoder.end() : this.decoder.write(this.buffer.subarray(0, n)));
      this.lines = text.split('\n');
      this.partial = n === 0 ? '' : (this.lines.pop() as string);
      this.next = 0;
      if (n === 0) {
        this.ended = true;
        this.lines = this.lines.filter((line) => line !== '');
      }
    }
    this.unread -= out.length;
    return out;
  }

  /** Every line not read yet (for a checkpoint), without keeping them. */
  *rest(): Generator<string> {
    for (let chunk = this.read(4096); chunk.length > 0; chunk = this.read(4096)) yield* chunk;
  }

  /** Close and delete the file. */
  close(): void {
    closeSync(this.fd);
    rmSync(this.path, { force: true });
  }
}
