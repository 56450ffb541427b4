/** Training-curve PNG (train and held-out pinball loss vs step) through @tsfm/charts. */
import { renderPng } from '@tsfm/charts';
import type { CurvePoint } from './train.js';

export async function renderCurve(curve: readonly CurvePoint[], path: string): Promise<void> {
  const values = curve.flatMap((p) => [
    ...(Number.isFinite(p.trainLoss) ? [{ step: p.step, loss: p.trainLoss, series: 'train' }] : []),
    { step: p.step, loss: p.heldOutLoss, series: 'held-out corpus' },
  ]);
  await renderPng(
    {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: 'Pretraining: mean pinball loss (normalised scale, 13 levels)',
      width: 560,
      height: 300,
      data: { values },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step' },
        y: { field: 'loss', type: 'quantitative', title: 'pinball loss', scale: { zero: false } },
        color: { field: 'series', type: 'nominal', title: null },
      },
    },
    path,
  );
}
