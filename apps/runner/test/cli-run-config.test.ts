import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, resolveRunConfig } from '../src/workdir/run-config.js';
import { workdirPaths } from '../src/workdir/paths.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const freshPaths = () => workdirPaths(tempDir('runner-config-'));
const onDisk = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

describe('config.json', () => {
  it('is written on the first run from defaults and flags', async () => {
    const paths = freshPaths();
    const { config, created } = await resolveRunConfig(paths, { concurrency: 4, planner: 'offline' }, null);
    expect(created).toBe(true);
    expect(config).toMatchObject({ ...DEFAULT_SETTINGS, concurrency: 4, adapterModule: null, overrides: [] });
    expect(onDisk(paths.config)).toEqual(config);
  });

  it('picks up program.md in the workdir when no --program is given', async () => {
    const paths = freshPaths();
    writeFileSync(join(paths.root, 'program.md'), '# how to work\n');
    expect((await resolveRunConfig(paths, {}, null)).config.program).toBe('program.md');
  });

  it('resumes unchanged from the workdir alone', async () => {
    const paths = freshPaths();
    const first = await resolveRunConfig(paths, { maxExperiments: 7 }, null);
    const again = await resolveRunConfig(paths, {}, null);
    expect(again).toEqual({ config: first.config, created: false, changed: [] });
  });

  it('applies flags given on a resume and records each change', async () => {
    const paths = freshPaths();
    await resolveRunConfig(paths, { maxExperiments: 7 }, null);
    const { config, changed } = await resolveRunConfig(paths, { maxExperiments: 20, concurrency: 1 }, null);
    expect(changed).toEqual(['maxExperiments']); // concurrency 1 is already the value
    expect(config.maxExperiments).toBe(20);
    expect(onDisk(paths.config).overrides).toEqual([
      { at: expect.any(String), changes: { maxExperiments: { from: 7, to: 20 } } },
    ]);
  });

  it('names the field of a hand-broken config and leaves the file alone', async () => {
    const paths = freshPaths();
    await resolveRunConfig(paths, {}, null);
    const broken = { ...onDisk(paths.config), concurrency: 0 };
    writeFileSync(paths.config, JSON.stringify(broken));
    await expect(resolveRunConfig(paths, { concurrency: 2 }, null)).rejects.toThrow(
      /^config\.json: concurrency: Too small/,
    );
    expect(onDisk(paths.config)).toEqual(broken);
  });

  it('refuses a --program that does not exist', async () => {
    await expect(resolveRunConfig(freshPaths(), { program: '/no/such/program.md' }, null)).rejects.toThrow(
      /--program .*no such file/,
    );
  });
});
