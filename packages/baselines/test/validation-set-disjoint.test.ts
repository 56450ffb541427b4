/**
 * The v2 model's recipes were chosen on the validation set `v2-val` (@tsfm/pretrain). This test
 * holds the rule the model card states: no point that `evaluate` scores on M4-Hourly or NAB is a
 * validation target, and every validation target lies in the part of the series evaluate treats
 * as history. (The training pool is synthetic by construction: generators keyed by seed and index,
 * with no file input.)
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { m4HistoryWindows, nabHistoryWindows, type ValidationWindow } from '@tsfm/pretrain';
import { describe, expect, it } from 'vitest';
import { csvFilesIn, loadM4Hourly, loadTimestampValueFiles, type EvalTask } from '../src/evaluate/dataset.js';
import { seriesOf } from '../src/evaluate/score.js';

const dataDir = resolve(import.meta.dirname, '../../../../shared/data');
const haveData = existsSync(resolve(dataDir, 'm4/Hourly-train.csv')) && existsSync(resolve(dataDir, 'nab'));
if (!haveData) console.warn(`validation-set-disjoint.test: skipped, no M4/NAB data under ${dataDir}`);

/** Scored index ranges [start, end) per series: a task's actual starts where its history ends. */
function scoredRanges(tasks: readonly EvalTask[]): Map<string, [number, number][]> {
  const ranges = new Map<string, [number, number][]>();
  for (const t of tasks) {
    const key = seriesOf(t.id);
    ranges.set(key, [...(ranges.get(key) ?? []), [t.history.length, t.history.length + t.actual.length]]);
  }
  return ranges;
}

function overlaps(windows: readonly ValidationWindow[], ranges: Map<string, [number, number][]>): string[] {
  const bad: string[] = [];
  for (const w of windows) {
    const scored = ranges.get(w.series);
    if (scored === undefined) throw new Error(`validation series ${w.series} is not an evaluate series`);
    const [a, b] = [w.origin, w.origin + w.actual.length];
    if (scored.some(([s, e]) => a < e && s < b)) bad.push(w.id);
  }
  return bad;
}

describe.skipIf(!haveData)('validation set v2-val vs the windows evaluate scores', () => {
  it('M4-Hourly: every validation target is inside the train part, before the scored test part', async () => {
    const [windows, scored] = await Promise.all([m4HistoryWindows(dataDir), loadM4Hourly(dataDir, 48)]);
    expect(windows.length).toBeGreaterThanOrEqual(414);
    expect(overlaps(windows, scoredRanges(scored.tasks))).toEqual([]);
    const historyLength = new Map(scored.tasks.map((t) => [t.id, t.history.length]));
    for (const w of windows) expect(w.origin + w.actual.length).toBeLessThanOrEqual(historyLength.get(w.series)!);
  });

  it('NAB: every validation target ends before the earliest scored origin (default protocol)', async () => {
    const [windows, scored] = await Promise.all([
      nabHistoryWindows(dataDir),
      loadTimestampValueFiles('nab', await csvFilesIn(resolve(dataDir, 'nab')), { horizon: 12, origins: 10 }),
    ]);
    expect(windows.length).toBeGreaterThan(50);
    const ranges = scoredRanges(scored.tasks);
    expect(overlaps(windows, ranges)).toEqual([]);
    for (const w of windows) {
      const firstScored = Math.min(...ranges.get(w.series)!.map(([s]) => s));
      expect(w.origin + w.actual.length).toBeLessThanOrEqual(firstScored);
    }
  });

  it('would catch a leak: a window on a scored range is reported', async () => {
    const scored = await loadM4Hourly(dataDir, 48);
    const t = scored.tasks[0];
    const leak: ValidationWindow = {
      part: 'm4-history',
      id: `${t.id}@leak`,
      series: t.id,
      origin: t.history.length,
      history: t.history,
      actual: t.actual,
      period: 24,
    };
    expect(overlaps([leak], scoredRanges(scored.tasks))).toEqual([leak.id]);
  });
});
