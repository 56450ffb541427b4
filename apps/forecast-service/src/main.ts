/**
 * The forecast service process:
 *
 *   npx tsx apps/forecast-service/src/main.ts --port 8080 --model packages/pretrain/model
 *
 * Loads the model once (manifest + ONNX, harness cost-model warm-up), listens, and shuts down
 * gracefully on SIGINT / SIGTERM. Every flag has an environment variable (flag wins).
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildServer, DEFAULT_BODY_LIMIT } from './server.js';
import { openModel } from './model.js';
import { installShutdown } from './shutdown.js';

const USAGE = `Usage: npx tsx apps/forecast-service/src/main.ts [options]

  --port N             TCP port (env PORT; default 8080; 0 = any free port)
  --host H             address to bind (env HOST; default 127.0.0.1 — loopback only)
  --model PATH         model folder or model.json (env TSFM_MODEL; default packages/pretrain/model)
  --random-model       a random-weight model of the default architecture (development only;
                       /status and /metrics say so)
  --body-limit BYTES   largest request body (env BODY_LIMIT; default ${DEFAULT_BODY_LIMIT})
  --k K                harness configs per request when a request gives none (default 32)
  --budget-ms MS       harness latency budget when a request gives none (default 200)
  --max-in-flight N    forecasts accepted at once (running + queued) before 503 (default 1024)
  --concurrency N      forecasts running at once; the rest queue in arrival order (default 2)
  --log-level L        fatal|error|warn|info|debug (env LOG_LEVEL; default info)
  --shutdown-timeout-ms MS  on SIGTERM, how long requests in flight may take to finish before
                       the process exits anyway (default 25000: inside Kubernetes' 30 s grace period)
  --help`;

function intOption(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}\n\n${USAGE}\n`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        model: { type: 'string' },
        'random-model': { type: 'boolean' },
        'body-limit': { type: 'string' },
        k: { type: 'string' },
        'budget-ms': { type: 'string' },
        'max-in-flight': { type: 'string' },
        concurrency: { type: 'string' },
        'log-level': { type: 'string' },
        'shutdown-timeout-ms': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = intOption('port', values.port ?? process.env.PORT, 8080, 0);
  const host = values.host ?? process.env.HOST ?? '127.0.0.1';
  const bodyLimit = intOption('body-limit', values['body-limit'] ?? process.env.BODY_LIMIT, DEFAULT_BODY_LIMIT, 1024);
  const level = values['log-level'] ?? process.env.LOG_LEVEL ?? 'info';

  // The default is found from this file, so `npm start` in apps/forecast-service works too.
  const defaultModel = resolve(dirname(fileURLToPath(import.meta.url)), '../../../packages/pretrain/model');
  let modelPath = values.model ?? process.env.TSFM_MODEL ?? defaultModel;
  const random = values['random-model'] ?? false;
  if (random) {
    // Development only, until the trained default model is exported: same architecture and
    // contract, random weights. Imported lazily so production starts never load the helper.
    const { pretrainShapedModel } = await import('../../../packages/harness/test/helpers/models.js');
    modelPath = pretrainShapedModel();
  }
  const model = await openModel(modelPath, { random });
  const app = buildServer({
    harness: model.harness,
    model: model.info,
    bodyLimit,
    defaultK: intOption('k', values.k, 32, 1),
    defaultBudgetMs: intOption('budget-ms', values['budget-ms'], 200, 1),
    maxInFlight: intOption('max-in-flight', values['max-in-flight'], 1024, 1),
    concurrency: intOption('concurrency', values.concurrency, 2, 1),
    logger: { level },
  });
  installShutdown(app, {
    onClosed: () => model.client.release(),
    timeoutMs: intOption('shutdown-timeout-ms', values['shutdown-timeout-ms'], 25_000, 0),
  });
  const address = await app.listen({ port, host });
  app.log.info(
    `forecast-service listening on ${address}; model ${model.info.name} ${model.info.version}${random ? ' (RANDOM WEIGHTS: development only)' : ''} loaded in ${model.info.loadSeconds.toFixed(1)} s`,
  );
  // One machine-readable line for scripts that start the service on port 0 (the load test).
  process.stdout.write(`${JSON.stringify({ event: 'listening', address, pid: process.pid })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`forecast-service failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
