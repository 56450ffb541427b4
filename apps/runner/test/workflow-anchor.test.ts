/**
 * Anchoring is resumable: a runner killed while the template's prepare step runs finds that same
 * job on its next start and waits for it — the prepare runs once, not once per start.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnRunner } from './fixtures/runner-process.js';
import { readTree, removeTempDirs, tempDir, TINY_TEMPLATE_DIR, writeWorkflowSettings } from './workflow-helpers.js';

afterAll(removeTempDirs);

/**
 * The tiny template with a prepare step that notes each start, then waits for a `go` file before
 * preparing the data: a prepare that is still running when the runner is killed.
 */
function slowPrepareTemplate(dir: string): string {
  const template = join(dir, 'slow-template');
  cpSync(fileURLToPath(TINY_TEMPLATE_DIR), template, { recursive: true });
  writeFileSync(
    join(template, 'slow-prepare.ts'),
    [
      "import { appendFileSync, existsSync } from 'node:fs';",
      "import { execFileSync } from 'node:child_process';",
      "import { dirname, join } from 'node:path';",
      "const out = process.argv[process.argv.indexOf('--out') + 1]!;",
      "appendFileSync(join(dirname(out), 'prepare-starts'), `${process.pid}\\n`);",
      "while (!existsSync(join(dirname(out), 'go'))) await new Promise((resolve) => setTimeout(resolve, 50));",
      "execFileSync(process.execPath, [...process.execArgv, 'prepare.ts', '--out', out], { stdio: 'inherit' });",
      '',
    ].join('\n'),
  );
  const manifest = JSON.parse(readFileSync(join(template, 'template.json'), 'utf8'));
  manifest.prepare = ['slow-prepare.ts', '--out', '{data}'];
  manifest.frozen = [...manifest.frozen, 'slow-prepare.ts'];
  writeFileSync(join(template, 'template.json'), JSON.stringify(manifest, null, 2));
  return template;
}

describe('anchoring a workdir', () => {
  it(
    're-attaches to a prepare job the killed runner left running, and runs it once',
    async () => {
      const dir = tempDir('wf-anchor-');
      const workdir = join(dir, 'wd');
      execFileSync('mkdir', ['-p', workdir]);
      writeWorkflowSettings(workdir, { template: slowPrepareTemplate(dir) });
      const env = { TSFM_RUNNER_ADAPTER_MODULE: '' };
      const starts = join(workdir, 'prepare-starts');

      const first = spawnRunner([workdir, '--max-experiments', '1'], env);
      await expect.poll(() => existsSync(starts), { timeout: 600_000, interval: 50 }).toBe(true);
      first.child.kill('SIGKILL');
      await first.exited;

      const second = spawnRunner([workdir], env);
      expect(await second.stderrMatches(/re-attached to the prepare job started before the restart/)).toBe(true);
      writeFileSync(join(workdir, 'go'), '');
      const done = await second.exited;
      expect(done.code, done.stderr).toBe(0);
      expect(readFileSync(starts, 'utf8').trim().split('\n')).toHaveLength(1);
      expect(existsSync(join(workdir, 'engine', 'engine_state.json'))).toBe(true);
      expect(readTree(workdir).filter((node) => node.status === 'completed')).toHaveLength(1);
    },
    15 * 60_000,
  );
});
