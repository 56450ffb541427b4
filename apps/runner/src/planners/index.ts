// Public surface of the planners; everything else in this folder is internal.
export type {
  ExperimentRecord,
  ExperimentStatus,
  PendingExperiment,
  Planner,
  PlannerFailure,
  PlannerFailureKind,
  PlannerKind,
  PlannerUsage,
  PlanningBudget,
  PlanningContext,
  PlanOutcome,
} from './planner.js';
export { DEFAULT_EDITABLE_FILE } from './planner.js';
export type { ChoiceKnob, Knob, ParamSpace, ParamValue, ParamValues, RangeKnob } from './param-space.js';
export {
  assertValidParamSpace,
  completeParams,
  defaultParams,
  knobDefault,
  knobValues,
  nonDefaultParams,
  paramsKey,
  validateParams,
} from './param-space.js';
export type { ExperimentProposal, PlanReply } from './proposal-schema.js';
export {
  ExperimentProposalSchema,
  PlanReplySchema,
  PROPOSE_TOOL_NAME,
  planReplyJsonSchema,
  toolInputSchema,
} from './proposal-schema.js';
export { checkPatch, checkReply } from './validate-reply.js';
export { ClaudePlanner, DEFAULT_MODEL, SYNTHESIS_SYSTEM_PROMPT, worstCaseRequestMs } from './claude-planner.js';
export type { ClaudePlannerOptions } from './claude-planner.js';
export { OfflinePlanner } from './offline-planner.js';
export type { OfflinePlannerOptions } from './offline-planner.js';
export { createAnalyzer, createPlanner, createSynthesizer } from './create-planner.js';
export type { Analyze } from './create-planner.js';
export type { CreatedPlanner, CreatedSynthesizer, CreatePlannerOptions, PlannerChoice } from './create-planner.js';
export { decideStop } from './stop-rule.js';
export type { StopDecision, StopReason, StopRuleInput } from './stop-rule.js';
export { DEFAULT_PRICES, DollarBudget, dollarsFor, priceFor } from './pricing.js';
export type { ModelPrice } from './pricing.js';
export { CALLS_DIR, CALLS_FILE } from './call-log.js';
export type { CallPurpose, PlannerCallEntry } from './call-log.js';
export { PlannerConfigError } from './errors.js';
