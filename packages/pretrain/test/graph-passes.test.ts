/**
 * The export's graph pass (python/tsfm_v2/graph_passes.py): Softplus decomposed into
 * Relu(x) + Log(Exp(−|x|) + 1) gives ONNX Runtime's Softplus values to within float rounding,
 * element by element over the whole float range and on a small torch export of the v2 model; the
 * trainer's export is torch.onnx.export followed by exactly this pass; the pass is deterministic
 * and idempotent, refuses graphs it does not expect, and the shipped default has no Softplus left.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../src/manifest.js';
import { Rng } from '../src/rng.js';
import { PYTHON_DIR, pythonEnv, pythonExecutable } from '../src/torch/python-trainer.js';
import { RANDOM_V2_MODEL_PY } from './helpers/tiny-torch.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

// Starting Python with torch and onnx on a busy 2-core machine can take a while: a last guard
// against a hang, never a speed assertion.
const LAST_GUARD_MS = 300_000;
const C = 512;
const OUT = 64 * 13;

function python(code: string): void {
  const r = spawnSync(pythonExecutable(), ['-c', code], { cwd: PYTHON_DIR, env: pythonEnv(), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
}

/** `python3 -m tsfm_v2.graph_passes IN OUT`: exit status and stderr. */
function pass(input: string, output: string): { status: number | null; stderr: string } {
  const r = spawnSync(pythonExecutable(), ['-m', 'tsfm_v2.graph_passes', input, output], {
    cwd: PYTHON_DIR,
    env: pythonEnv(),
    encoding: 'utf8',
  });
  return { status: r.status, stderr: r.stderr };
}

const bytesOf = (file: string): string => sha256(new Uint8Array(readFileSync(file)));

async function runGraph(file: string, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const out = await session.run(feeds);
  await session.release();
  return out[session.outputNames[0]].data as Float32Array;
}

