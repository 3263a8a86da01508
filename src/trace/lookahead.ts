/**
 * When an event consumes a message nobody sent, the trace is invalid — unless the send is
 * further on: then the order (or the clocks that made it) put a receive before its send, a
 * clock anomaly the issue asks to report as bad input. Only on that failure path do we read on;
 * a bad line further on ends the search quietly (the spec failure came first).
 */
import { InputError } from '../errors.js';
import type { EventSource } from './merge.js';
import type { Msg } from '../spec/values.js';
import type { ParsedEvent } from './parse-event.js';

export function lookAheadForSend(
  source: EventSource,
  receive: ParsedEvent,
  missing: Msg,
  what: string,
): void {
  for (;;) {
    let ev: ParsedEvent | null;
    try {
      ev = source.next();
    } catch {
      return;
    }
    if (ev === null) return;
    if (!sends(ev, missing)) continue;
    const clock = (e: ParsedEvent): string =>
      e.vc === null ? `clock ${e.lamport}` : `clock ${JSON.stringify(e.vc)}`;
    throw new InputError(
      receive.file,
      receive.line,
      `clock anomaly: ${receive.node} ${receive.action} (${clock(receive)}) receives ${what}, which is sent only later, at ${ev.file}:${ev.line} by ${ev.node} ${ev.action} (${clock(ev)}): a receive before its send`,
    );
  }
}

/** Does this event send `m` (logged, or as the spec's effect of the action it names)? */
function sends(ev: ParsedEvent, m: Msg): boolean {
  const logged = ev.msg;
  switch (m.type) {
    case 'Prepare':
      return ev.action === 'Phase1a' && logged?.key === m.key;
    case 'Accept':
      return ev.action === 'Phase2a' && logged?.key === m.key;
    case 'Request':
      return ev.action === 'ClientRequest' && logged?.key === m.key;
    case 'Reply':
      return (
        (ev.action === 'Execute' ||
          ev.action === 'Reconfigure' ||
          ev.action === 'ReplyFromSession') &&
        logged?.key === m.key
      );
    case 'Audit':
      return ev.action === 'Audit' && logged?.key === m.key;
    case 'Promise':
      return (
        ev.action === 'Phase1b' &&
        ev.node === m.from &&
        logged?.type === 'Prepare' &&
        logged.bal === m.bal
      );
    case 'Accepted':
      return (
        ev.action === 'Phase2b' &&
        ev.node === m.from &&
        logged?.type === 'Accept' &&
        logged.bal === m.bal &&
        logged.slot === m.slot
      );
    case 'Snapshot':
      return ev.action === 'Checkpoint' && logged?.key === m.key;
    case 'Decision':
      return (
        (ev.action === 'Decide' || ev.action === 'Learn') &&
        ev.node === m.from &&
        logged?.type === 'Decision' &&
        logged.slot === m.slot &&
        logged.cmd.key === m.cmd.key
      );
  }
}
