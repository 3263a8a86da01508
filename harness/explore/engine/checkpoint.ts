/**
 * Checkpoints (TLC's `-checkpoint` / `-recover`): when `--memory-limit` stops a search, the
 * visited fingerprints, the parent pointers and the unexpanded states are written to one NDJSON
 * file; `--resume FILE` continues from it. The header names the model and the search bounds, so
 * a checkpoint is never resumed against a different scope.
 */
import { closeSync, createReadStream, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { canonicalEncode } from '../../../src/core/canonical.js';
import type { ModelSpec } from '../model-spec.js';
import type { Protocol } from '../../../src/spec/transition-system.js';
import { CheckpointError } from './checkpoint-error.js';
import { base64ToWords, fromJson, wordsToBase64 } from './codec.js';
import { FrontierFile } from './frontier-file.js';

export { CheckpointError } from './checkpoint-error.js';

export const CHECKPOINT_FORMAT = 'smr-explore-checkpoint';
/**
 * 2: frontier states carry their component hashes under every client renaming. 3: a compact
 * frontier (header `compact`): the protocol's plain states, with the parts they share once.
 */
export const CHECKPOINT_VERSION = 3;

/** What must match between the run that wrote a checkpoint and the run that resumes it. */
export interface SearchIdentity {
  readonly spec: ModelSpec;
  readonly maxDepth: number | null;
  readonly shard: string | null;
}

export interface CheckpointStats {
  readonly distinct: number;
  readonly transitions: number;
  readonly depth: number;
  readonly elapsedMs: number;
}

export interface CheckpointHeader extends SearchIdentity {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: typeof CHECKPOINT_VERSION;
  readonly stats: CheckpointStats;
  /** True once the frontier was cut down to this shard. */
  readonly sharded: boolean;
  /**
   * The frontier holds the protocol's plain states (Protocol.plainStates), which refer to the
   * `part` lines (Protocol.sharedParts); otherwise exported states, each whole.
   */
  readonly compact: boolean;
}

const CHUNK_WORDS = 1 << 18;

/** Appends checkpoint lines to a file, synchronously (workers write their own parts). */
/**
 * A checkpoint is written (by this thread, then appended to by each worker) under a temporary
 * name and renamed when complete, so a file at the checkpoint path is always a whole one.
 */
export const partialCheckpointPath = (path: string): string => `${path}.partial`;

export function commitCheckpoint(path: string): void {
  renameSync(partialCheckpointPath(path), path);
}

export class CheckpointWriter {
  private readonly fd: number;

  constructor(
    readonly path: string,
    append = false,
  ) {
    if (!append) mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, append ? 'a' : 'w');
  }

  private line(text: string): void {
    writeSync(this.fd, text + '\n');
  }

  /** The header line; the writer stamps the format and its version. */
  header(h: Omit<CheckpointHeader, 'format' | 'version'>): void {
    const stamped: CheckpointHeader = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      ...h,
    };
    this.line(JSON.stringify(stamped));
  }

  words(kind: 'visited' | 'parents', words: Uint32Array): void {
    for (let at = 0; at < words.length; at += CHUNK_WORDS)
      this.line(`{"${kind}":"${wordsToBase64(words.subarray(at, at + CHUNK_WORDS))}"}`);
  }

  /** Fingerprints as (hi, lo) pairs, streamed in chunks. */
  fingerprints(entries: Iterable<readonly [number, number]>): void {
    let chunk = new Uint32Array(CHUNK_WORDS);
    let n = 0;
    for (const [hi, lo] of entries) {
      chunk[n++] = hi;
      chunk[n++] = lo;
      if (n === CHUNK_WORDS) {
        this.words('visited', chunk);
        chunk = new Uint32Array(CHUNK_WORDS);
        n = 0;
      }
    }
    if (n > 0) this.words('visited', chunk.subarray(0, n));
  }

  /** Frontier states (SearchShard.pendingLines) or shared parts, already as JSON. */
  lines(kind: 'current' | 'next' | 'part', lines: Iterable<string>): void {
    for (const line of lines) this.line(`{"${kind}":${line}}`);
  }

  close(): void {
    closeSync(this.fd);
  }
}

