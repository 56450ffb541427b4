/**
 * The report's Synthesis section made by a real call: `run.ts report` (main) → the workflow's
 * writeReport → ClaudePlanner.synthesize → the real SDK → a local fake Messages API. Checks the
 * text lands in report.md, the call is logged and capped like planning calls, the key is written
 * nowhere, and an unchanged report costs no second call.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main, type Io } from '../src/cli/main.js';
import { NO_SYNTHESIS } from '../src/report/index.js';
import { OutputsWriter } from '../src/report/outputs-writer.js';
import { FakeMessagesServer } from './helpers/fake-messages-server.js';
import { captureProcessOutput } from './helpers/capture-output.js';
import { readTree } from './helpers/planner-fixtures.js';
import { fixtureWorkdir } from './report-fixture.js';

const API_KEY = 'sk-ant-api03-SYNTHESIS-never-log-me-0a1b2c3d4e5f';
const SYNTHESIS =
  '# What was learned\n\nCoarser resolution helped; the search beat the best fixed config (0.4415 vs 0.487) but not the oracle.';

let server: FakeMessagesServer;
const captured: string[] = [];
const io: Io = { out: (text) => captured.push(text), err: (text) => captured.push(text) };

beforeEach(async () => {
  server = await FakeMessagesServer.start();
  captured.length = 0;
  captureProcessOutput(captured);
  vi.stubEnv('ANTHROPIC_API_KEY', API_KEY);
  vi.stubEnv('ANTHROPIC_BASE_URL', server.url);
});

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await server.close();
});

/**
 * The report fixture as a Claude run leaves it: planner "claude" in config.json and one planning
 * call already in the log, having spent `spent` of the `cap`.
 */
function claudeWorkdir({
  spent = 0.01,
  cap = 5,
  planner = 'claude',
}: { spent?: number; cap?: number; planner?: string } = {}): string {
  const dir = fixtureWorkdir();
  const configFile = join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({ ...JSON.parse(readFileSync(configFile, 'utf8')), planner, maxDollars: cap }, null, 2),
  );
  mkdirSync(join(dir, 'logs', 'planner'), { recursive: true });
  for (const suffix of ['prompt.md', 'response.json', 'output.json'])
    writeFileSync(join(dir, 'logs', 'planner', `0001-${suffix}`), '{}\n');
  const files = {
    prompt: 'planner/0001-prompt.md',
    response: 'planner/0001-response.json',
    output: 'planner/0001-output.json',
  };
  const entry = {
    n: 1,
    round: 1,
    attempt: 1,
    model: 'claude-sonnet-4-6',
    outcome: 'ok',
    inputTokens: 1000,
    outputTokens: 200,
    dollars: spent,
    dollarsEstimated: false,
    worstCaseDollars: spent,
    cumulativeDollars: spent,
    files,
  };
  writeFileSync(join(dir, 'logs', 'planner-calls.jsonl'), `${JSON.stringify(entry)}\n`);
  return dir;
}

