/**
 * One evaluation as N jobs: queue time against the clocks (monitorJob's `pending`), shards failing
 * together (monitorJobs), and the tiny template's real evaluator split three ways through the
 * workflow — merged to what one unsharded run of the same evaluator writes.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../src/workflow/create-adapter.js';
import { ExperimentFailure } from '../src/workflow/experiment/failures.js';
import { monitorJob } from '../src/workflow/launch/job-monitor.js';
import type { JobHandle, JobState, LaunchBackend, LaunchJob } from '../src/workflow/launch/launch-backend.js';
import { evaluationJobs, monitorJobs } from '../src/workflow/shards/shard-jobs.js';
import {
  anchoredWorkdir,
  expectMergedAsUnsharded,
  inProcessContext,
  launchMarkers,
  readTree,
  removeTempDirs,
  runAllToCompletion,
  tempDir,
  TINY_TEMPLATE_DIR,
  writeWorkflowSettings,
} from './workflow-helpers.js';

afterAll(removeTempDirs);

/** A backend whose jobs' states are scripted per poll; records cancels. */
class ScriptedBackend implements LaunchBackend {
  readonly name = 'scripted';
  readonly cancelled: string[] = [];
  constructor(
    private readonly script: (job: string, poll: number) => JobState,
    readonly queueTimeoutMs?: number,
  ) {}
  private readonly polls = new Map<string, number>();
  async launch(job: LaunchJob): Promise<JobHandle> {
    return { job: job.token };
  }
  async poll(handle: JobHandle): Promise<JobState> {
    const job = String(handle['job']);
    const n = this.polls.get(job) ?? 0;
    this.polls.set(job, n + 1);
    return this.script(job, n);
  }
  async cancel(handle: JobHandle): Promise<void> {
    this.cancelled.push(String(handle['job']));
  }
  async findLaunched(): Promise<JobHandle | undefined> {
    return undefined;
  }
}

const HOUR = 3_600_000;

