/**
 * Sequential models for the checker: a register, a Jepsen/Porcupine-style key-value store, and
 * any core app (so the simulator judges client outputs against the very app the replicas run).
 *
 * Names: `register`, `kv`, and `app:NAME` for every app in APPS (`app:kv`, `app:counter`). A bare
 * app name also works when it is not a built-in model name: `counter` is `app:counter`, while
 * `kv` is the Jepsen-style model (its ops are `{f, key, value}`, the kv app's `{type, key, ...}`).
 */
import { isRecord, type AnyApp, type App } from '../core/app.js';
import { APPS, counterApp, kvApp } from '../core/apps/index.js';
import { canonicalEncode } from '../core/canonical.js';
import type { Json } from '../core/types.js';
import type { Growth, Model } from './types.js';

/** Equal JSON values; primitives compared directly (encoding a long appended string per step was half the search's time). */
const same = (a: Json, b: Json): boolean =>
  a === b ||
  (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null
    ? canonicalEncode(a) === canonicalEncode(b)
    : false);

/**
 * A memo key for a register's value that allocates nothing for the usual case, a string: the
 * string itself. Injective: every other value, and a string that starts with NUL, becomes NUL,
 * a tag and a payload, so no two values share a key. (A fresh `s${value}` per step made every
 * comparison copy the value: appended strings grow long, and that copying was a third of the
 * search's time.)
 */
function valueKey(value: Json | undefined): string {
  if (typeof value === 'string') return value.charCodeAt(0) === 0 ? `\u0000s${value}` : value;
  return value === undefined ? '\u0000u' : `\u0000j${canonicalEncode(value)}`;
}

const field = (input: Json, name: string): Json | undefined =>
  isRecord(input) ? input[name] : undefined;

/**
 * What a cas on a missing key (or a never-written register) compares with: `nil` — the missing
 * value is nil, so `cas [null, v]` succeeds (Knossos's cas-register, Jepsen's registers); or
 * `fails` — the compare fails whatever it expects (etcd: a Txn comparing a missing key's value
 * is false).
 */
type CasOnMissing = 'nil' | 'fails';

/** Register transitions shared by `register` and each key of `kv`; `absent` reads as nil. */
function registerStep(
  current: Json | undefined,
  input: Json,
  output: Json | undefined,
  casOnMissing: CasOnMissing = 'nil',
): readonly (Json | undefined)[] {
  const f = field(input, 'f');
  const value = field(input, 'value') ?? null;
  switch (f) {
    case 'read':
    case 'get':
      // Jepsen registers start as nil; Porcupine's kv reads a missing key as "".
      if (output === undefined) return [current];
      if (current === undefined) return output === null || output === '' ? [current] : [];
      return same(current, output) ? [current] : [];
    case 'write':
    case 'put':
      return [value];
    case 'append': {
      const base = current ?? '';
      return typeof base === 'string' && typeof value === 'string' ? [base + value] : [];
    }
    case 'cas': {
      const [expected, next] = Array.isArray(value) ? value : [];
      const matches =
        current === undefined && casOnMissing === 'fails'
          ? false
          : same(current ?? null, expected ?? null);
      if (output === true) return matches ? [next ?? null] : [];
      if (output === false) return matches ? [] : [current];
      return matches ? [next ?? null] : [current];
    }
    default:
      return [];
  }
}

/** Reads, and a cas that failed, never change the register. */
function registerReadOnly(input: Json, output: Json): boolean {
  const f = field(input, 'f');
  return f === 'read' || f === 'get' || (f === 'cas' && output === false);
}

/**
 * Unknown-outcome writes nothing could need (issue 16: timeouts made the search exponential,
 * since each may or may not have happened, anywhere after its call). In a register partition,
 * an unknown `write`/`put` of v can be dropped when no read returned v, no cas expected v, no
 * cas failed, and there is no append; and v is neither nil nor "" (what a missing key reads as).
 *
 * Why that is sound. Dropping only removes behaviours, so a history linearizable without w is
 * linearizable with w (an unknown operation may never have happened). Conversely take a
 * linearization L with w, and remove w: only operations between w and the next write in L see
 * a different state (the previous value instead of v). None of them observes it. A read there
 * returned v in L (none did). A cas there compared with v: one that expected v is excluded; one
 * that expected something else failed in L, and failed cas are excluded when known; an unknown
 * cas there took no effect in L, so it can be left out of the new order too. An append is
 * excluded. So L without w (and those unknown cas) is a linearization: same verdict.
 */
function unobservedUnknownWrites(
  ops: readonly { readonly input: Json; readonly output: Json | undefined }[],
): number[] {
  const observed = new Set<string>();
  for (const { input, output } of ops) {
    const f = field(input, 'f');
    if (f === 'append') return [];
    if (f === 'cas') {
      if (output === false) return [];
      const value = field(input, 'value');
      if (Array.isArray(value)) observed.add(canonicalEncode(value[0] ?? null));
    }
    if ((f === 'read' || f === 'get') && output !== undefined)
      observed.add(canonicalEncode(output));
  }
  const out: number[] = [];
  ops.forEach(({ input, output }, i) => {
    const f = field(input, 'f');
    if (output !== undefined || (f !== 'write' && f !== 'put')) return;
    const value = field(input, 'value') ?? null;
    if (value === null || value === '') return;
    if (!observed.has(canonicalEncode(value))) out.push(i);
  });
  return out;
}

