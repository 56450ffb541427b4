// Public surface of the run's outputs (summary.md, progress.png, hypothesis_tree.png, report.md).
// The chart specs are exported on their own so report.html can embed the same Vega-Lite specs.
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
