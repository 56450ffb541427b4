/**
 * Mistakes a person makes at the command line get one clear line and the right exit code — never
 * a stack trace — and change nothing on disk: a workdir that is a file, a number written oddly,
 * `--planner claude` without a key. A run stopped at a cap says which flag raises it.
 */
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../src/cli/args.js';
import { resumeHint } from '../src/workdir/resume-hint.js';
import { DEFAULT_SETTINGS, RunConfigSchema } from '../src/workdir/run-config.js';
import { cli, useCounterAdapter } from './fixtures/in-process.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const dirs: string[] = [];
const temp = () => {
  const dir = tempDir('runner-user-errors-');
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const STACK = /\n\s+at /;

describe('numbers on the command line', () => {
  it.each([
    ['1e3', /--max-experiments: expected a whole number such as 30, got "1e3"/],
    ['0x10', /--max-experiments: expected a whole number such as 30, got "0x10"/],
    ['2.5', /--max-experiments: expected a whole number such as 30, got "2.5"/],
    ['=-1', /--max-experiments: expected a whole number such as 30, got "-1"/],
    ['0', /--max-experiments: Too small/],
  ])('--max-experiments %s is a usage error that says what was expected', (value, message) => {
    const argv = value.startsWith('=') ? [`--max-experiments${value}`] : ['--max-experiments', value];
    expect(() => parseCommand(['wd', ...argv])).toThrow(UsageError);
    expect(() => parseCommand(['wd', ...argv])).toThrow(message);
  });

  it('takes plain decimals where a decimal is meant', () => {
    expect(parseCommand(['wd', '--max-hours', '0.25', '--max-experiments', '24'])).toMatchObject({
      settings: { maxHours: 0.25, maxExperiments: 24 },
    });
  });
});

describe('a workdir it cannot use', () => {
  it('is one line naming the path when the workdir is a file', async () => {
    const file = join(temp(), 'not-a-folder');
    writeFileSync(file, 'x');
    const result = await cli([file]);
    expect(result.code).toBe(1);
    expect(result.err.trim()).toMatch(
      /not-a-folder.*: cannot \w+: a path on the way is a file, not a folder \(ENOTDIR\)$/,
    );
    expect(result.err).not.toMatch(STACK);
  });

  it('is one line when the workdir cannot be written', async () => {
    if (process.getuid?.() === 0) return; // root writes anywhere; the ENOTDIR case covers the path
    const dir = join(temp(), 'locked');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    const result = await cli([join(dir, 'wd')]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/permission denied \(EACCES\)/);
    expect(result.err).not.toMatch(STACK);
  });
});

describe('--planner claude without ANTHROPIC_API_KEY', () => {
  it('exits 2 before writing anything, on a first run and on a resume', async () => {
    useCounterAdapter();
    const saved = process.env['ANTHROPIC_API_KEY'];
    delete process.env['ANTHROPIC_API_KEY'];
    try {
      const workdir = temp();
      const first = await cli([workdir, '--planner', 'claude']);
      expect(first.code).toBe(2);
      expect(first.err).toContain('--planner claude needs ANTHROPIC_API_KEY in the environment');
      expect(existsSync(join(workdir, 'config.json'))).toBe(false);

      const config = RunConfigSchema.parse({
        version: 1,
        createdAt: new Date().toISOString(),
        ...DEFAULT_SETTINGS,
        planner: 'claude',
        adapterModule: null,
        overrides: [],
      });
      writeFileSync(join(workdir, 'config.json'), JSON.stringify(config));
      const resumed = await cli([workdir]);
      expect(resumed.code).toBe(2);
      expect(resumed.err).toContain('this run was started with --planner claude');
    } finally {
      if (saved !== undefined) process.env['ANTHROPIC_API_KEY'] = saved;
    }
  });
});

describe('the resume hint after a stop', () => {
  const config = RunConfigSchema.parse({
    version: 1,
    createdAt: '2025-01-01T00:00:00.000Z',
    ...DEFAULT_SETTINGS,
    maxExperiments: 24,
    adapterModule: null,
    overrides: [],
  });
  it('names the flag that raises the cap that stopped the run', () => {
    expect(resumeHint('max-experiments: 24 experiments reached the cap of 24', 'wd', config)).toBe(
      'Resume with a higher cap: run.ts wd --max-experiments 36 (now 24)',
    );
    expect(resumeHint('max-hours: 8.01 h elapsed reached the cap of 8 h', 'wd', config)).toContain('--max-hours 16');
    expect(resumeHint('plateau: best metric …', 'wd', config)).toContain('--patience 5');
    expect(resumeHint('stop requested (SIGINT)', 'wd', config)).toBe('Resume with: run.ts wd');
  });
});
