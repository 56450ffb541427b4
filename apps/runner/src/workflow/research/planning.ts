/**
 * A planning round: the context the planner sees (built from the tree), and its proposals turned
 * into experiment specs.
 *
 * When rounds happen (a choice, made here and documented): after the seed experiments have all
 * finished, and then each time the queue drains — not after each completion. A round sees every
 * result of the round before it, the stop rule's plateau counts whole rounds, and a Claude round
 * is paid for once per batch of experiments rather than once per experiment. The price is idle
 * slots while the last job of a round runs when concurrency > 1.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { workSpec, type WorkSpec } from '../../core/work-spec.js';
import type {
  ExperimentProposal,
  ExperimentRecord,
  PendingExperiment,
  PlanningContext,
  ParamSpace,
  PlanOutcome,
} from '../../planners/index.js';
import { currentBest, knowledgeText, type ExperimentAnalysis } from './analysis.js';
import { EXPERIMENT_KIND, payloadToJson } from '../experiment/payload.js';
import { isFinal, type TreeNode } from '../state/tree-schema.js';

/** program.md at the monorepo root: the default research program. */
export const REPO_PROGRAM = fileURLToPath(new URL('../../../../../program.md', import.meta.url));

/** Reference seeds are in the knowledge text, not in the history: they are not points of the space. */
function isReference(node: TreeNode): boolean {
  return node.seedKind === 'best-fixed' || node.seedKind === 'oracle';
}

export async function readProgram(root: string, configured: string | null): Promise<string> {
  const file = configured === null ? REPO_PROGRAM : isAbsolute(configured) ? configured : join(root, configured);
  if (configured === null && !existsSync(file)) {
    return 'Lower the metric. Propose experiments that change one thing at a time; stop when nothing plausible is left.';
  }
  return readFile(file, 'utf8');
}

/** Finished experiments as the planner sees them; a cancelled one never produced a result and is left out. */
export function historyOf(nodes: readonly TreeNode[]): ExperimentRecord[] {
  return nodes
    .filter((node) => isFinal(node) && !isReference(node) && node.status !== 'cancelled')
    .map((node) => ({
      id: node.id,
      name: node.name,
      params: node.params,
      metric: node.status === 'completed' ? node.metric : null,
      status: node.decision === 'keep' || node.decision === 'discard' ? node.decision : 'crash',
      parent: node.parent,
      hypothesis: node.hypothesis,
      ...(node.patch ? { patch: node.patch } : {}),
      note: node.error
        ? node.error.split('\n')[0]
        : [
            node.latencyMsP99 === null ? '' : `latency p99 ${node.latencyMsP99.toFixed(1)} ms`,
            node.decisionReason ?? '',
          ]
            .filter((part) => part !== '')
            .join('; '),
    }));
}

export function inFlightOf(nodes: readonly TreeNode[]): PendingExperiment[] {
  return nodes
    .filter((node) => !isFinal(node) && !isReference(node))
    .map((node) => ({ name: node.name, params: node.params, ...(node.patch ? { patch: node.patch } : {}) }));
}

export interface ContextInput {
  readonly nodes: readonly TreeNode[];
  readonly program: string;
  readonly sourceOfEditable: string;
  readonly editable: string;
  readonly paramSpace: ParamSpace;
  readonly experimentsLeft: number;
  readonly dollarsLeft: number;
  readonly round: number;
  /** Claude's analyses of the latest experiments (`--analysis claude`), newest last. */
  readonly analyses?: readonly ExperimentAnalysis[];
}

export function planningContext(input: ContextInput): PlanningContext {
  return {
    program: input.program,
    knowledge: knowledgeText(input.nodes, input.analyses),
    history: historyOf(input.nodes),
    inFlight: inFlightOf(input.nodes),
    sourceOfEditable: input.sourceOfEditable,
    editableFile: input.editable,
    paramSpace: input.paramSpace,
    budget: { experimentsLeft: Math.max(0, input.experimentsLeft), dollarsLeft: Math.max(0, input.dollarsLeft) },
    round: input.round,
  };
}

export interface PlannedExperiment {
  readonly spec: WorkSpec;
  readonly node: TreeNode;
}

/**
 * Proposal → experiment spec and its queued tree node. Ids are `e<nnn>-<name>`, numbered after
 * every node so far, so a re-run of the same round (from its cache) gives the same ids. An
 * experiment builds on the commit of the parent it names, else on the best so far (currentBest) —
 * the source the planner was shown — else on the anchor.
 */
export function proposalsToExperiments(
  outcome: PlanOutcome,
  nodes: readonly TreeNode[],
  createdAt: string,
): PlannedExperiment[] {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const best = currentBest(nodes);
  return outcome.proposals.map((proposal: ExperimentProposal, index) => {
    const id = `e${String(nodes.length + index + 1).padStart(3, '0')}-${proposal.name}`;
    const named = proposal.parent === undefined ? undefined : byId.get(proposal.parent);
    const base = named?.commit ? named : best;
    const parent = named ?? best;
    const experiment = {
      name: proposal.name,
      hypothesis: proposal.hypothesis,
      params: { ...proposal.params },
      patch: proposal.patch ?? null,
      parent: parent?.id ?? null,
      seedKind: null,
      mode: 'search' as const,
      baseCommit: base?.commit ?? null,
    };
    const spec = workSpec(id, EXPERIMENT_KIND, proposal.priority, payloadToJson({ phase: 'queued', experiment }));
    return { spec, node: queuedNode(id, experiment, createdAt) };
  });
}

export function queuedNode(
  id: string,
  experiment: {
    name: string;
    hypothesis: string;
    params: Record<string, number | string | boolean>;
    patch: string | null;
    parent: string | null;
    seedKind: TreeNode['seedKind'];
  },
  createdAt: string,
): TreeNode {
  return {
    id,
    parent: experiment.parent,
    name: experiment.name,
    hypothesis: experiment.hypothesis,
    params: experiment.params,
    patch: experiment.patch,
    status: 'queued',
    decision: null,
    metric: null,
    latencyMsP99: null,
    commit: null,
    seed: experiment.seedKind !== null,
    seedKind: experiment.seedKind,
    createdAt,
    startedAt: null,
    finishedAt: null,
    error: null,
    decisionReason: null,
    metricHalfWidth: null,
    decisionHalfWidth: null,
    budgetMs: null,
    overBudget: null,
    cpuS: null,
  };
}
