/**
 * The Claude planner: one stateless `messages.create` call per planning round through the real
 * @anthropic-ai/sdk client, forced to answer with the `propose_experiments` tool.
 *
 * Layers of failure, each handled once:
 * - transport (429, 5xx, timeouts, a dropped connection): the SDK's own retries, which honour
 *   `retry-after`; after them this planner keeps retrying with backoff until the planning
 *   deadline (`planDeadlineMs`, the whole plan() call), and only then returns an `api-error`
 *   failure marked transient — which the workflow answers by planning again later, never by
 *   ending the run. A permanent error (400, 401, 403, 404) fails at once;
 * - the runner stopping: plan() takes an AbortSignal; the first SIGINT abandons a hung call;
 * - content (malformed body, no tool call, schema violation, knobs outside the space): retried
 *   here up to `maxAttempts` with the validation problems as the next user turn, then recorded
 *   as an `invalid-reply` failure;
 * - money: the worst-case cost of each attempt is checked against the dollar cap before it is
 *   sent, and refused in code when it does not fit.
 *
 * The API key lives only inside the SDK client and the redactor that scrubs it. Nothing here
 * logs request headers, and every file or console line passes through that redactor as a
 * second line of defence (a server echoing the key, an error quoting a request).
 */
import { performance } from 'node:perf_hooks';
import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import type { ClientOptions } from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  MessageCreateParamsNonStreaming,
  MessageParam,
} from '@anthropic-ai/sdk/resources/messages';
import { z } from 'zod';
import { PlannerCallLog } from './call-log.js';
import type { CallArtifacts, CallOutcome, CallPurpose, PlannerCallEntry } from './call-log.js';
import { assertValidParamSpace } from './param-space.js';
import type { PlanOptions, Planner, PlannerFailure, PlannerUsage, PlanningContext, PlanOutcome } from './planner.js';
import { DEFAULT_PRICES, DollarBudget, dollarsFor, estimateInputTokens, priceFor } from './pricing.js';
import type { ModelPrice } from './pricing.js';
import { PROPOSE_TOOL_NAME, toolInputSchema } from './proposal-schema.js';
import type { PlanReply } from './proposal-schema.js';
import { makeRedactor, redactingLogger } from './redact.js';
import type { Redactor } from './redact.js';
import { renderPrompt } from './render-prompt.js';
import { checkReply, sortAndCapProposals } from './validate-reply.js';

export type SdkLogLevel = NonNullable<ClientOptions['logLevel']>;

export interface ClaudePlannerOptions {
  readonly apiKey: string;
  /** Where `planner-calls.jsonl` and `planner/` are written (the workdir's `logs/`). */
  readonly logDir: string;
  /** Hard cap on planning dollars across every process that shares `logDir`. */
  readonly maxDollars: number;
  /** Default `claude-sonnet-4-6` (the installed SDK warns that `claude-sonnet-4-5` is deprecated). */
  readonly model?: string;
  /** Default the public API. Tests point it at a local server. */
  readonly baseURL?: string;
  /** Output token limit per call; also the output side of the worst-case cost. Default 4096. */
  readonly maxTokens?: number;
  readonly temperature?: number;
  /** Content attempts per `plan()` call (1 + validation retries). Default 3. */
  readonly maxAttempts?: number;
  /** SDK transport retries per attempt (429, 5xx, timeouts). Default 2. */
  readonly maxRetries?: number;
  /** Per HTTP request, until response headers arrive. Default 120 000 ms. */
  readonly timeoutMs?: number;
  /**
   * Wall-clock limit for one attempt including the SDK's retries and the waits a server asks
   * for with `retry-after`. Default: every try timing out plus a minute of waiting per retry.
   */
  readonly attemptDeadlineMs?: number;
  /**
   * Wall-clock limit for one whole plan() call, transient-error retries and their backoff
   * included. Default 15 minutes.
   */
  readonly planDeadlineMs?: number;
  /** First wait after a transient failure; doubles per retry up to `retryMaxMs`. Default 2 000 ms. */
  readonly retryBaseMs?: number;
  /** Default 60 000 ms. */
  readonly retryMaxMs?: number;
  readonly prices?: Readonly<Record<string, ModelPrice>>;
  /** Input tokens are estimated as UTF-8 bytes / this for the pre-call cost check. Default 3. */
  readonly bytesPerTokenEstimate?: number;
  /** SDK log level (default: ANTHROPIC_LOG, else 'warn'); its lines are redacted and go to `logSink` (default stderr). */
  readonly logLevel?: SdkLogLevel;
  readonly logSink?: (line: string) => void;
  /** Output token limit of a report synthesis (`synthesize`). Default 1500: a few hundred words. */
  readonly synthesisMaxTokens?: number;
  /** Longer reports are cut to this many characters before a synthesis. Default 200 000. */
  readonly synthesisMaxInputChars?: number;
}

