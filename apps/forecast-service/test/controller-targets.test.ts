import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTargets, parseTargets, reactiveRecommendation } from '../src/index.js';
import { parseRecommendOptions } from '@tsfm/provisioning';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const valid = () => ({
  prometheus: { url: 'http://prometheus:9090' },
  targets: [{ name: 'web', tier: 'premium', resources: { cpu: { query: 'sum(rate(x[1m]))', current: 2 } } }],
});

describe('the controller targets file', () => {
  it('fills the documented defaults', () => {
    const c = parseTargets(valid(), 'targets.json');
    expect(c.intervalSeconds).toBe(60);
    expect(c.prometheus).toMatchObject({ timeoutSeconds: 10, historyMinutes: 1440, stepSeconds: 60 });
    expect(c.targets[0].parsedOptions.confidenceFloor).toBeGreaterThan(0);
  });

  it('names the file and the field of every mistake, in one line', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ...valid(), prometheus: { url: 'ftp://x' } }, /^t.json: prometheus.url: /],
      [{ ...valid(), prometheus: { url: 'http://x', stepSeconds: 7 } }, /prometheus.stepSeconds: must divide 60/],
      [{ ...valid(), targets: [] }, /targets: /],
      [
        { ...valid(), targets: [{ ...valid().targets[0], name: 'a b' }] },
        /targets\[0\].name: must be 1–100 characters/,
      ],
      [
        { ...valid(), targets: [{ ...valid().targets[0], tier: undefined }] },
        /targets\[0\].tier: give exactly one of tier or alpha/,
      ],
      [{ ...valid(), targets: [valid().targets[0], valid().targets[0]] }, /targets: target names must be unique/],
      [
        { ...valid(), targets: [{ ...valid().targets[0], options: { maxReplica: 3 } }] },
        /targets\[0\].options: unknown option maxReplica/,
      ],
      [{ ...valid(), intervalSecond: 5 }, /\(root\): .*intervalSecond/],
    ];
    for (const [value, message] of cases) expect(() => parseTargets(value, 't.json')).toThrow(message);
  });

  it('reads a file, and says so when it cannot', () => {
    const dir = tempDir('targets-');
    writeFileSync(join(dir, 'ok.json'), JSON.stringify(valid()));
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    expect(loadTargets(join(dir, 'ok.json')).targets).toHaveLength(1);
    expect(() => loadTargets(join(dir, 'bad.json'))).toThrow(/bad.json: not valid JSON/);
    expect(() => loadTargets(join(dir, 'missing.json'))).toThrow(/cannot read .*ENOENT/);
  });
});

describe('the reactive fallback', () => {
  const options = parseRecommendOptions({ perReplicaCapacity: { cpu: 2 }, maxReplicas: 3 });

  it('provisions the recent use at the scale-up utilisation, with replicas and an action', () => {
    // The last 15 minutes: 4, except one at 4.8 and one at 3.2 (mean 4, peak 4.8).
    const cpu = Float32Array.from({ length: 30 }, (_, i) => (i < 15 ? 1 : i === 28 ? 4.8 : i === 29 ? 3.2 : 4));
    const r = reactiveRecommendation(new Map([['cpu', cpu]]), { cpu: 2 }, 0.75, options)!;
    expect(r.resources.cpu.lower).toBeCloseTo(4, 5);
    expect(r.resources.cpu.target).toBeCloseTo(5, 5); // 4 / 0.8
    expect(r.resources.cpu.upper).toBeCloseTo(6, 5); // peak 4.8 / 0.8
    expect(r.replicas).toMatchObject({ uncapped: 3, desired: 3 }); // ceil(5 / 2)
    expect(r.action).toBe('scale_up');
  });

  it('has nothing to say without an observed minute in the recent window', () => {
    const cpu = Float32Array.from({ length: 30 }, (_, i) => (i < 10 ? 1 : Number.NaN));
    expect(reactiveRecommendation(new Map([['cpu', cpu]]), { cpu: 2 }, 0.75, options)).toBeNull();
  });
});