/** The op types of the graph's nodes, each once, sorted. */
function opTypes(file: string): string[] {
  const r = spawnSync(
    pythonExecutable(),
    [
      '-c',
      'import json, sys, onnx; print(json.dumps(sorted({n.op_type for n in onnx.load(sys.argv[1]).graph.node})))',
      file,
    ],
    { cwd: PYTHON_DIR, env: pythonEnv(), encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`reading ${file} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}

const DECOMPOSED = ['Abs', 'Add', 'Exp', 'Log', 'Neg', 'Relu'];

describe('graph pass: Softplus decomposed', () => {
  it(
    'elementwise: the same values as ORT Softplus over the float range; deterministic, idempotent',
    async () => {
      const dir = tempDir('tsfm-graph-pass-');
      const sp = join(dir, 'softplus.onnx');
      python(`
import onnx
from onnx import TensorProto, helper
g = helper.make_graph([helper.make_node("Softplus", ["x"], ["y"], name="/sp/Softplus")], "sp",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n"])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n"])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
onnx.save(m, ${JSON.stringify(sp)})
`);
      const dec = join(dir, 'decomposed.onnx');
      expect(pass(sp, dec).status).toBe(0);
      expect(pass(sp, join(dir, 'again.onnx')).status).toBe(0);
      expect(pass(dec, join(dir, 'twice.onnx')).status).toBe(0);
      expect(bytesOf(join(dir, 'again.onnx'))).toBe(bytesOf(dec));
      expect(bytesOf(join(dir, 'twice.onnx'))).toBe(bytesOf(dec));
      expect(opTypes(sp)).toEqual(['Softplus']);
      expect(opTypes(dec)).toEqual(DECOMPOSED);

      // A grid over [−100, 100] (dense near 0, where the two branches meet), the extremes where
      // exp overflows or underflows, and random values at every scale.
      const xs: number[] = [0, -0, 1e-30, -1e-30, 88.7, 88.8, -88.7, -103, -104, 1e4, -1e4, 3e38, -3e38];
      for (let i = -20_000; i <= 20_000; i++) xs.push(i / 200);
      for (let i = -1000; i <= 1000; i++) xs.push(i / 1e5);
      const rng = new Rng(5);
      for (let i = 0; i < 20_000; i++) xs.push((rng.next() - 0.5) * 10 ** (8 * rng.next() - 4));
      const x = new Float32Array(xs);
      const feeds = { x: new ort.Tensor('float32', x, [x.length]) };
      const ref = await runGraph(sp, feeds);
      const got = await runGraph(dec, feeds);
      for (let i = 0; i < x.length; i++) {
        expect(Number.isFinite(got[i])).toBe(true);
        // Relative to max(1, value): both sides round log(1 + e) near 1, so tiny values are
        // compared absolutely; a float32 ulp is 1.2e-7 of the value.
        const e = Math.abs(got[i] - ref[i]) / Math.max(1, Math.abs(ref[i]));
        if (!(e <= 4.8e-7)) expect.fail(`x = ${x[i]}: decomposed ${got[i]}, Softplus ${ref[i]}`);
      }
    },
    LAST_GUARD_MS,
  );

  it(
    'a small torch export: the trainer export = torch.onnx.export + this pass (same bytes); outputs match the Softplus graph',
    async () => {
      const dir = tempDir('tsfm-graph-pass-torch-');
      const raw = join(dir, 'raw.onnx');
      const exported = join(dir, 'exported.onnx');
      python(`${RANDOM_V2_MODEL_PY}
from tsfm_v2.train import export_onnx
raw_export(${JSON.stringify(raw)})
export_onnx(m, ${JSON.stringify(exported)}, (x.numpy(), mask.numpy()))
`);
      expect(opTypes(raw)).toContain('Softplus');
      expect(opTypes(exported)).not.toContain('Softplus');
      const passed = join(dir, 'passed.onnx');
      expect(pass(raw, passed).status).toBe(0);
      expect(bytesOf(exported)).toBe(bytesOf(passed));

      // Varied rows: levels, scales 1e-3 … 1e5, periods, noise, short histories, gaps.
      const rows = 64;
      const rng = new Rng(17);
      const context = new Float32Array(rows * C);
      const mask = new Float32Array(rows * C);
      for (let r = 0; r < rows; r++) {
        const start = r % 4 === 0 ? Math.floor(450 * rng.next()) : 0;
        const scale = 10 ** (8 * rng.next() - 3);
        const period = [7, 12, 24, 96, 288][r % 5];
        const noise = 2 * rng.next();
        for (let t = start; t < C; t++) {
          if (r % 5 === 1 && rng.next() < 0.1) continue;
          context[r * C + t] = scale * (3 + Math.sin((2 * Math.PI * t) / period) + noise * (rng.next() - 0.5));
          mask[r * C + t] = 1;
        }
      }
      const feeds = {
        context: new ort.Tensor('float32', context, [rows, C]),
        mask: new ort.Tensor('float32', mask, [rows, C]),
      };
      const ref = await runGraph(raw, feeds);
      const got = await runGraph(passed, feeds);
      expect(got).toHaveLength(rows * OUT);
      for (let r = 0; r < rows; r++) {
        let rowMax = 0;
        for (let j = r * OUT; j < (r + 1) * OUT; j++) rowMax = Math.max(rowMax, Math.abs(ref[j]));
        for (let j = r * OUT; j < (r + 1) * OUT; j++) {
          // The shipped model measured 2.5e-7 of the row's largest value; a wrong formula
          // (e.g. log(1 + exp(x)) overflowing, or a missing Relu) moves outputs by far more.
          if (!(Math.abs(got[j] - ref[j]) <= 2e-6 * rowMax)) {
            expect.fail(
              `row ${r}, output ${j - r * OUT}: decomposed ${got[j]}, Softplus ${ref[j]} (row max ${rowMax})`,
            );
          }
        }
      }
    },
    LAST_GUARD_MS,
  );

  it(
    'refuses a graph without Softplus and an unexpected Softplus',
    () => {
      const dir = tempDir('tsfm-graph-pass-bad-');
      python(`
import onnx
from onnx import TensorProto, helper
def save(op, dtype, path):
    g = helper.make_graph([helper.make_node(op, ["x"], ["y"], name="/n")], "g",
        [helper.make_tensor_value_info("x", dtype, ["n"])], [helper.make_tensor_value_info("y", dtype, ["n"])])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], ir_version=8), path)
save("Relu", TensorProto.FLOAT, ${JSON.stringify(join(dir, 'relu.onnx'))})
save("Softplus", TensorProto.DOUBLE, ${JSON.stringify(join(dir, 'double.onnx'))})
`);
      const none = pass(join(dir, 'relu.onnx'), join(dir, 'out.onnx'));
      expect(none.status).toBe(2);
      expect(none.stderr).toMatch(/no Softplus node in the graph/);
      const double = pass(join(dir, 'double.onnx'), join(dir, 'out.onnx'));
      expect(double.status).toBe(2);
      expect(double.stderr).toMatch(/\/n: input 'x' is not a float32 tensor/);
    },
    LAST_GUARD_MS,
  );

  it('the shipped default: no Softplus node left, and the pass leaves it byte for byte', () => {
    const root = resolve(import.meta.dirname, '..');
    const manifest = JSON.parse(readFileSync(join(root, 'model/model.json'), 'utf8')) as { file: string };
    const shipped = join(root, 'model', manifest.file);
    const ops = opTypes(shipped);
    expect(ops).not.toContain('Softplus');
    expect(ops).toEqual(expect.arrayContaining(DECOMPOSED));
    const dir = tempDir('tsfm-graph-pass-shipped-');
    expect(pass(shipped, join(dir, 'again.onnx')).status).toBe(0);
    expect(bytesOf(join(dir, 'again.onnx'))).toBe(bytesOf(shipped));
  });
});
