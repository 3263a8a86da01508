/**
 * The file operations the write-ahead log and snapshots use, behind one interface so that tests
 * can record their order (an fsync before any send that follows a Persist) or fail them. All
 * synchronous: a replica process does nothing useful while its own fsync runs (the kernel
 * queues what the network brings meanwhile, and the next batch takes it: group commit).
 */
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';

export interface FsLayer {
  /** Opens `path` for appending (created if missing); returns a descriptor. */
  openAppend(path: string): number;
  write(fd: number, data: Uint8Array): void;
  /** Makes what was written to `fd` durable (fdatasync: the data and the size). */
  sync(fd: number): void;
  close(fd: number): void;
  readFile(path: string): Buffer;
  exists(path: string): boolean;
  list(dir: string): string[];
  mkdirp(dir: string): void;
  truncate(path: string, length: number): void;
  rename(from: string, to: string): void;
  unlink(path: string): void;
  /** Makes a directory's entries durable (a created, renamed or removed file). */
  syncDir(dir: string): void;
}

export const NODE_FS: FsLayer = {
  openAppend: (path) => openSync(path, 'a'),
  write(fd, data) {
    let done = 0;
    while (done < data.length) done += writeSync(fd, data, done, data.length - done);
  },
  sync: (fd) => fdatasyncSync(fd),
  close: (fd) => closeSync(fd),
  readFile: (path) => readFileSync(path),
  exists: (path) => existsSync(path),
  list: (dir) => readdirSync(dir).sort(),
  mkdirp: (dir) => void mkdirSync(dir, { recursive: true }),
  truncate: (path, length) => truncateSync(path, length),
  rename: (from, to) => renameSync(from, to),
  unlink: (path) => unlinkSync(path),
  syncDir(dir) {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
};

/** `fs` with fsync turned into a no-op (`smr serve --no-fsync`, for measuring what it costs). */
export function withoutSync(fs: FsLayer): FsLayer {
  return { ...fs, sync: () => undefined, syncDir: () => undefined };
}
