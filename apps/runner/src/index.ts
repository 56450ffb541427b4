// Public surface of the runner for a module that plugs a domain into it (config.json's
// `adapterModule`, set through TSFM_RUNNER_ADAPTER_MODULE): the adapter contract, the spec it
// moves, and the workdir it is handed. The command line is src/run.ts.
export type {
  AdapterContext,
  AdapterFactory,
  AdapterModule,
  JobContext,
  Outcome,
  ReportWriter,
  WorkAdapter,
  WorkResult,
} from './core/adapter.js';
export { workSpec, WorkSpecSchema } from './core/work-spec.js';
export type { JsonObject, JsonValue, WorkSpec } from './core/work-spec.js';
export type { RunAdapterFactory, RunAdapterModule, RunContext, RunReportWriter } from './workdir/run-context.js';
export type { RunConfig } from './workdir/run-config.js';
export type { WorkdirPaths } from './workdir/paths.js';
export { TsvLedger } from './workdir/tsv-ledger.js';
