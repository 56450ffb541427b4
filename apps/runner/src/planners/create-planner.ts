/**
 * Picks and builds the planner. The environment is read here and only here: `kind: 'auto'`
 * chooses Claude when ANTHROPIC_API_KEY is set and the offline planner otherwise, so a fresh
 * checkout with no key still runs end to end.
 */
import { ClaudePlanner, DEFAULT_MODEL } from './claude-planner.js';
import type { ClaudePlannerOptions } from './claude-planner.js';
import { PlannerConfigError } from './errors.js';
import { OfflinePlanner } from './offline-planner.js';
import type { OfflinePlannerOptions } from './offline-planner.js';
import type { Planner, PlannerKind } from './planner.js';

export type PlannerChoice = PlannerKind | 'auto';

export interface CreatePlannerOptions
  extends Omit<ClaudePlannerOptions, 'apiKey' | 'model' | 'baseURL'>,
    OfflinePlannerOptions {
  readonly kind: PlannerChoice;
  readonly model?: string;
  /** Overrides ANTHROPIC_API_KEY. Prefer the environment: a key in a config file ends up in backups. */
  readonly apiKey?: string;
  /** Overrides ANTHROPIC_BASE_URL. */
  readonly baseURL?: string;
}

export interface CreatedPlanner {
  readonly planner: Planner;
  /** One line for the run log, saying which planner was chosen and why (never the key). */
  readonly why: string;
}

export function createPlanner(
  options: CreatePlannerOptions,
  env: Readonly<Record<string, string | undefined>> = process.env,
): CreatedPlanner {
  const apiKey = nonEmpty(options.apiKey) ?? nonEmpty(env['ANTHROPIC_API_KEY']);
  const wantsClaude = options.kind === 'claude' || (options.kind === 'auto' && apiKey !== undefined);

  if (!wantsClaude) {
    const offlineOptions: OfflinePlannerOptions = {
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      ...(options.explorationSlots === undefined ? {} : { explorationSlots: options.explorationSlots }),
    };
    const why =
      options.kind === 'offline' ? 'offline planner (requested)' : 'offline planner (ANTHROPIC_API_KEY is not set)';
    return { planner: new OfflinePlanner(offlineOptions), why };
  }
  if (apiKey === undefined) {
    throw new PlannerConfigError(
      'planner kind "claude" needs an API key: set ANTHROPIC_API_KEY, or use kind "auto" or "offline"',
    );
  }

  const {
    kind: _kind,
    seed: _seed,
    batchSize: _batchSize,
    explorationSlots: _slots,
    apiKey: _key,
    baseURL,
    model,
    ...claudeOptions
  } = options;
  const resolvedBaseURL = nonEmpty(baseURL) ?? nonEmpty(env['ANTHROPIC_BASE_URL']);
  const planner = new ClaudePlanner({
    ...claudeOptions,
    apiKey,
    model: model ?? DEFAULT_MODEL,
    ...(resolvedBaseURL === undefined ? {} : { baseURL: resolvedBaseURL }),
  });
  return {
    planner,
    why: `Claude planner (${planner.model}${resolvedBaseURL === undefined ? '' : ` at ${resolvedBaseURL}`}; ${options.kind === 'auto' ? 'ANTHROPIC_API_KEY is set' : 'requested'})`,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

export interface CreatedSynthesizer {
  /** Report (without its Synthesis section) → Markdown; undefined when the planner would be offline. */
  readonly synthesize: ((reportMarkdown: string) => Promise<string>) | undefined;
  /** One line for the run log (never the key). */
  readonly why: string;
}

/**
 * The report synthesis of a run, made by the planner the run would use: Claude (same key, base
 * URL, model, cap and call log as its planning calls) or none. Going through createPlanner keeps
 * one place that reads the environment and decides whether a model may be called.
 */
export function createSynthesizer(
  options: CreatePlannerOptions,
  env: Readonly<Record<string, string | undefined>> = process.env,
): CreatedSynthesizer {
  const { planner, why } = createPlanner(options, env);
  if (!(planner instanceof ClaudePlanner)) return { synthesize: undefined, why: `no synthesis: ${why}` };
  return { synthesize: (reportMarkdown) => planner.synthesize(reportMarkdown), why: `synthesis by the ${why}` };
}

/** Claude's analysis of one finished experiment: its text and what the call cost. */
export type Analyze = (analysisMarkdown: string, knowledge: string) => Promise<{ text: string; dollars: number }>;

/**
 * The per-experiment analyser of `--analysis claude`: Claude with the run's key, base URL, model,
 * cap and call log. `kind: 'claude'` without a key throws (the CLI refuses it before that, exit 2).
 */
export function createAnalyzer(
  options: Omit<CreatePlannerOptions, 'kind'>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): { analyze: Analyze; why: string } {
  const { planner, why } = createPlanner({ ...options, kind: 'claude' }, env);
  if (!(planner instanceof ClaudePlanner)) throw new PlannerConfigError(`no Claude analysis: ${why}`);
  return {
    analyze: (analysisMarkdown, knowledge) => planner.analyze(analysisMarkdown, knowledge),
    why: `experiment analyses by the ${why}`,
  };
}
