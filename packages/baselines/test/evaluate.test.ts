import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { csvFilesIn, dailyPeriod, loadTimestampValueFiles, rollingOriginTasks } from '../src/evaluate/dataset.js';
import { formatTable, scoreTask, summarise } from '../src/evaluate/score.js';
import { clampForecast, nonNegative } from '../src/non-negative.js';
import { naiveForecaster } from '../src/models/naive.js';
import { gaussianForecast } from '../src/quantiles.js';
import { DEFAULT_LEVELS } from '../src/types.js';
import { add, noise, sinusoid } from './helpers/series.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const run = promisify(execFile);
const packageDir = resolve(import.meta.dirname, '..');

/** `evaluate` (the package's CLI, through tsx) with `args`; rejects with its code and output on a non-zero exit. */
const evaluateCli = (args: readonly string[]) =>
  run('npx', ['tsx', 'src/cli/evaluate.ts', ...args], { cwd: packageDir });

/** A timestamp,value CSV of `count` points `stepMs` apart from 2024-01-01, in a new folder; returns its path. */
function seriesCsv(prefix: string, count: number, stepMs: number, value: (i: number) => string): string {
  const csv = join(tempDir(prefix), 'series.csv');
  const rows = ['timestamp,value'];
  const t0 = Date.UTC(2024, 0, 1);
  for (let i = 0; i < count; i++)
    rows.push(`${new Date(t0 + i * stepMs).toISOString().slice(0, 19).replace('T', ' ')},${value(i)}`);
  writeFileSync(csv, `${rows.join('\n')}\n`);
  return csv;
}
const T0 = Date.UTC(2024, 2, 1);
const HOUR = 3_600_000;
const FIVE_MIN = 300_000;

/** A `timestamp,value` CSV of a daily sine; `repeatHour` writes every row of that hour twice
 * (sorted, the second with another value), as a CloudWatch export does at a daylight-saving change. */
function dailyCsv(stepMs: number, days: number, repeatHour?: number): string {
  const rows = ['timestamp,value'];
  const perDay = 86_400_000 / stepMs;
  for (let i = 0; i < days * perDay; i++) {
    const t = new Date(T0 + i * stepMs).toISOString().slice(0, 19).replace('T', ' ');
    const value = 10 + 3 * Math.sin((2 * Math.PI * i) / perDay) + 0.1 * Math.sin(i * 1.7);
    rows.push(`${t},${value.toFixed(6)}`);
    if (repeatHour !== undefined && Math.floor((i * stepMs) / HOUR) === repeatHour)
      rows.push(`${t},${(value + 1).toFixed(6)}`);
  }
  return `${rows.join('\n')}\n`;
}

/** A folder with an hourly trace and a 5-minute one whose 50th hour is exported twice. */
function mixedStepFolder(): string {
  const dir = tempDir('baselines-folder-');
  writeFileSync(join(dir, 'hourly.csv'), dailyCsv(HOUR, 8));
  writeFileSync(join(dir, 'five-minute.csv'), dailyCsv(FIVE_MIN, 5, 50));
  return dir;
}

describe('rollingOriginTasks', () => {
  it('places origins a stride apart, latest last, each forecasting the h points after it', () => {
    const values = Float32Array.from({ length: 100 }, (_, i) => i);
    const tasks = rollingOriginTasks('s', { start: 0, stepMs: 1000, values }, 10, {
      horizon: 5,
      origins: 3,
      stride: 7,
    });
    expect(tasks.map((t) => t.id)).toEqual(['s@81', 's@88', 's@95']);
    expect(Array.from(tasks[2].actual)).toEqual([95, 96, 97, 98, 99]);
    expect(tasks[0].history.length).toBe(81);
  });

  it('skips origins without two periods of history or with an all-missing window', () => {
    const values = Float32Array.from({ length: 30 }, (_, i) => (i >= 25 ? NaN : i));
    const tasks = rollingOriginTasks('s', { start: 0, stepMs: 1000, values }, 10, {
      horizon: 5,
      origins: 3,
      stride: 5,
    });
    expect(tasks.map((t) => t.id)).toEqual(['s@20']);
  });

  it('derives a daily period from the step', () => {
    expect(dailyPeriod(300_000)).toBe(288);
    expect(dailyPeriod(3_600_000)).toBe(24);
    expect(dailyPeriod(7_000)).toBeUndefined();
  });
});

