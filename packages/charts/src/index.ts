export { renderPng, svgToPng, vegaLiteToSvg, type VegaLiteSpec } from './render.js';
