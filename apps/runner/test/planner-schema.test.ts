import { describe, expect, it } from 'vitest';
import { PlannerConfigError } from '../src/planners/errors.js';
import {
  assertValidParamSpace,
  defaultParams,
  knobValues,
  nonDefaultParams,
  paramsKey,
  validateParams,
} from '../src/planners/param-space.js';
import { DollarBudget, dollarsFor, priceFor } from '../src/planners/pricing.js';
import {
  formatZodIssues,
  PlanReplySchema,
  planReplyJsonSchema,
  toolInputSchema,
} from '../src/planners/proposal-schema.js';
import { checkPatch, checkReply } from '../src/planners/validate-reply.js';
import { context, record, SPACE } from './helpers/planner-fixtures.js';

const REPLY = {
  action: 'propose',
  reasoning: 'r',
  experiments: [{ name: 'ctx-256', hypothesis: 'h', params: { contextLength: 256 }, priority: 0 }],
};

function problemsOf(input: unknown): string[] {
  const parsed = PlanReplySchema.safeParse(input);
  return parsed.success ? [] : formatZodIssues(parsed.error);
}

describe('the proposal schema', () => {
  it('accepts a well-formed reply', () => {
    expect(PlanReplySchema.parse(REPLY)).toEqual(REPLY);
  });

  it('names the path and the rule of every violation', () => {
    const problems = problemsOf({
      action: 'propose',
      reasoning: 'r',
      experiments: [{ name: 'Ctx 256', hypothesis: 'h', params: { contextLength: [256] }, priority: 'high', extra: 1 }],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^experiments\[0\]\.name: name must be a lower-case slug/),
        'experiments[0].params.contextLength: a parameter value must be a number, a string or a boolean',
        expect.stringMatching(/^experiments\[0\]\.priority: /),
        expect.stringMatching(/^experiments\[0\]: Unrecognized key: "extra"/),
      ]),
    );
  });

  it('ties the experiments list to the action', () => {
    expect(problemsOf({ ...REPLY, experiments: [] })).toEqual([
      'experiments: action "propose" needs at least one experiment',
    ]);
    expect(problemsOf({ ...REPLY, action: 'stop' })).toEqual([
      'experiments: action "stop" must come with an empty experiments list',
    ]);
    expect(problemsOf({ action: 'stop', reasoning: 'done', experiments: [] })).toEqual([]);
  });

  it('derives the JSON Schema with zod, and narrows params to the knobs for the tool', () => {
    const generic = planReplyJsonSchema();
    expect(generic['$schema']).toBeUndefined();
    expect(generic).toMatchObject({
      type: 'object',
      required: ['action', 'reasoning', 'experiments'],
      additionalProperties: false,
    });

    const tool = toolInputSchema(SPACE) as any;
    const params = tool.properties.experiments.items.properties.params;
    expect(params.additionalProperties).toBe(false);
    expect(params.properties.normalisation.enum).toEqual(['none', 'mean-std', 'last-value', 'log1p']);
    expect(params.properties.contextLength).toMatchObject({ type: 'number', minimum: 64, maximum: 512 });
    expect(tool.properties.experiments.items.required).toEqual(['name', 'hypothesis', 'params', 'priority']);
  });
});

describe('the parameter space', () => {
  it('lists range knobs on their grid', () => {
    expect(knobValues(SPACE['contextLength'])).toEqual([64, 128, 192, 256, 320, 384, 448, 512]);
    expect(knobValues({ kind: 'range', min: 0.1, max: 0.5, step: 0.1 })).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
  });

  it('explains every value it refuses', () => {
    expect(validateParams(SPACE, { contextLength: 100, resolutionMinutes: '5', flip: 1, horizon: 12 })).toEqual([
      'contextLength: 100 is not on the grid 64, 128, … (step 64)',
      'resolutionMinutes: "5" is not allowed; one of 1, 5, 15, 60',
      'flip: 1 is not allowed; one of false, true',
      'unknown knob "horizon"; the knobs are: contextLength, resolutionMinutes, normalisation, flip',
    ]);
    expect(validateParams(SPACE, { contextLength: 576 })).toEqual(['contextLength: 576 is outside 64..512']);
    expect(validateParams(SPACE, { contextLength: 0.3 + 383.7 })).toEqual([]);
  });

  it('treats omitted knobs as their defaults when comparing experiments', () => {
    expect(paramsKey(SPACE, {})).toBe(paramsKey(SPACE, defaultParams(SPACE)));
    expect(paramsKey(SPACE, { flip: true })).not.toBe(paramsKey(SPACE, {}));
    expect(nonDefaultParams(SPACE, { ...defaultParams(SPACE), flip: true })).toEqual({ flip: true });
  });

  it('refuses a malformed space up front', () => {
    expect(() => assertValidParamSpace({})).toThrow(PlannerConfigError);
    expect(() => assertValidParamSpace({ k: { kind: 'choice', values: [] } })).toThrow(/no allowed values/);
    expect(() => assertValidParamSpace({ k: { kind: 'range', min: 1, max: 0, step: 1 } })).toThrow(/min ≤ max/);
    expect(() => assertValidParamSpace({ k: { kind: 'range', min: 0, max: 10, step: 2, default: 3 } })).toThrow(
      /default of knob "k"/,
    );
  });
});

