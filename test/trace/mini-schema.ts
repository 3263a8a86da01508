/**
 * A deliberately naive JSON Schema (2020-12) validator for the keywords schema/trace.schema.json
 * uses — enough to cross-check the published schema against the hand-written parser on real
 * lines (STYLE.md §8: check against a naive version). Not a general implementation: an unknown
 * keyword throws, so the schema cannot silently grow past what this checks.
 */
type Schema = { readonly [k: string]: unknown } | boolean;

const KNOWN = new Set([
  '$schema',
  '$id',
  '$defs',
  '$ref',
  'title',
  'description',
  'default',
  'type',
  'const',
  'enum',
  'required',
  'properties',
  'additionalProperties',
  'propertyNames',
  'items',
  'minItems',
  'uniqueItems',
  'minimum',
  'maximum',
  'minLength',
  'pattern',
  'oneOf',
  'anyOf',
  'allOf',
  'not',
  'if',
  'then',
]);

export function validate(root: Schema, value: unknown): boolean {
  const resolve = (ref: string): Schema => {
    let node: unknown = root;
    for (const part of ref.replace(/^#\//, '').split('/'))
      node = (node as Record<string, unknown>)[part];
    if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
    return node as Schema;
  };
  const check = (s: Schema, v: unknown): boolean => {
    if (s === true) return true;
    if (s === false) return false;
    for (const k of Object.keys(s))
      if (!KNOWN.has(k)) throw new Error(`mini-schema does not know keyword ${k}`);
    if (typeof s['$ref'] === 'string' && !check(resolve(s['$ref']), v)) return false;
    if (s['type'] !== undefined && !hasType(s['type'] as string, v)) return false;
    if ('const' in s && JSON.stringify(s['const']) !== JSON.stringify(v)) return false;
    if (Array.isArray(s['enum']) && !s['enum'].some((e) => JSON.stringify(e) === JSON.stringify(v)))
      return false;
    if (typeof v === 'number') {
      if (typeof s['minimum'] === 'number' && v < s['minimum']) return false;
      if (typeof s['maximum'] === 'number' && v > s['maximum']) return false;
    }
    if (typeof v === 'string') {
      if (typeof s['minLength'] === 'number' && v.length < s['minLength']) return false;
      if (typeof s['pattern'] === 'string' && !new RegExp(s['pattern'], 'u').test(v)) return false;
    }
    if (Array.isArray(v)) {
      if (typeof s['minItems'] === 'number' && v.length < s['minItems']) return false;
      if (s['uniqueItems'] === true && new Set(v.map((x) => JSON.stringify(x))).size !== v.length)
        return false;
      if (s['items'] !== undefined && !v.every((x) => check(s['items'] as Schema, x))) return false;
    }
    if (isObject(v)) {
      const props = (s['properties'] ?? {}) as Record<string, Schema>;
      if (Array.isArray(s['required']) && !s['required'].every((k) => k in v)) return false;
      for (const [k, x] of Object.entries(v)) {
        if (s['propertyNames'] !== undefined && !check(s['propertyNames'] as Schema, k))
          return false;
        if (k in props) {
          if (!check(props[k] as Schema, x)) return false;
        } else if (
          s['additionalProperties'] !== undefined &&
          !check(s['additionalProperties'] as Schema, x)
        )
          return false;
      }
    }
    if (Array.isArray(s['allOf']) && !s['allOf'].every((x) => check(x as Schema, v))) return false;
    if (Array.isArray(s['anyOf']) && !s['anyOf'].some((x) => check(x as Schema, v))) return false;
    if (Array.isArray(s['oneOf']) && s['oneOf'].filter((x) => check(x as Schema, v)).length !== 1)
      return false;
    if (s['not'] !== undefined && check(s['not'] as Schema, v)) return false;
    if (
      s['if'] !== undefined &&
      check(s['if'] as Schema, v) &&
      s['then'] !== undefined &&
      !check(s['then'] as Schema, v)
    )
      return false;
    return true;
  };
  return check(root, value);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function hasType(type: string, v: unknown): boolean {
  switch (type) {
    case 'object':
      return isObject(v);
    case 'array':
      return Array.isArray(v);
    case 'integer':
      return Number.isInteger(v);
    case 'null':
      return v === null;
    default:
      return typeof v === type;
  }
}
