/**
 * @tsfm/forecast-service — the HTTP face of the harness and the provisioning recommender
 * (design.md §9). `buildServer` for tests and embedding; `main.ts` for the process.
 */
export {
  buildServer,
  jobSettings,
  DEFAULT_BODY_LIMIT,
  DEFAULT_MAX_BODY_BYTES_IN_FLIGHT,
  DEFAULT_TIMEOUTS,
  type ServerOptions,
  type SettingsOptions,
  type HttpTimeouts,
} from './server.js';
export type { ServiceContext, ServiceState, ControllerStatus } from './context.js';
export { Admission, type AdmissionOptions, type AdmissionDecision, type Ticket } from './admission.js';
export { LocalJobRunner, type JobRunner } from './job-runner.js';
export { WorkerPool, type WorkerPoolOptions } from './worker-pool.js';
export { ForecastJobs, type Job, type JobOutcome, type JobSettings, type ServedForecast } from './work/forecast-job.js';
export { DEFAULT_REQUEST_LIMITS, requestLimits, type RequestLimits } from './work/request-limits.js';
export { openModel, manifestPath, type ModelInfo, type LoadedModel } from './model.js';
export { ApiError, toErrorResponse, type ErrorBody, type FieldIssue } from './api-error.js';
export { BearerAuth } from './auth.js';
export { installShutdown, type ShutdownOptions } from './shutdown.js';
export {
  MemoryTrimmer,
  loadMallocTrim,
  DEFAULT_TRIM_QUIET_MS,
  type MemoryTrimOptions,
  type TrimFn,
} from './memory-trim.js';
export { ManagementPort, DEFAULT_STALL_MS, type ManagementPortOptions } from './management/management-port.js';
export { probeAnswer, type ProbeSnapshot, type ProbeAnswer } from './management/probe-answer.js';
export { serviceState, type ServiceStateName } from './routes/health.js';
export {
  Controller,
  startController,
  type TargetState,
  type LoopResult,
  type TargetOutcome,
} from './controller/controller.js';
export {
  loadTargets,
  parseTargets,
  TargetsFileError,
  type ControllerConfig,
  type Target,
} from './controller/targets.js';
export { reactiveRecommendation, type ReactiveRecommendation } from './controller/reactive.js';