/**
 * The lookahead of reads for a register and each key of `kv` (Model.growth): only `append`
 * grows a value, and only by extending a string (nil and a missing key count as ""), so a read
 * that must come before any further write or cas sees the current string or a longer one
 * starting with it — and a value of another type stays as it is (an append to it is impossible).
 */
const registerGrowth: Growth<Json | undefined> = {
  effect(input, output) {
    const f = field(input, 'f');
    if (f === 'read' || f === 'get' || (f === 'cas' && output === false)) return 'keeps';
    return f === 'append' ? 'grows' : 'any';
  },
  canGrowInto(state, input, output) {
    const f = field(input, 'f');
    // A missing key and nil both grow into any string (an append starts from "").
    if ((f !== 'read' && f !== 'get') || state === undefined || state === null) return true;
    if (typeof state === 'string') return typeof output === 'string' && output.startsWith(state);
    return same(state, output);
  },
  setsTo(input, output) {
    const f = field(input, 'f');
    const value = field(input, 'value') ?? null;
    if (f === 'write' || f === 'put') return { state: value };
    // A cas that takes effect leaves its new value (one that does not changes nothing).
    if (f === 'cas' && output !== false && Array.isArray(value)) return { state: value[1] ?? null };
    return undefined;
  },
};

const REGISTER_FS = ['read', 'write', 'cas'];
const KV_FS = ['read', 'get', 'write', 'put', 'append', 'cas'];

function validateOp(input: Json, output: Json | undefined, fs: readonly string[]): string | null {
  if (!isRecord(input)) return 'an operation is an object with "f"';
  const f = input['f'];
  if (typeof f !== 'string' || !fs.includes(f)) {
    return `unknown operation ${JSON.stringify(f ?? null)} (expected ${fs.join(', ')})`;
  }
  if (f === 'cas') {
    const value = input['value'];
    if (!Array.isArray(value) || value.length !== 2) return 'cas needs a value [old, new]';
    if (output !== undefined && typeof output !== 'boolean') return 'a cas output is true or false';
  }
  if (f === 'append' && typeof input['value'] !== 'string') return 'append needs a string value';
  if ((f === 'read' || f === 'get') && output !== undefined && !isScalar(output))
    return `a ${f}'s output is the value read (a string, number, boolean or null), not ${Array.isArray(output) ? 'a list' : 'an object'}: ${canonicalEncode(output).slice(0, 60)}`;
  return null;
}

const isScalar = (v: Json): boolean => v === null || typeof v !== 'object';

function describeOp(input: Json, output: Json | undefined): string {
  const f = String(field(input, 'f') ?? '?');
  const key = field(input, 'key');
  const value = field(input, 'value');
  const target = key === undefined ? '' : `[${canonicalEncode(key)}]`;
  const argument =
    value === undefined || f === 'read' || f === 'get' ? '' : ` ${canonicalEncode(value)}`;
  const result =
    output === undefined
      ? ' → ?'
      : f === 'read' || f === 'get' || f === 'cas'
        ? ` → ${canonicalEncode(output)}`
        : '';
  return `${f}${target}${argument}${result}`;
}

/**
 * A single register, initially nil: `{f:'read'}` → value, `{f:'write', value}`,
 * `{f:'cas', value:[old, new]}` → true/false. Write outputs are acknowledgements, ignored.
 */
export const registerModel: Model<Json> = {
  name: 'register',
  init: () => null,
  step: (state, input, output) => registerStep(state, input, output).map((s) => s ?? null),
  key: valueKey,
  describe: describeOp,
  readOnly: registerReadOnly,
  neverNeeded: unobservedUnknownWrites,
  growth: registerGrowth as Growth<Json>, // sets only JSON values, never undefined
  validate: (input, output) =>
    validateOp(input, output, REGISTER_FS) ??
    (field(input, 'key') === undefined
      ? null
      : 'a register operation has no "key" (use --model kv)'),
};

export type KvModelState = ReadonlyMap<string, Json>;

/**
 * One key of `kv`, as the search sees a partition: the key's value alone (undefined while the
 * key is missing), so a step copies no map and the memo key is the value itself. The same
 * transitions as the key-value model on that key.
 */
function keyModel(name: string, casOnMissing: CasOnMissing): Model<Json | undefined> {
  return {
    name,
    init: () => undefined,
    step: (state, input, output) => registerStep(state, input, output, casOnMissing),
    key: valueKey,
    describe: describeOp,
    readOnly: registerReadOnly,
    growth: registerGrowth,
  };
}

/**
 * A key-value store: each key a register, plus string `append`. Ops `{f:'read'|'get', key}`,
 * `{f:'write'|'put', key, value}`, `{f:'append', key, value}`, `{f:'cas', key, value:[old,
 * new]}`; partitioned by key. A missing key reads as nil or "".
 */
