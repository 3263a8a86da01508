/**
 * Checks that run in CI without Java (issue 4, item 6): every spec/*.tla parses with the
 * tree-sitter TLA+ grammar, and Smr.tla declares exactly the variables, actions, invariants and
 * properties that the TS twin (src/spec) exports — with each action's TLA+ text quoted verbatim
 * above the twin function of the same name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/spec/actions.js';
import { PROPERTIES, STATE_INVARIANTS } from '../../src/spec/invariants.js';
import { SPEC_MODEL_LIST } from '../../src/spec/models.js';
import { VARIABLES } from '../../src/spec/names.js';
import { actionsOf, cfgSection, declaredVariables, definitions, definitionText, syntaxProblems, tlaParser } from './tla.js';

const SPEC = join(import.meta.dirname, '..', '..', 'spec');
const SRC = join(import.meta.dirname, '..', '..', 'src', 'spec');
const read = (file: string): string => readFileSync(join(SPEC, file), 'utf8');

async function smr() {
  const tree = (await tlaParser()).parse(read('Smr.tla'));
  if (tree === null) throw new Error('tree-sitter returned no tree');
  return tree.rootNode;
}

describe('every spec/*.tla parses with tree-sitter-tlaplus', () => {
  const files = readdirSync(SPEC).filter((f) => f.endsWith('.tla'));
  it('finds the modules', () => {
    expect(files).toEqual(expect.arrayContaining(['Smr.tla', 'Consensus.tla', 'MCSmr_F1.tla', 'MCSmr_F2.tla']));
  });
  for (const file of files) {
    it(`${file} has no ERROR or MISSING node`, async () => {
      const tree = (await tlaParser()).parse(read(file));
      expect(tree).not.toBeNull();
      expect(syntaxProblems(tree!.rootNode)).toEqual([]);
    });
  }
  it('reports a broken module (the check can fail)', async () => {
    const tree = (await tlaParser()).parse('---- MODULE X ----\nA == 1 +\n====\n');
    expect(syntaxProblems(tree!.rootNode).length).toBeGreaterThan(0);
  });
});

describe('Smr.tla and the TS twin declare the same names (STYLE.md §5)', () => {
  it('VARIABLES, in order', async () => {
    expect(declaredVariables(await smr())).toEqual([...VARIABLES]);
  });

  it('the actions of Next', async () => {
    const actions = actionsOf(definitions(await smr()), 'Next', ['ReplicaStep', 'ClientStep']);
    expect([...actions].sort()).toEqual([...ACTIONS].sort());
  });

  it('the follow-up actions of AtomicNext are actions of Next', async () => {
    const defs = definitions(await smr());
    const follow = [...actionsOf(defs, 'FollowUp', [])].filter((a) => (ACTIONS as readonly string[]).includes(a));
    expect(follow.sort()).toEqual([
      'Audit',
      'BecomeLeader',
      'Checkpoint',
      'Decide',
      'Execute',
      'Phase2a',
      'Reconfigure',
      'StepDown',
    ]);
  });

  for (const model of SPEC_MODEL_LIST) {
    it(`${model.module}.cfg checks the twin's invariants and properties, all defined in Smr.tla`, async () => {
      const cfg = read(`${model.module}.cfg`);
      expect(cfgSection(cfg, 'INVARIANTS')).toEqual([...STATE_INVARIANTS]);
      expect(cfgSection(cfg, 'PROPERTIES')).toEqual([...PROPERTIES]);
      const defs = definitions(await smr());
      for (const name of [...STATE_INVARIANTS, ...PROPERTIES]) expect(defs.has(name), name).toBe(true);
    });

    it(`${model.module} has the twin's constants`, () => {
      const cfg = read(`${model.module}.cfg`);
      const mc = read(`${model.module}.tla`);
      const k = model.constants;
      const constant = (name: string) => new RegExp(`^\\s*${name} = (\\d+)`, 'm').exec(cfg)?.[1];
      expect(Number(constant('MaxSeq'))).toBe(k.maxSeq);
      expect(Number(constant('NumSlots'))).toBe(k.numSlots);
      expect(Number(constant('MaxBallot'))).toBe(k.maxBallot);
      expect(Number(constant('Alpha'))).toBe(k.alpha ?? k.numSlots);
      expect(Number(constant('AuditEvery'))).toBe(k.auditEvery ?? 0);
      const list = (name: string) =>
        (new RegExp(`^${name} == [<{]+(.*?)[>}]+$`, 'm').exec(mc)?.[1] ?? '')
          .split(',')
          .filter((s) => s.trim() !== '')
          .map((s) => JSON.parse(s.trim()) as string);
      expect(list('MCReplicaSeq')).toEqual(k.replicas);
      expect(list('MCClients').sort()).toEqual([...k.clients].sort());
      expect(list('MCCrashable').sort()).toEqual([...model.crashable].sort());
      if (k.members0 !== undefined) expect(list('MCMembers0').sort()).toEqual([...k.members0].sort());
      // Every JOIN or QUIT of the twin's script is in MCScript, in order.
      const script = /^MCScript == (.*?)\n\n/ms.exec(mc)?.[1] ?? '';
      const asked = [...script.matchAll(/kind \|-> "(\w+)"(?:, replica \|-> "(\w+)")?/g)].map(
        (m) => (m[2] === undefined ? m[1] : `${m[1]} ${m[2]}`),
      );
      const expected = Object.values(k.script ?? {}).flatMap((entries) =>
        entries.map((e) => (e.kind === 'op' ? 'op' : `${e.kind} ${e.replica}`)),
      );
      expect(asked).toEqual(expected.length > 0 ? expected : ['op']);
    });
  }

  it('each twin action quotes its TLA+ definition verbatim in a comment', async () => {
    const defs = definitions(await smr());
    const sources = readdirSync(SRC)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(join(SRC, f), 'utf8'))
      .join('\n');
    for (const name of [...ACTIONS, 'FollowUp', 'AtomicNext']) {
      const def = defs.get(name);
      const text = def === undefined ? undefined : definitionText(def);
      expect(text, `${name} is defined in Smr.tla`).toBeDefined();
      expect(sources.includes(`/*\n${text}\n*/`), `${name}: the comment above the twin function differs from Smr.tla`).toBe(true);
    }
  });
});
