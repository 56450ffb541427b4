import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClaudePlanner, worstCaseRequestMs } from '../src/planners/claude-planner.js';
import type { ClaudePlannerOptions } from '../src/planners/claude-planner.js';
import type { PlannerCallEntry } from '../src/planners/call-log.js';
import { FakeMessagesServer } from './helpers/fake-messages-server.js';
import { context, KNOWLEDGE, PROGRAM, record, SOURCE, tempDir } from './helpers/planner-fixtures.js';

const API_KEY = 'sk-ant-test-planner-key-0123456789abcdef';

const GOOD_REPLY = {
  action: 'propose',
  reasoning: 'Coarser resolution and a longer context should both lower the loss. REASONING-MARKER-e41b',
  experiments: [
    {
      name: 'res-15',
      hypothesis: '15-minute aggregation smooths spikes and lowers the loss',
      params: { resolutionMinutes: 15 },
      priority: 1,
    },
    {
      name: 'ctx-256',
      hypothesis: 'Twice the context captures the daily cycle',
      params: { contextLength: 256 },
      priority: 0,
    },
  ],
};

let server: FakeMessagesServer;
let logDir: string;

beforeEach(async () => {
  server = await FakeMessagesServer.start();
  logDir = await tempDir('planner-claude');
});

afterEach(async () => {
  await server.close();
});

function planner(options: Partial<ClaudePlannerOptions> = {}): ClaudePlanner {
  return new ClaudePlanner({
    apiKey: API_KEY,
    baseURL: server.url,
    logDir,
    maxDollars: 1,
    model: 'claude-sonnet-4-6',
    maxRetries: 2,
    timeoutMs: 5_000,
    logSink: () => {},
    ...options,
  });
}

