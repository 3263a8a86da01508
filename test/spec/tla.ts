/**
 * Reading spec/*.tla without Java: tree-sitter's TLA+ grammar (@tlaplus/tree-sitter-tlaplus,
 * compiled to wasm) and a few queries over the syntax tree.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Language, Parser, type Node } from 'web-tree-sitter';

const require = createRequire(import.meta.url);
let parser: Promise<Parser> | undefined;

export function tlaParser(): Promise<Parser> {
  parser ??= (async () => {
    await Parser.init();
    const wasm = require.resolve('@tlaplus/tree-sitter-tlaplus/tree-sitter-tlaplus.wasm');
    const p = new Parser();
    p.setLanguage(await Language.load(readFileSync(wasm)));
    return p;
  })();
  return parser;
}

export interface SyntaxProblem {
  readonly kind: 'ERROR' | 'MISSING';
  readonly line: number;
  readonly column: number;
  readonly text: string;
}

/** Every ERROR and MISSING node, with its 1-based position. */
export function syntaxProblems(root: Node): SyntaxProblem[] {
  const out: SyntaxProblem[] = [];
  const walk = (n: Node): void => {
    if (n.type === 'ERROR' || n.isMissing) {
      out.push({
        kind: n.isMissing ? 'MISSING' : 'ERROR',
        line: n.startPosition.row + 1,
        column: n.startPosition.column + 1,
        text: n.text.slice(0, 60),
      });
    }
    for (const c of n.children) if (c !== null) walk(c);
  };
  walk(root);
  return out;
}

const moduleBody = (root: Node): Node[] =>
  (root.namedChildren[0]?.namedChildren ?? []).filter((n): n is Node => n !== null);

/** The names in VARIABLE(S) declarations, in order. */
export function declaredVariables(root: Node): string[] {
  return moduleBody(root)
    .filter((n) => n.type === 'variable_declaration')
    .flatMap((n) => n.namedChildren.filter((c): c is Node => c?.type === 'identifier').map((c) => c.text));
}

/** Top-level operator definitions by name. */
export function definitions(root: Node): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const n of moduleBody(root)) {
    if (n.type !== 'operator_definition') continue;
    const name = n.namedChildren[0];
    if (name?.type === 'identifier') out.set(name.text, n);
  }
  return out;
}

/**
 * A definition's own text. The grammar attaches the comments that follow a definition to its
 * node, so the text stops at the first blank line (Smr.tla's definitions have none inside).
 */
export function definitionText(def: Node): string {
  return (def.text.split(/\r?\n[ \t]*\r?\n/)[0] ?? '').replace(/\s+$/, '');
}

/** The operators applied (or referenced) in a definition's body. */
export function referencedNames(def: Node): Set<string> {
  const out = new Set<string>();
  const walk = (n: Node): void => {
    if (n.type === 'identifier_ref') out.add(n.text);
    for (const c of n.namedChildren) if (c !== null) walk(c);
  };
  for (const c of def.namedChildren.slice(1)) if (c !== null) walk(c);
  return out;
}

/** The actions of a next-state relation: definitions it uses, expanding the named groups. */
export function actionsOf(defs: Map<string, Node>, next: string, groups: readonly string[]): Set<string> {
  const out = new Set<string>();
  const visit = (name: string): void => {
    const def = defs.get(name);
    if (def === undefined) return;
    for (const ref of referencedNames(def)) {
      if (groups.includes(ref)) visit(ref);
      else if (defs.has(ref) && defs.get(ref)?.namedChildren.some((c) => c?.type === 'identifier' && c !== defs.get(ref)?.namedChildren[0])) out.add(ref);
    }
  };
  visit(next);
  return out;
}

/** The names listed under a section (INVARIANTS, PROPERTIES, …) of a TLC .cfg file. */
export function cfgSection(text: string, section: string): string[] {
  const lines = text.split('\n').map((l) => l.replace(/\\\*.*$/, '').trim());
  const out: string[] = [];
  let inside = false;
  for (const line of lines) {
    if (/^[A-Z_]+(\s|$)/.test(line)) {
      const [head, ...rest] = line.split(/\s+/);
      inside = head === section || head === section.replace(/S$/, '');
      if (inside) out.push(...rest.filter((x) => x !== ''));
      continue;
    }
    if (inside && line !== '') out.push(...line.split(/\s+/));
  }
  return out;
}