function keyValueModel(name: string, casOnMissing: CasOnMissing): Model<KvModelState> {
  const perKey = keyModel(name, casOnMissing);
  return {
    name,
    init: () => new Map(),
    step(state, input, output) {
      const key = canonicalEncode(field(input, 'key') ?? null);
      return registerStep(state.get(key), input, output, casOnMissing).map((next) => {
        if (next === state.get(key)) return state;
        const copy = new Map(state);
        if (next === undefined) copy.delete(key);
        else copy.set(key, next);
        return copy;
      });
    },
    key: (state) => canonicalEncode(state),
    partition: (input) => {
      const key = field(input, 'key');
      return key === undefined ? undefined : canonicalEncode(key);
    },
    forPartition: () => perKey as Model,
    describe: describeOp,
    readOnly: registerReadOnly,
    // Per key (a partition), or over several keys at once: the conditions only get stricter.
    // The argument holds for either cas semantics (see unobservedUnknownWrites).
    neverNeeded: unobservedUnknownWrites,
    validate: (input, output) =>
      validateOp(input, output, KV_FS) ??
      (field(input, 'key') === undefined
        ? `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name} operation needs a "key"`
        : null),
  };
}

/** Jepsen/Porcupine key-value store; a cas on a missing key compares with nil. */
export const kvModel: Model<KvModelState> = keyValueModel('kv', 'nil');

/**
 * etcd as Jepsen tests it: the same store, but a cas on a missing key fails (etcd's Txn compare
 * of a missing key's value is false), whatever value it expected.
 */
export const etcdModel: Model<KvModelState> = keyValueModel('etcd', 'fails');

/**
 * Any core app as a model: `step` applies the op and accepts the observed output when it is
 * canonically equal to the app's (an unknown output accepts anything).
 */
export function appModel<S>(app: App<S>): Model<S> {
  const readOnly = APP_READ_ONLY.get(app as AnyApp);
  return {
    name: `app:${app.name}`,
    init: () => app.init(),
    step(state, input, output) {
      const result = app.apply(state, input);
      return output === undefined || same(result.output, output) ? [result.state] : [];
    },
    key: (state) => canonicalEncode(state),
    ...(app.partition === undefined ? {} : { partition: (input: Json) => app.partition?.(input) }),
    describe: (input, output) =>
      `${describeAppOp(input)} → ${output === undefined ? '?' : canonicalEncode(output)}`,
    validate: (input) => app.checkOp(input),
    ...(readOnly === undefined ? {} : { readOnly }),
  };
}

/**
 * Read-only operations of the reference apps (Model.readOnly, a speed hint). The App interface
 * cannot say it, so it is spelled out here for the apps of src/core/apps.
 */
const APP_READ_ONLY: ReadonlyMap<AnyApp, (input: Json, output: Json) => boolean> = new Map([
  [
    kvApp as AnyApp,
    (input: Json, output: Json) => {
      const type = field(input, 'type');
      return type === 'get' || (type === 'cas' && output === false);
    },
  ],
  [counterApp as AnyApp, (input: Json) => field(input, 'type') === 'get'],
]);

/** `{type:'put', key:'k', value:'v'}` as `put key="k" value="v"`. */
function describeAppOp(input: Json): string {
  if (!isRecord(input) || typeof input['type'] !== 'string') return canonicalEncode(input);
  const rest = Object.keys(input)
    .filter((k) => k !== 'type')
    .sort()
    .map((k) => ` ${k}=${canonicalEncode(input[k] ?? null)}`);
  return `${input['type']}${rest.join('')}`;
}

const BUILT_IN: ReadonlyMap<string, Model> = new Map<string, Model>([
  ['register', registerModel as Model],
  ['kv', kvModel as Model],
  ['etcd', etcdModel as Model],
]);

/** Every name `modelByName` accepts, canonical spellings only. */
export const MODEL_NAMES: readonly string[] = [
  ...BUILT_IN.keys(),
  ...[...APPS.keys()].map((name) => `app:${name}`),
];

/** A model by name (see the header), or undefined. */
export function modelByName(name: string): Model | undefined {
  const builtIn = BUILT_IN.get(name);
  if (builtIn !== undefined) return builtIn;
  const app = APPS.get(name.startsWith('app:') ? name.slice(4) : name);
  return app === undefined ? undefined : appModel(app);
}

/**
 * Guess the model from the operations: Jepsen-style `{f, ...}` ops are `kv` when keyed, else
 * `register`; app-style `{type, ...}` ops are `app:kv` when keyed, else `app:counter`.
 */
export function inferModelName(inputs: readonly Json[]): string | undefined {
  if (inputs.length === 0) return 'register';
  const all = (name: string) => inputs.every((input) => typeof field(input, name) === 'string');
  const keyed = inputs.some((input) => field(input, 'key') !== undefined);
  if (all('f')) return keyed ? 'kv' : 'register';
  if (all('type')) return keyed ? 'app:kv' : 'app:counter';
  return undefined;
}