export const DEFAULT_MODEL = 'claude-sonnet-4-6';

// The SDK's backoff when no retry-after is given: 0.5 s doubling, capped at 8 s.
function sdkBackoffMs(retryIndex: number): number {
  return Math.min(500 * 2 ** retryIndex, 8000);
}

/** Longest one attempt can take when every try hangs until its timeout and no retry-after is sent. */
export function worstCaseRequestMs(timeoutMs: number, maxRetries: number): number {
  let total = timeoutMs * (maxRetries + 1);
  for (let i = 0; i < maxRetries; i++) total += sdkBackoffMs(i);
  return total;
}

// Only what the planner reads from a Messages API response; anything else passes through.
const ContentBlockSchema = z.looseObject({ type: z.string() });
const UsageSchema = z.looseObject({
  input_tokens: z.number(),
  output_tokens: z.number(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
});
const MessageEnvelopeSchema = z.looseObject({
  id: z.string().optional(),
  model: z.string().optional(),
  stop_reason: z.string().nullish(),
  content: z.array(ContentBlockSchema),
  usage: UsageSchema.optional(),
});
type MessageEnvelope = z.infer<typeof MessageEnvelopeSchema>;

interface AttemptResult {
  readonly outcome: CallOutcome;
  readonly reply?: PlanReply;
  readonly problems?: string[];
  /** The conversation for the next attempt, when this one is worth retrying. */
  readonly nextMessages?: MessageParam[];
}

export class ClaudePlanner implements Planner {
  readonly kind = 'claude' as const;
  readonly model: string;

  readonly #client: Anthropic;
  readonly #redact: Redactor;
  readonly #log: PlannerCallLog;
  readonly #price: ModelPrice;
  readonly #maxTokens: number;
  readonly #temperature: number | undefined;
  readonly #maxAttempts: number;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #attemptDeadlineMs: number;
  readonly #planDeadlineMs: number;
  readonly #retryBaseMs: number;
  readonly #retryMaxMs: number;
  readonly #bytesPerToken: number;
  readonly #maxDollars: number;
  readonly #synthesisMaxTokens: number;
  readonly #synthesisMaxInputChars: number;
  #budget: Promise<DollarBudget> | undefined;

  constructor(options: ClaudePlannerOptions) {
    this.model = options.model ?? DEFAULT_MODEL;
    this.#price = priceFor(this.model, { ...DEFAULT_PRICES, ...options.prices });
    this.#maxTokens = options.maxTokens ?? 4096;
    this.#temperature = options.temperature;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.#timeoutMs = options.timeoutMs ?? 120_000;
    this.#maxRetries = options.maxRetries ?? 2;
    this.#attemptDeadlineMs =
      options.attemptDeadlineMs ?? this.#timeoutMs * (this.#maxRetries + 1) + 60_000 * this.#maxRetries;
    this.#planDeadlineMs = options.planDeadlineMs ?? 15 * 60_000;
    this.#retryBaseMs = options.retryBaseMs ?? 2000;
    this.#retryMaxMs = options.retryMaxMs ?? 60_000;
    this.#bytesPerToken = options.bytesPerTokenEstimate ?? 3;
    this.#maxDollars = options.maxDollars;
    this.#synthesisMaxTokens = options.synthesisMaxTokens ?? 1500;
    this.#synthesisMaxInputChars = options.synthesisMaxInputChars ?? 200_000;
    this.#redact = makeRedactor([options.apiKey]);
    this.#log = new PlannerCallLog(options.logDir, this.#redact);
    // Constructed with an explicit key and base URL so the SDK reads neither from the
    // environment: which endpoint and which key is createPlanner's decision, made once.
    this.#client = new Anthropic({
      apiKey: options.apiKey,
      baseURL: options.baseURL ?? 'https://api.anthropic.com',
      maxRetries: this.#maxRetries,
      timeout: this.#timeoutMs,
      // Unset, the SDK falls back to ANTHROPIC_LOG and then 'warn'; either way its lines go
      // through the redacting logger.
      ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
      logger: redactingLogger(this.#redact, options.logSink),
    });
  }

  /** The cap, resumed from the spend already logged under `logDir` by earlier processes. */
  #dollarBudget(): Promise<DollarBudget> {
    // The promise, not the budget, is memoised: concurrent first calls must share one budget.
    this.#budget ??= this.#log.load().then(({ spentDollars }) => new DollarBudget(this.#maxDollars, spentDollars));
    return this.#budget;
  }

  async plan(context: PlanningContext, options: PlanOptions = {}): Promise<PlanOutcome> {
    const { signal } = options;
    const deadline = performance.now() + this.#planDeadlineMs;
    assertValidParamSpace(context.paramSpace);
    const usage = { inputTokens: 0, outputTokens: 0, dollars: 0 };
    if (context.budget.experimentsLeft <= 0) {
      return {
        proposals: [],
        stopRequested: false,
        reasoning: 'no experiments left in the budget; no call made',
        usage,
        attempts: 0,
      };
    }

    const prompt = renderPrompt(context);
    const tool = {
      name: PROPOSE_TOOL_NAME,
      description: 'Propose the next experiments of the research loop, or stop it.',
      input_schema: { type: 'object' as const, ...toolInputSchema(context.paramSpace) },
    };
    let messages: MessageParam[] = [{ role: 'user', content: prompt.user }];
    let lastProblem = '';
    let attempts = 0;

    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      const body: MessageCreateParamsNonStreaming = {
        model: this.model,
        max_tokens: this.#maxTokens,
        system: prompt.system,
        messages,
        tools: [tool],
        tool_choice: { type: 'tool', name: PROPOSE_TOOL_NAME },
        ...(this.#temperature === undefined ? {} : { temperature: this.#temperature }),
      };
      let exchange: Exchange<AttemptResult & Judged>;
      for (let retry = 0; ; retry++) {
        signal?.throwIfAborted();
        exchange = await this.#exchange(
          {
            body,
            promptText: renderPromptLog(body, `Planner prompt — round ${context.round ?? '?'}, attempt ${attempt}`),
            round: context.round ?? null,
            attempt,
            runDollarsLeft: context.budget.dollarsLeft - usage.dollars,
            ...(signal ? { signal } : {}),
          },
          (envelope, bodyProblem): AttemptResult & Judged => {
            const result =
              envelope === undefined
                ? this.#retryAfterUnreadableBody(prompt.user, bodyProblem)
                : this.#judgeEnvelope(envelope, context, prompt.user);
            return { ...result, output: result.reply ?? { problems: result.problems } };
          },
        );
        if (exchange.kind !== 'api-error' || !exchange.transient) break;
        attempts++;
        usage.dollars += exchange.dollars;
        // Transient: wait and try again, as long as the planning deadline allows.
        const wait = Math.min(this.#retryMaxMs, this.#retryBaseMs * 2 ** retry);
        if (performance.now() + wait > deadline) {
          return this.#failure(usage, attempts, {
            kind: 'api-error',
            transient: true,
            message: `${exchange.message} — still failing at the planning deadline of ${Math.round(this.#planDeadlineMs / 1000)} s (${retry + 1} tries)`,
          });
        }
        await abortableSleep(wait, signal);
      }
      if (exchange.kind === 'refused')
        return this.#failure(usage, attempts, { kind: 'budget', message: exchange.message });
      attempts++;
      usage.dollars += exchange.dollars;
      if (exchange.kind === 'api-error')
        return this.#failure(usage, attempts, { kind: 'api-error', message: exchange.message });
      usage.inputTokens += exchange.inputTokens;
      usage.outputTokens += exchange.outputTokens;
      const result = exchange.judged;

      if (result.reply !== undefined) {
        return {
          proposals: sortAndCapProposals(result.reply.experiments, context.budget.experimentsLeft),
          stopRequested: result.reply.action === 'stop',
          reasoning: result.reply.reasoning,
          usage,
          attempts,
        };
      }
      lastProblem = (result.problems ?? []).join('; ');
      if (result.nextMessages !== undefined) messages = result.nextMessages;
    }
    return this.#failure(usage, attempts, {
      kind: 'invalid-reply',
      message: `no valid reply after ${attempts} attempt(s); last problems: ${lastProblem}`,
    });
  }

  /**
   * A short Markdown synthesis of a finished run's report (report.md without its Synthesis
   * section). One attempt, no content retries: it is prose, and a second try would double the
   * bill for little. It goes through the same cap, call log and redaction as planning calls, so
   * `planner-calls.jsonl` stays the one record of what the API cost. Throws, with a redacted
   * message saying why, when the cap refuses it, the API fails, or the reply has no text.
   */
  async synthesize(reportMarkdown: string): Promise<string> {
    const limit = this.#synthesisMaxInputChars;
    // Bounds the input side of the cost on huge runs; the head holds the question, the results
    // and the best path, which is what a synthesis needs most.
    const report =
      reportMarkdown.length <= limit
        ? reportMarkdown
        : `${reportMarkdown.slice(0, limit)}\n\n[… the report was cut here, at ${limit} of ${reportMarkdown.length} characters]`;
    const { text } = await this.#textCall({
      purpose: 'synthesis',
      system: SYNTHESIS_SYSTEM_PROMPT,
      user: `Here is the run's report.\n\n<report>\n${report}\n</report>\n\nWrite the synthesis.`,
      maxTokens: this.#synthesisMaxTokens,
      title: 'Report synthesis prompt',
    });
    return text;
  }

  /**
   * Claude's reading of one finished experiment (`--analysis claude`): given the runner's own
   * analysis.md of it (search-split numbers only — no confirmation number is ever in it) and the
   * knowledge the planner has, a short analysis the next planning round reads. Same cap, call log
   * and redaction as planning; one attempt. Returns the text and what the call cost, so the run's
   * dollar total can include it; throws, with a redacted message, when it could not be made.
   */
  async analyze(analysisMarkdown: string, knowledge: string): Promise<{ text: string; dollars: number }> {
    return this.#textCall({
      purpose: 'analysis',
      system: ANALYSIS_SYSTEM_PROMPT,
      user:
        `What the run knows so far:\n\n<knowledge>\n${knowledge}\n</knowledge>\n\n` +
        `The experiment that just finished, as the runner recorded it:\n\n<experiment>\n${analysisMarkdown}\n</experiment>\n\nWrite the analysis.`,
      maxTokens: ANALYSIS_MAX_TOKENS,
      title: 'Experiment analysis prompt',
    });
  }

  /** One prose call: a system prompt, one user turn, the reply's text (cut replies marked as such). */
  async #textCall(request: {
    purpose: CallPurpose;
    system: string;
    user: string;
    maxTokens: number;
    title: string;
  }): Promise<{ text: string; dollars: number }> {
    const body: MessageCreateParamsNonStreaming = {
      model: this.model,
      max_tokens: request.maxTokens,
      system: request.system,
      messages: [{ role: 'user', content: request.user }],
      ...(this.#temperature === undefined ? {} : { temperature: this.#temperature }),
    };
    const exchange = await this.#exchange(
      {
        body,
        promptText: renderPromptLog(body, request.title),
        round: null,
        attempt: 1,
        purpose: request.purpose,
      },
      (envelope, bodyProblem): Judged & { text?: string } => {
        if (envelope === undefined)
          return { outcome: 'invalid', problems: [bodyProblem], output: { problems: [bodyProblem] } };
        const text = envelope.content
          .flatMap((block) => (block.type === 'text' && typeof block['text'] === 'string' ? [block['text']] : []))
          .join('\n\n')
          .trim();
        if (text === '') {
          const problem = `the reply has no text (stop_reason ${String(envelope.stop_reason)})`;
          return { outcome: 'invalid', problems: [problem], output: { problems: [problem] } };
        }
        // A reply cut off at max_tokens is kept, but the reader is told it is incomplete.
        const cut =
          envelope.stop_reason === 'max_tokens' ? `\n\n_(cut off at the ${request.maxTokens}-token limit)_` : '';
        return { outcome: 'ok', output: { text: text + cut }, text: text + cut };
      },
    );
    if (exchange.kind !== 'answered') throw new Error(exchange.message);
    if (exchange.judged.text === undefined) throw new Error((exchange.judged.problems ?? ['no text']).join('; '));
    return { text: exchange.judged.text, dollars: exchange.dollars };
  }

  /**
   * One request, start to finish: the worst-case cost reserved against the cap (refused in code
   * when it does not fit), the call, the spend settled, and the attempt logged with `judge`'s
   * verdict on the reply. Shared by planning and synthesis so both pay into one cap and one log.
   */
  async #exchange<T extends Judged>(
    request: ExchangeRequest,
    judge: (envelope: MessageEnvelope | undefined, bodyProblem: string) => T,
  ): Promise<Exchange<T>> {
    const budget = await this.#dollarBudget();
    const { body, promptText, attempt, runDollarsLeft } = request;
    const entry = {
      round: request.round,
      attempt,
      ...(request.purpose === undefined ? {} : { purpose: request.purpose }),
    };
    const estimatedInput = estimateInputTokens(JSON.stringify(body), this.#bytesPerToken);
    const worstCase = dollarsFor({ inputTokens: estimatedInput, outputTokens: body.max_tokens }, this.#price);
    const dollarsLeft = Math.min(budget.remaining, runDollarsLeft ?? Number.POSITIVE_INFINITY);

    // Both limits: the planner's own cap (reserved, so concurrent calls share it) and, for
    // planning, what the run says it has left.
    if ((runDollarsLeft !== undefined && worstCase > runDollarsLeft) || !budget.reserve(worstCase)) {
      const message =
        `refused before sending: worst-case cost $${worstCase.toFixed(4)} (~${estimatedInput} input tokens + ${body.max_tokens} output tokens ` +
        `of ${this.model}) exceeds the $${dollarsLeft.toFixed(4)} left (cap $${this.#maxDollars}, spent $${budget.spent.toFixed(4)}` +
        `${runDollarsLeft === undefined ? '' : `, run budget $${runDollarsLeft.toFixed(4)}`})`;
      await this.#record(budget, {
        ...entry,
        outcome: 'refused',
        startedAt: new Date().toISOString(),
        latencyMs: 0,
        worstCaseDollars: worstCase,
        error: message,
        artifacts: { prompt: promptText, response: { notSent: true }, output: { refused: message } },
      });
      return { kind: 'refused', message: this.#redact(message) };
    }

    const started = performance.now();
    const startedAt = new Date().toISOString();
    let httpStatus: number | null = null;
    let requestId: string | null = null;
    let responseText: string;
    try {
      const deadline = AbortSignal.timeout(this.#attemptDeadlineMs);
      const response = await this.#client.messages
        .create(body, { signal: request.signal ? AbortSignal.any([deadline, request.signal]) : deadline })
        .asResponse();
      httpStatus = response.status;
      requestId = response.headers.get('request-id');
      responseText = this.#redact(await response.text());
    } catch (err) {
      const latencyMs = performance.now() - started;
      const stopping = request.signal?.aborted === true;
      const message = stopping ? 'abandoned: the runner is stopping' : this.#describeApiError(err);
      // A timed-out request may still have been processed and billed; charging its worst
      // case keeps the cap honest. HTTP errors are not billed.
      const charged = isTimeout(err) ? worstCase : 0;
      budget.settle(worstCase, charged);
      await this.#record(budget, {
        ...entry,
        outcome: 'api-error',
        startedAt,
        latencyMs,
        worstCaseDollars: worstCase,
        httpStatus: err instanceof APIError && typeof err.status === 'number' ? err.status : null,
        dollars: charged,
        dollarsEstimated: charged > 0,
        error: message,
        artifacts: { prompt: promptText, response: { error: message }, output: { error: message } },
      });
      if (stopping) throw request.signal!.reason;
      return { kind: 'api-error', message: this.#redact(message), dollars: charged, transient: isTransient(err) };
    }
    const latencyMs = performance.now() - started;

    const { envelope, bodyProblem, parsedBody } = parseEnvelope(responseText);
    const tokens = envelope?.usage
      ? {
          // Cache tokens are billed near the input price or below; counting them at it errs high.
          inputTokens:
            envelope.usage.input_tokens +
            (envelope.usage.cache_creation_input_tokens ?? 0) +
            (envelope.usage.cache_read_input_tokens ?? 0),
          outputTokens: envelope.usage.output_tokens,
        }
      : { inputTokens: 0, outputTokens: 0 };
    const usageKnown = envelope?.usage !== undefined;
    // No usage in the body (e.g. it was not JSON): assume the worst case was billed.
    const dollars = usageKnown ? dollarsFor(tokens, this.#price) : worstCase;
    budget.settle(worstCase, dollars);

    const judged = judge(envelope, bodyProblem ?? 'unreadable response');
    const rawResponse =
      parsedBody === undefined
        ? { httpStatus, requestId, rawText: responseText }
        : { httpStatus, requestId, body: parsedBody };
    await this.#record(budget, {
      ...entry,
      outcome: judged.outcome,
      startedAt,
      latencyMs,
      worstCaseDollars: worstCase,
      httpStatus,
      requestId,
      ...tokens,
      dollars,
      dollarsEstimated: !usageKnown,
      ...(judged.problems === undefined ? {} : { problems: judged.problems }),
      artifacts: { prompt: promptText, response: rawResponse, output: judged.output },
    });
    return { kind: 'answered', judged, ...tokens, dollars };
  }

  #failure(usage: PlannerUsage, attempts: number, failure: PlannerFailure): PlanOutcome {
    return {
      proposals: [],
      stopRequested: false,
      reasoning: '',
      usage,
      attempts,
      failure: { ...failure, message: this.#redact(failure.message) },
    };
  }

  #describeApiError(err: unknown): string {
    if (err instanceof APIUserAbortError || isAbort(err)) {
      return `the attempt exceeded its ${this.#attemptDeadlineMs} ms deadline (SDK retries and retry-after waits included)`;
    }
    if (err instanceof APIConnectionTimeoutError) {
      return `request timed out after ${this.#timeoutMs} ms on each of ${this.#maxRetries + 1} tries`;
    }
    if (err instanceof APIError) return this.#redact(`HTTP ${err.status ?? '?'} from the Messages API: ${err.message}`);
    return this.#redact(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  }

  #retryAfterUnreadableBody(userPrompt: string, problem: string): AttemptResult {
    // There is no assistant turn to answer, so the problem rides along in the same user turn.
    return {
      outcome: 'invalid',
      problems: [problem],
      nextMessages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: userPrompt },
            {
              type: 'text',
              text: `Note: the previous reply could not be read (${problem}). Call ${PROPOSE_TOOL_NAME} again.`,
            },
          ],
        },
      ],
    };
  }

  #judgeEnvelope(envelope: MessageEnvelope, context: PlanningContext, userPrompt: string): AttemptResult {
    const truncated =
      envelope.stop_reason === 'max_tokens'
        ? ' The reply was cut off at max_tokens: propose fewer experiments or write shorter text.'
        : '';
    const toolUses = envelope.content.filter((b) => b.type === 'tool_use');
    const call = toolUses.find((b) => b['name'] === PROPOSE_TOOL_NAME);
    const echo = echoableContent(envelope.content);

    if (call === undefined || typeof call['id'] !== 'string') {
      const problem = `the reply did not call the ${PROPOSE_TOOL_NAME} tool (stop_reason ${String(envelope.stop_reason)}).${truncated}`;
      if (echo === undefined) return this.#retryAfterUnreadableBody(userPrompt, problem);
      return {
        outcome: 'invalid',
        problems: [problem],
        nextMessages: [
          { role: 'user', content: userPrompt },
          { role: 'assistant', content: echo },
          {
            role: 'user',
            content: [
              ...toolResultsFor(echo, 'Not processed.'),
              { type: 'text', text: `${problem} Reply by calling ${PROPOSE_TOOL_NAME}.` },
            ],
          },
        ],
      };
    }

    const check = checkReply(call['input'], context);
    if (check.ok) return { outcome: 'ok', reply: check.reply };

    const feedback =
      `Your ${PROPOSE_TOOL_NAME} call was rejected:\n${check.problems.map((p) => `- ${p}`).join('\n')}\n` +
      `Call ${PROPOSE_TOOL_NAME} again with the whole corrected reply.${truncated}`;
    if (echo === undefined)
      return { ...this.#retryAfterUnreadableBody(userPrompt, feedback), problems: check.problems };
    return {
      outcome: 'invalid',
      problems: check.problems,
      // Only the last failed attempt is carried: the feedback says everything the model needs,
      // and older failed turns would only grow the bill.
      nextMessages: [
        { role: 'user', content: userPrompt },
        { role: 'assistant', content: echo },
        { role: 'user', content: toolResultsFor(echo, feedback, call['id']) },
      ],
    };
  }

  async #record(budget: DollarBudget, call: CallRecordInput): Promise<void> {
    const { artifacts, round, ...fields } = call;
    await this.#log.record(
      {
        // First, so the JSONL keeps its key order (round before model).
        round,
        model: this.model,
        httpStatus: null,
        requestId: null,
        inputTokens: 0,
        outputTokens: 0,
        dollars: 0,
        dollarsEstimated: false,
        ...fields,
        latencyMs: Math.round(call.latencyMs),
        cumulativeDollars: budget.spent,
      },
      artifacts,
    );
  }
}

