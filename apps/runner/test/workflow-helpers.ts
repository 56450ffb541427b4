/**
 * Helpers for the workflow tests: workdirs on the tiny template, the adapter in-process, patches,
 * and readers for what a run leaves behind.
 *
 * Anchoring a workdir (copy, git, data, tsc) takes seconds, and most tests do not test it: they
 * copy one shared anchored workdir (keeping the node_modules symlink and the git repo). The
 * end-to-end test anchors its own, through the CLI.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { expect } from 'vitest';
import type { RunContext } from '../src/workdir/run-context.js';
import { DEFAULT_SETTINGS, RunConfigSchema, type RunSettings } from '../src/workdir/run-config.js';
import type { Outcome, WorkAdapter } from '../src/core/adapter.js';
import type { JsonObject, WorkSpec } from '../src/core/work-spec.js';
import { workdirPaths } from '../src/workdir/paths.js';
import { createAdapter, NODE_COMMAND } from '../src/workflow/create-adapter.js';
import { TreeSchema, type TreeNode } from '../src/workflow/state/tree-schema.js';
import { readTsv } from './fixtures/workdir-invariants.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

export const TINY_TEMPLATE_DIR = new URL('../templates/tiny/', import.meta.url);

export { removeTempDirs, tempDir } from '../../../test-fixtures/temp-dirs.js';

export function writeWorkflowSettings(workdir: string, settings: Record<string, unknown>): void {
  writeFileSync(
    join(workdir, 'workflow.json'),
    JSON.stringify({ template: 'tiny', pollMs: 100, outputs: false, ...settings }),
  );
}

export interface InProcess {
  readonly ctx: RunContext;
  readonly lines: string[];
}

export function inProcessContext(workdir: string, settings: Partial<RunSettings> = {}): InProcess {
  const lines: string[] = [];
  const config = RunConfigSchema.parse({
    version: 1,
    createdAt: new Date().toISOString(),
    ...DEFAULT_SETTINGS,
    ...settings,
    adapterModule: null,
    overrides: [],
  });
  return {
    ctx: { paths: workdirPaths(workdir), config, sessionStartedAt: new Date(), log: (line) => lines.push(line) },
    lines,
  };
}

/**
 * An anchored tiny-template workdir to copy. Anchored once per version of the template and the
 * workflow code (the key hashes both) and shared by every test file through a directory in the
 * temp dir: the first file to need it anchors it under a lock, the others wait and copy.
 */
export async function anchoredWorkdir(settings: Record<string, unknown> = {}): Promise<string> {
  const source = await sharedAnchor();
  const copy = tempDir('wf-');
  cpSync(source, copy, { recursive: true, verbatimSymlinks: true });
  writeWorkflowSettings(copy, settings);
  return copy;
}

/**
 * Per checkout: an anchored workdir links the checkout's node_modules and records its template
 * path, so one made by another checkout (a CI clone beside a developer's tree, sharing /tmp) points
 * into a tree that may be gone or different.
 */
const ANCHOR_PREFIX = `tsfm-workflow-test-anchor-${createHash('sha256')
  .update(fileURLToPath(new URL('../', import.meta.url)))
  .digest('hex')
  .slice(0, 12)}-`;

function anchorKey(): string {
  const hash = createHash('sha256');
  const add = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      hash.update(entry.name);
      if (entry.isDirectory()) add(path);
      else hash.update(readFileSync(path));
    }
  };
  add(fileURLToPath(TINY_TEMPLATE_DIR));
  add(fileURLToPath(new URL('../src/workflow/', import.meta.url)));
  return hash.digest('hex').slice(0, 16);
}