describe('loadTimestampValueFiles', () => {
  it('scores a folder of files with different steps per file, each with its own daily period', async () => {
    const dir = mixedStepFolder();
    const data = await loadTimestampValueFiles('csv:dir', await csvFilesIn(dir), { horizon: 6, origins: 2 });
    expect(data.period).toBeUndefined();
    const periodOf = (name: string) =>
      new Set(data.tasks.filter((t) => t.id.startsWith(`${name}@`)).map((t) => t.period));
    expect([...periodOf('hourly')]).toEqual([24]);
    expect([...periodOf('five-minute')]).toEqual([288]);
    expect(data.tasks).toHaveLength(4);
    expect(data.protocol).toContain('m per file (five-minute.csv 288, hourly.csv 24)');
  });

  it('averages repeated timestamps by default and warns with the file and the count', async () => {
    const dir = mixedStepFolder();
    const data = await loadTimestampValueFiles('csv:dir', await csvFilesIn(dir), { horizon: 6, origins: 2 });
    expect(data.warnings).toEqual([
      `${join(dir, 'five-minute.csv')}: 12 repeated timestamps, averaged (--duplicates mean; first, last or error to choose otherwise)`,
    ]);
  });

  it('keeps a shared period when the files agree, and refuses repeats under duplicates: error', async () => {
    const dir = mixedStepFolder();
    const hourly = await loadTimestampValueFiles('csv:h', [join(dir, 'hourly.csv')], { horizon: 6, origins: 2 });
    expect([hourly.period, hourly.warnings]).toEqual([24, []]);
    await expect(
      loadTimestampValueFiles('csv:dir', await csvFilesIn(dir), { horizon: 6, origins: 2, duplicates: 'error' }),
    ).rejects.toMatchObject({ kind: 'duplicate' });
  });
});

describe('scoreTask', () => {
  // Noise keeps the in-sample seasonal-naive scale (the MASE denominator) away from 0.
  const history = add(sinusoid(240, 24), noise(240, 9, 0.1));
  const actual = sinusoid(24, 24, { start: 240 });
  const task = { id: 'x', history, actual, start: 0, stepMs: 3_600_000, period: 24 };

  it('scores a perfect zero-width forecast as zero error with full coverage', () => {
    const s = scoreTask(task, gaussianForecast(actual, new Float64Array(24), DEFAULT_LEVELS));
    expect(s.smape).toBeCloseTo(0, 5);
    expect(s.mase).toBeCloseTo(0, 5);
    expect(s.crps).toBeCloseTo(0, 5);
    expect(s.pinball90).toBeCloseTo(0, 5);
    expect(s.coverage80).toBe(1);
  });

  it('summarises with OWA 1 for the reference itself and prints a markdown row per model', () => {
    const score = scoreTask(
      task,
      gaussianForecast(
        actual.map((v) => v + 1),
        new Float64Array(24).fill(1),
        DEFAULT_LEVELS,
      ),
    );
    const row = summarise('m', [score, score], 1.5, 0, { smape: score.smape, mase: score.mase });
    expect(row.owa).toBeCloseTo(1, 12);
    const table = formatTable([row], true);
    expect(table.split('\n')).toHaveLength(3);
    expect(table).toContain('| m | ');
    expect(table).toContain('| 0/2 |');
  });
});

describe('non-negative clamp', () => {
  it('clamps a never-negative series at zero and leaves a signed one alone', async () => {
    const model = nonNegative(naiveForecaster());
    const positive = await model.forecast({ history: Float32Array.from([5, 0, 0, 0.1, 0]), horizon: 2 });
    expect(Math.min(...positive.quantiles)).toBe(0);
    const signed = await model.forecast({ history: Float32Array.from([5, -3, 0, 0.1, 0]), horizon: 2 });
    expect(Math.min(...signed.quantiles)).toBeLessThan(0);
    expect(Array.from(clampForecast(signed).point)).toEqual([0, 0]);
  });
});

