/**
 * The representative pages the HTML tests read (issue 20): a long explorer counterexample, the
 * minority-quorum one, invalid bundled traces, a stale-read history, an `:info`-heavy history
 * and a long history whose break is far to the right. Each is written by the `smr` command
 * itself, into a temporary directory.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { smr } from '../helpers/cli.js';

export const repo = (path: string) =>
  relative(process.cwd(), fileURLToPath(new URL(`../../${path}`, import.meta.url)));

export interface Pages {
  readonly dir: string;
  /** install-without-digest in the checkpoint scope: 31 steps, CheckpointSafety. */
  readonly long: string;
  readonly longReplay: string;
  /** minority-quorum in the default scope (the "Done when" page). */
  readonly minority: string;
  readonly deletedSend: string;
  readonly editedState: string;
  /** edited-join-used-early: fails at line 534, drawn from its last events. */
  readonly longTrace: string;
  readonly staleRead: string;
  readonly info: string;
  readonly wide: string;
}

async function run(expect: number, ...args: string[]): Promise<void> {
  const r = await smr(...args);
  if (r.code !== expect)
    throw new Error(`smr ${args.join(' ')}: exit ${r.code}, expected ${expect}\n${r.stderr}`);
}

export async function writePages(): Promise<Pages> {
  const dir = mkdtempSync(join(tmpdir(), 'smr-html-'));
  const at = (name: string) => join(dir, name);
  await run(
    1,
    ...['explore', '--checkpoint-every', '1', '--requests', '2', '--network', 'multiset'],
    ...['--faults', 'loss,dup,crash,corrupt', '--strategy', 'delay'],
    ...['--mutant', 'install-without-digest', '--out', at('long'), '--no-progress'],
  );
  await run(1, 'explore', '--mutant', 'minority-quorum', '--out', at('mq'), '--no-progress');
  await run(1, 'check-trace', repo('traces/invalid/deleted-send.ndjson'), '--html', at('t1.html'));
  await run(
    1,
    ...['check-trace', repo('traces/invalid/edited-state-accepted.ndjson')],
    ...['--html', at('t2.html')],
  );
  await run(
    1,
    ...['check-trace', repo('traces/invalid/edited-join-used-early.ndjson')],
    ...['--html', at('t3.html')],
  );
  await run(
    1,
    ...['lincheck', '--html', at('stale.html')],
    repo('test/data/lincheck/register-stale-read.log'),
  );
  writeFileSync(at('info.ndjson'), infoHistory());
  await run(0, 'lincheck', '--html', at('info.html'), at('info.ndjson'));
  writeFileSync(at('wide.ndjson'), wideHistory());
  await run(1, 'lincheck', '--html', at('wide.html'), at('wide.ndjson'));
  return {
    dir,
    long: at('long/counterexample.html'),
    longReplay: at('long/counterexample.replay.json'),
    minority: at('mq/counterexample.html'),
    deletedSend: at('t1.html'),
    editedState: at('t2.html'),
    longTrace: at('t3.html'),
    staleRead: at('stale.html'),
    info: at('info.html'),
    wide: at('wide.html'),
  };
}

const line = (process: string, input: object, rest: object) =>
  JSON.stringify({ process, input, ...rest });

/**
 * Linearizable only because an `:info` write may take effect after it "returned": p0's write of
 * 7 times out first, then 1 is written and read, then 7 is read. Twelve more writes time out
 * and are never read.
 */
export function infoHistory(): string {
  const out = [
    line('p0', { f: 'write', value: 7 }, { status: 'info', call: 0, ret: 1 }),
    line('p1', { f: 'write', value: 1 }, { output: null, call: 2, ret: 3 }),
    line('p2', { f: 'read' }, { output: 1, call: 4, ret: 5 }),
    line('p3', { f: 'read' }, { output: 7, call: 6, ret: 7 }),
  ];
  for (let k = 0; k < 12; k++)
    out.push(
      line(
        `q${k % 4}`,
        { f: 'write', value: 100 + k },
        { status: 'info', call: 8 + 2 * k, ret: 9 + 2 * k },
      ),
    );
  return out.join('\n') + '\n';
}

/** 400 operations that are fine, then a stale read: the break is far to the right. */
export function wideHistory(): string {
  const out: string[] = [];
  let t = 0;
  for (let k = 1; k <= 200; k++) {
    out.push(line('w', { f: 'write', value: k }, { output: null, call: t, ret: t + 1 }));
    out.push(line('r', { f: 'read' }, { output: k, call: t + 2, ret: t + 3 }));
    t += 4;
  }
  out.push(line('r', { f: 'read' }, { output: 3, call: t, ret: t + 1 }));
  return out.join('\n') + '\n';
}
