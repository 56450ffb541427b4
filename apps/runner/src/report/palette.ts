/**
 * Colours and shapes shared by both charts, so "green" and "diamond" mean the same thing in
 * progress.png and hypothesis_tree.png. Green/red are never the only cue: crashes are also drawn
 * as ×, seeds as diamonds, and the best path is thicker as well as orange.
 */
import type { Outcome } from './ranking.js';

export const OUTCOME_LABELS: Readonly<Record<Outcome, string>> = {
  kept: 'kept',
  discarded: 'discarded',
  crashed: 'crashed / failed',
  cancelled: 'cancelled',
  undecided: 'completed, no decision',
  running: 'running',
  queued: 'queued',
};

export const OUTCOME_COLORS: Readonly<Record<Outcome, string>> = {
  kept: '#1a9850',
  discarded: '#9e9e9e',
  crashed: '#d73027',
  cancelled: '#bdbdbd',
  undecided: '#8073ac',
  running: '#4575b4',
  queued: '#c6dbef',
};

export const OUTCOME_ORDER: readonly Outcome[] = [
  'kept',
  'discarded',
  'undecided',
  'crashed',
  'cancelled',
  'running',
  'queued',
];

export const RUNNING_BEST_COLOR = '#00582a';
export const BEST_PATH_COLOR = '#f28e2b';
export const BASELINE_COLOR = '#5b5b5b';
export const EDGE_COLOR = '#c4c4c4';
export const MUTED_TEXT = '#6b6b6b';
export const SEED_SHAPE = 'diamond';
export const SEED_COLOR = '#4a4a4a';
/**
 * An × as a filled polygon (a plus with arms 0.3 wide, turned 45°, in vega's unit square). A
 * filled path, unlike vega's stroked 'cross' turned by `angle`, also draws as an × in the legend.
 */
export const CROSS_SHAPE =
  'M0.538,-1L1,-0.538L0.462,0L1,0.538L0.538,1L0,0.462L-0.538,1L-1,0.538L-0.462,0L-1,-0.538L-0.538,-1L0,-0.462Z';
export const EXPERIMENT_SHAPE = 'circle';
