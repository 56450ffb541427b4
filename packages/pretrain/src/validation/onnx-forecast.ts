/**
 * Shared by the quick evaluators: left-pad/mask histories into the model's input and run ORT in
 * chunks. Deliberately tiny; the official client lives in @tsfm/tsfm-client.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Manifest } from '../manifest.js';

export interface Loaded {
  session: ort.InferenceSession;
  manifest: Manifest;
}

export async function loadModel(modelJson: string, threads = 2): Promise<Loaded> {
  const manifest = JSON.parse(readFileSync(modelJson, 'utf8')) as Manifest;
  const session = await ort.InferenceSession.create(join(dirname(modelJson), manifest.file), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  return { session, manifest };
}

/**
 * The model's inputs for these histories: the last contextLength points of each, left-padded with
 * 0, mask 1 where a value is finite.
 */
function modelFeeds(m: Loaded, rows: readonly ArrayLike<number>[]): Record<string, ort.Tensor> {
  const C = m.manifest.contextLength;
  const context = new Float32Array(rows.length * C);
  const mask = new Float32Array(rows.length * C);
  rows.forEach((h, r) => {
    const n = Math.min(C, h.length);
    for (let i = 0; i < n; i++) {
      const v = h[h.length - n + i];
      if (Number.isFinite(v)) {
        context[r * C + C - n + i] = v;
        mask[r * C + C - n + i] = 1;
      }
    }
  });
  return {
    [m.manifest.inputs[0].name]: new ort.Tensor('float32', context, [rows.length, C]),
    [m.manifest.maskInput]: new ort.Tensor('float32', mask, [rows.length, C]),
  };
}

/** Quantile forecasts [rows][horizon × Q] for the given histories (the last contextLength points are used). */
export async function forecast(
  m: Loaded,
  histories: readonly ArrayLike<number>[],
  chunk = 64,
): Promise<Float32Array[]> {
  const per = m.manifest.horizon * m.manifest.quantileLevels.length;
  const out: Float32Array[] = [];
  for (let s = 0; s < histories.length; s += chunk) {
    const rows = histories.slice(s, s + chunk);
    const res = await m.session.run(modelFeeds(m, rows));
    const data = res[m.manifest.output.name].data as Float32Array;
    for (let r = 0; r < rows.length; r++) out.push(data.slice(r * per, (r + 1) * per));
  }
  return out;
}
