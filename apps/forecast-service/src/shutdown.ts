/**
 * Graceful shutdown on SIGINT / SIGTERM, in the order Kubernetes needs:
 *  1. readiness fails at once (GET /ready → 503), while the listener keeps serving: endpoints
 *     controllers and load balancers take seconds to stop routing to the pod, and connections
 *     refused meanwhile are failed requests;
 *  2. after `preStopDelayMs` the listener closes (`app.close()`, see the preClose hook in
 *     server.ts) and requests in flight finish;
 *  3. `onClosed` releases the models (worker threads), and the process exits 0.
 * A second signal, or `timeoutMs` without finishing, exits 1 at once: a stuck request must not
 * keep a deploy waiting forever.
 */
import type { EventEmitter } from 'node:events';
import type { FastifyInstance } from 'fastify';

export interface ShutdownOptions {
  readonly signals?: readonly NodeJS.Signals[];
  /** Between failing readiness and closing the listener (default 5 s). */
  readonly preStopDelayMs?: number;
  /**
   * Force exit after this long, counted from the signal (default 25 s, inside Kubernetes' default
   * 30 s grace period, and it includes the pre-stop delay).
   */
  readonly timeoutMs?: number;
  /** Runs the moment readiness turns off (publish it to the management port). */
  readonly onDraining?: () => void;
  /** Runs after the server closed (release the models, stop the controller, flush logs). */
  readonly onClosed?: () => Promise<void>;
  /** Process exit (injected by tests). */
  readonly exit?: (code: number) => void;
  /** Where signals come from (injected by tests; default process). */
  readonly emitter?: EventEmitter;
  /** How the pre-stop delay is waited (injected by tests, which end it on their own event). */
  readonly preStop?: (ms: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

export function installShutdown(
  app: FastifyInstance,
  options: ShutdownOptions = {},
): { shutdown: (reason: string) => Promise<void> } {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const emitter = options.emitter ?? process;
  const preStopDelayMs = options.preStopDelayMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? 25_000;
  const preStop = options.preStop ?? sleep;
  let closing: Promise<void> | null = null;

  const shutdown = (reason: string): Promise<void> => {
    if (closing !== null) {
      app.log.warn(`${reason} during shutdown: exiting now`);
      exit(1);
      return closing;
    }
    app.log.info(`${reason}: readiness off; closing the listener in ${preStopDelayMs} ms`);
    app.service.state.draining = true;
    options.onDraining?.();
    const timer = setTimeout(() => {
      app.log.error(`shutdown did not finish in ${timeoutMs} ms: exiting`);
      exit(1);
    }, timeoutMs);
    timer.unref();
    closing = (async () => {
      try {
        await preStop(preStopDelayMs);
        app.log.info('closing the listener; requests in flight finish first');
        await app.close();
        await options.onClosed?.();
        clearTimeout(timer);
        exit(0);
      } catch (error) {
        app.log.error({ err: error }, 'shutdown failed');
        clearTimeout(timer);
        exit(1);
      }
    })();
    return closing;
  };
  for (const signal of signals) emitter.on(signal, () => void shutdown(signal));
  return { shutdown };
}
