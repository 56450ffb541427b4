/**
 * Jobs run planner-written code, so they get an environment built from an allow-list: the
 * runner's ANTHROPIC_API_KEY (or any other secret) never reaches them. Checked on a real job:
 * from /proc/<pid>/environ while it runs, and from what it prints.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jobEnvironment } from '../src/workflow/launch/job-env.js';
import { LocalBackend } from '../src/workflow/launch/local-backend.js';
import { removeTempDirs, tempDir } from './workflow-helpers.js';

afterAll(removeTempDirs);

const SECRET = 'sk-ant-must-not-leak-4f1e';

describe('a job environment', () => {
  it('keeps what node, git and the evaluator need and drops every secret', () => {
    const env = jobEnvironment({
      PATH: '/usr/bin',
      HOME: '/root',
      LC_ALL: 'C.UTF-8',
      TSFM_MODEL_MANIFEST: '/models/m.json',
      ANTHROPIC_API_KEY: SECRET,
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:1',
      AWS_SECRET_ACCESS_KEY: 'x',
      TSFM_API_KEY: 'y',
      GITHUB_TOKEN: 'z',
    });
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/root', LC_ALL: 'C.UTF-8', TSFM_MODEL_MANIFEST: '/models/m.json' });
  });

  it('is what a launched job sees: no API key in /proc/<pid>/environ nor in its own printout', async () => {
    const saved = process.env['ANTHROPIC_API_KEY'];
    process.env['ANTHROPIC_API_KEY'] = SECRET;
    const dir = tempDir('wf-job-env-');
    const runDir = join(dir, 'run');
    mkdirSync(runDir, { recursive: true });
    const done = join(dir, 'printed');
    const backend = new LocalBackend('{cmd}');
    try {
      // Prints its environment, then waits until the test has read /proc (a file appears).
      const handle = await backend.launch({
        id: 'env-check',
        token: 'tok-env',
        cwd: dir,
        log: join(runDir, 'log'),
        runDir,
        command: `env > ${done}.tmp && mv ${done}.tmp ${done}; while [ ! -e ${dir}/go ]; do sleep 0.05; done`,
      });
      const pid = handle['pid'] as number;
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      expect(environ.some((line) => line.startsWith('PATH='))).toBe(true);
      expect(environ.filter((line) => line.includes(SECRET) || line.startsWith('ANTHROPIC_'))).toEqual([]);
      while (!existsSync(done)) await new Promise((resolve) => setTimeout(resolve, 20));
      const printed = readFileSync(done, 'utf8');
      expect(printed).toContain('TSFM_EXPERIMENT_ID=env-check');
      expect(printed).not.toContain(SECRET);
      expect(printed).not.toMatch(/^ANTHROPIC_/m);
      mkdirSync(join(dir, 'go'));
      await backend.cancel(handle);
    } finally {
      if (saved === undefined) delete process.env['ANTHROPIC_API_KEY'];
      else process.env['ANTHROPIC_API_KEY'] = saved;
    }
  });
});
