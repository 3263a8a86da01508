/**
 * The spec's network, `msgs`: every message ever sent (spec/Smr.tla — loss is "never received",
 * duplication "received twice"). Candidate states share it as a chain of layers: the root holds
 * what every live candidate agrees on, a child layer what one branch added. With one candidate
 * (the usual case when messages are logged) everything lives in the root and the chain is
 * empty, so `m \in msgs` is one Map lookup.
 */
import type { Msg } from './values.js';

/** A message in `msgs`, with the event that first sent it (for clock checks and reports). */
export interface SendRecord {
  readonly msg: Msg;
  /** The sending event's Lamport clock, or -1 (vector clock, or a hidden step). */
  readonly lamport: number;
  /** The sending event's vector clock entry for its own node, or -1. */
  readonly vcOwn: number;
  readonly node: string;
  readonly file: string;
  readonly line: number;
}

/** Index keys for finding messages when an event did not log which one it consumed. */
export function indexKeysOf(msg: Msg): readonly string[] {
  switch (msg.type) {
    case 'Prepare':
      return ['Prepare'];
    case 'Promise':
      return [`Promise|${msg.bal}`];
    case 'Accept':
      return ['Accept', `Accept|${msg.slot}`];
    case 'Accepted':
      return ['Accepted', `Accepted|${msg.slot}`];
    case 'Decision':
    case 'Snapshot':
      return [];
    case 'Request':
      return ['Request', `Request|${msg.from}|${msg.seq}`];
    case 'Reply':
      return [`Reply|${msg.to}|${msg.seq}`];
    case 'Audit':
      return ['Audit', `Audit|${msg.slot}`];
  }
}

export class Net {
  private readonly own = new Map<string, SendRecord>();
  /** Built on first use: only checking events that did not log their message needs it. */
  private index: Map<string, SendRecord[]> | null = null;
  private ownHash: number | undefined;
  /** `client|seq` of every Request here, whatever its op (ReplyFromSession, Phase2a ask that). */
  private readonly requests = new Set<string>();
  readonly depth: number;

  constructor(readonly parent: Net | null = null) {
    this.depth = parent === null ? 0 : parent.depth + 1;
  }

  // The chain is walked by recursion: it is at most a few layers deep (checker.ts squashes it).
  get(key: string): SendRecord | undefined {
    const found = this.own.get(key);
    return found !== undefined || this.parent === null ? found : this.parent.get(key);
  }

  /** Only for a layer no other candidate can see (a fresh child, or the root of a lone candidate). */
  add(record: SendRecord): void {
    if (this.get(record.msg.key) !== undefined) return;
    this.own.set(record.msg.key, record);
    // Once someone asked for the hash, keep it up to date (XOR is incremental).
    if (this.ownHash !== undefined) this.ownHash ^= hashString(record.msg.key);
    if (record.msg.type === 'Request') this.requests.add(`${record.msg.from}|${record.msg.seq}`);
    if (this.index !== null) file(this.index, record);
  }

  /** Was a Request of this client and seq sent (with any op)? Requests are never pruned. */
  requested(client: string, seq: number): boolean {
    return this.requests.has(`${client}|${seq}`) || (this.parent?.requested(client, seq) ?? false);
  }

  /** Every message filed under an index key, across the chain. */
  select(indexKey: string, out: SendRecord[] = []): SendRecord[] {
    if (this.index === null) {
      this.index = new Map();
      for (const r of this.own.values()) file(this.index, r);
    }
    const list = this.index.get(indexKey);
    if (list !== undefined) for (const r of list) out.push(r);
    return this.parent === null ? out : this.parent.select(indexKey, out);
  }

  /** An order-independent hash of every message in the chain (for bucketing candidates). */
  hash(): number {
    if (this.ownHash === undefined) {
      let x = 0;
      for (const key of this.own.keys()) x ^= hashString(key);
      this.ownHash = x;
    }
    return this.parent === null ? this.ownHash : this.ownHash ^ this.parent.hash();
  }

  get ownSize(): number {
    return this.own.size;
  }

  /** Everything above `stop` (exclusive), newest layer first. */
  *above(stop: Net | null): IterableIterator<SendRecord> {
    if (this === stop) return;
    yield* this.own.values();
    if (this.parent !== null) yield* this.parent.above(stop);
  }

  root(): Net {
    return this.parent === null ? this : this.parent.root();
  }

  /** Drop messages no candidate can ever receive again; only on the root of a lone candidate. */
  prune(dead: (msg: Msg) => boolean): number {
    let removed = 0;
    for (const [key, record] of this.own) {
      if (!dead(record.msg)) continue;
      this.own.delete(key);
      if (record.msg.type === 'Request') this.requests.delete(`${record.msg.from}|${record.msg.seq}`);
      removed++;
    }
    if (removed > 0) {
      this.ownHash = undefined;
      this.index = null;
    }
    return removed;
  }
}

function file(index: Map<string, SendRecord[]>, record: SendRecord): void {
  for (const k of indexKeysOf(record.msg)) {
    const list = index.get(k);
    if (list === undefined) index.set(k, [record]);
    else list.push(record);
  }
}

/** Do two chains hold the same messages? (Candidates are merged only when states are equal.) */
export function sameNet(a: Net, b: Net): boolean {
  if (a === b) return true;
  const common = commonAncestor(a, b);
  // `add` never files a key its chain already holds, so keys above the common layer are new.
  const keys = (n: Net): Set<string> => {
    const out = new Set<string>();
    for (const r of n.above(common)) out.add(r.msg.key);
    return out;
  };
  const x = keys(a);
  const y = keys(b);
  if (x.size !== y.size) return false;
  for (const k of x) if (!y.has(k)) return false;
  return true;
}

function commonAncestor(a: Net, b: Net): Net | null {
  const seen = new Set<Net>();
  for (let l: Net | null = a; l !== null; l = l.parent) seen.add(l);
  for (let l: Net | null = b; l !== null; l = l.parent) if (seen.has(l)) return l;
  return null;
}

/** FNV-1a, 32 bits: a fast string hash for bucketing (equality is always checked exactly). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
