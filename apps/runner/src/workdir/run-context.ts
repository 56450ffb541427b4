/**
 * The adapter contract of core/adapter.ts as run.ts fills it in: a domain is handed the workdir's
 * paths and its config.json.
 */
import type { AdapterContext, AdapterFactory, AdapterModule, ReportWriter } from '../core/adapter.js';
import type { WorkdirPaths } from './paths.js';
import type { RunConfig } from './run-config.js';

export type RunContext = AdapterContext<WorkdirPaths, RunConfig>;
export type RunAdapterModule = AdapterModule<RunContext>;
export type RunAdapterFactory = AdapterFactory<RunContext>;
export type RunReportWriter = ReportWriter<RunContext>;
