import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPng, vegaLiteToSvg, type VegaLiteSpec } from '../src/index.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const spec: VegaLiteSpec = {
  width: 200,
  height: 100,
  title: 'loss by step',
  data: {
    values: [
      { step: 1, loss: 3 },
      { step: 2, loss: 2 },
      { step: 3, loss: 1.5 },
    ],
  },
  mark: 'line',
  encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'loss', type: 'quantitative' } },
};

describe('renderPng', () => {
  it('draws text in DejaVu Sans, not a fallback serif', async () => {
    const svg = await vegaLiteToSvg(spec);
    expect(svg).toContain('loss by step');
    expect(svg).toContain('DejaVu Sans');
  });

  it('writes a PNG whose header and size match the spec', async () => {
    const path = join(tempDir('charts-'), 'nested', 'chart.png');
    await renderPng(spec, path, 1);
    const bytes = readFileSync(path);
    expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
    const width = bytes.readUInt32BE(16);
    expect(width).toBeGreaterThan(200); // plot area plus axes and title
    expect(width).toBeLessThan(400);
  });
});