describe('reply checks against the context', () => {
  it('accepts a patch to the editable file only', () => {
    const good = '--- a/experiment.ts\n+++ b/experiment.ts\n@@ -1 +1 @@\n-export const k = 8;\n+export const k = 12;\n';
    expect(checkPatch(good, 'experiment.ts')).toEqual([]);
    expect(checkPatch('just change k to 12', 'experiment.ts')[0]).toMatch(/not a unified diff/);
    expect(checkPatch(good.replaceAll('experiment.ts', 'prepare.ts'), 'experiment.ts')).toEqual([
      'it changes "prepare.ts", but only "experiment.ts" may be changed',
    ]);
  });

  it('refuses reused names, unknown parents and duplicates within one reply', () => {
    const history = [record('e1', 'baseline', {}, 2.0)];
    const check = checkReply(
      {
        action: 'propose',
        reasoning: 'r',
        experiments: [
          { name: 'baseline', hypothesis: 'h', params: { flip: true }, priority: 0 },
          { name: 'twin-a', hypothesis: 'h', params: { contextLength: 256 }, priority: 1, parent: 'e9' },
          { name: 'twin-b', hypothesis: 'h', params: { contextLength: 256 }, priority: 2 },
        ],
      },
      context({ history }),
    );
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.problems).toEqual([
        'experiments[0] ("baseline").name: the name "baseline" is already used; pick a new one',
        'experiments[1] ("twin-a").parent: "e9" is not the id of an experiment in the history',
        expect.stringMatching(/^experiments\[2\] \("twin-b"\): same parameters as experiments\[1\] of this reply/),
      ]);
    }
  });

  it('allows the same knob values again when a patch makes the experiment different', () => {
    const history = [record('e1', 'baseline', {}, 2.0)];
    const patch = '--- a/experiment.ts\n+++ b/experiment.ts\n@@ -1 +1 @@\n-a\n+b\n';
    const check = checkReply(
      {
        action: 'propose',
        reasoning: 'r',
        experiments: [{ name: 'patched', hypothesis: 'h', params: {}, priority: 0, patch }],
      },
      context({ history }),
    );
    expect(check.ok).toBe(true);
  });
});

describe('pricing', () => {
  it('prices dated snapshots like their alias and refuses unknown models', () => {
    expect(priceFor('claude-opus-4-1-20250805')).toEqual({ inputPerMTok: 15, outputPerMTok: 75 });
    expect(priceFor('my-model', { 'my-model': { inputPerMTok: 2, outputPerMTok: 4 } })).toEqual({
      inputPerMTok: 2,
      outputPerMTok: 4,
    });
    expect(() => priceFor('gpt-x')).toThrow(PlannerConfigError);
  });

  it('charges input and output tokens at their own prices', () => {
    expect(dollarsFor({ inputTokens: 1_000_000, outputTokens: 100_000 }, priceFor('claude-haiku-4-5'))).toBeCloseTo(
      1.5,
      12,
    );
  });

  it('allows a cost only while it fits under the cap', () => {
    const budget = new DollarBudget(1, 0.25);
    expect(budget.allows(0.75)).toBe(true);
    expect(budget.allows(0.7501)).toBe(false);
    budget.charge(0.5);
    expect(budget.remaining).toBeCloseTo(0.25, 12);
  });
});
