/**
 * The forecast service process:
 *
 *   npx tsx apps/forecast-service/src/main.ts --port 8080 --model packages/pretrain/model
 *
 * Starts the forecast workers (each loads the model and calibrates its harness), listens, and
 * shuts down gracefully on SIGINT / SIGTERM. With --controller it also runs the autoscaling loop
 * against Prometheus (controller/). Every flag has an environment variable where noted (flag wins).
 */
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseRacing, type RacingOptions } from '@tsfm/harness';
import { BearerAuth } from './auth.js';
import { startController } from './controller/controller.js';
import { DEFAULT_STALL_MS, ManagementPort } from './management/management-port.js';
import { DEFAULT_TRIM_QUIET_MS, loadMallocTrim } from './memory-trim.js';
import { manifestPath } from './model.js';
import {
  buildServer,
  DEFAULT_BODY_LIMIT,
  DEFAULT_MAX_BODY_BYTES_IN_FLIGHT,
  DEFAULT_TIMEOUTS,
  jobSettings,
} from './server.js';
import { installShutdown } from './shutdown.js';
import { WorkerPool } from './worker-pool.js';

const USAGE = `Usage: npx tsx apps/forecast-service/src/main.ts [options]

  --port N             TCP port (env PORT; default 8080; 0 = any free port)
  --management-port N  also serve GET /health and GET /ready on port N from their own thread, so
                       probes stay fast whatever the forecast load (env MANAGEMENT_PORT; default
                       off; 0 = any free port); point Kubernetes' probes here
  --liveness-stall-ms MS  the management port's probes fail once the HTTP thread has not
                       answered its heartbeat for MS (default ${DEFAULT_STALL_MS})
  --host H             address to bind (env HOST; default 127.0.0.1 — loopback only)
  --model PATH         model folder or model.json (env TSFM_MODEL; default packages/pretrain/model)
  --random-model       a random-weight model of the default architecture (development only;
                       /status and /metrics say so)
  --workers N          forecast worker threads, one model each (default: the cores Node may use)
  --batch-window-ms MS how long a model call waits for other requests' rows (default 0: the rows of
                       every request that reached the model in the same turn of the worker's event
                       loop share one call, and none waits for a timer)
  --body-limit BYTES   largest request body (env BODY_LIMIT; default ${DEFAULT_BODY_LIMIT})
  --k K                harness configs per request when a request gives none (default 32)
  --budget-ms MS       latency budget when a request gives none: the harness's, and admission's
                       (a request that would wait past it is refused with 429; default 200)
  --racing W,S|off     harness racing for every request: each sampled model input scored on W
                       validation windows first, the default's and the S best go on to the rest
                       (packages/harness README, Racing; about half the model rows of a K = 32
                       request); default off, as the harness ships
  --over-budget-rate R fraction of served requests whose service time may exceed the budget, in
                       (0, 1]: admission learns how far below the budget its mean prediction must
                       stay for that (default 0.01: the served p99 within budget; 1 = admit on the
                       mean prediction alone)
  --min-in-flight N    requests always admitted, whatever the prediction (default 2 per worker: each
                       worker has the next body ready when it finishes one)
  --max-in-flight N    requests admitted at once, whatever the prediction (default 1024)
  --max-body-bytes-in-flight BYTES
                       request bodies admitted at once, by Content-Length (a chunked body counts as
                       --body-limit); more are refused with 429 (default ${DEFAULT_MAX_BODY_BYTES_IN_FLIGHT})
  --max-connections N  open connections at most (default 1024)
  --headers-timeout-ms MS, --request-timeout-ms MS, --keep-alive-timeout-ms MS
                       socket timeouts (defaults ${DEFAULT_TIMEOUTS.headersMs}, ${DEFAULT_TIMEOUTS.requestMs}, ${DEFAULT_TIMEOUTS.keepAliveMs})
  --auth-token-file F  require Authorization: Bearer <token in F> (env AUTH_TOKEN_FILE; the probes
                       and /metrics stay open)
  --controller FILE    also run the autoscaling loop on the targets in FILE against Prometheus and
                       export its recommendations as gauges (docs/service.md, Controller mode)
  --memory-trim-quiet-ms MS
                       after a load peak, once no forecast request has finished for MS and none is
                       in flight, return freed native memory to the kernel (glibc malloc_trim, an
                       addon built by make setup; default ${DEFAULT_TRIM_QUIET_MS}; 0 = never)
  --log-level L        fatal|error|warn|info|debug (env LOG_LEVEL; default info)
  --pre-stop-delay-ms MS  on SIGTERM, how long /ready fails before the listener closes (default 5000)
  --shutdown-timeout-ms MS  on SIGTERM, how long until the process exits anyway (default 25000:
                       inside Kubernetes' 30 s grace period)
  --help`;

