/**
 * The TLC output parser on captured output (test/data/tlc/*.txt: real `-tool` output of TLC and
 * SANY from the tlaplus/tlaplus build, on small models and on MCSmr_F1).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseErrorsOf,
  parseTlcOutput,
  parseTraceState,
  splitMessages,
  statusOfExitCode,
} from '../../../harness/tlc/parse.js';

const fixture = (name: string): string =>
  readFileSync(join(import.meta.dirname, '..', '..', 'data', 'tlc', `${name}.txt`), 'utf8');

describe('TLC exit codes (tlc2.output.EC.ExitStatus)', () => {
  it('maps each code the runner relies on', () => {
    expect([0, 10, 11, 12, 13, 14, 75, 150, 151, 1].map(statusOfExitCode)).toEqual([
      'ok',
      'assumption',
      'deadlock',
      'safety',
      'liveness',
      'assert',
      'evaluation-error',
      'parse-error',
      'config-error',
      'error',
    ]);
  });
});

describe('parseTlcOutput on captured -tool output', () => {
  it('a model that checks: counts and depth, no violation', () => {
    const out = parseTlcOutput(fixture('ok'));
    expect(out).toMatchObject({
      generatedStates: 19,
      distinctStates: 12,
      queuedStates: 0,
      depth: 6,
    });
    expect(out.violation).toBeUndefined();
    expect(out.trace).toEqual([]);
    expect(out.errors).toEqual([]);
  });

  it('MCSmr_F1: the counts spec/README.md records', () => {
    const out = parseTlcOutput(fixture('mcsmr-f1-ok'));
    expect(out).toMatchObject({ distinctStates: 45266, generatedStates: 194995, depth: 28 });
    expect(out.violation).toBeUndefined();
  });

  it('an invariant violation: its name and the error trace with actions and variables', () => {
    const out = parseTlcOutput(fixture('invariant-violated'));
    expect(out.violation).toEqual({
      kind: 'invariant',
      name: 'Small',
      message: 'Invariant Small is violated.',
    });
    expect(out.trace.map((s) => s.action)).toEqual([
      'Initial predicate',
      'IncX',
      'IncX',
      'IncX',
      'IncY',
    ]);
    expect(out.trace[4]).toEqual({
      index: 5,
      action: 'IncY',
      label: 'IncY(1)',
      location: { module: 'Toy', line: 6, column: 12 },
      vars: { x: '3', y: '1' },
    });
    expect(out.trace[0]?.location).toBeUndefined();
    expect(out.distinctStates).toBe(11);
  });

  it('an action property violation (TLC exits 13)', () => {
    const out = parseTlcOutput(fixture('action-property-violated'));
    expect(out.violation).toMatchObject({ kind: 'action-property', name: 'YGrows' });
    expect(out.trace).toHaveLength(2);
  });

  it('a deadlock', () => {
    const out = parseTlcOutput(fixture('deadlock'));
    expect(out.violation).toMatchObject({ kind: 'deadlock' });
    expect(out.trace.at(-1)?.vars).toEqual({ x: '3', y: '0' });
  });

  it('an evaluation error', () => {
    const out = parseTlcOutput(fixture('evaluation-error'));
    expect(out.violation?.kind).toBe('evaluation');
    expect(out.violation?.message).toContain('Attempted to check equality of integer 1');
  });

  it('a config error names the missing invariant', () => {
    const out = parseTlcOutput(fixture('config-error'));
    expect(out.errors.join('\n')).toContain(
      'The invariant Nope specified in the configuration file',
    );
  });

  it("a parse error in TLC's copy of SANY's output", () => {
    const out = parseTlcOutput(fixture('parse-error'));
    expect(out.errors[0]).toMatch(/^Parse Error: Was expecting "Expression or Instance"/);
  });
});

describe("SANY's plain output", () => {
  it('a parse error', () => {
    expect(parseErrorsOf(fixture('sany-parse-error'))).toEqual([
      expect.stringMatching(
        /^Parse Error: Was expecting "Expression or Instance"\nEncountered "Beginning of definition" at line 9, column 10/,
      ),
    ]);
  });
  it('a semantic error, on one line', () => {
    expect(parseErrorsOf(fixture('sany-semantic-error'))).toEqual([
      "Semantic error: line 9, col 10 to line 9, col 10 of module Sem Unknown operator: `z'.",
    ]);
  });
  it('no error', () => {
    expect(parseErrorsOf(fixture('sany-ok'))).toEqual([]);
  });
});

describe('message framing', () => {
  it('splits messages and keeps the text between them', () => {
    const text =
      'before\n@!@!@STARTMSG 2110:1 @!@!@\nInvariant X is violated.\n@!@!@ENDMSG 2110 @!@!@\nafter\n';
    expect(splitMessages(text)).toEqual({
      messages: [{ code: 2110, severity: 1, text: 'Invariant X is violated.' }],
      rest: 'before\n\nafter\n',
    });
  });
  it('reads a multi-line variable value and an action with arguments', () => {
    const state = parseTraceState(
      '3: <Phase1b("r2", [type |-> "Prepare"]) line 270, col 3 to line 277, col 80 of module Smr>\n/\\ msgs = { [type |-> "Prepare",\n      from |-> "r1"] }\n/\\ x = 1\n',
    );
    expect(state).toMatchObject({
      action: 'Phase1b',
      vars: { msgs: '{ [type |-> "Prepare",\n      from |-> "r1"] }', x: '1' },
      location: { module: 'Smr', line: 270, column: 3 },
    });
    expect(parseTraceState('not a state')).toBeNull();
  });
});
