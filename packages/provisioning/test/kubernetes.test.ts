import { describe, expect, it } from 'vitest';
import { cpuQuantity, createRecommender, memoryQuantity, type Recommendation } from '../src/index.js';
import { constant, flatForecast, history } from './fixtures.js';

describe('Kubernetes quantities', () => {
  it('cpu: whole cores as integers, else millicores, rounded up', () => {
    expect(cpuQuantity(2, 'cores')).toBe('2');
    expect(cpuQuantity(1.5, 'cores')).toBe('1500m');
    expect(cpuQuantity(0.0001, 'cores')).toBe('1m');
    expect(cpuQuantity(0.2501, 'cores')).toBe('251m');
    expect(cpuQuantity(250, 'millicores')).toBe('250m');
  });

  it('memory: Mi (Gi when whole), Ki under 1 MiB, rounded up', () => {
    expect(memoryQuantity(512 * 1024 ** 2, 'bytes')).toBe('512Mi');
    expect(memoryQuantity(512 * 1024 ** 2 + 1, 'bytes')).toBe('513Mi');
    expect(memoryQuantity(1.5, 'GiB')).toBe('1536Mi');
    expect(memoryQuantity(2, 'GiB')).toBe('2Gi');
    expect(memoryQuantity(1000, 'bytes')).toBe('1Ki');
    expect(memoryQuantity(300, 'KiB')).toBe('300Ki');
  });
});

describe('the Kubernetes view of a recommendation', () => {
  const input = {
    alpha: 0.9,
    forecasts: { cpu: flatForecast(constant(30, 1.25)), mem: flatForecast(constant(30, 1.5)) },
    current: { cpu: 1, mem: 1 },
    history: { cpu: history(120, 1), mem: history(120, 1) },
  };

  it('is VPA containerRecommendations with resources cpu / memory in Kubernetes units', () => {
    const rec = createRecommender({
      kubernetes: { containerName: 'web', cpu: { metric: 'cpu' }, memory: { metric: 'mem', unit: 'GiB' } },
    });
    const r = rec.recommend(input) as Recommendation;
    expect(r.kubernetes).toEqual({
      containerRecommendations: [
        {
          containerName: 'web',
          target: { cpu: '1250m', memory: '1536Mi' },
          lowerBound: { cpu: '1250m', memory: '1536Mi' },
          upperBound: { cpu: '1250m', memory: '1536Mi' },
          uncappedTarget: { cpu: '1250m', memory: '1536Mi' },
        },
      ],
    });
  });

  it('is absent without options.kubernetes (the metrics carry no units), and skips unmapped resources', () => {
    expect((createRecommender().recommend(input) as Recommendation).kubernetes).toBeNull();
    const cpuOnly = createRecommender({ kubernetes: { cpu: { metric: 'cpu' }, memory: { metric: 'constructor' } } });
    const r = cpuOnly.recommend(input) as Recommendation;
    expect(r.kubernetes!.containerRecommendations[0].target).toEqual({ cpu: '1250m' });
  });
});
