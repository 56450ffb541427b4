/**
 * @tsfm/forecast-service — the HTTP face of the harness and the provisioning recommender
 * (design.md §9). `buildServer` for tests and embedding; `main.ts` for the process.
 */
export {
  buildServer,
  DEFAULT_BODY_LIMIT,
  type ServerOptions,
  type ServiceContext,
  type ServiceState,
  type LastForecast,
} from './server.js';
export { openModel, manifestPath, type ModelInfo, type LoadedModel } from './model.js';
export { ApiError, toErrorResponse, type ErrorBody, type FieldIssue } from './api-error.js';
export { installShutdown, type ShutdownOptions } from './shutdown.js';
