import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlanner } from '../src/planners/create-planner.js';
import { PlannerConfigError } from '../src/planners/errors.js';
import { FakeMessagesServer } from './helpers/fake-messages-server.js';
import { context, tempDir } from './helpers/planner-fixtures.js';

const KEY = 'sk-ant-test-create-planner-000000';

let server: FakeMessagesServer;
let logDir: string;

beforeEach(async () => {
  server = await FakeMessagesServer.start();
  logDir = await tempDir('planner-create');
});

afterEach(async () => {
  await server.close();
});

describe('createPlanner', () => {
  it('"auto" picks the offline planner when no key is set, and says why', () => {
    for (const env of [{}, { ANTHROPIC_API_KEY: '' }, { ANTHROPIC_API_KEY: '   ' }]) {
      const created = createPlanner({ kind: 'auto', logDir, maxDollars: 1 }, env);
      expect(created.planner.kind).toBe('offline');
      expect(created.why).toContain('ANTHROPIC_API_KEY is not set');
    }
  });

  it('"auto" picks Claude when ANTHROPIC_API_KEY is set, calling ANTHROPIC_BASE_URL', async () => {
    server.enqueue({
      kind: 'tool',
      input: {
        action: 'propose',
        reasoning: 'r',
        experiments: [{ name: 'flip-on', hypothesis: 'h', params: { flip: true }, priority: 0 }],
      },
    });
    const { planner, why } = createPlanner(
      { kind: 'auto', logDir, maxDollars: 1, logSink: () => {} },
      { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: server.url },
    );
    expect(planner.kind).toBe('claude');
    expect(why).toContain(server.url);

    const outcome = await planner.plan(context());
    expect(outcome.proposals.map((p) => p.name)).toEqual(['flip-on']);
    expect(server.requests).toHaveLength(1);
  });

  it('"claude" without a key fails with an actionable message', () => {
    expect(() => createPlanner({ kind: 'claude', logDir, maxDollars: 1 }, {})).toThrow(PlannerConfigError);
    expect(() => createPlanner({ kind: 'claude', logDir, maxDollars: 1 }, {})).toThrow(/set ANTHROPIC_API_KEY/);
  });

  it('"offline" stays offline even with a key, and passes its seed through', async () => {
    const a = createPlanner({ kind: 'offline', logDir, maxDollars: 1, seed: 5 }, { ANTHROPIC_API_KEY: KEY });
    const b = createPlanner({ kind: 'offline', logDir, maxDollars: 1, seed: 5 }, {});
    expect(a.planner.kind).toBe('offline');
    expect(await a.planner.plan(context())).toEqual(await b.planner.plan(context()));
  });
});