/** One attempt as the planner knows it; the log adds the number, model and running total. */
type CallRecordInput = Partial<
  Pick<
    PlannerCallEntry,
    | 'httpStatus'
    | 'requestId'
    | 'inputTokens'
    | 'outputTokens'
    | 'dollars'
    | 'dollarsEstimated'
    | 'problems'
    | 'error'
    | 'purpose'
  >
> &
  Pick<PlannerCallEntry, 'round' | 'attempt' | 'outcome' | 'startedAt' | 'latencyMs' | 'worstCaseDollars'> & {
    readonly artifacts: CallArtifacts;
  };

/** What a caller of `#exchange` sends, and how its attempt is labelled in the call log. */
interface ExchangeRequest {
  readonly body: MessageCreateParamsNonStreaming;
  /** The prompt as a person reads it, for `planner/<n>-prompt.md`. */
  readonly promptText: string;
  readonly round: number | null;
  readonly attempt: number;
  readonly purpose?: CallPurpose;
  /** A second limit besides the cap: the run's planning dollars left. Absent: the cap alone. */
  readonly runDollarsLeft?: number;
  /** The runner stopping: the call is abandoned and #exchange rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** A caller's verdict on a reply: what the log records as the attempt's outcome and output. */
interface Judged {
  readonly outcome: CallOutcome;
  readonly problems?: string[];
  readonly output: unknown;
}

type Exchange<T> =
  | { readonly kind: 'refused'; readonly message: string }
  | { readonly kind: 'api-error'; readonly message: string; readonly dollars: number; readonly transient: boolean }
  | {
      readonly kind: 'answered';
      readonly judged: T;
      readonly inputTokens: number;
      readonly outputTokens: number;
      readonly dollars: number;
    };

/**
 * The synthesis is read by people deciding what to do next, so it is asked to stay inside the
 * report's numbers and to say plainly when the thesis did not hold.
 */
export const SYNTHESIS_SYSTEM_PROMPT = [
  'You write the synthesis section of an autoresearch report on forecasting experiments. The report you are given is',
  'complete except for this section: the research question, the seed baselines (among them the best fixed configuration',
  'and an oracle that sees the answers, an upper bound no real forecaster reaches), every experiment with its metric',
  '(lower is better) and analysis, and the best path.',
  '',
  'Write a short, honest synthesis in Markdown, at most about 350 words, under these headings (### level):',
  '- What was learned: the changes that moved the metric and the ones that did not.',
  '- Did the thesis hold: the best experiment against the best fixed configuration and against the oracle, with the',
  '  numbers from the report; say plainly if the search did not beat the best fixed configuration.',
  '- Caveats: noise, few runs or seeds, crashes and failed jobs, anything the report cannot show.',
  '- Next experiments: two to four concrete ones, each with the reason.',
  '',
  'Use only numbers that appear in the report; never invent results. Do not repeat the tables.',
].join('\n');

/** An analysis is a few paragraphs; this bounds what one can cost. */
const ANALYSIS_MAX_TOKENS = 700;

/**
 * The per-experiment analysis is read by the next planning round, so it is asked for what a
 * planner can act on, inside the numbers it was given.
 */
export const ANALYSIS_SYSTEM_PROMPT = [
  'You analyse one finished experiment of an autoresearch run on forecasting configurations, for the planner that',
  'proposes the next experiments. You are given what the run knows so far (the reference seeds, the best so far) and',
  "the runner's record of the experiment: hypothesis, what was tried, its metric on the search split (lower is",
  'better) with its noise, its latency against the budget, comparisons, and the keep/discard decision with its reason.',
  '',
  'Write at most about 150 words of Markdown, no headings: whether the hypothesis held and how sure one can be given the',
  'noise; what the result suggests about the knob or code change; one or two concrete next experiments, or a direction',
  'to stop pursuing. Use only numbers that appear in what you were given; never invent results.',
].join('\n');

/** Our own attempt deadline firing, inside the SDK (APIUserAbortError) or while reading the body. */
function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}