const readText = (dir: string, name: string): string => readFileSync(join(dir, name), 'utf8');
const callLog = (dir: string): Array<Record<string, unknown>> =>
  readText(dir, 'logs/planner-calls.jsonl')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('run.ts report with a Claude run and a key', () => {
  it('puts the model’s text under Synthesis and logs the call with its tokens and dollars', async () => {
    const dir = claudeWorkdir();
    server.enqueue({ kind: 'text', text: SYNTHESIS, usage: { input_tokens: 4000, output_tokens: 250 } });

    expect(await main(['report', dir], io)).toBe(0);

    expect(server.requests).toHaveLength(1);
    const sent = server.requests[0]?.body as {
      max_tokens: number;
      system: string;
      tools?: unknown;
      messages: Array<{ content: string }>;
    };
    expect(sent.max_tokens).toBe(1500);
    expect(sent.tools).toBeUndefined();
    expect(sent.system).toContain('oracle');
    // The model is shown the report without its own section.
    expect(sent.messages[0]?.content).toContain('## Results');
    expect(sent.messages[0]?.content).not.toContain('## Synthesis');

    const report = readText(dir, 'report.md');
    expect(report).toContain('## Synthesis\n\n### What was learned\n\nCoarser resolution helped;');
    expect(report).not.toContain(NO_SYNTHESIS);

    const [planning, synthesis] = callLog(dir);
    expect(planning?.['purpose']).toBeUndefined();
    expect(synthesis).toMatchObject({
      n: 2,
      round: null,
      purpose: 'synthesis',
      outcome: 'ok',
      inputTokens: 4000,
      outputTokens: 250,
      dollars: (4000 * 3 + 250 * 15) / 1e6,
      dollarsEstimated: false,
      cumulativeDollars: 0.01 + (4000 * 3 + 250 * 15) / 1e6,
    });
    const files = synthesis?.['files'] as { prompt: string; response: string; output: string };
    expect(readText(dir, join('logs', files.prompt))).toContain('# Report synthesis prompt');
    expect(JSON.parse(readText(dir, join('logs', files.output)))).toEqual({ text: SYNTHESIS });
    expect(captured.join('\n')).toContain('report: synthesis generated');
    // Its spend is in the run's dollar totals, though the model was shown the totals without it.
    const synthesisDollars = ((4000 * 3 + 250 * 15) / 1e6).toFixed(4);
    for (const file of ['summary.md', 'report.md']) {
      const spent = new RegExp(
        `\\$(\\d+\\.\\d+) spent \\(of which report synthesis \\$${synthesisDollars.replace('.', '\\.')}\\)`,
      ).exec(readText(dir, file));
      expect(Number(spent?.[1])).toBeGreaterThanOrEqual(0.01 + (4000 * 3 + 250 * 15) / 1e6 - 5e-5);
    }
    expect(sent.messages[0]?.content).not.toContain('report synthesis $');
  });

  it('a second report with unchanged inputs makes no second API call and writes the same bytes', async () => {
    const dir = claudeWorkdir();
    server.enqueue({ kind: 'text', text: SYNTHESIS });
    expect(await main(['report', dir], io)).toBe(0);
    const first = readText(dir, 'report.md');
    const logged = readText(dir, 'logs/planner-calls.jsonl');

    // Nothing is scripted: a second request would get a 400 and the report would say so.
    expect(await main(['report', dir], io)).toBe(0);
    expect(server.requests).toHaveLength(1);
    expect(readText(dir, 'report.md')).toBe(first);
    expect(readText(dir, 'logs/planner-calls.jsonl')).toBe(logged);
    expect(captured.join('\n')).toContain('reused from logs/report-synthesis.json (no API call)');

    // A changed input is a new report, so a new synthesis.
    writeFileSync(join(dir, 'runs', 'e004', 'analysis.md'), 'Rewritten analysis.\n');
    server.enqueue({ kind: 'text', text: '# What was learned\n\nSecond take.' });
    expect(await main(['report', dir], io)).toBe(0);
    expect(server.requests).toHaveLength(2);
    expect(readText(dir, 'report.md')).toContain('Second take.');
  });

  it('is refused in code when the dollar cap is spent: no request, the report is written and says why', async () => {
    const dir = claudeWorkdir({ spent: 4.999, cap: 5 });

    expect(await main(['report', dir], io)).toBe(0);

    expect(server.requests).toHaveLength(0);
    const report = readText(dir, 'report.md');
    expect(report).toContain('## Results');
    expect(report).toMatch(
      /Synthesis: not generated \(the call failed: refused before sending: worst-case cost \$[\d.]+ .* exceeds the \$0\.0010 left \(cap \$5, spent \$4\.9990\)\)/,
    );
    expect(callLog(dir)[1]).toMatchObject({ purpose: 'synthesis', outcome: 'refused', dollars: 0 });
    expect(captured.join('\n')).toContain('report: synthesis not generated');
  });

  it('writes the API key to no file under the workdir and prints it nowhere, even when the server echoes it', async () => {
    const dir = claudeWorkdir();
    vi.stubEnv('ANTHROPIC_LOG', 'debug'); // the SDK logs every request: real output for the check below
    server.enqueue({ kind: 'echo-credentials', input: {} });

    expect(await main(['report', dir], io)).toBe(0);
    expect(await main(['report', dir], io)).toBe(0);
    vi.restoreAllMocks();

    expect(server.requests).toHaveLength(1);
    // The key did travel — to the server, and only there.
    expect(JSON.stringify(server.requests[0]?.headers)).toContain(API_KEY);
    // The echo reached the report, redacted.
    expect(readText(dir, 'report.md')).toMatch(/## Synthesis\n\nauthorization=.*\[REDACTED\]/);

    const files = await readTree(dir);
    expect(files.size).toBeGreaterThan(10);
    for (const [path, text] of files) expect(text, path).not.toContain(API_KEY);
    expect(captured.some((line) => line.includes('anthropic-sdk debug'))).toBe(true);
    for (const line of captured) expect(line).not.toContain(API_KEY);
    for (const line of captured) expect(line).not.toContain(API_KEY.slice(8, 28));
  });
});

describe('no synthesis call', () => {
  it('without a key: the report is unchanged and says so', async () => {
    vi.stubEnv('ANTHROPIC_API_KEY', '');
    const dir = claudeWorkdir();
    expect(await main(['report', dir], io)).toBe(0);
    expect(server.requests).toHaveLength(0);
    expect(readText(dir, 'report.md')).toContain(NO_SYNTHESIS);
    expect(callLog(dir)).toHaveLength(1);
  });

  it('when the run’s planner is offline, even with a key', async () => {
    const dir = claudeWorkdir({ planner: 'offline' });
    expect(await main(['report', dir], io)).toBe(0);
    expect(server.requests).toHaveLength(0);
    expect(readText(dir, 'report.md')).toContain(NO_SYNTHESIS);
  });

  it('in the per-completion background regeneration, even for a Claude run with a key', async () => {
    const dir = claudeWorkdir();
    const writer = new OutputsWriter(dir, (line) => captured.push(line));
    writer.request();
    writer.request();
    await writer.settle();
    expect(server.requests).toHaveLength(0);
    expect(readText(dir, 'report.md')).toContain(NO_SYNTHESIS);
  });
});
