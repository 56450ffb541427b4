/**
 * For workflow tests that drive the real CLI with the Claude planner or analysis: a local
 * Messages API started before the file's tests and closed after them (with the file's temp
 * dirs), the environment that points the runner's real SDK at it, a workdir on the tiny
 * template, and the one-experiment proposal those runs script.
 */
import { afterAll, beforeAll } from 'vitest';
import { FakeMessagesServer, type Scenario } from './fake-messages-server.js';
import { removeTempDirs, tempDir, writeWorkflowSettings } from '../workflow-helpers.js';

export interface FakeClaude {
  /** The server; available once the file's beforeAll has run. */
  readonly server: FakeMessagesServer;
  /** The runner's environment: the workflow adapter (not the counter fixture) and this server. */
  env(key: string): Record<string, string>;
}

export function useFakeClaude(): FakeClaude {
  let started: FakeMessagesServer | undefined;
  beforeAll(async () => {
    started = await FakeMessagesServer.start();
  });
  afterAll(async () => {
    await started?.close();
    removeTempDirs();
  });
  const server = (): FakeMessagesServer => {
    if (!started) throw new Error('the fake Messages API starts in beforeAll: use it inside a test');
    return started;
  };
  return {
    get server() {
      return server();
    },
    env: (key) => ({ TSFM_RUNNER_ADAPTER_MODULE: '', ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: server().url }),
  };
}

/** A fresh workdir on the tiny template with these workflow.json settings. */
export function workflowWorkdir(prefix: string, settings: Record<string, unknown> = {}): string {
  const workdir = tempDir(prefix);
  writeWorkflowSettings(workdir, settings);
  return workdir;
}

/** The planner's reply proposing one experiment. */
export function proposeOne(
  name: string,
  params: Record<string, unknown>,
  hypothesis = `${name} lowers the loss`,
): Scenario {
  return {
    kind: 'tool',
    input: { action: 'propose', reasoning: 'one knob', experiments: [{ name, hypothesis, params, priority: 1 }] },
  };
}
