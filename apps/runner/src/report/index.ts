// Public surface of the run's outputs (summary.md, progress.png, hypothesis_tree.png, report.md,
// and on request report.html). The chart specs are exported on their own so report.html embeds
// the same Vega-Lite specs the PNGs are drawn from.
export { writeOutputs, OUTPUT_FILES, renderChartPng } from './write-outputs.js';
export type { OutputsWritten, Synthesize, SynthesisOutcome, WriteOutputsOptions } from './write-outputs.js';
export { progressSpec, progressData } from './progress-spec.js';
export { treeSpec, treeChartData } from './tree-spec.js';
export { tidyLayout } from './tidy-layout.js';
export type { LayoutPoint, TreeLayout } from './tidy-layout.js';
export { bestNode, bestPath, countStatuses, finishOrder, rankByMetric } from './ranking.js';
export { readReportInputs, treeFile, TreeNodeSchema, TreeSchema } from './tree-input.js';
export type { ReportInputs, TreeNode } from './tree-input.js';
export { NO_SYNTHESIS } from './report-md.js';
export { writeHtmlReport, HTML_REPORT_FILE } from './html/write-html.js';
export type { HtmlReportWritten } from './html/write-html.js';
export { FAN_FILE, FanFileSchema, FanSeriesSchema, readFanSource } from './html/fan-data.js';
export type { FanSeries, FanSource } from './html/fan-data.js';
export { fanSpec } from './html/fan-spec.js';
