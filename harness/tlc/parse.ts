/**
 * Parse what TLC and SANY print into data. TLC runs with `-tool`, which wraps every message as
 * `@!@!@STARTMSG code:severity @!@!@ … @!@!@ENDMSG code @!@!@` (tlc2.output.EC / MP); SANY's
 * own output (and TLC's copy of it) is plain text. Codes used here: 2110 invariant violated,
 * 2112 action property violated, 2116 temporal properties violated, 2114 deadlock, 2121 the
 * behaviour header, 2217 a state of the error trace, 2199 the state counts, 2194 the depth.
 */

export const TLC_STATUSES = [
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
] as const;
export type TlcStatus = (typeof TLC_STATUSES)[number];

/** TLC's process exit codes (tlc2.output.EC.ExitStatus). */
export function statusOfExitCode(code: number): TlcStatus {
  switch (code) {
    case 0:
      return 'ok';
    case 10:
      return 'assumption';
    case 11:
      return 'deadlock';
    case 12:
      return 'safety';
    case 13:
      return 'liveness';
    case 14:
      return 'assert';
    case 75:
      return 'evaluation-error';
    case 150:
      return 'parse-error';
    case 151:
      return 'config-error';
    default:
      return 'error';
  }
}

export interface TlcMessage {
  readonly code: number;
  /** 0 info, 1 error, 2 TLC bug, 3 warning, 4 state (MP severity). */
  readonly severity: number;
  readonly text: string;
}

export interface TraceState {
  /** 1-based position in the behaviour. */
  readonly index: number;
  /** The action that led here ("Initial predicate" for the first state), e.g. `Phase2a`. */
  readonly action: string;
  /** The action as TLC printed it, with arguments when it has them. */
  readonly label: string;
  readonly location?: { readonly module: string; readonly line: number; readonly column: number };
  /** Each variable's value, as TLA+ text. */
  readonly vars: { readonly [name: string]: string };
}

export interface TlcViolation {
  readonly kind:
    'invariant' | 'action-property' | 'temporal-property' | 'deadlock' | 'assert' | 'evaluation';
  /** The invariant or property name, when TLC names it. */
  readonly name?: string;
  readonly message: string;
}

export interface TlcOutput {
  readonly messages: readonly TlcMessage[];
  readonly generatedStates?: number;
  readonly distinctStates?: number;
  readonly queuedStates?: number;
  readonly depth?: number;
  readonly violation?: TlcViolation;
  readonly trace: readonly TraceState[];
  /** Error messages (severity 1) and parse errors, one string each. */
  readonly errors: readonly string[];
}

const MESSAGE = /@!@!@STARTMSG (\d+):(\d+) @!@!@\r?\n([\s\S]*?)@!@!@ENDMSG \1 @!@!@/g;

export function splitMessages(output: string): { messages: TlcMessage[]; rest: string } {
  const messages: TlcMessage[] = [];
  let rest = '';
  let last = 0;
  for (const m of output.matchAll(MESSAGE)) {
    rest += output.slice(last, m.index);
    last = (m.index ?? 0) + m[0].length;
    messages.push({
      code: Number(m[1]),
      severity: Number(m[2]),
      text: (m[3] ?? '').replace(/\s+$/, ''),
    });
  }
  rest += output.slice(last);
  return { messages, rest };
}

const num = (s: string | undefined): number => Number((s ?? '').replace(/,/g, ''));

