import { describe, expect, it } from 'vitest';
import { checkMessage } from '../../src/core/validate.js';
import { replica, recv, run } from './helpers.js';

const CONFIG = ['r1', 'r2', 'r3'];
const ballot = { round: 1, leader: 'r1' };
const cmd = { kind: 'op', client: 'c1', seq: 1, op: null };

describe('message validation (a reducer never trusts its inputs)', () => {
  it.each([
    [{ type: 'Prepare', from: 'r1', ballot, fromSlot: 0 }],
    [{ type: 'Promise', from: 'r2', ballot, accepted: [{ slot: 0, ballot, cmd }], checkpoint: 0 }],
    [{ type: 'Accept', from: 'r1', ballot, slot: 3, cmd: { kind: 'noop' } }],
    [{ type: 'Accepted', from: 'r2', ballot, slot: 3 }],
    [{ type: 'Decision', from: 'r1', slot: 0, cmd }],
    [
      {
        type: 'Heartbeat',
        from: 'r1',
        ballot: { round: 0, leader: '' },
        leading: false,
        chosenPrefix: 0,
      },
    ],
    [{ type: 'CatchUpRequest', from: 'r3', fromSlot: 2 }],
    [{ type: 'CatchUpRequest', from: 'r3', fromSlot: 2, versions: { x: 3 } }],
    [{ type: 'Accept', from: 'r1', ballot, slot: 3, cmd: { kind: 'checkpoint' } }],
    [
      {
        type: 'SnapshotChunk',
        from: 'r1',
        slot: 4,
        digest: 'abc',
        index: 0,
        count: 2,
        parts: [{ name: 'x', version: 2, value: 'v' }],
        names: ['x', 'y'],
        sessions: [{ client: 'c1', seq: 1, output: 'OK' }],
      },
    ],
    [
      {
        type: 'SnapshotChunk',
        from: 'r1',
        slot: 4,
        digest: 'abc',
        index: 1,
        count: 2,
        parts: [{ name: 'y', version: 1, value: 'w' }],
      },
    ],
    [{ type: 'CatchUpReply', from: 'r3', entries: [{ slot: 2, cmd }] }],
    [{ type: 'Request', from: 'c1', seq: 1, op: { any: ['json'] } }],
    [{ type: 'Reply', from: 'r1', to: 'c1', seq: 1, output: null }],
  ])('accepts the well-formed %j', (msg) => {
    expect(checkMessage(msg, CONFIG)).toBeNull();
  });

  it.each([
    [null, 'message is not an object'],
    [{ type: 'Gossip' }, 'unknown message type "Gossip"'],
    [
      { type: 'Prepare', from: 'r9', ballot, fromSlot: 0 },
      'Prepare.from "r9" is not in the configuration',
    ],
    [{ type: 'Prepare', from: 7, ballot, fromSlot: 0 }, 'Prepare.from is not a replica id'],
    [
      { type: 'Prepare', from: 'r1', ballot: { round: 1, leader: 'r7' }, fromSlot: 0 },
      'Prepare.ballot has a leader that "r7" is not in the configuration',
    ],
    [
      { type: 'Prepare', from: 'r1', ballot: { round: 0, leader: 'r1' }, fromSlot: 0 },
      'Prepare.ballot has a bad round',
    ],
    [
      { type: 'Prepare', from: 'r1', ballot: 'high', fromSlot: 0 },
      'Prepare.ballot is not a ballot',
    ],
    [
      { type: 'Prepare', from: 'r1', ballot, fromSlot: -1 },
      'Prepare.fromSlot is not a slot (an integer ≥ 0)',
    ],
    [
      { type: 'Accept', from: 'r1', ballot, slot: 0, cmd: { kind: 'explode' } },
      'Accept.cmd has an unknown kind',
    ],
    [{ type: 'Accept', from: 'r1', ballot, slot: 0, cmd: 5 }, 'Accept.cmd is not a command'],
    [
      { type: 'Accept', from: 'r1', ballot, slot: 0, cmd: { kind: 'op', client: 'c1', seq: 'x' } },
      'Accept.cmd is not a well-formed op',
    ],
    [
      { type: 'Accept', from: 'r1', ballot, slot: 0, cmd: { kind: 'op', client: 'c1', seq: 1 } },
      'Accept.cmd has no op',
    ],
    [{ type: 'Promise', from: 'r2', ballot, accepted: {} }, 'Promise.accepted is not a list'],
    [
      { type: 'Promise', from: 'r2', ballot, accepted: [] },
      'Promise.checkpoint is not a slot (an integer ≥ 0)',
    ],
    [
      { type: 'CatchUpRequest', from: 'r3', fromSlot: 2, versions: { x: 'new' } },
      'CatchUpRequest.versions .x is not an integer version',
    ],
    [
      { type: 'SnapshotChunk', from: 'r1', slot: 4, digest: 'abc', index: 0, count: 1, parts: [] },
      'SnapshotChunk chunk 0 must carry .names and .sessions',
    ],
    [
      {
        type: 'SnapshotChunk',
        from: 'r1',
        slot: 4,
        digest: 'abc',
        index: 2,
        count: 2,
        parts: [],
      },
      'SnapshotChunk.index is not below .count',
    ],
    [
      {
        type: 'SnapshotChunk',
        from: 'r1',
        slot: 4,
        digest: 7,
        index: 1,
        count: 2,
        parts: [],
      },
      'SnapshotChunk.digest is not a string',
    ],
    [
      { type: 'Promise', from: 'r2', ballot, accepted: [{ slot: 0, ballot }], checkpoint: 0 },
      'Promise.accepted [0] .cmd is not a command',
    ],
    [
      { type: 'Promise', from: 'r2', ballot, accepted: [7], checkpoint: 0 },
      'Promise.accepted [0] is not an object',
    ],
    [
      { type: 'Heartbeat', from: 'r1', ballot, leading: 'yes', chosenPrefix: 0 },
      'Heartbeat.leading is not a boolean',
    ],
    [
      { type: 'Request', from: 'r1', seq: 1, op: null },
      'Request.from is a replica, which may only ask to QUIT or JOIN itself',
    ],
    [
      { type: 'Request', from: 'r1', seq: 1, op: { type: 'quit', replica: 'r2' } },
      'Request.from is a replica, which may only ask to QUIT or JOIN itself',
    ],
    [
      { type: 'Request', from: 'r1', seq: 0, op: { type: 'quit', replica: 'r1' } },
      'Request.seq is not a sequence number (≥ 1)',
    ],
    [
      {
        type: 'Accept',
        from: 'r1',
        ballot,
        slot: 0,
        cmd: { kind: 'join', replica: 7, client: 'c', seq: 1 },
      },
      'Accept.cmd names no replica',
    ],
    [
      { type: 'Audit', from: 'r1', slot: 4, digest: 'x', echo: 'no' },
      'Audit.echo is not a boolean',
    ],
    [
      {
        type: 'SnapshotChunk',
        from: 'r1',
        slot: 4,
        digest: 'd',
        index: 0,
        count: 1,
        parts: [],
        names: [],
        sessions: [],
        membership: { epochs: [{ from: 0, members: ['r9'] }], rejoin: [] },
      },
      'SnapshotChunk.membership names a replica outside the deployment',
    ],
    [{ type: 'Request', from: '', seq: 1, op: null }, 'Request.from is not a client id'],
    [
      { type: 'Request', from: 'c1', seq: 0, op: null },
      'Request.seq is not a sequence number (≥ 1)',
    ],
  ])('rejects %j: %s', (msg, reason) => {
    expect(checkMessage(msg, CONFIG)).toBe(reason);
  });

  it('a replica rejects malformed input without changing state, and says why', () => {
    const state = replica('r2');
    const bad = run(state, [recv({ type: 'Prepare', from: 'r9', ballot, fromSlot: 0 } as never)]);
    expect(bad.state).toBe(state);
    expect(bad.effects).toEqual([
      { kind: 'Rejected', reason: 'Prepare.from "r9" is not in the configuration' },
    ]);
    expect(
      run(state, [recv({ type: 'Reply', from: 'r1', to: 'c1', seq: 1, output: null })]).effects[0],
    ).toEqual({ kind: 'Rejected', reason: 'replicas do not take Reply messages' });
    expect(run(state, [{ kind: 'ClientRequest', op: null }]).effects[0]?.kind).toBe('Rejected');
  });
});
