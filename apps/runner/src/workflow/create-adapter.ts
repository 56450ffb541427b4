/**
 * Plug point for the autoresearch workflow (design.md §8: worktrees, launch templates, the planner,
 * the frozen evaluator). To be filled by the workflow adapter; until then the runner says so.
 *
 * Contract: export `createAdapter(ctx)` returning a `WorkAdapter` (src/core/adapter.ts), and
 * optionally `writeReport(ctx)` for `run.ts report`. `ctx.config` holds the planner, model, caps,
 * concurrency, launch template and job timeout from config.json; `ctx.paths` the workdir layout.
 */
import type { AdapterFactory, ReportWriter } from '../cli/adapter-factory.js';

export const createAdapter: AdapterFactory = async () => {
  throw new Error(
    'the autoresearch workflow adapter is not implemented yet (src/workflow/create-adapter.ts); ' +
      'nothing was started and the workdir is unchanged apart from config.json',
  );
};

export const writeReport: ReportWriter | undefined = undefined;