describe('evaluate CLI', () => {
  it('runs on a timestamp,value CSV and prints the table and a JSON report', async () => {
    const csv = seriesCsv('baselines-cli-', 24 * 8, 3_600_000, (i) =>
      (10 + 3 * Math.sin((2 * Math.PI * i) / 24) + 0.1 * Math.sin(i * 1.7)).toFixed(6),
    );
    const out = join(dirname(csv), 'out.json');
    const { stdout } = await evaluateCli([
      '--dataset',
      `csv:${csv}`,
      '--horizon',
      '6',
      '--models',
      'naive,snaive',
      '--origins',
      '3',
      '--json',
      out,
    ]);
    expect(stdout).toContain('| model | sMAPE | MASE | MASE geo-ratio vs snaive | vs naive | CRPS (scaled)');
    expect(stdout).toMatch(/^\| naive \| \d+\.\d{3} \|/m);
    expect(stdout).toMatch(/^\| snaive \| \d+\.\d{3} \|/m);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.period).toBe(24);
    expect(report.summaries.map((s: { model: string }) => s.model)).toEqual(['naive', 'snaive']);
    expect(report.windows[0].scores).toHaveLength(3);
  });

  describe('the harness beyond the model horizon (a 30-second series, h in steps)', () => {
    // 30-second points: two daily periods (2 × 2880) of history before two origins a day apart.
    const csv = seriesCsv('baselines-cli-30s-', 9300, 30_000, (i) =>
      (50 + 20 * Math.sin((2 * Math.PI * i) / 2880) + 3 * Math.sin(i * 0.37)).toFixed(4),
    );
    const evaluate = (horizon: number) =>
      evaluateCli([
        '--dataset',
        `csv:${csv}`,
        '--horizon',
        String(horizon),
        '--models',
        'snaive,tsfm-harness',
        '--origins',
        '2',
        '--harness-k',
        '4',
      ]);

    it('h = 120 steps (one call reaches 64) is rolled out: no failed window, latency reported', async () => {
      const { stdout } = await evaluate(120);
      expect(stdout).toMatch(/^\| tsfm-harness \| .* \| 0\/2 \|$/m);
      expect(stdout).toMatch(/tsfm-harness: latency p99 \d+\.\d ms, over the 200 ms budget \d+\/2/);
      expect(stdout).not.toContain('⚠');
    }, 300_000);

    it('a model that fails every window is marked and the command exits 1', async () => {
      // 513 steps > 8 rounds × 64: beyond the harness's rollout cap, so every window fails.
      const failure = await evaluate(513).catch((e: { code: number; stdout: string }) => e);
      expect((failure as { code: number }).code).toBe(1);
      const stdout = (failure as { stdout: string }).stdout;
      expect(stdout).toMatch(/^\| tsfm-harness ⚠ \| .* \| 2\/2 \|$/m);
      expect(stdout).toMatch(/^\| snaive \| /m);
      expect(stdout).toContain("⚠ FAILED: tsfm-harness failed 2/2 windows; seasonal naive's forecast stands in");
      expect(stdout).toMatch(/horizon 513 steps is beyond this model/);
    }, 300_000);
  });

  it('evaluates a folder of CSVs with different steps, warning about repeated timestamps', async () => {
    const dir = mixedStepFolder();
    const out = join(dir, 'out.json');
    const args = ['--dataset', `csv:${dir}`, '--horizon', '6', '--origins', '2'];
    const { stdout, stderr } = await evaluateCli([...args, '--models', 'snaive', '--json', out]);
    expect(stdout).toMatch(/^\| snaive \| \d+\.\d{3} \|/m);
    expect(stderr).toContain(`evaluate: warning: ${join(dir, 'five-minute.csv')}: 12 repeated timestamps, averaged`);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.period).toBeUndefined();
    const periods = report.windows[0].scores.map(
      (s: { id: string; period: number }) => `${s.id.split('@')[0]} ${s.period}`,
    );
    expect(new Set(periods)).toEqual(new Set(['five-minute 288', 'hourly 24']));

    // --duplicates error: the file is refused in one line naming it, without a stack trace.
    const refused = await evaluateCli([...args, '--models', 'snaive', '--duplicates', 'error']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((refused as { code: number }).code).toBe(1);
    const lines = (refused as { stderr: string }).stderr.split('\n').filter((l) => l.startsWith('evaluate:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/five-minute\.csv.*duplicate timestamp/);
    expect((refused as { stderr: string }).stderr).not.toMatch(/^\s+at /m);
  }, 120_000);

  it('rejects an unknown model with a usage error (exit code 2)', async () => {
    const failure = await evaluateCli(['--dataset', 'nab', '--models', 'naive,lstm']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((failure as { code: number }).code).toBe(2);
    expect((failure as { stderr: string }).stderr).toMatch(/--models/);
  });
});