/** One state of an error trace: `N: <Action line L, col C to … of module M>` then `/\ v = x`. */
export function parseTraceState(text: string): TraceState | null {
  const [head = '', ...body] = text.split(/\r?\n/);
  const h = /^(\d+): <(.*?)(?: line (\d+), col (\d+) to line \d+, col \d+ of module (\S+))?>$/.exec(
    head.trim(),
  );
  if (h === null) return null;
  const label = h[2] ?? '';
  const vars: Record<string, string> = {};
  let current: string | undefined;
  for (const line of body) {
    const v = /^\/\\ (\w+) = (.*)$/.exec(line);
    if (v !== null) {
      current = v[1] as string;
      vars[current] = v[2] as string;
    } else if (current !== undefined && line.trim() !== '') {
      vars[current] += `\n${line}`;
    }
  }
  return {
    index: Number(h[1]),
    action: label === 'Initial predicate' ? label : (/^[^\s(]+/.exec(label)?.[0] ?? label),
    label,
    ...(h[3] !== undefined
      ? { location: { module: h[5] as string, line: Number(h[3]), column: Number(h[4]) } }
      : {}),
    vars,
  };
}

function violationOf(messages: readonly TlcMessage[]): TlcViolation | undefined {
  for (const m of messages) {
    const first = m.text.split('\n')[0] ?? '';
    switch (m.code) {
      case 2110:
        return {
          kind: 'invariant',
          name: /^Invariant (\S+) is violated/.exec(first)?.[1] ?? '',
          message: m.text,
        };
      case 2112:
        return {
          kind: 'action-property',
          name: /^Action property (\S+) is violated/.exec(first)?.[1] ?? '',
          message: m.text,
        };
      case 2116:
        return { kind: 'temporal-property', message: m.text };
      case 2114:
        return { kind: 'deadlock', message: m.text };
      case 2132:
        return { kind: 'assert', message: m.text };
    }
  }
  const evaluation = messages.find((m) => m.severity === 1 && m.code !== 2121 && m.code !== 3002);
  return evaluation === undefined ? undefined : { kind: 'evaluation', message: evaluation.text };
}

/** Everything of interest in TLC's `-tool` output (or SANY's plain output). */
export function parseTlcOutput(output: string): TlcOutput {
  const { messages, rest } = splitMessages(output);
  let generated: number | undefined;
  let distinct: number | undefined;
  let queued: number | undefined;
  let depth: number | undefined;
  const trace: TraceState[] = [];
  const errors: string[] = [];
  for (const m of messages) {
    if (m.code === 2199) {
      const c =
        /([\d,]+) states generated, ([\d,]+) distinct states found, ([\d,]+) states left on queue/.exec(
          m.text,
        );
      if (c !== null) [generated, distinct, queued] = [num(c[1]), num(c[2]), num(c[3])];
    } else if (m.code === 2194) {
      const d = /depth of the complete state graph search is (\d+)/.exec(m.text);
      if (d !== null) depth = Number(d[1]);
    } else if (m.code === 2217) {
      const state = parseTraceState(m.text);
      if (state !== null) trace.push(state);
    } else if (m.severity === 1 && m.code !== 2121) {
      errors.push(m.text);
    }
  }
  errors.unshift(...parseErrorsOf(rest));
  const violation = violationOf(messages);
  return {
    messages,
    ...(generated !== undefined ? { generatedStates: generated } : {}),
    ...(distinct !== undefined ? { distinctStates: distinct } : {}),
    ...(queued !== undefined ? { queuedStates: queued } : {}),
    ...(depth !== undefined ? { depth } : {}),
    ...(violation !== undefined ? { violation } : {}),
    trace,
    errors,
  };
}

/** SANY's parse and semantic errors in plain output: one string per error block. */
export function parseErrorsOf(text: string): string[] {
  const out: string[] = [];
  const parse = /\*\*\*Parse Error\*\*\*\r?\n([\s\S]*?)(?:\r?\n\r?\n|$)/.exec(text);
  if (parse !== null) out.push(`Parse Error: ${(parse[1] ?? '').trim()}`);
  const semantic =
    /Semantic errors:\s*\r?\n\s*\r?\n\*\*\* Errors: \d+\s*\r?\n([\s\S]*?)(?:\r?\n\r?\n\r?\n|$)/.exec(
      text,
    );
  if (semantic !== null)
    out.push(`Semantic error: ${(semantic[1] ?? '').trim().replace(/\s*\n\s*/g, ' ')}`);
  return out;
}
