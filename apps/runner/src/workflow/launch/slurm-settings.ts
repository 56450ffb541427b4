/**
 * The `slurm` block of `<workdir>/workflow.json`: how `--launch slurm` submits jobs. Every field is
 * optional; without the block a job asks for one CPU on the cluster's default partition with its
 * default time limit and memory. See docs/cluster.md.
 *
 *   "slurm": {
 *     "partition": "cpu", "timeLimit": "2:00:00", "cpusPerTask": 4, "memory": "16G",
 *     "extraArgs": ["--account=forecasting", "--qos=normal"],
 *     "setup": ["module load nodejs/20"]
 *   }
 */
import { isAbsolute } from 'node:path';
import { z } from 'zod';

/** Slurm's own time formats (sbatch(1) --time); checked here so a typo fails before any submit. */
const TIME_LIMIT =
  /^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+|\d+-\d+:\d{1,2}|\d+-\d+:\d{1,2}:\d{1,2}|UNLIMITED|INFINITE)$/;

/**
 * sbatch options the backend owns. The job name carries the launch token that a restarted runner
 * searches for (so it must stay ours); an array or a requeue would run one launch's script twice;
 * --wrap would replace the script that writes the launch marker and exit file.
 */
const OWNED_OPTIONS = ['-J', '--job-name', '-a', '--array', '--wrap', '--requeue', '--parsable', '-o', '--output'];

const binary = z.string().min(1).optional();

export const SlurmSettingsSchema = z.strictObject({
  /** `--partition`; a comma-separated list lets Slurm pick the first that can start the job. */
  partition: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/, 'expected a partition name, or names separated by commas')
    .optional(),
  /** `--time`: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS. */
  timeLimit: z
    .string()
    .regex(TIME_LIMIT, "expected a Slurm time limit such as '90', '1:30:00' or '2-00:00:00'")
    .optional(),
  /** `--cpus-per-task`. */
  cpusPerTask: z.number().int().min(1).max(4096).default(1),
  /** `--mem`: per node, a number with an optional K/M/G/T suffix (no suffix: megabytes). */
  memory: z
    .string()
    .regex(/^\d+[KMGT]?$/i, "expected a memory size such as '4G' or '2048' (megabytes)")
    .optional(),
  /** Further sbatch options, one word each (`--account=x`, `--qos=y`, `--gres=gpu:1`). */
  extraArgs: z
    .array(z.string().min(1))
    .default([])
    .superRefine((args, ctx) => {
      args.forEach((arg, index) => {
        const option = arg.split('=')[0];
        if (OWNED_OPTIONS.includes(option)) {
          ctx.addIssue({
            code: 'custom',
            path: [index],
            message: `${option} is set by the runner (it identifies, names or logs the job); remove it`,
          });
        }
      });
    }),
  /**
   * Shell lines run on the compute node before the evaluation (`module load nodejs/20`,
   * `source ~/venv/bin/activate`). A line that fails ends the job with status 1 and says which.
   */
  setup: z.array(z.string().min(1)).default([]),
  /** slurm.conf to use (sets SLURM_CONF for every Slurm command); absolute. Default: Slurm's own lookup. */
  conf: z.string().refine(isAbsolute, 'expected an absolute path to slurm.conf').optional(),
  /** Paths of the Slurm commands, when they are not on PATH. */
  bin: z.strictObject({ sbatch: binary, squeue: binary, sacct: binary, scancel: binary }).default({}),
  /** Each Slurm command is killed after this long and counts as failed. */
  commandTimeoutS: z.number().positive().max(600).default(30),
  /**
   * How long a job that Slurm says has ended may go without its exit file appearing before it is
   * declared lost: a shared filesystem (NFS attribute caching) can show the compute node's write
   * to the runner's machine late.
   */
  exitFileGraceS: z.number().nonnegative().max(3600).default(30),
  /**
   * How long a job may wait in the queue (PENDING, held, suspended) before the runner cancels it
   * and fails the experiment. Queue time counts toward neither the job timeout nor the stall
   * limit; this is what ends a job that can never start (a drained partition, an impossible request).
   */
  queueTimeoutS: z
    .number()
    .positive()
    .max(30 * 86_400)
    .default(2 * 86_400),
  /** How long polls tolerate an unreachable controller (restart, failover) before the job fails. */
  controllerGraceS: z.number().nonnegative().max(86_400).default(300),
});

export type SlurmSettings = z.infer<typeof SlurmSettingsSchema>;

export type SlurmCommand = keyof SlurmSettings['bin'];

export function defaultSlurmSettings(): SlurmSettings {
  return SlurmSettingsSchema.parse({});
}
