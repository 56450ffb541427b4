/** Where the workflow keeps its files in a workdir; the one place that spells out their names. */
import { join } from 'node:path';
import type { WorkdirPaths } from '../../workdir/paths.js';

export interface WorkflowPaths {
  readonly root: string;
  /** The experiment source repo: the template, committed once (the anchor). */
  readonly source: string;
  /** One git worktree per experiment. */
  readonly worktrees: string;
  /** Data the template's prepare step wrote once, read by every evaluation. */
  readonly data: string;
  /** Lets code in source/ and worktrees/ resolve the monorepo's packages (a symlink). */
  readonly nodeModules: string;
  readonly tree: string;
  readonly engineState: string;
  readonly nodesDir: string;
  /** Planner outcomes, one file per planning round, written before its experiments are queued. */
  readonly plannerDir: string;
  readonly settings: string;
  worktree(id: string): string;
  runDir(id: string): string;
  nodeDir(id: string): string;
  round(id: string): string;
}

export function workflowPaths(paths: WorkdirPaths): WorkflowPaths {
  const { root, engineDir } = paths;
  return {
    root,
    source: join(root, 'source'),
    worktrees: join(root, 'worktrees'),
    data: join(root, 'data'),
    nodeModules: join(root, 'node_modules'),
    tree: join(engineDir, 'tree.json'),
    engineState: join(engineDir, 'engine_state.json'),
    nodesDir: join(engineDir, 'nodes'),
    plannerDir: join(engineDir, 'planner'),
    settings: join(root, 'workflow.json'),
    worktree: (id) => join(root, 'worktrees', id),
    runDir: (id) => join(root, 'runs', id),
    nodeDir: (id) => join(engineDir, 'nodes', id),
    round: (id) => join(engineDir, 'planner', `${id}.json`),
  };
}