describe('queue time and the job clocks', () => {
  const base = { launchedAt: 0, pollMs: 1, watch: [] as string[], signal: new AbortController().signal };

  it('a job waiting in the queue for hours is neither timed out nor stalled', async () => {
    let now = 0;
    const backend = new ScriptedBackend((_, poll) => {
      now = poll * HOUR;
      return poll < 5 ? { state: 'pending', reason: 'Slurm: PENDING, Priority' } : { state: 'exited', code: 0 };
    });
    await expect(
      monitorJob({ ...base, backend, handle: { job: 'a' }, timeoutMs: 1000, stallMs: 1000, now: () => now }),
    ).resolves.toBe(0);
    expect(backend.cancelled).toEqual([]);
  });

  it('the job timeout counts from the start the backend reports, not from the submission', async () => {
    const started = 10 * HOUR;
    let now = started + 500;
    const backend = new ScriptedBackend(() => ({ state: 'running', startedAt: started }));
    const watched = monitorJob({
      ...base,
      backend,
      handle: { job: 'b' },
      timeoutMs: 1000,
      stallMs: 100 * HOUR,
      now: () => now,
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(backend.cancelled).toEqual([]); // ten hours after the submission, half a second after the start
    now = started + 1500;
    await expect(watched).rejects.toThrow(/^timeout: still running after the job timeout of 1\.0 s/);
    expect(backend.cancelled).toEqual(['b']);
  });

  it('a job that never leaves the queue is cancelled at the queue limit, with the scheduler’s reason', async () => {
    let now = 0;
    const backend = new ScriptedBackend(
      (_, poll) => ((now = poll * HOUR), { state: 'pending', reason: 'Slurm: PENDING, PartitionDown' }),
      3 * HOUR,
    );
    await expect(
      monitorJob({
        ...base,
        backend,
        handle: { job: 'c' },
        timeoutMs: 1000,
        stallMs: 1000,
        queueTimeoutMs: 3 * HOUR,
        now: () => now,
      }),
    ).rejects.toThrow(
      /^timeout: still waiting in the queue after 14400 s \(Slurm: PENDING, PartitionDown\), past the queue limit of 10800 s; cancelled/,
    );
    expect(backend.cancelled).toEqual(['c']);
  });

  it('a lost job says what the backend knows of it', async () => {
    const backend = new ScriptedBackend(() => ({ state: 'lost', reason: 'job 42: Slurm says OUT_OF_MEMORY' }));
    await expect(
      monitorJob({ ...base, backend, handle: { job: 'd' }, timeoutMs: 1000, stallMs: 1000 }),
    ).rejects.toThrow(/^lost: .*\(job 42: Slurm says OUT_OF_MEMORY\)/);
  });
});

describe('the shards of one evaluation', () => {
  const runDir = tempDir('shards-run-');
  mkdirSync(join(runDir, 'shards'), { recursive: true });
  const jobs = evaluationJobs({
    id: 'e001-x',
    token: 'tok',
    cwd: runDir,
    runDir,
    argv: ['node', 'evaluate.ts', '--params', 'p.json', '--out', join(runDir, 'metrics.json')],
    shards: 3,
  });
  const handles = jobs.map(({ job }) => ({ job: job.token }));
  const options = { jobs, handles, launchedAt: Date.now(), timeoutMs: 60_000, stallMs: 60_000, pollMs: 1 };

  it('are one job each, with --shard i/N, their own log and metrics file, and a token of their own', () => {
    expect(jobs.map(({ job }) => job.token)).toEqual(['tok-1of3', 'tok-2of3', 'tok-3of3']);
    expect(jobs[1].job.command).toBe(
      `node evaluate.ts --params p.json --shard 2/3 --out ${join(runDir, 'shards', 'metrics-2-of-3.json')}`,
    );
    expect(jobs[1].job.log).toBe(join(runDir, 'shards', 'log-2-of-3'));
    expect(jobs[1].watch).toEqual([
      join(runDir, 'shards', 'log-2-of-3'),
      join(runDir, 'shards', 'metrics-2-of-3.json'),
    ]);
    const single = evaluationJobs({
      id: 'e001-x',
      token: 'tok',
      cwd: runDir,
      runDir,
      argv: ['node', 'evaluate.ts'],
      shards: 1,
    });
    expect(single.map(({ shard, job }) => [shard, job.token, job.log, job.command])).toEqual([
      [undefined, 'tok', join(runDir, 'log'), 'node evaluate.ts'],
    ]);
  });

  it('fail together: the first failure cancels the others and names its shard', async () => {
    writeFileSync(jobs[1].job.log, 'request 1/5 …\nError: out of tenants\n');
    const backend = new ScriptedBackend((job, poll) =>
      job === 'tok-2of3' && poll >= 3 ? { state: 'exited', code: 3 } : { state: 'running' },
    );
    const failure = await monitorJobs({ ...options, backend, signal: new AbortController().signal }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ExperimentFailure);
    expect((failure as Error).message).toMatch(
      /^exit: shard 2\/3: the evaluation exited with status 3: Error: out of tenants$/,
    );
    expect(backend.cancelled.sort()).toEqual(['tok-1of3', 'tok-2of3', 'tok-3of3']);
    // The experiment's own log says which shard failed and how its log ended (analysis.md quotes it).
    expect(readFileSync(join(runDir, 'log'), 'utf8')).toMatch(
      /shard 2\/3: the evaluation exited with status 3[^]*Error: out of tenants/,
    );
  });

  it('are left running when the runner stops, for a resume to re-attach', async () => {
    const backend = new ScriptedBackend(() => ({ state: 'running' }));
    const stop = new AbortController();
    const watching = monitorJobs({ ...options, backend, signal: stop.signal });
    setTimeout(() => stop.abort(new Error('runner stopping')), 20);
    await expect(watching).rejects.toThrow('runner stopping');
    expect(backend.cancelled).toEqual([]);
  });
});

describe('the tiny evaluator split over three jobs by the workflow', () => {
  it('launches three jobs per experiment and records what one unsharded run of the evaluator prints', async () => {
    const workdir = await anchoredWorkdir({ shards: 3 });
    const { ctx } = inProcessContext(workdir, { concurrency: 3 });
    const adapter = await createAdapter(ctx);
    const seeds = await adapter.seed();
    const finished = await runAllToCompletion(adapter, seeds);
    for (const { outcome } of finished) expect(outcome.ok, outcome.ok ? '' : String(outcome.error)).toBe(true);

    for (const node of readTree(workdir)) {
      expect(node.status, `${node.id}: ${node.error}`).toBe('completed');
      const runDir = join(workdir, 'runs', node.id);
      // One job per shard, each launched once.
      expect(
        launchMarkers(workdir, node.id)
          .map((name) => name.replace(/^launch-[0-9a-f-]{36}-/, ''))
          .sort(),
      ).toEqual(['1of3', '2of3', '3of3']);
      expect(readdirSync(join(runDir, 'shards')).sort()).toEqual([
        'log-1-of-3',
        'log-2-of-3',
        'log-3-of-3',
        'metrics-1-of-3.json',
        'metrics-2-of-3.json',
        'metrics-3-of-3.json',
      ]);
      expect(readFileSync(join(runDir, 'log'), 'utf8')).toMatch(/merged 3 shards[^]*\n---\nmetric: +\d/);

      // The same evaluator, unsharded, in the same worktree: requests back in the fleet's order,
      // each with the loss and winners the unsharded run gave it.
      const { merged, whole } = await expectMergedAsUnsharded(workdir, node);
      expect(merged.dropped).toBe(0);
      expect(merged.requests.map((r) => r.losses)).toEqual(whole.requests.map((r) => r.losses));
      expect(merged.requests.map((r) => r.winners)).toEqual(whole.requests.map((r) => r.winners));
      expect(merged.shards?.map((s) => s.shard)).toEqual(['1/3', '2/3', '3/3']);
      expect(merged.mode).toBe(whole.mode);
    }
  });

  it('is refused up front for a template whose evaluator does not shard', async () => {
    const template = tempDir('no-shard-template-');
    cpSync(fileURLToPath(TINY_TEMPLATE_DIR), template, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(template, 'template.json'), 'utf8'));
    delete manifest.shardable;
    writeFileSync(join(template, 'template.json'), JSON.stringify(manifest, null, 2));
    const workdir = tempDir('no-shard-');
    writeWorkflowSettings(workdir, { template, shards: 2 });
    await expect(createAdapter(inProcessContext(workdir).ctx)).rejects.toThrow(
      /^workflow\.json: shards: 2, but the evaluator of template "tiny" does not take --shard/,
    );
    expect(existsSync(join(workdir, 'runs'))).toBe(false);
  });
});
