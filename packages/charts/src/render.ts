/**
 * Vega-Lite spec → SVG → PNG, headless and offline.
 *
 * vega's `toSVG()` with renderer 'none' needs no canvas or DOM; resvg rasterises the SVG.
 * resvg must be told the font family explicitly: with its default it picks a serif face, and
 * with no system fonts loaded text silently vanishes.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export type VegaLiteSpec = TopLevelSpec;

const FONT = 'DejaVu Sans';

export async function vegaLiteToSvg(spec: VegaLiteSpec): Promise<string> {
  const withFont = { ...spec, config: { font: FONT, ...(spec as { config?: object }).config } } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(withFont).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: FONT },
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
  });
  return resvg.render().asPng();
}

/** Renders a Vega-Lite spec to a PNG file (parent folders created). Returns the PNG bytes. */
export async function renderPng(spec: VegaLiteSpec, path: string, scale = 2): Promise<Buffer> {
  const png = svgToPng(await vegaLiteToSvg(spec), scale);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, png);
  return png;
}
