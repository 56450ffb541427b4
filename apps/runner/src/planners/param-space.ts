/**
 * The searchable knobs of an experiment and the checks every proposal must pass against them.
 *
 * A proposal lists only the knobs it moves away from their defaults; the others take the knob's
 * default. Canonical keys (`paramsKey`) compare complete assignments, so "{}" and an explicit
 * list of every default are the same experiment and neither planner can propose it twice.
 */
import { PlannerConfigError } from './errors.js';

export type ParamValue = number | string | boolean;
export type ParamValues = Readonly<Record<string, ParamValue>>;

/** A knob with an explicit list of allowed values (compared with `===`, so 5 is not "5"). */
export interface ChoiceKnob {
  readonly kind: 'choice';
  readonly values: readonly ParamValue[];
  /** Defaults to the first value. */
  readonly default?: ParamValue;
  readonly description?: string;
}

/** A numeric knob on the grid min, min + step, …, ≤ max. */
export interface RangeKnob {
  readonly kind: 'range';
  readonly min: number;
  readonly max: number;
  readonly step: number;
  /** Defaults to `min`. Must lie on the grid. */
  readonly default?: number;
  readonly description?: string;
}

export type Knob = ChoiceKnob | RangeKnob;
/** Knob name → knob. Insertion order is the order knobs are shown and searched in. */
export type ParamSpace = Readonly<Record<string, Knob>>;

// Grid points are rebuilt from min + i·step; 12 significant digits removes the binary noise of
// e.g. 0.1 + 0.2 without merging distinct grid points of any sane knob.
function tidy(x: number): number {
  return Number(x.toPrecision(12));
}

function gridIndex(knob: RangeKnob, value: number): number | null {
  const raw = (value - knob.min) / knob.step;
  const index = Math.round(raw);
  return Math.abs(raw - index) < 1e-9 ? index : null;
}

export function knobValues(knob: Knob): ParamValue[] {
  if (knob.kind === 'choice') return [...knob.values];
  const count = Math.floor((knob.max - knob.min) / knob.step + 1e-9) + 1;
  return Array.from({ length: count }, (_, i) => tidy(knob.min + i * knob.step));
}

export function knobDefault(knob: Knob): ParamValue {
  if (knob.kind === 'choice') return knob.default ?? knob.values[0];
  return knob.default ?? knob.min;
}

export function defaultParams(space: ParamSpace): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [name, knob] of Object.entries(space)) out[name] = knobDefault(knob);
  return out;
}

export function describeKnob(knob: Knob): string {
  if (knob.kind === 'choice') return `one of ${knob.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return `number in ${knob.min}..${knob.max}, step ${knob.step}`;
}

/** Why `value` is not allowed for knob `name`, or null when it is. */
export function checkParam(space: ParamSpace, name: string, value: unknown): string | null {
  const knob = space[name];
  if (knob === undefined) {
    return `unknown knob "${name}"; the knobs are: ${Object.keys(space).join(', ')}`;
  }
  if (knob.kind === 'choice') {
    if (knob.values.some((allowed) => allowed === value)) return null;
    return `${name}: ${JSON.stringify(value)} is not allowed; ${describeKnob(knob)}`;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return `${name}: ${JSON.stringify(value)} is not a number; ${describeKnob(knob)}`;
  }
  if (value < knob.min - 1e-9 || value > knob.max + 1e-9) {
    return `${name}: ${value} is outside ${knob.min}..${knob.max}`;
  }
  if (gridIndex(knob, value) === null) {
    return `${name}: ${value} is not on the grid ${knob.min}, ${tidy(knob.min + knob.step)}, … (step ${knob.step})`;
  }
  return null;
}

/** Every problem with `params` against the space, one readable line each (empty when valid). */
export function validateParams(space: ParamSpace, params: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    const problem = checkParam(space, name, value);
    if (problem !== null) problems.push(problem);
  }
  return problems;
}

/**
 * Complete assignment: defaults overridden by `params`. Knobs outside the space are dropped, so
 * a history recorded under a wider space still maps onto the current one.
 */
export function completeParams(space: ParamSpace, params: ParamValues): Record<string, ParamValue> {
  const out = defaultParams(space);
  for (const name of Object.keys(space)) {
    const value = params[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** The knobs of `params` that differ from their defaults — the short form shown in prompts. */
export function nonDefaultParams(space: ParamSpace, params: ParamValues): Record<string, ParamValue> {
  const complete = completeParams(space, params);
  const out: Record<string, ParamValue> = {};
  for (const [name, knob] of Object.entries(space)) {
    if (complete[name] !== knobDefault(knob)) out[name] = complete[name];
  }
  return out;
}

/** Canonical identity of a parameter assignment within a space. */
export function paramsKey(space: ParamSpace, params: ParamValues): string {
  const complete = completeParams(space, params);
  return JSON.stringify(
    Object.keys(space)
      .sort()
      .map((name) => [name, complete[name]]),
  );
}

/** Fails fast on a malformed space: a planner searching it would otherwise loop or crash later. */
export function assertValidParamSpace(space: ParamSpace): void {
  const names = Object.keys(space);
  if (names.length === 0) throw new PlannerConfigError('the parameter space has no knobs');
  for (const name of names) {
    const knob = space[name];
    if (knob.kind === 'choice') {
      if (knob.values.length === 0) throw new PlannerConfigError(`knob "${name}" has no allowed values`);
      if (new Set(knob.values).size !== knob.values.length) {
        throw new PlannerConfigError(`knob "${name}" lists a value twice`);
      }
    } else {
      const { min, max, step } = knob;
      if (![min, max, step].every(Number.isFinite) || step <= 0 || min > max) {
        throw new PlannerConfigError(
          `knob "${name}" needs finite min ≤ max and step > 0 (got ${min}, ${max}, ${step})`,
        );
      }
    }
    const problem = checkParam(space, name, knobDefault(knob));
    if (problem !== null) throw new PlannerConfigError(`default of knob "${name}" is invalid: ${problem}`);
  }
}
