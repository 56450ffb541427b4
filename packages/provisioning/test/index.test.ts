/** The public surface the simulator and the service are written against: a rename here breaks them. */
import { describe, expect, it } from 'vitest';
import * as provisioning from '../src/index.js';

describe('@tsfm/provisioning public API', () => {
  it.each([
    'createRecommender',
    'recommend',
    'demandReport',
    'parseRecommendRequest',
    'parseRecommendOptions',
    'checkInput',
    'recommendReplicas',
    'adjustThresholds',
    'decideAction',
    'confidenceFromWidth',
    'demandLevel',
    'resourceMode',
    'surgeFactor',
    'renderDemandMarkdown',
    'renderRecommendationMarkdown',
  ])('exports the function %s', (name) => {
    expect(typeof (provisioning as Record<string, unknown>)[name]).toBe('function');
  });

  it('exports the zod schemas for the service to reuse', () => {
    expect(provisioning.RecommendRequestSchema.safeParse({}).success).toBe(false);
    expect(provisioning.RecommendOptionsSchema.parse({}).horizons).toEqual([5, 15, 30]);
  });

  it('exports a typed error', () => {
    expect(new provisioning.ProvisioningError([{ path: 'x', message: 'y' }])).toMatchObject({
      code: 'bad-request',
      message: 'bad-request: x: y',
    });
  });
});
