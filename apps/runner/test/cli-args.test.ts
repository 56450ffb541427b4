import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../src/cli/args.js';

describe('run.ts arguments', () => {
  it('reads a first run with every flag into config.json keys', () => {
    const command = parseCommand([
      'wd',
      '--program',
      'p.md',
      '--planner',
      'claude',
      '--model',
      'm',
      '--max-experiments',
      '40',
      '--max-hours',
      '1.5',
      '--max-dollars',
      '0',
      '--patience',
      '4',
      '--concurrency',
      '3',
      '--launch',
      'sbatch --wrap {cmd}',
      '--job-timeout',
      '600',
    ]);
    expect(command).toEqual({
      kind: 'run',
      workdir: 'wd',
      settings: {
        program: 'p.md',
        planner: 'claude',
        model: 'm',
        maxExperiments: 40,
        maxHours: 1.5,
        maxDollars: 0,
        patience: 4,
        concurrency: 3,
        launch: 'sbatch --wrap {cmd}',
        jobTimeoutS: 600,
      },
    });
  });

  it('reads a resume as the workdir alone, with no settings', () => {
    expect(parseCommand(['wd'])).toEqual({ kind: 'run', workdir: 'wd', settings: {} });
  });

  it('names the flag whose value is wrong', () => {
    expect(() => parseCommand(['wd', '--concurrency', 'two'])).toThrow(
      /^--concurrency: expected a whole number such as 30, got "two"/,
    );
    expect(() => parseCommand(['wd', '--max-experiments', '2.5'])).toThrow(
      /^--max-experiments: expected a whole number/,
    );
    expect(() => parseCommand(['wd', '--planner', 'gpt'])).toThrow(/^--planner: .*"claude"\|"offline"/);
    expect(() => parseCommand(['wd', '--max-hours=-1'])).toThrow(
      /^--max-hours: expected a number such as 0.5, got "-1"/,
    );
    expect(() => parseCommand(['wd', '--max-hours', '0'])).toThrow(/^--max-hours: Too small/);
  });

  it('refuses unknown flags and stray words', () => {
    expect(() => parseCommand(['wd', '--conc', '2'])).toThrow(UsageError);
    expect(() => parseCommand(['wd', 'extra'])).toThrow(/exactly one workdir/);
  });

  it('reads status, report and the queue actions', () => {
    expect(parseCommand(['status', 'wd', '--json'])).toEqual({ kind: 'status', workdir: 'wd', json: true });
    expect(parseCommand(['report', 'wd'])).toEqual({ kind: 'report', workdir: 'wd' });
    expect(parseCommand(['queue', 'wd', 'list'])).toEqual({
      kind: 'queue',
      workdir: 'wd',
      action: { op: 'list', json: false },
    });
    expect(parseCommand(['queue', 'wd', 'drop', 'e7'])).toEqual({
      kind: 'queue',
      workdir: 'wd',
      action: { op: 'drop', id: 'e7' },
    });
    expect(parseCommand(['queue', 'wd', 'add', 'spec.json'])).toEqual({
      kind: 'queue',
      workdir: 'wd',
      action: { op: 'add', specFile: 'spec.json' },
    });
  });

  it('takes a negative priority in queue move as a number, not a flag', () => {
    expect(parseCommand(['queue', 'wd', 'move', 'e7', '-5'])).toEqual({
      kind: 'queue',
      workdir: 'wd',
      action: { op: 'move', id: 'e7', priority: -5 },
    });
  });

  it('refuses a priority that is not a finite number', () => {
    for (const bad of ['soon', 'Infinity', 'NaN', '']) {
      expect(() => parseCommand(['queue', 'wd', 'move', 'e7', bad]), bad).toThrow(/finite number/);
    }
  });

  it('refuses a queue action with the wrong number of arguments', () => {
    expect(() => parseCommand(['queue', 'wd', 'move', 'e7'])).toThrow(/move <id> <priority>/);
    expect(() => parseCommand(['queue', 'wd', 'shuffle'])).toThrow(/unknown queue action/);
  });
});
