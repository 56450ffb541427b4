/**
 * The workflow's small parts on their own: the result block, launch templates, ledger rows, and
 * the local backend's launch / find / poll / cancel on real detached processes.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderTemplate, shellCommand, validateTemplate } from '../src/workflow/launch/command-template.js';
import { evaluatorResult } from '../src/workflow/experiment/evaluator-output.js';
import { ExperimentFailure } from '../src/workflow/experiment/failures.js';
import { resultsRow } from '../src/workflow/state/ledgers.js';
import { LocalBackend } from '../src/workflow/launch/local-backend.js';
import { errorLineOf } from '../src/workflow/experiment/failures.js';
import { queuedNode } from '../src/workflow/research/planning.js';
import { pidAlive, removeTempDirs, tempDir } from './workflow-helpers.js';

afterAll(removeTempDirs);

describe('the evaluator result block', () => {
  const block = (lines: string[]) =>
    ['progress: 1/8', 'metric: 9.99 (a progress line, not the block)', '---', ...lines, ''].join('\n');

  it('is read from the last "---" line on, like a grep would', () => {
    const result = evaluatorResult(
      block(['metric:          0.812345', 'latency_p99_ms:  1.5', 'points:          1920', 'dropped:         0']),
    );
    expect(result).toMatchObject({ metric: 0.812345, latencyMsP99: 1.5, points: 1920, dropped: 0, cpuS: null });
    expect(evaluatorResult(block(['metric: 0.5', 'cpu_s:           6.93'])).cpuS).toBe(6.93);
  });

  it('without a finite metric is a no-metric failure, never a number', () => {
    expect(() => evaluatorResult(block(['latency_p99_ms: 1.5']))).toThrow(ExperimentFailure);
    expect(() => evaluatorResult(block(['metric: NaN']))).toThrow(/no finite metric \(metric: NaN\)/);
    expect(() => evaluatorResult('no block at all\n')).toThrow(/no result block/);
  });

  it('that dropped requests is refused: a metric over a subset is not comparable', () => {
    expect(() => evaluatorResult(block(['metric: 0.5', 'dropped: 2']))).toThrow(/dropped 2 request\(s\)/);
  });
});

describe('launch templates', () => {
  it('insert {cmd} as a command line and quote {cwd}, {log} and {id}', () => {
    const cmd = shellCommand(['/usr/bin/node', 'evaluate.ts', '--out', "/tmp/it's here/metrics.json"]);
    expect(cmd).toBe("/usr/bin/node evaluate.ts --out '/tmp/it'\\''s here/metrics.json'");
    expect(renderTemplate('cd {cwd} && {cmd} > {log} # {id}', { cmd, cwd: '/w d', log: '/l', id: 'e001-k-8' })).toBe(
      `cd '/w d' && ${cmd} > /l # e001-k-8`,
    );
  });

  it('are refused with an unknown placeholder or without {cmd}', () => {
    expect(() => validateTemplate('srun {command}')).toThrow(/unknown placeholder \{command\}/);
    expect(() => validateTemplate('echo hi')).toThrow(/never runs \{cmd\}/);
    expect(() => validateTemplate('nice -n 10 {cmd}')).not.toThrow();
  });
});

describe('ledger rows', () => {
  it('give a crash an empty metric and latency in results.tsv, never 0', () => {
    const node = {
      ...queuedNode(
        'e007-k-8',
        { name: 'k-8', hypothesis: '', params: { k: 8 }, patch: null, parent: null, seedKind: null },
        't',
      ),
      status: 'failed' as const,
      decision: 'crash' as const,
      metric: 0,
      latencyMsP99: 3,
      error: 'timeout: killed\nmore',
    };
    expect(resultsRow(node)).toEqual({
      commit: '',
      metric: '',
      latency: '',
      status: 'crash',
      description: 'e007-k-8: k-8 — timeout: killed',
    });
  });
});

describe('the local backend', () => {
  const backend = new LocalBackend('{cmd}');
  const job = (dir: string, token: string, command: string) => {
    const runDir = join(dir, 'run');
    mkdirSync(runDir, { recursive: true });
    return { id: 'x', token, cwd: dir, log: join(runDir, 'log'), runDir, command };
  };

  it('finds a job it launched by token, reports its exit status, and knows a token it never launched', async () => {
    const dir = tempDir('wf-backend-');
    const launched = job(dir, 'tok-a', 'echo hello; exit 4');
    const handle = await backend.launch(launched);
    expect(await backend.findLaunched(launched)).toMatchObject({ token: 'tok-a' });
    expect(await backend.findLaunched(job(dir, 'tok-never', 'true'))).toBeUndefined();
    // Polled until the wrapper has recorded the exit, however long a busy machine takes.
    await expect
      .poll(() => backend.poll(handle), { timeout: 60_000, interval: 20 })
      .toEqual({ state: 'exited', code: 4 });
    expect(readdirSync(join(dir, 'run')).filter((name) => name.startsWith('launch-'))).toEqual(['launch-tok-a']);
  });

  it('says lost when the job is killed from outside, and cancel() takes the whole group down', async () => {
    const dir = tempDir('wf-backend-');
    const killed = await backend.launch(job(dir, 'tok-k', 'sleep 30'));
    const cancelled = await backend.launch(job(dir, 'tok-c', 'sleep 30 & sleep 30'));
    expect(await backend.poll(killed)).toEqual({ state: 'running' });
    process.kill(-(killed['pid'] as number), 'SIGKILL');
    // The group dies when the kernel gets to it: poll until it is gone instead of hoping 100 ms is enough.
    await expect.poll(() => backend.poll(killed), { timeout: 60_000, interval: 20 }).toEqual({ state: 'lost' });
    await backend.cancel(cancelled);
    expect(pidAlive(cancelled['pid'] as number)).toBe(false);
    expect(() => process.kill(-(cancelled['pid'] as number), 0)).toThrow();
  });
});

describe('the note a crashed experiment gets', () => {
  it('quotes the error line of a Node crash, not its stack or version footer', () => {
    const crash = [
      'request 3/8 t0003: loss 0.21 in 4.1 ms',
      'file:///w/source/experiment.ts:12',
      "    throw new RangeError('k must be ≤ 64');",
      '    ^',
      '',
      'RangeError: k must be ≤ 64',
      '    at candidates (file:///w/source/experiment.ts:12:11)',
      '    at file:///w/source/evaluate.ts:80:5',
      '}',
      '',
      'Node.js v20.20.2',
      '',
    ].join('\n');
    expect(errorLineOf(crash)).toBe('RangeError: k must be ≤ 64');
    expect(errorLineOf('a\nb\n}\n\nNode.js v20.20.2\n')).toBe('a | b');
  });
});

describe('errorLineOf', () => {
  it('finds a plain Error line and a coded one', () => {
    expect(errorLineOf('request 1/5 …\nError: out of tenants\n')).toBe('Error: out of tenants');
    expect(errorLineOf('x\nHarnessError [bad-request]: horizon too long\n    at f (a.ts:1:1)\n')).toBe(
      'HarnessError [bad-request]: horizon too long',
    );
  });
});