/**
 * Worth trying again later: rate limits, overload, server errors, timeouts, a connection that
 * failed. Not: a request the API rejects as such (400, 401, 403, 404, 413, 422).
 */
function isTransient(err: unknown): boolean {
  if (isTimeout(err) || err instanceof APIConnectionError) return true;
  if (err instanceof APIError && typeof err.status === 'number')
    return err.status === 408 || err.status === 409 || err.status === 429 || err.status >= 500;
  return false;
}

function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function isTimeout(err: unknown): boolean {
  return err instanceof APIConnectionTimeoutError || err instanceof APIUserAbortError || isAbort(err);
}

function parseEnvelope(text: string): { envelope?: MessageEnvelope; parsedBody?: unknown; bodyProblem?: string } {
  let parsedBody: unknown;
  try {
    parsedBody = JSON.parse(text);
  } catch (err) {
    return { bodyProblem: `the response body is not valid JSON (${(err as Error).message})` };
  }
  const envelope = MessageEnvelopeSchema.safeParse(parsedBody);
  if (!envelope.success) return { parsedBody, bodyProblem: 'the response body is not a Messages API message' };
  return { parsedBody, envelope: envelope.data };
}

/**
 * The assistant turn to send back with the feedback: text and tool_use blocks only, and only
 * when every tool_use input is an object (the API rejects anything else in a request).
 */
