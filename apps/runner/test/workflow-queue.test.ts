/**
 * Queueing by hand is safe: `queue add` checks a spec against the workflow when it is added (kind,
 * name, knobs and values, a patch to the editable file only, no seed-only fields), and `queue
 * cancel` stops a running experiment, which is recorded as cancelled — not as a crash.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobCancelled, type Outcome } from '../src/core/adapter.js';
import type { JsonObject, WorkSpec } from '../src/core/work-spec.js';
import { createAdapter } from '../src/workflow/create-adapter.js';
import type { JobValue, WorkflowAdapter } from '../src/workflow/workflow-adapter.js';
import { cli, readCheckpoint } from './fixtures/in-process.js';
import {
  anchoredWorkdir,
  experimentSpec,
  groupAlive,
  inProcessContext,
  launchMarkers,
  linePatch,
  readResults,
  readTree,
  removeTempDirs,
  templateFile,
} from './workflow-helpers.js';

afterAll(removeTempDirs);

function specFile(workdir: string, name: string, spec: unknown): string {
  const file = join(workdir, `${name}.json`);
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

const experiment = (id: string, fields: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id,
  kind: 'experiment',
  priority: 5,
  payload: { experiment: { name: id, hypothesis: 'by hand', ...fields } },
  ...extra,
});

describe('run.ts queue add', () => {
  it('refuses what the workflow could never run, naming the field, and accepts a good spec', async () => {
    const workdir = await anchoredWorkdir();
    // One seed runs; the other two stay queued, so there is a checkpoint to edit.
    expect((await cli([workdir, '--max-experiments', '1'])).code).toBe(0);
    const queued = readCheckpoint(workdir)?.queue.map((s) => s.id);
    expect(queued).toHaveLength(2);
    const prepare = templateFile('prepare.ts');
    const refused: [string, unknown, RegExp][] = [
      ['k-1000', experiment('k-1000', { params: { k: 1000 } }), /params: .*k/],
      ['unknown-knob', experiment('unknown-knob', { params: { kk: 3 } }), /params: .*kk/],
      [
        'frozen-patch',
        experiment('frozen-patch', {
          patch: linePatch(
            'prepare.ts',
            prepare,
            prepare.split('\n').find((l) => l.startsWith('export const HORIZON'))!,
            'export const HORIZON = 1;',
          ),
        }),
        /patch: .*prepare\.ts/,
      ],
      [
        'bogus-kind',
        { ...experiment('bogus-kind', {}), kind: 'bogus' },
        /kind "bogus": only "experiment" specs can be queued/,
      ],
      ['oracle', experiment('oracle', { mode: 'oracle' }), /"mode" cannot be set through the queue/],
      ['seed-kind', experiment('seed-kind', { seedKind: 'best-fixed' }), /"seedKind" cannot be set through the queue/],
      [
        'launched',
        { ...experiment('launched', {}), payload: { phase: 'launched', experiment: { name: 'launched' } } },
        /payload\.phase/,
      ],
    ];
    for (const [name, spec, message] of refused) {
      const result = await cli(['queue', workdir, 'add', specFile(workdir, name, spec)]);
      expect(result.code, name).toBe(1);
      expect(result.err, name).toMatch(message);
      expect(result.err, name).not.toMatch(/\n\s+at /); // one line, no stack
    }
    expect(readCheckpoint(workdir)?.queue.map((s) => s.id)).toEqual(queued);
    const good = await cli([
      'queue',
      workdir,
      'add',
      specFile(workdir, 'good', experiment('k-8', { params: { k: 8 } })),
    ]);
    expect(good.code, good.err).toBe(0);
    expect(good.out).toContain('added k-8');
  }, 600_000);
});

describe('run.ts queue cancel', () => {
  it('parses, and a running experiment cancelled is stopped and recorded as cancelled, not a crash', async () => {
    expect((await cli(['queue', '/nowhere', 'cancel'])).code).toBe(2);

    const workdir = await anchoredWorkdir();
    // A launch template that keeps the job alive long after the test is over, unless it is stopped.
    const { ctx } = inProcessContext(workdir, { launch: 'sleep 600; {cmd}' });
    const adapter = (await createAdapter(ctx)) as WorkflowAdapter;
    let spec: WorkSpec = experimentSpec('e100-slow', { name: 'slow', hypothesis: 'h', params: { k: 2 } });
    const abort = new AbortController();
    const running = adapter.run(spec, {
      signal: abort.signal,
      persist: async (payload: JsonObject) => void (spec = { ...spec, payload }),
    });
    const outcome = running.then(
      (value): Outcome<JobValue> => ({ ok: true, value }),
      (error: unknown): Outcome<JobValue> => ({ ok: false, error }),
    );
    await expect.poll(() => launchMarkers(workdir, 'e100-slow').length, { timeout: 600_000, interval: 50 }).toBe(1);
    const pid = Number(
      readFileSync(join(workdir, 'runs', 'e100-slow', launchMarkers(workdir, 'e100-slow')[0]), 'utf8'),
    );
    abort.abort(new JobCancelled('e100-slow'));
    const result = await outcome;
    expect(result).toMatchObject({ ok: false, error: expect.any(JobCancelled) });
    // Killed with its process group; give the wrapper a moment to be reaped (a zombie still counts).
    await expect.poll(() => groupAlive(pid), { timeout: 600_000, interval: 50 }).toBe(false);

    await adapter.complete(spec, result);
    const node = readTree(workdir).find((n) => n.id === 'e100-slow')!;
    expect(node).toMatchObject({ status: 'cancelled', decision: 'cancelled', metric: null });
    expect(readResults(workdir).rows.find((row) => row[4]?.startsWith('e100-slow'))?.[3]).toBe('cancelled');
  }, 600_000);
});
