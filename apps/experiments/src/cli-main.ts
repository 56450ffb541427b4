/**
 * The experiments command line (src/cli/experiments.ts is its two-line entry): the usage, option
 * parsing and the dispatch to one module per command (cli-commands/); what the commands share is
 * in cli-context.ts.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { doc } from './cli-commands/doc.js';
import { m6 } from './cli-commands/m6.js';
import { m7 } from './cli-commands/m7.js';
import { m8 } from './cli-commands/m8.js';
import { m9 } from './cli-commands/m9.js';
import { selectHarness } from './cli-commands/select-harness.js';
import { series } from './cli-commands/series.js';
import { int, REPO, shellQuote, str, tuning, UsageError, type Context } from './cli-context.js';
import { CLI_COMMAND } from './provenance.js';

const COMMANDS = ['tune', 'select-harness', 'm6', 'm7', 'm8', 'm9', 'nab', 'csv', 'all', 'doc'] as const;

type Command = (typeof COMMANDS)[number];

const USAGE = `usage: ${CLI_COMMAND} <${COMMANDS.join('|')}> [options] [file.csv …]

data and model
  --fleet DIR            fleet written by workload-gen (default workdirs/demo/fleet)
  --model PATH           model.json (default packages/pretrain/model/model.json)
  --random-model         no trained model yet: write a random-weight model of the default shape
                         (every output is labelled NOT A RESULT)
  --out DIR              outputs (default out/experiments)
  --doc PATH             results page for 'doc'/'all' (default docs/results.md)
  --scope TEXT           the scope line of docs/results.md (full size or what was reduced)
  --notes-file PATH      markdown placed under "Reading" in docs/results.md
  --provisioning-dir DIR the replay simulator's --out, embedded as "Provisioning replay" (default
                         out/simulate; without its summary.md the page's section is kept as is)
  --provisioning-notes-file PATH  hand-written markdown for that section (default
                         <provisioning-dir>/notes.md when it exists); the line
                         <!-- provisioning-replay-report --> in it marks where the report goes
protocol
  --seed N (42)  --tuning-share X (0.3)  --origins N (50)  --tuning-origins N (10)  --horizon MIN (60)
  --max-tenants N        evaluate at most N evaluation tenants (reduced run)
  --max-tuning-tenants N tune on at most N tuning tenants (reduced run)
  --workers N (2)        worker threads (0 = in-process)
harness
  --k N (32)  --budget-ms MS (200)  --validation-windows N (8)  --configs-per-model-row N (2)  --with-prior
  --validation-placement tail|same-time|tail+same-time (the harness default)  --same-time-days LIST (1,7)
  --racing W,S|off       racing (packages/harness README): every model input on W windows first, the
                         default's and the S best on the rest (default off, as the harness ships)
  --no-shift-guard       the harness without its shift guard (statistical-members.ts SHIFT_RUN)
  (the model dimension: every other model version in packages/pretrain/models/ joins the search)
select-harness (the harness's request defaults, on TUNING tenants)
  --select-tenants N (60)  --select-origins N (5)  --select-variants 'v2,v1,…' (all; the first is the reference)
  --select-skip N (0)    pass over the first N tuning tenants of the seeded order (a confirmation run
                         on tenants disjoint from an earlier run's)
baselines (M6)
  --light LIST (naive,snaive)  --light-origins N (5)  --heavy LIST (mstl-ets,arima,prophet)
  --heavy-origins N (1)  --heavy-share X (0.2)  --no-baselines
M7 / M8 / M9
  --ks LIST (1,2,4,8,16,32,64)  --m7-tenants N (100)  --m7-origins N (10)
  --cold LIST (30,60,120,240,480)  --m8-tenants N (200)  --m8-origins N (5)
  --m9-tenants N (100)  --m9-origins N (10)
series (nab / csv)
  --nab-dir DIR (../shared/data/nab)  --alpha X (0.9)  --series-origins N (50)  --series-heavy-origins N (10)
  --no-tiers             skip M9's paired tier view (the harness and v1 at each tier's α on the same points)`;

export { USAGE };

export async function runExperimentsCli(argv: readonly string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArguments(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const command = positionals[0] as Command | undefined;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command === undefined) throw new UsageError('a command is required');
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command '${command}'`);
  const ctx: Context = {
    argv,
    values,
    positionals: positionals.slice(1),
    out: resolve(str(values.out) ?? join(REPO, 'out', 'experiments')),
    workers: int(values, 'workers', 2),
    command: `${CLI_COMMAND} ${argv.map(shellQuote).join(' ')}`,
  };
  await runCommand(command, ctx);
}

function parseArguments(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      help: { type: 'boolean' },
      fleet: { type: 'string' },
      model: { type: 'string' },
      'random-model': { type: 'boolean' },
      out: { type: 'string' },
      doc: { type: 'string' },
      scope: { type: 'string' },
      'notes-file': { type: 'string' },
      'provisioning-dir': { type: 'string' },
      'provisioning-notes-file': { type: 'string' },
      seed: { type: 'string' },
      'tuning-share': { type: 'string' },
      origins: { type: 'string' },
      'tuning-origins': { type: 'string' },
      horizon: { type: 'string' },
      'max-tenants': { type: 'string' },
      'max-tuning-tenants': { type: 'string' },
      workers: { type: 'string' },
      k: { type: 'string' },
      'budget-ms': { type: 'string' },
      'validation-windows': { type: 'string' },
      'validation-placement': { type: 'string' },
      'same-time-days': { type: 'string' },
      racing: { type: 'string' },
      'no-shift-guard': { type: 'boolean' },
      'configs-per-model-row': { type: 'string' },
      'with-prior': { type: 'boolean' },
      light: { type: 'string' },
      'light-origins': { type: 'string' },
      heavy: { type: 'string' },
      'heavy-origins': { type: 'string' },
      'heavy-share': { type: 'string' },
      'no-baselines': { type: 'boolean' },
      'no-tiers': { type: 'boolean' },
      ks: { type: 'string' },
      'm7-tenants': { type: 'string' },
      'm7-origins': { type: 'string' },
      cold: { type: 'string' },
      'm8-tenants': { type: 'string' },
      'm8-origins': { type: 'string' },
      'm9-tenants': { type: 'string' },
      'select-tenants': { type: 'string' },
      'select-skip': { type: 'string' },
      'select-origins': { type: 'string' },
      'select-variants': { type: 'string' },
      'm9-origins': { type: 'string' },
      'nab-dir': { type: 'string' },
      alpha: { type: 'string' },
      'series-origins': { type: 'string' },
      'series-heavy-origins': { type: 'string' },
    },
  });
}

async function runCommand(command: Command, ctx: Context): Promise<void> {
  switch (command) {
    case 'tune':
      await tuning(ctx, true);
      return;
    case 'select-harness':
      await selectHarness(ctx);
      return;
    case 'm6':
      await m6(ctx);
      return;
    case 'm7':
      await m7(ctx);
      return;
    case 'm8':
      await m8(ctx);
      return;
    case 'm9':
      await m9(ctx, null);
      return;
    case 'nab':
      await series(ctx, 'nab');
      return;
    case 'csv':
      await series(ctx, 'csv');
      return;
    case 'doc':
      doc(ctx);
      return;
    case 'all': {
      const r6 = await m6(ctx);
      await m9(ctx, r6.result);
      await m7(ctx);
      await m8(ctx);
      await series(ctx, 'nab');
      doc(ctx);
      return;
    }
  }
}
