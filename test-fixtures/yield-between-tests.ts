/**
 * A setup file every package's vitest config loads (vitest.shared.ts): after each test, let the
 * worker's event loop turn once, so vitest's own RPC replies are read.
 *
 * Why: the test worker reports to the main process over RPC, and every call times out after 60 s.
 * A reply is only read when the worker's event loop reaches its poll phase. Tests that compute
 * synchronously (ARIMA fits, M4 benchmarks) await only microtasks between them, so a whole file
 * can run without a single loop turn; on a busy machine baselines' forecasters.test.ts took
 * 61.6 s, the replies came after their timers, and vitest failed the run with "Timeout calling
 * onTaskUpdate" although every test had passed (ci-under-load, 2026-12-07). Two setImmediate
 * turns, because an immediate queued from the check phase runs in the next iteration's check
 * phase, after that iteration's poll has read the pending messages.
 */
import { afterEach } from 'vitest';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

afterEach(async () => {
  await nextTurn();
  await nextTurn();
});