function usageError(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function intOption(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) usageError(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

function fractionOption(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const x = Number(raw);
  if (!(raw.trim() !== '' && x > 0 && x <= 1))
    usageError(`--${name} must be a number in (0, 1], got ${JSON.stringify(raw)}`);
  return x;
}

/** `--racing W,S` → the harness's options.racing; `off` or absent → null. */
function racingOption(raw: string | undefined): RacingOptions | null {
  if (raw === undefined) return null;
  try {
    return parseRacing(raw);
  } catch (error) {
    usageError(`--racing ${(error as Error).message}`);
  }
}

const STRING_FLAGS = [
  'port',
  'management-port',
  'liveness-stall-ms',
  'host',
  'model',
  'workers',
  'batch-window-ms',
  'body-limit',
  'k',
  'budget-ms',
  'racing',
  'over-budget-rate',
  'min-in-flight',
  'max-in-flight',
  'max-body-bytes-in-flight',
  'max-connections',
  'headers-timeout-ms',
  'request-timeout-ms',
  'keep-alive-timeout-ms',
  'auth-token-file',
  'controller',
  'memory-trim-quiet-ms',
  'log-level',
  'pre-stop-delay-ms',
  'shutdown-timeout-ms',
] as const;

async function main(): Promise<void> {
  let values: Partial<Record<(typeof STRING_FLAGS)[number], string>> & { 'random-model'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      strict: true,
      options: {
        ...Object.fromEntries(STRING_FLAGS.map((f) => [f, { type: 'string' as const }])),
        'random-model': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }) as { values: typeof values });
  } catch (e) {
    usageError((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = intOption('port', values.port ?? process.env.PORT, 8080, 0);
  const host = values.host ?? process.env.HOST ?? '127.0.0.1';
  const bodyLimit = intOption('body-limit', values['body-limit'] ?? process.env.BODY_LIMIT, DEFAULT_BODY_LIMIT, 1024);
  const level = values['log-level'] ?? process.env.LOG_LEVEL ?? 'info';
  const workers = intOption('workers', values.workers, availableParallelism(), 1);
  const windowMs = intOption('batch-window-ms', values['batch-window-ms'], 0, 0);
  const overBudgetRate = fractionOption('over-budget-rate', values['over-budget-rate'], 0.01);
  const minInFlight =
    values['min-in-flight'] === undefined ? undefined : intOption('min-in-flight', values['min-in-flight'], 0, 1);
  const settingsOptions = {
    bodyLimit,
    defaultK: intOption('k', values.k, 32, 1),
    defaultBudgetMs: intOption('budget-ms', values['budget-ms'], 200, 1),
    racing: racingOption(values.racing),
  };
  const tokenFile = values['auth-token-file'] ?? process.env.AUTH_TOKEN_FILE;
  const auth = tokenFile === undefined ? null : BearerAuth.fromFile(tokenFile);

  // The default is found from this file, so `npm start` in apps/forecast-service works too.
  const defaultModel = resolve(dirname(fileURLToPath(import.meta.url)), '../../../packages/pretrain/model');
  let modelPath = values.model ?? process.env.TSFM_MODEL ?? defaultModel;
  const random = values['random-model'] ?? false;
  if (random) {
    // Development only: same architecture and contract, random weights. Imported lazily so
    // production starts never load the helper.
    const { writeRandomWeightModel } = await import('@tsfm/pretrain');
    modelPath = writeRandomWeightModel(mkdtempSync(join(tmpdir(), 'tsfm-random-model-')), {
      purpose: 'forecast-service --random-model',
    });
  }

  // First, so the probes answer while the models load: alive, not ready.
  const managementPortValue = values['management-port'] ?? process.env.MANAGEMENT_PORT;
  const management =
    managementPortValue === undefined
      ? null
      : await ManagementPort.start({
          host,
          port: intOption('management-port', managementPortValue, 0, 0),
          stallMs: intOption('liveness-stall-ms', values['liveness-stall-ms'], DEFAULT_STALL_MS, 1),
        });
  let probeSource = () => ({ draining: false, workersReady: 0 });
  management?.track(() => probeSource());

  // Until the server (and its logger) exists, worker events go to stderr.
  let log = (level: 'info' | 'warn' | 'error', message: string): void =>
    void process.stderr.write(`${level}: ${message}\n`);
  const pool = await WorkerPool.start({
    workers,
    spec: {
      model: manifestPath(modelPath),
      random,
      // maxHorizon is the model's: each worker fills it in from its harness (jobSettings there).
      settings: jobSettings(Number.POSITIVE_INFINITY, settingsOptions),
      batch: { windowMs },
    },
    log: (level, message) => log(level, message),
  });
  const trimQuietMs = intOption('memory-trim-quiet-ms', values['memory-trim-quiet-ms'], DEFAULT_TRIM_QUIET_MS, 0);
  const mallocTrim = trimQuietMs > 0 ? loadMallocTrim() : null;
  const app = buildServer({
    ...settingsOptions,
    memoryTrim: mallocTrim?.trim ? { trim: mallocTrim.trim, quietMs: trimQuietMs } : null,
    runner: pool,
    model: pool.model,
    maxInFlight: intOption('max-in-flight', values['max-in-flight'], 1024, 1),
    overBudgetRate,
    ...(minInFlight !== undefined ? { minInFlight } : {}),
    maxBodyBytesInFlight: intOption(
      'max-body-bytes-in-flight',
      values['max-body-bytes-in-flight'],
      DEFAULT_MAX_BODY_BYTES_IN_FLIGHT,
      1,
    ),
    maxConnections: intOption('max-connections', values['max-connections'], 1024, 1),
    timeouts: {
      headersMs: intOption('headers-timeout-ms', values['headers-timeout-ms'], DEFAULT_TIMEOUTS.headersMs, 1),
      requestMs: intOption('request-timeout-ms', values['request-timeout-ms'], DEFAULT_TIMEOUTS.requestMs, 1),
      keepAliveMs: intOption('keep-alive-timeout-ms', values['keep-alive-timeout-ms'], DEFAULT_TIMEOUTS.keepAliveMs, 1),
    },
    auth,
    logger: { level },
  });
  log = (lvl, message) => app.log[lvl](message);
  probeSource = () => ({ draining: app.service.state.draining, workersReady: pool.ready });
  management?.publish();
  if (mallocTrim !== null && mallocTrim.trim === null)
    app.log.warn(`memory is not returned after load peaks: ${mallocTrim.reason}`);
  const controller = values.controller === undefined ? null : startController(app, values.controller);
  installShutdown(app, {
    preStopDelayMs: intOption('pre-stop-delay-ms', values['pre-stop-delay-ms'], 5_000, 0),
    timeoutMs: intOption('shutdown-timeout-ms', values['shutdown-timeout-ms'], 25_000, 0),
    onDraining: () => management?.publish(),
    onClosed: async () => {
      await controller?.stop();
      await pool.close();
      await management?.close();
    },
  });
  const address = await app.listen({ port, host });
  app.log.info(
    `forecast-service listening on ${address}; ${workers} workers; model ${pool.model.name} ${pool.model.version}${random ? ' (RANDOM WEIGHTS: development only)' : ''} loaded in ${pool.model.loadSeconds.toFixed(1)} s`,
  );
  // One machine-readable line for scripts that start the service on port 0 (the load test).
  process.stdout.write(
    `${JSON.stringify({ event: 'listening', address, ...(management ? { management: management.address } : {}), pid: process.pid })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`forecast-service failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