export interface Checkpoint {
  readonly header: CheckpointHeader;
  readonly visited: Uint32Array[];
  readonly parents: Uint32Array[];
  /**
   * The frontier, copied to files in the spill directory instead of memory (it is most of a
   * checkpoint: resuming with it in memory would pass the same --memory-limit again).
   */
  readonly current: FrontierFile;
  readonly next: FrontierFile;
  /** A compact checkpoint's shared parts (header.compact), or null. */
  readonly parts: unknown[] | null;
}

/**
 * How to read a compact checkpoint's states into `protocol` (its parts interned there), or
 * null for a checkpoint of exported states.
 */
export function remapFor<W>(
  protocol: Protocol<W, unknown>,
  checkpoint: Checkpoint,
): ((world: W) => W) | null {
  if (checkpoint.parts === null) return null;
  if (protocol.importParts === undefined)
    throw new CheckpointError(
      `--resume: the checkpoint is compact, and ${protocol.name} cannot read it`,
    );
  return protocol.importParts(checkpoint.parts);
}

export async function readCheckpoint(
  path: string,
  expected: SearchIdentity,
  spillDir: string,
): Promise<Checkpoint> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) =>
    stream.on('error', (e) =>
      reject(new CheckpointError(`--resume: cannot read ${path}: ${e.message}`)),
    ),
  );
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const read = (async (): Promise<Checkpoint> => {
    let header: CheckpointHeader | undefined;
    const out = { visited: [] as Uint32Array[], parents: [] as Uint32Array[] };
    const current = new FrontierFile(join(spillDir, 'resumed-current.ndjson'));
    const next = new FrontierFile(join(spillDir, 'resumed-next.ndjson'));
    const parts: unknown[] = [];
    let n = 0;
    for await (const line of lines) {
      n++;
      if (line === '') continue;
      // Frontier lines (most of a checkpoint) are copied as they are, unparsed: a state that
      // is not JSON is found when the search reads it back (SearchShard.readLine).
      const kind = header === undefined ? undefined : frontierKind(line);
      if (kind !== undefined) {
        (kind === 'current' ? current : next).append([line.slice(kind.length + 4, -1)]);
        continue;
      }
      let record: Record<string, unknown>;
      try {
        record = fromJson(line) as Record<string, unknown>;
      } catch {
        throw new CheckpointError(`--resume: ${path}:${n}: not JSON`);
      }
      if (header === undefined) {
        header = checkHeader(path, record, expected);
        continue;
      }
      if (record['part'] !== undefined) parts.push(record['part']);
      else if (typeof record['visited'] === 'string')
        out.visited.push(base64ToWords(record['visited']));
      else if (typeof record['parents'] === 'string')
        out.parents.push(base64ToWords(record['parents']));
      else throw new CheckpointError(`--resume: ${path}:${n}: unknown record`);
    }
    if (header === undefined) throw new CheckpointError(`--resume: ${path} is empty`);
    return { header, ...out, current, next, parts: header.compact ? parts : null };
  })();
  return Promise.race([read, failed]);
}

/** 'current' or 'next' for a frontier line as CheckpointWriter writes them. */
function frontierKind(line: string): 'current' | 'next' | undefined {
  if (!line.endsWith('}')) return undefined;
  if (line.startsWith('{"current":')) return 'current';
  if (line.startsWith('{"next":')) return 'next';
  return undefined;
}

function checkHeader(
  path: string,
  record: Record<string, unknown>,
  expected: SearchIdentity,
): CheckpointHeader {
  if (record['format'] !== CHECKPOINT_FORMAT)
    throw new CheckpointError(`--resume: ${path} is not an smr explore checkpoint`);
  if (record['version'] !== CHECKPOINT_VERSION)
    throw new CheckpointError(
      `--resume: ${path} has checkpoint version ${String(record['version'])}, expected ${CHECKPOINT_VERSION} (written by another smr release: run the search again)`,
    );
  const header = record as unknown as CheckpointHeader;
  const mine = canonicalEncode(identity(expected));
  if (canonicalEncode(identity(header)) !== mine)
    throw new CheckpointError(
      `--resume: ${path} was written for another model or scope (${canonicalEncode(identity(header))}); this run is ${mine}`,
    );
  return header;
}

const identity = (s: SearchIdentity): unknown => ({
  spec: s.spec,
  maxDepth: s.maxDepth,
  shard: s.shard,
});
