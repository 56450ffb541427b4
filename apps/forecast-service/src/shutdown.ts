/**
 * Graceful shutdown on SIGINT / SIGTERM: mark the service draining (GET /health answers 503 so a
 * load balancer stops routing to it), stop accepting connections and let in-flight requests
 * finish (`app.close()`, see the preClose hook in server.ts), then release the model. A second signal, or `timeoutMs` without
 * finishing, exits at once — a stuck request must not keep a deploy waiting forever.
 */
import type { EventEmitter } from 'node:events';
import type { FastifyInstance } from 'fastify';

export interface ShutdownOptions {
  readonly signals?: readonly NodeJS.Signals[];
  /**
   * Force exit after this long (default 25 s, inside Kubernetes' default 30 s grace period). A
   * queue of requests already accepted must be able to drain: 200 queued forecasts take seconds.
   */
  readonly timeoutMs?: number;
  /** Runs after the server closed (release the model, flush logs). */
  readonly onClosed?: () => Promise<void>;
  /** Process exit (injected by tests). */
  readonly exit?: (code: number) => void;
  /** Where signals come from (injected by tests; default process). */
  readonly emitter?: EventEmitter;
}

export function installShutdown(
  app: FastifyInstance,
  options: ShutdownOptions = {},
): { shutdown: (reason: string) => Promise<void> } {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const emitter = options.emitter ?? process;
  let closing: Promise<void> | null = null;

  const shutdown = (reason: string): Promise<void> => {
    if (closing !== null) {
      app.log.warn(`${reason} during shutdown: exiting now`);
      exit(1);
      return closing;
    }
    app.log.info(`${reason}: draining and closing`);
    app.service.state.draining = true;
    const timer = setTimeout(() => {
      app.log.error(`shutdown did not finish in ${options.timeoutMs ?? 25_000} ms: exiting`);
      exit(1);
    }, options.timeoutMs ?? 25_000);
    timer.unref();
    closing = (async () => {
      try {
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