async function callLog(): Promise<PlannerCallEntry[]> {
  const text = await readFile(join(logDir, 'planner-calls.jsonl'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as PlannerCallEntry);
}

/** The text of every block of the last user turn of a recorded request. */
function lastUserTurnText(body: any): string {
  const last = body.messages[body.messages.length - 1];
  expect(last.role).toBe('user');
  if (typeof last.content === 'string') return last.content;
  return last.content
    .map((b: any) => (b.type === 'text' ? b.text : typeof b.content === 'string' ? b.content : JSON.stringify(b)))
    .join('\n');
}

describe('ClaudePlanner against a local Messages API', () => {
  it('turns a good tool_use reply into proposals sorted by priority, with tokens and dollars', async () => {
    server.enqueue({ kind: 'tool', input: GOOD_REPLY, usage: { input_tokens: 1200, output_tokens: 300 } });
    const outcome = await planner().plan(context({ round: 1 }));

    expect(outcome.failure).toBeUndefined();
    expect(outcome.proposals.map((p) => p.name)).toEqual(['ctx-256', 'res-15']);
    expect(outcome.attempts).toBe(1);
    expect(outcome.usage.inputTokens).toBe(1200);
    expect(outcome.usage.outputTokens).toBe(300);
    expect(outcome.usage.dollars).toBeCloseTo((1200 * 3 + 300 * 15) / 1e6, 12);

    const [request] = server.requests;
    expect(request?.body.tool_choice).toEqual({ type: 'tool', name: 'propose_experiments' });
    expect(request?.body.tools.map((t: any) => t.name)).toEqual(['propose_experiments']);
    expect(request?.body.tools[0].input_schema.type).toBe('object');
    expect(
      request?.body.tools[0].input_schema.properties.experiments.items.properties.params.properties.resolutionMinutes
        .enum,
    ).toEqual([1, 5, 15, 60]);
    expect(request?.body.model).toBe('claude-sonnet-4-6');
  });

  it('logs every call: a JSONL line plus prompt, raw response and parsed output files', async () => {
    server.enqueue({ kind: 'tool', input: GOOD_REPLY });
    await planner().plan(context({ round: 3 }));

    const [entry] = await callLog();
    expect(entry).toMatchObject({
      n: 1,
      round: 3,
      attempt: 1,
      outcome: 'ok',
      httpStatus: 200,
      inputTokens: 1200,
      outputTokens: 300,
      dollarsEstimated: false,
    });
    expect(entry?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(entry?.cumulativeDollars).toBeCloseTo(entry?.dollars ?? NaN, 12);
    const prompt = await readFile(join(logDir, entry.files.prompt), 'utf8');
    expect(prompt).toContain('PROGRAM-MARKER-7f3a');
    expect(prompt).toContain('SOURCE-MARKER-5d0e');
    const response = JSON.parse(await readFile(join(logDir, entry.files.response), 'utf8'));
    expect(response.body.id).toBe('msg_fake_1');
    expect(response.body.content[0].input).toEqual(GOOD_REPLY);
    const output = JSON.parse(await readFile(join(logDir, entry.files.output), 'utf8'));
    expect(output).toEqual(GOOD_REPLY);
  });

  it('retries a malformed JSON body, telling the model why, and charges the unknown usage at worst case', async () => {
    server.enqueue({ kind: 'malformed' }, { kind: 'tool', input: GOOD_REPLY });
    const outcome = await planner().plan(context());

    expect(outcome.failure).toBeUndefined();
    expect(outcome.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
    expect(lastUserTurnText(server.requests[1]?.body)).toMatch(/not valid JSON/);
    const [first, second] = await callLog();
    expect(first).toMatchObject({ outcome: 'invalid', dollarsEstimated: true });
    expect(first?.dollars).toBeCloseTo(first?.worstCaseDollars ?? NaN, 12);
    expect(second).toMatchObject({ outcome: 'ok', attempt: 2 });
    const raw = JSON.parse(await readFile(join(logDir, first.files.response), 'utf8'));
    expect(raw.rawText).toContain('"msg_cut"');
  });

  it('answers a schema violation with a tool_result carrying the validation errors, then accepts the fix', async () => {
    const bad = {
      action: 'propose',
      reasoning: 'x',
      experiments: [{ name: 'Bad Name', hypothesis: 'h', params: {}, priority: 'high' }],
    };
    server.enqueue({ kind: 'tool', input: bad }, { kind: 'tool', input: GOOD_REPLY });
    const outcome = await planner().plan(context());

    expect(outcome.failure).toBeUndefined();
    expect(outcome.proposals).toHaveLength(2);
    const retry = server.requests[1]?.body;
    expect(retry.messages.map((m: any) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(retry.messages[1].content[0]).toMatchObject({ type: 'tool_use', name: 'propose_experiments', input: bad });
    const result = retry.messages[2].content[0];
    expect(result).toMatchObject({ type: 'tool_result', tool_use_id: retry.messages[1].content[0].id, is_error: true });
    expect(result.content).toContain('experiments[0].name');
    expect(result.content).toContain('experiments[0].priority');
  });

  it('rejects knob values outside the parameter space with messages that name the allowed values', async () => {
    const outside = {
      ...GOOD_REPLY,
      experiments: [
        { name: 'too-long', hypothesis: 'h', params: { contextLength: 700, normalisation: 'zscore' }, priority: 0 },
      ],
    };
    server.enqueue({ kind: 'tool', input: outside }, { kind: 'tool', input: GOOD_REPLY });
    const outcome = await planner().plan(context());

    expect(outcome.failure).toBeUndefined();
    const feedback = lastUserTurnText(server.requests[1]?.body);
    expect(feedback).toContain('contextLength: 700 is outside 64..512');
    expect(feedback).toContain(
      'normalisation: "zscore" is not allowed; one of "none", "mean-std", "last-value", "log1p"',
    );
  });

  it('rejects a proposal that repeats a finished experiment or patches a file other than the editable one', async () => {
    const history = [record('e1', 'ctx-256', { contextLength: 256 }, 0.5)];
    const repeats = {
      ...GOOD_REPLY,
      experiments: [
        { name: 'again', hypothesis: 'h', params: { contextLength: 256 }, priority: 0 },
        {
          name: 'evil',
          hypothesis: 'h',
          params: {},
          priority: 1,
          patch: '--- a/prepare.ts\n+++ b/prepare.ts\n@@ -1 +1 @@\n-a\n+b\n',
        },
      ],
    };
    const fixed = {
      ...GOOD_REPLY,
      experiments: [{ name: 'ctx-320', hypothesis: 'h', params: { contextLength: 320 }, priority: 0 }],
    };
    server.enqueue({ kind: 'tool', input: repeats }, { kind: 'tool', input: fixed });
    const outcome = await planner().plan(context({ history }));

    expect(outcome.proposals.map((p) => p.name)).toEqual(['ctx-320']);
    const feedback = lastUserTurnText(server.requests[1]?.body);
    expect(feedback).toContain('same parameters as history experiment "ctx-256"');
    expect(feedback).toContain('only "experiment.ts" may be changed');
  });

  it('retries a text-only reply that never called the tool', async () => {
    server.enqueue(
      { kind: 'text', text: 'I think you should try a longer context.' },
      { kind: 'tool', input: GOOD_REPLY },
    );
    const outcome = await planner().plan(context());

    expect(outcome.failure).toBeUndefined();
    const retry = server.requests[1]?.body;
    expect(retry.messages.map((m: any) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(lastUserTurnText(retry)).toMatch(/did not call the propose_experiments tool/);
  });

  it('records an invalid-reply failure after maxAttempts bad replies', async () => {
    const bad = { action: 'propose', reasoning: 'x', experiments: [] };
    server.enqueue({ kind: 'tool', input: bad }, { kind: 'tool', input: bad }, { kind: 'tool', input: bad });
    const outcome = await planner({ maxAttempts: 3 }).plan(context());

    expect(outcome.failure?.kind).toBe('invalid-reply');
    expect(outcome.failure?.message).toContain('needs at least one experiment');
    expect(outcome.proposals).toEqual([]);
    expect(outcome.attempts).toBe(3);
    expect(outcome.usage.inputTokens).toBe(3 * 1200);
    expect((await callLog()).map((e) => e.outcome)).toEqual(['invalid', 'invalid', 'invalid']);
  });

  it('survives a 429 with retry-after: 1 through the SDK retry, waiting as told', async () => {
    server.enqueue({ kind: 'status', status: 429, retryAfter: '1' }, { kind: 'tool', input: GOOD_REPLY });
    const outcome = await planner().plan(context());

    expect(outcome.failure).toBeUndefined();
    expect(outcome.attempts).toBe(1);
    expect(server.requests).toHaveLength(2);
    const waited = (server.requests[1]?.receivedAt ?? 0) - (server.requests[0]?.receivedAt ?? 0);
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(await callLog()).toHaveLength(1);
  });

  it('survives a 500 with retry-after through the SDK retry', async () => {
    server.enqueue({ kind: 'status', status: 500, retryAfter: '1' }, { kind: 'tool', input: GOOD_REPLY });
    const outcome = await planner().plan(context());

    expect(outcome.failure).toBeUndefined();
    expect(server.requests).toHaveLength(2);
  });

  it('records an api-error failure, without further attempts, once the SDK retries are spent', async () => {
    server.enqueue(
      { kind: 'status', status: 500, retryAfter: '0.05' },
      { kind: 'status', status: 500, retryAfter: '0.05' },
    );
    // A planning deadline of 0: no retries of our own after the SDK's (they are tested below).
    const outcome = await planner({ maxRetries: 1, planDeadlineMs: 0 }).plan(context());

    expect(outcome.failure?.kind).toBe('api-error');
    expect(outcome.failure?.transient).toBe(true);
    expect(outcome.failure?.message).toContain('HTTP 500');
    expect(outcome.attempts).toBe(1);
    expect(server.requests).toHaveLength(2);
    expect((await callLog()).map((e) => [e.outcome, e.httpStatus, e.dollars])).toEqual([['api-error', 500, 0]]);
  });

  it('fails cleanly within the timeout budget when the server hangs', async () => {
    server.enqueue({ kind: 'hang' }, { kind: 'hang' });
    const timeoutMs = 300;
    const started = Date.now();
    const outcome = await planner({ timeoutMs, maxRetries: 1, planDeadlineMs: 0 }).plan(context());
    const elapsed = Date.now() - started;

    expect(outcome.failure?.kind).toBe('api-error');
    expect(outcome.failure?.message).toContain('timed out');
    expect(server.requests).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(2 * timeoutMs - 50);
    expect(elapsed).toBeLessThan(worstCaseRequestMs(timeoutMs, 1) + 1000);
    // A timed-out request may have been billed: charged at its worst case.
    const [entry] = await callLog();
    expect(entry).toMatchObject({ outcome: 'api-error', dollarsEstimated: true });
  });

  it('gives up at the attempt deadline when the server asks for a longer wait than the deadline allows', async () => {
    server.enqueue({ kind: 'status', status: 429, retryAfter: '30' }, { kind: 'tool', input: GOOD_REPLY });
    const started = Date.now();
    const outcome = await planner({ attemptDeadlineMs: 800, planDeadlineMs: 0 }).plan(context());

    // Far below the 30 s the server asked to wait, however busy the machine: the deadline held.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(outcome.failure?.kind).toBe('api-error');
    expect(outcome.failure?.message).toContain('800 ms deadline');
    expect(server.requests).toHaveLength(1);
  });

  it('retries transient API errors with backoff until an answer comes, within the planning deadline', async () => {
    server.enqueue(
      { kind: 'status', status: 503 },
      { kind: 'status', status: 429 },
      { kind: 'status', status: 500 },
      { kind: 'tool', input: GOOD_REPLY },
    );
    const outcome = await planner({ maxRetries: 0, retryBaseMs: 5, planDeadlineMs: 600_000 }).plan(context());
    expect(outcome.failure).toBeUndefined();
    expect(outcome.proposals).toHaveLength(GOOD_REPLY.experiments.length);
    expect(server.requests).toHaveLength(4);
    expect((await callLog()).map((e) => [e.outcome, e.httpStatus])).toEqual([
      ['api-error', 503],
      ['api-error', 429],
      ['api-error', 500],
      ['ok', 200],
    ]);
  });

  it('fails at once, not transient, on an error the API will repeat (401)', async () => {
    server.enqueue({ kind: 'status', status: 401 }, { kind: 'tool', input: GOOD_REPLY });
    const outcome = await planner({ maxRetries: 0, retryBaseMs: 5 }).plan(context());
    expect(outcome.failure).toMatchObject({ kind: 'api-error' });
    expect(outcome.failure?.transient).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  it('abandons a hung call when the runner stops, and rejects with the stop’s reason', async () => {
    server.enqueue({ kind: 'hang' });
    const stop = new AbortController();
    const planning = planner({ timeoutMs: 600_000 }).plan(context(), { signal: stop.signal });
    await expect.poll(() => server.requests.length, { timeout: 600_000, interval: 10 }).toBe(1);
    stop.abort(new Error('SIGINT'));
    await expect(planning).rejects.toThrow('SIGINT');
    expect((await callLog()).map((e) => e.error)).toEqual(['abandoned: the runner is stopping']);
  });

  it('keeps no conversation between calls: each request carries the whole context and nothing else', async () => {
    server.enqueue(
      { kind: 'tool', input: GOOD_REPLY },
      {
        kind: 'tool',
        input: {
          ...GOOD_REPLY,
          reasoning: 'second',
          experiments: [{ name: 'res-60', hypothesis: 'h', params: { resolutionMinutes: 60 }, priority: 0 }],
        },
      },
    );
    const p = planner();
    await p.plan(context({ history: [record('e1', 'baseline', {}, 2.85)] }));
    await p.plan(
      context({
        history: [record('e1', 'baseline', {}, 2.85), record('e2', 'ctx-256', { contextLength: 256 }, 2.1, 'e1')],
      }),
    );

    expect(server.requests).toHaveLength(2);
    for (const request of server.requests) {
      expect(request.body.messages).toHaveLength(1);
      expect(request.body.system).toContain(PROGRAM);
      const user = lastUserTurnText(request.body);
      expect(user).toContain(KNOWLEDGE);
      expect(user).toContain(SOURCE.trim());
      expect(user).toContain('baseline');
      expect(user).toContain('resolutionMinutes');
    }
    const second = JSON.stringify(server.requests[1]?.body);
    expect(second).toContain('ctx-256');
    expect(second).toContain('2.10000');
    expect(second).not.toContain('REASONING-MARKER-e41b');
  });

  it('caps the proposals at the experiments left, keeping the lowest priorities', async () => {
    server.enqueue({ kind: 'tool', input: GOOD_REPLY });
    const outcome = await planner().plan(context({ budget: { experimentsLeft: 1, dollarsLeft: 5 } }));
    expect(outcome.proposals.map((p) => p.name)).toEqual(['ctx-256']);
  });

  it('passes the planner\'s own "stop" through as stopRequested', async () => {
    server.enqueue({
      kind: 'tool',
      input: { action: 'stop', reasoning: 'Nothing left worth trying.', experiments: [] },
    });
    const outcome = await planner().plan(context());
    expect(outcome.stopRequested).toBe(true);
    expect(outcome.proposals).toEqual([]);
    expect(outcome.failure).toBeUndefined();
  });
});

describe('the dollar cap, enforced before calling', () => {
  it('refuses a call whose worst-case cost exceeds the cap, without sending it', async () => {
    server.enqueue({ kind: 'tool', input: GOOD_REPLY });
    // max_tokens 4096 at $15/MTok alone is $0.06.
    const outcome = await planner({ maxDollars: 0.05 }).plan(context());

    expect(outcome.failure?.kind).toBe('budget');
    expect(outcome.failure?.message).toMatch(/worst-case cost \$0\.06\d+ .* exceeds the \$0\.0500 left/);
    expect(server.requests).toHaveLength(0);
    expect((await callLog()).map((e) => e.outcome)).toEqual(['refused']);
  });

  it('refuses once the spend of earlier calls leaves too little', async () => {
    const expensive = { input_tokens: 100_000, output_tokens: 1_000 }; // $0.315 a call at 3/15
    server.enqueue(
      { kind: 'tool', input: GOOD_REPLY, usage: expensive },
      { kind: 'tool', input: GOOD_REPLY, usage: expensive },
    );
    // The second call's worst case is ~$0.065 (4096 output tokens dominate): 0.315 + 0.065 > 0.35.
    const p = planner({ maxDollars: 0.35 });

    expect((await p.plan(context())).failure).toBeUndefined();
    const second = await p.plan(context());
    expect(second.failure?.kind).toBe('budget');
    expect(server.requests).toHaveLength(1);
  });

  it('resumes the spend from the call log, so a restarted process keeps to the same cap', async () => {
    const expensive = { input_tokens: 100_000, output_tokens: 1_000 };
    server.enqueue({ kind: 'tool', input: GOOD_REPLY, usage: expensive }, { kind: 'tool', input: GOOD_REPLY });
    expect((await planner({ maxDollars: 0.35 }).plan(context())).failure).toBeUndefined();

    const restarted = await planner({ maxDollars: 0.35 }).plan(context());
    expect(restarted.failure?.kind).toBe('budget');
    expect(server.requests).toHaveLength(1);
    expect((await callLog()).map((e) => e.n)).toEqual([1, 2]);
  });

  it('reserves the worst case while a call is in flight, so concurrent calls cannot overspend together', async () => {
    server.enqueue({ kind: 'tool', input: GOOD_REPLY }, { kind: 'tool', input: GOOD_REPLY });
    // Each call's worst case is ~$0.065: one fits under $0.1, two do not.
    const p = planner({ maxDollars: 0.1 });
    const outcomes = await Promise.all([p.plan(context()), p.plan(context())]);

    expect(outcomes.map((o) => o.failure?.kind ?? 'ok').sort()).toEqual(['budget', 'ok']);
    expect(server.requests).toHaveLength(1);
  });

  it('also honours the dollars the run has left, when lower than the cap', async () => {
    server.enqueue({ kind: 'tool', input: GOOD_REPLY });
    const outcome = await planner({ maxDollars: 100 }).plan(
      context({ budget: { experimentsLeft: 5, dollarsLeft: 0.01 } }),
    );
    expect(outcome.failure?.kind).toBe('budget');
    expect(server.requests).toHaveLength(0);
  });

  it('refuses to build a planner for a model it has no price for', () => {
    expect(() => planner({ model: 'claude-unknown-9' })).toThrow(/no price for model "claude-unknown-9"/);
    expect(planner({ model: 'claude-haiku-4-5-20251001' }).model).toBe('claude-haiku-4-5-20251001');
  });
});