function echoableContent(content: readonly z.infer<typeof ContentBlockSchema>[]): ContentBlockParam[] | undefined {
  const blocks: ContentBlockParam[] = [];
  for (const block of content) {
    if (block.type === 'text' && typeof block['text'] === 'string' && block['text'] !== '') {
      blocks.push({ type: 'text', text: block['text'] });
    } else if (block.type === 'tool_use') {
      const input = block['input'];
      if (typeof block['id'] !== 'string' || typeof block['name'] !== 'string') return undefined;
      if (input === null || typeof input !== 'object' || Array.isArray(input)) return undefined;
      blocks.push({ type: 'tool_use', id: block['id'], name: block['name'], input });
    }
  }
  return blocks.length === 0 ? undefined : blocks;
}

/** The API requires a tool_result for every tool_use of the previous assistant turn. */
function toolResultsFor(
  echo: readonly ContentBlockParam[],
  feedback: string,
  rejectedId?: string,
): ContentBlockParam[] {
  return echo
    .filter((b): b is Extract<ContentBlockParam, { type: 'tool_use' }> => b.type === 'tool_use')
    .map((b) => ({
      type: 'tool_result' as const,
      tool_use_id: b.id,
      is_error: true,
      content: rejectedId === undefined || b.id === rejectedId ? feedback : 'Not processed.',
    }));
}

/** The prompt as a person reads it: system, every turn, the tool schema. */
function renderPromptLog(body: MessageCreateParamsNonStreaming, title: string): string {
  const parts = [
    `# ${title}`,
    '',
    `model: ${body.model} · max_tokens: ${body.max_tokens}${body.tool_choice?.type === 'tool' ? ` · tool_choice: ${body.tool_choice.name}` : ''}`,
    '',
    '## system',
    '',
    typeof body.system === 'string' ? body.system : JSON.stringify(body.system, null, 2),
  ];
  for (const message of body.messages) {
    parts.push('', `## ${message.role}`, '');
    if (typeof message.content === 'string') {
      parts.push(message.content);
      continue;
    }
    for (const block of message.content) {
      if (block.type === 'text') parts.push(block.text);
      else parts.push(`\`\`\`json\n${JSON.stringify(block, null, 2)}\n\`\`\``);
    }
  }
  if (body.tools !== undefined)
    parts.push('', '## tools', '', `\`\`\`json\n${JSON.stringify(body.tools, null, 2)}\n\`\`\``);
  parts.push('');
  return parts.join('\n');
}