async function sharedAnchor(): Promise<string> {
  const dir = join(tmpdir(), ANCHOR_PREFIX + anchorKey());
  const lock = `${dir}.lock`;
  for (let waited = 0; ; waited += 100) {
    if (existsSync(join(dir, '.complete'))) return dir;
    try {
      mkdirSync(lock);
    } catch {
      // Another test file is anchoring it; a lock older than two minutes belongs to a dead run.
      if (waited > 120_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    try {
      if (existsSync(join(dir, '.complete'))) return dir;
      removeOldAnchors(dir);
      const building = `${dir}.${process.pid}`;
      rmSync(building, { recursive: true, force: true });
      mkdirSync(building);
      writeWorkflowSettings(building, {});
      await createAdapter(inProcessContext(building).ctx);
      rmSync(dir, { recursive: true, force: true });
      renameSync(building, dir);
      writeFileSync(join(dir, '.complete'), '');
      return dir;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** This checkout's anchors of earlier versions of the code, left in the temp dir by earlier runs. */
function removeOldAnchors(current: string): void {
  for (const name of readdirSync(tmpdir())) {
    const path = join(tmpdir(), name);
    if (name.startsWith(ANCHOR_PREFIX) && path !== current && !name.endsWith('.lock'))
      rmSync(path, { recursive: true, force: true });
  }
}

/** Drives one spec through run() and complete() in-process, as the scheduler would. */
export async function runToCompletion<R>(
  adapter: WorkAdapter<R>,
  spec: WorkSpec,
): Promise<{ outcome: Outcome<R>; children: readonly WorkSpec[]; payloads: JsonObject[] }> {
  const payloads: JsonObject[] = [];
  let current = spec;
  const abort = new AbortController();
  const outcome = await adapter
    .run(spec, {
      signal: abort.signal,
      persist: async (payload) => {
        payloads.push(payload);
        current = { ...current, payload };
      },
    })
    .then(
      (value): Outcome<R> => ({ ok: true, value }),
      (error: unknown): Outcome<R> => ({ ok: false, error }),
    );
  const { children } = await adapter.complete(current, outcome);
  return { outcome, children, payloads };
}

/**
 * Runs the specs' jobs concurrently, then completes them one at a time in order — what the
 * scheduler does with a full set of slots. Returns the children of each completion.
 */
export async function runAllToCompletion<R>(
  adapter: WorkAdapter<R>,
  specs: readonly WorkSpec[],
): Promise<{ outcome: Outcome<R>; children: readonly WorkSpec[] }[]> {
  const finished = await Promise.all(
    specs.map(async (spec) => {
      let current = spec;
      const outcome = await adapter
        .run(spec, {
          signal: new AbortController().signal,
          persist: async (payload) => void (current = { ...current, payload }),
        })
        .then(
          (value): Outcome<R> => ({ ok: true, value }),
          (error: unknown): Outcome<R> => ({ ok: false, error }),
        );
      return { spec: current, outcome };
    }),
  );
  const out: { outcome: Outcome<R>; children: readonly WorkSpec[] }[] = [];
  for (const { spec, outcome } of finished)
    out.push({ outcome, children: (await adapter.complete(spec, outcome)).children });
  return out;
}

export function experimentSpec(id: string, experiment: Record<string, unknown>, priority = 0): WorkSpec {
  return { id, kind: 'experiment', priority, payload: { phase: 'queued', experiment: experiment as JsonObject } };
}

/**
 * A unified diff replacing one line of `file` (its text as in the template), with two lines of
 * context on each side — what a planner is asked to write.
 */
export function linePatch(file: string, text: string, from: string, to: string): string {
  const lines = text.split('\n');
  const at = lines.findIndex((line) => line === from);
  if (at < 0) throw new Error(`${file}: no line ${JSON.stringify(from)}`);
  const start = Math.max(0, at - 2);
  const end = Math.min(lines.length, at + 3);
  const before = lines.slice(start, at).map((line) => ` ${line}`);
  const after = lines.slice(at + 1, end).map((line) => ` ${line}`);
  const count = end - start;
  return [
    `--- a/${file}`,
    `+++ b/${file}`,
    `@@ -${start + 1},${count} +${start + 1},${count} @@`,
    ...before,
    `-${from}`,
    `+${to}`,
    ...after,
    '',
  ].join('\n');
}

export function templateFile(name: string): string {
  return readFileSync(new URL(name, TINY_TEMPLATE_DIR), 'utf8');
}

export function readTree(workdir: string): TreeNode[] {
  return TreeSchema.parse(JSON.parse(readFileSync(join(workdir, 'engine', 'tree.json'), 'utf8')));
}

export function readResults(workdir: string) {
  return readTsv(join(workdir, 'results.tsv'));
}

export function readMaster(workdir: string) {
  return readTsv(join(workdir, 'master_table.tsv'));
}

/** Launch markers per experiment: one `launch-<token>` file per process ever started for it. */
export function launchMarkers(workdir: string, id: string): string[] {
  const dir = join(workdir, 'runs', id);
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.startsWith('launch-')) : [];
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether any process of the group led by `pid` is still alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** What a sharded test reads of an evaluator's metrics file (the merged one, or one unsharded run's). */
export interface EvaluatorMetrics {
  readonly metric: number;
  readonly points: number;
  readonly dropped: number;
  readonly mode: string;
  readonly requests: readonly { readonly tenantId: string; readonly losses: number[]; readonly winners: string[] }[];
  readonly shards?: readonly { readonly shard: string }[];
}

/**
 * Runs the experiment's evaluator once more, unsharded, in its worktree on this machine, and
 * checks that the sharded run merged to what it prints: the metric (to rounding; the tree holds
 * the result block's six decimals, as for an unsharded experiment), the points and the requests
 * in the fleet's order. Returns both for the checks a test adds.
 */
export async function expectMergedAsUnsharded(
  workdir: string,
  node: Pick<TreeNode, 'id' | 'metric'>,
): Promise<{ merged: EvaluatorMetrics; whole: EvaluatorMetrics }> {
  const runDir = join(workdir, 'runs', node.id);
  const reference = join(runDir, 'unsharded.json');
  await execa(
    NODE_COMMAND[0],
    [
      ...NODE_COMMAND.slice(1),
      'evaluate.ts',
      '--params',
      'params.json',
      '--data',
      join(workdir, 'data'),
      '--out',
      reference,
    ],
    { cwd: join(workdir, 'worktrees', node.id) },
  );
  const whole = JSON.parse(readFileSync(reference, 'utf8')) as EvaluatorMetrics;
  const merged = JSON.parse(readFileSync(join(runDir, 'metrics.json'), 'utf8')) as EvaluatorMetrics;
  expect(Math.abs(merged.metric - whole.metric) / whole.metric, node.id).toBeLessThan(1e-12);
  expect(node.metric).toBe(Number(whole.metric.toFixed(6)));
  expect(merged.points).toBe(whole.points);
  expect(merged.requests.map((r) => r.tenantId)).toEqual(whole.requests.map((r) => r.tenantId));
  return { merged, whole };
}
