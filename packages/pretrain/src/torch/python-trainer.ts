/**
 * Runs the PyTorch trainer (python/tsfm_v2/train.py) as a child process and reads its JSON
 * progress lines. The trainer is Debian's python3-torch under /usr/bin/python3 (the pyenv python
 * on PATH has no torch); TSFM_PYTHON overrides the interpreter.
 *
 * One BLAS thread: measured here, OpenBLAS on 2 threads was slower than on 1 for these matrix
 * sizes (the second core is better spent on everything else).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const PYTHON_DIR = fileURLToPath(new URL('../../python', import.meta.url));

export function pythonExecutable(): string {
  return process.env.TSFM_PYTHON ?? '/usr/bin/python3';
}

export interface TorchRecipe {
  seed: number;
  steps: number;
  batch: number;
  hidden: number;
  blocks: number;
  lr: number;
  warmup: number;
  lossWeighting: 'std' | 'seasonal';
  mixupProb: number;
  fullContextProb: number;
  evalEvery: number;
  checkpointEvery: number;
  heldOutRows: number;
  maxMinutes: number;
}

export interface TorchCurvePoint {
  step: number;
  trainLoss: number;
  heldOutLoss: number;
  lr: number;
  elapsedS: number;
  windowsPerS: number;
}

export interface TorchDone {
  steps: number;
  wallSeconds: number;
  stoppedByTimeCap: boolean;
  parameters: number;
  samples: number;
  onnx: string;
  sha256: string;
  curve: TorchCurvePoint[];
  recipe: Record<string, unknown>;
  torch: string;
  heldOutRows: number;
}

export class TorchTrainerError extends Error {
  override name = 'TorchTrainerError';
}

function recipeArgs(r: TorchRecipe): string[] {
  return [
    ['--seed', r.seed],
    ['--steps', r.steps],
    ['--batch', r.batch],
    ['--hidden', r.hidden],
    ['--blocks', r.blocks],
    ['--lr', r.lr],
    ['--warmup', r.warmup],
    ['--loss-weighting', r.lossWeighting],
    ['--mixup-prob', r.mixupProb],
    ['--full-context-prob', r.fullContextProb],
    ['--eval-every', r.evalEvery],
    ['--checkpoint-every', r.checkpointEvery],
    ['--held-out-rows', r.heldOutRows],
    ['--max-minutes', r.maxMinutes],
  ].flatMap(([k, v]) => [String(k), String(v)]);
}

/** The trainer's and exporter's environment: an allow-list, one BLAS thread. */
export function pythonEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    PYTHONPATH: PYTHON_DIR,
    PYTHONDONTWRITEBYTECODE: '1',
    OMP_NUM_THREADS: '1',
    OPENBLAS_NUM_THREADS: '1',
    MKL_NUM_THREADS: '1',
  };
}

function requirePython(): string {
  const python = pythonExecutable();
  if (!existsSync(python)) {
    throw new TorchTrainerError(
      `${python} not found: the v2 trainer needs Debian's python3-torch (scripts/setup.sh installs it; TSFM_PYTHON overrides the path)`,
    );
  }
  return python;
}

/**
 * Re-exports the trained checkpoint with the spread factors baked in (python/tsfm_v2/export.py)
 * and writes torch's outputs for the parity check to `reference`.
 */
export async function runTorchExport(
  checkpoint: string,
  heldOut: string,
  onnxOut: string,
  spread: readonly number[],
  reference: string,
): Promise<void> {
  const python = requirePython();
  const args = ['-m', 'tsfm_v2.export', '--checkpoint', checkpoint, '--held-out', heldOut, '--out', onnxOut];
  args.push('--spread', spread.map((d) => d.toPrecision(9)).join(','), '--reference', reference);
  const child = spawn(python, args, { cwd: PYTHON_DIR, env: pythonEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-8000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    const tail = stderr.trim().split('\n').slice(-6).join('\n');
    throw new TorchTrainerError(`the ONNX export (spread calibration) exited with ${String(code)}: ${tail}`);
  }
}

/** Trains (or resumes) in `workDir`; calls onEvent for each progress line; resolves with the final summary. */
export async function runTorchTrainer(
  pool: string,
  heldOut: string,
  workDir: string,
  recipe: TorchRecipe,
  onEvent: (event: Record<string, unknown>) => void = () => {},
  /** Stop after this step (checkpointed) as an interruption would; tests use it to prove resumption. */
  stopAfter?: number,
): Promise<TorchDone> {
  const python = requirePython();
  const child = spawn(
    python,
    [
      '-m',
      'tsfm_v2.train',
      '--pool',
      pool,
      '--held-out',
      heldOut,
      '--out',
      workDir,
      ...recipeArgs(recipe),
      ...(stopAfter === undefined ? [] : ['--stop-after', String(stopAfter)]),
    ],
    {
      cwd: PYTHON_DIR,
      env: pythonEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let done: TorchDone | undefined;
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return; // a stray print (a library warning) is not a progress line
    }
    if (event.event === 'done') done = event as unknown as TorchDone;
    onEvent(event);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code === 3) throw new TorchTrainerError(`the PyTorch trainer stopped after step ${String(stopAfter)} as asked`);
  if (code !== 0 || done === undefined) {
    const tail = stderr.trim().split('\n').slice(-6).join('\n');
    throw new TorchTrainerError(`the PyTorch trainer exited with ${String(code)}${tail ? `:\n${tail}` : ''}`);
  }
  return done;
}
