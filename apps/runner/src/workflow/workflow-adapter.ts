/**
 * The autoresearch workflow behind the scheduler's WorkAdapter contract (core/adapter.ts).
 *
 * An experiment spec goes queued → preparing → running → analyzing → completed | failed:
 *   preparing  worktree of its base commit, params.json, the patch (checked, then applied), the
 *              frozen files checked against the anchor, a commit "exp <id>: <name>", tsc;
 *   running    launched through the backend — the intent persisted before the launch and the
 *              handle after it, so a resumed spec re-attaches and never launches twice — then
 *              polled, timed out, stall-detected;
 *   analyzing  the evaluator's result block read from the log (no metric → crash);
 *   completed  decision keep / discard, analysis.md, both ledgers — or failed (crash) with a reason.
 *
 * A plan spec is a planning round (see planning.ts for when rounds happen); its completion calls
 * the planner — once per round id: the outcome is cached in engine/planner/<id>.json before its
 * experiments are queued — unless the stop rule says the run is over.
 *
 * complete() is idempotent per spec id (adapter.ts): a node already final is not decided again,
 * the ledgers skip ids they hold, and the children a completion returned are remembered in
 * engine_state.json (plan triggers) or the round cache, so a re-run returns the same ones.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { join } from 'node:path';
import type { RunContext } from '../workdir/run-context.js';
import {
  JobCancelled,
  type CompleteContext,
  type JobContext,
  type Outcome,
  type WorkAdapter,
  type WorkResult,
} from '../core/adapter.js';
import { workSpec, type JsonObject, type WorkSpec } from '../core/work-spec.js';
import {
  completeParams,
  createAnalyzer,
  createPlanner,
  decideStop,
  validateParams,
  type Analyze,
  type Planner,
  type PlanOutcome,
} from '../planners/index.js';
import { writeFileAtomic, writeJsonAtomic } from '../workdir/atomic-file.js';
import { CheckpointStore } from '../workdir/checkpoint-store.js';
import {
  analysisMarkdown,
  ANALYSES_IN_KNOWLEDGE,
  claudeAnalysisOf,
  currentBest,
  knowledgeText,
  withClaudeAnalysis,
  type ExperimentAnalysis,
} from './research/analysis.js';
import { metricInterval, readUnitsFile, relativeHalfWidth, type Unit } from './research/bootstrap.js';
import {
  baselinePending,
  isWaitingForBaseline,
  keepDecision,
  waitingReason,
  type CandidateResult,
} from './research/keep-decision.js';
import type { KeepVerdict } from './research/keep-rule.js';
import type { EngineState, EngineStateStore, RoundRecord } from './state/engine-state.js';
import { readLogTail, type EvaluatorResult } from './experiment/evaluator-output.js';
import { ExperimentFailure, firstLines } from './experiment/failures.js';
import type { JobHandle, LaunchBackend } from './launch/launch-backend.js';
import { recordInLedgers, type Ledgers } from './state/ledgers.js';
import {
  EXPERIMENT_KIND,
  ExperimentPayloadSchema,
  PLAN_KIND,
  payloadToJson,
  type ExperimentDefinition,
  type ExperimentPayload,
} from './experiment/payload.js';
import { planningContext, proposalsToExperiments, queuedNode, readProgram } from './research/planning.js';
import { queuedSpecProblem } from './experiment/queued-spec.js';
import type { OutputsWriter } from '../report/outputs-writer.js';
import {
  evaluationJobs,
  evaluationResult,
  monitorJobs,
  prepareShardDir,
  type ShardedJob,
} from './shards/shard-jobs.js';
import type { WorkflowSettings } from './settings.js';
import {
  applyPatch,
  changedPaths,
  commitAll,
  createWorktree,
  frozenProblems,
  readFileAtCommit,
} from './source/source-repo.js';
import { PARAMS_FILE, type TemplateManifest } from './source/template.js';
import { isFinal, type TreeNode } from './state/tree-schema.js';
import type { TreeStore } from './state/tree-store.js';
import { sourceHash, typeCheck } from './source/type-check.js';
import type { WorkflowPaths } from './state/workflow-paths.js';

/** engine/nodes/<id>/<WAITING_FILE>: what judgeWaiting needs of an experiment left undecided. */
const WAITING_FILE = 'waiting-for-baseline.json';
const WaitingFileSchema = z.object({ baseCommit: z.string().nullable() });

/** What run() hands complete(): an experiment's evaluator result, or a plan spec's no-op. */
export type JobValue = { readonly kind: 'experiment'; readonly result: EvaluatorResult } | { readonly kind: 'plan' };

/** Plan specs go behind any experiment a person queues by hand. */
const PLAN_PRIORITY = 1e9;

export interface WorkflowDeps {
  readonly ctx: RunContext;
  readonly settings: WorkflowSettings;
  readonly paths: WorkflowPaths;
  readonly manifest: TemplateManifest;
  readonly state: EngineStateStore;
  readonly tree: TreeStore;
  readonly ledgers: Ledgers;
  readonly backend: LaunchBackend;
  readonly outputs: OutputsWriter;
  /** `node --import <tsx>`: the evaluator's argv prefix. */
  readonly nodeCommand: readonly string[];
}

interface RoundCache {
  readonly record: RoundRecord;
  readonly planner: string;
  readonly outcome: PlanOutcome | null;
  readonly children: readonly JsonObject[];
  readonly nodes: readonly TreeNode[];
}

export class WorkflowAdapter implements WorkAdapter<JobValue> {
  private planner: Planner | undefined;
  private analyzer: Analyze | undefined;
  /** Finished experiments a checkpoint-less start found (recover()). */
  private recovered: readonly string[] = [];

  constructor(private readonly deps: WorkflowDeps) {}

  private get config() {
    return this.deps.ctx.config;
  }

  private log(line: string): void {
    this.deps.ctx.log(line);
  }

  // ------------------------------------------------------------------------------------------
  // Seeds

  async seed(): Promise<WorkSpec[]> {
    if (this.deps.tree.all().length > 0) return this.recover();
    const createdAt = new Date().toISOString();
    const specs: WorkSpec[] = [];
    const nodes: TreeNode[] = [];
    for (const seed of this.deps.manifest.seeds) {
      const id = `seed-${seed.kind}`;
      const experiment: ExperimentDefinition = {
        name: seed.name,
        hypothesis: seed.hypothesis,
        params: seed.params ?? {},
        patch: null,
        parent: null,
        seedKind: seed.kind,
        mode: seed.mode,
        baseCommit: null,
      };
      specs.push(workSpec(id, EXPERIMENT_KIND, 0, payloadToJson({ phase: 'queued', experiment })));
      nodes.push(queuedNode(id, experiment, createdAt));
    }
    await this.deps.tree.add(nodes);
    for (const spec of specs) await this.writeSpecFile(spec);
    return specs;
  }

  /**
   * No checkpoint, but the tree (or master_table.tsv, create-adapter.ts) knows this run: the
   * checkpoint was lost or moved aside. Finished experiments stay finished (recoveredDone); the
   * unfinished ones are queued again from the start (their spec.json), and when none is left a
   * planning round is queued — if the stop rule allows one. Never a seed or result run twice.
   */
  private async recover(): Promise<WorkSpec[]> {
    const nodes = this.deps.tree.all();
    const specs: WorkSpec[] = [];
    for (const node of nodes.filter((n) => !isFinal(n))) {
      const saved = await readFile(join(this.deps.paths.nodeDir(node.id), 'spec.json'), 'utf8')
        .then((text) => JSON.parse(text) as { priority?: number; payload?: { experiment?: unknown } })
        .catch(() => undefined);
      const experiment = ExperimentPayloadSchema.shape.experiment.safeParse(saved?.payload?.experiment);
      if (!experiment.success) {
        this.log(
          `${node.id}: unfinished, and its engine/nodes/${node.id}/spec.json is unreadable; it is not run again`,
        );
        continue;
      }
      // From the start: a launch recorded only in the lost checkpoint cannot be re-attached.
      await this.deps.tree.update(node.id, { status: 'queued', startedAt: null });
      specs.push(
        workSpec(
          node.id,
          EXPERIMENT_KIND,
          saved?.priority ?? 0,
          payloadToJson({ phase: 'queued', experiment: experiment.data }),
        ),
      );
    }
    this.recovered = nodes.filter(isFinal).map((node) => node.id);
    if (specs.length === 0 && this.seedsDone() && !this.stopDecision(patienceHistory(this.deps.state.state.rounds)))
      specs.push(planSpec(nextPlanId(this.deps.state.state)));
    this.log(
      `no checkpoint: recovered ${this.recovered.length} finished experiment(s) from engine/tree.json and the ledgers (not run again); queued ${specs.map((spec) => spec.id).join(', ') || 'nothing'}`,
    );
    return specs;
  }

  recoveredDone(): readonly string[] {
    return this.recovered;
  }

  /** A spec added by a person (`run.ts queue add`): refused now rather than failed later (queued-spec.ts). */
  validateSpec(spec: WorkSpec): string | undefined {
    return queuedSpecProblem(spec, {
      paramSpace: this.deps.manifest.paramSpace,
      editable: this.deps.manifest.editable,
      nodeIds: new Set(this.deps.tree.all().map((node) => node.id)),
    });
  }

  // ------------------------------------------------------------------------------------------
  // run()

  async run(spec: WorkSpec, job: JobContext): Promise<JobValue> {
    if (spec.kind === PLAN_KIND) return { kind: 'plan' };
    if (spec.kind !== EXPERIMENT_KIND)
      throw new Error(
        `unknown spec kind ${JSON.stringify(spec.kind)}; the workflow runs "${EXPERIMENT_KIND}" and "${PLAN_KIND}"`,
      );
    try {
      return { kind: 'experiment', result: await this.runExperiment(spec, job) };
    } catch (error) {
      // A person's cancel before anything was launched: nothing to stop (after a launch,
      // runExperiment stops the job itself); complete() records it as cancelled.
      if (job.signal.reason instanceof JobCancelled) throw job.signal.reason;
      throw error;
    }
  }

  private async runExperiment(spec: WorkSpec, job: JobContext): Promise<EvaluatorResult> {
    const parsed = ExperimentPayloadSchema.safeParse(spec.payload);
    if (!parsed.success) {
      await this.ensureNode(spec, undefined);
      throw new ExperimentFailure(
        'invalid-spec',
        `the payload does not validate: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    let payload = parsed.data;
    const { experiment } = payload;
    await this.ensureNode(spec, experiment);
    const problems = validateParams(this.deps.manifest.paramSpace, experiment.params);
    if (problems.length > 0) throw new ExperimentFailure('invalid-spec', problems.join('; '));

    const { tree } = this.deps;
    const id = spec.id;
    const runDir = this.deps.paths.runDir(id);
    await mkdir(runDir, { recursive: true });
    let resumedLaunch = payload.phase === 'launching';

    if (payload.phase === 'queued' || payload.phase === 'preparing') {
      // Preparing is repeatable (a fresh worktree each time), so it is not persisted as a phase.
      await tree.update(id, { status: 'preparing', startedAt: tree.get(id)?.startedAt ?? new Date().toISOString() });
      const commit = await this.prepare(id, experiment, job.signal);
      job.signal.throwIfAborted();
      payload = { ...payload, phase: 'launching', commit, token: randomUUID(), shards: this.deps.settings.shards };
      await job.persist(payloadToJson(payload));
      resumedLaunch = false;
    }

    const jobs = this.evaluationJobs(id, payload);
    if (jobs.length > 1) await prepareShardDir(runDir);
    if (payload.phase === 'launching') {
      // A resumed `launching` may or may not have launched before the crash: look before leaping.
      // Shard by shard, each handle persisted as soon as it is known.
      const handles = launchedHandles(payload, jobs.length);
      const launchedAt = payload.launchedAt ?? Date.now();
      for (const [s, { job: launchJob, shard }] of jobs.entries()) {
        if (handles[s]) continue;
        const found = resumedLaunch ? await this.deps.backend.findLaunched(launchJob) : undefined;
        const what = shard ? `${id} shard ${shard.index}/${shard.count}` : id;
        if (found) this.log(`${what}: found the job launched before the restart; attaching`);
        const handle = found ?? (await this.deps.backend.launch(launchJob));
        handles[s] = handle;
        if (jobs.length > 1) await job.persist(payloadToJson({ ...payload, handles, launchedAt }));
        this.log(
          `${what}: launched (${this.deps.backend.name}${typeof handle['pid'] === 'number' ? `, pid ${handle['pid']}` : ''}${typeof handle['jobId'] === 'string' ? `, job ${handle['jobId']}` : ''})`,
        );
      }
      payload = {
        ...payload,
        phase: 'launched',
        ...(jobs.length > 1 ? { handles } : { handle: everyHandle(id, handles)[0] }),
        launchedAt,
      };
      await job.persist(payloadToJson(payload));
    } else {
      this.log(`${id}: re-attaching to the running job${jobs.length > 1 ? `s (${jobs.length} shards)` : ''}`);
    }
    if (tree.get(id)?.status !== 'running') await tree.update(id, { status: 'running' });

    const handles = everyHandle(id, launchedHandles(payload, jobs.length));
    const launchedAt = payload.launchedAt;
    if (launchedAt === undefined) throw new Error(`${id}: payload in phase '${payload.phase}' has no launchedAt`);
    try {
      await monitorJobs({
        backend: this.deps.backend,
        jobs,
        handles,
        launchedAt,
        timeoutMs: this.config.jobTimeoutS * 1000,
        stallMs: this.deps.settings.stallTimeoutS * 1000,
        pollMs: this.deps.settings.pollMs,
        signal: job.signal,
      });
    } catch (error) {
      // A person's cancel, not the runner stopping (which leaves jobs to be re-attached): stop the
      // job(s), then let complete() record the experiment as cancelled.
      if (job.signal.reason instanceof JobCancelled) {
        for (const handle of handles) await this.deps.backend.cancel(handle);
        this.log(`${id}: cancelled; its job${handles.length > 1 ? 's were' : ' was'} stopped`);
        throw job.signal.reason;
      }
      throw error;
    }
    await tree.update(id, { status: 'analyzing' });
    return evaluationResult(jobs, runDir);
  }

  /** Worktree, params, patch, integrity, commit, type-check. Returns the commit. */
  private async prepare(id: string, experiment: ExperimentDefinition, signal: AbortSignal): Promise<string> {
    const { paths, manifest, state, tree } = this.deps;
    // A queued-by-hand experiment names its parent; it builds on that experiment's commit.
    const parentCommit = experiment.parent ? (tree.get(experiment.parent)?.commit ?? null) : null;
    const base = experiment.baseCommit ?? parentCommit ?? state.state.anchorCommit;
    const worktree = await createWorktree(paths, id, base);
    const params = { mode: experiment.mode, params: completeParams(manifest.paramSpace, experiment.params) };
    await writeFile(join(worktree, PARAMS_FILE), JSON.stringify(params, null, 2) + '\n');
    if (experiment.patch) {
      const patchFile = join(paths.runDir(id), 'patch.diff');
      await writeFile(patchFile, experiment.patch.endsWith('\n') ? experiment.patch : experiment.patch + '\n');
      await applyPatch(worktree, patchFile);
    }
    const outside = (await changedPaths(worktree)).filter((path) => path !== PARAMS_FILE && path !== manifest.editable);
    if (outside.length > 0) {
      throw new ExperimentFailure(
        'integrity',
        `refused: the experiment changes ${outside.join(', ')}; only ${manifest.editable} may change (the evaluator, its constants and data are frozen)`,
      );
    }
    const tampered = await frozenProblems(worktree, state.state.frozen);
    if (tampered.length > 0) throw new ExperimentFailure('integrity', `refused: ${tampered.join('; ')}`);
    const commit = await commitAll(worktree, `exp ${id}: ${experiment.name}`);
    await tree.update(id, { commit });
    signal.throwIfAborted();
    const hash = await sourceHash(worktree);
    if (!state.state.typeChecked.includes(hash)) {
      await typeCheck(worktree, signal);
      await state.update((s) => (s.typeChecked.includes(hash) ? s : { ...s, typeChecked: [...s.typeChecked, hash] }));
    }
    return commit;
  }

  /** The evaluation's job(s): the template's evaluate command, split over `payload.shards` jobs. */
  private evaluationJobs(id: string, payload: ExperimentPayload): ShardedJob[] {
    const { paths, manifest } = this.deps;
    const { token } = payload;
    if (token === undefined) throw new Error(`${id}: payload in phase '${payload.phase}' has no job token`);
    const runDir = paths.runDir(id);
    const args = manifest.evaluate.map((arg) =>
      arg
        .replaceAll('{data}', paths.data)
        .replaceAll('{metrics}', join(runDir, 'metrics.json'))
        .replaceAll('{fan}', join(runDir, 'fan.json')),
    );
    return evaluationJobs({
      id,
      token,
      cwd: paths.worktree(id),
      runDir,
      argv: [...this.deps.nodeCommand, ...args],
      shards: payload.shards ?? 1,
    });
  }

  // ------------------------------------------------------------------------------------------
  // complete()

  async complete(spec: WorkSpec, outcome: Outcome<JobValue>, ctx?: CompleteContext): Promise<WorkResult> {
    if (spec.kind === PLAN_KIND) return { children: await this.completePlan(spec, ctx?.signal) };
    if (spec.kind !== EXPERIMENT_KIND) {
      this.log(`${spec.id}: ignored (kind ${JSON.stringify(spec.kind)} is not the workflow's)`);
      return { children: [] };
    }
    await this.completeExperiment(spec, outcome);
    await this.judgeWaiting();
    return { children: await this.nextRound(spec.id) };
  }

  private async completeExperiment(spec: WorkSpec, outcome: Outcome<JobValue>): Promise<void> {
    const { tree, paths } = this.deps;
    const id = spec.id;
    const parsed = ExperimentPayloadSchema.safeParse(spec.payload);
    let node = tree.get(id) ?? (await this.ensureNode(spec, parsed.success ? parsed.data.experiment : undefined));
    const runDir = paths.runDir(id);
    if (!isFinal(node)) {
      const finishedAt = new Date().toISOString();
      const commit = node.commit ?? (parsed.success ? (parsed.data.commit ?? null) : null);
      let result: EvaluatorResult | undefined;
      if (outcome.ok && outcome.value.kind === 'experiment') {
        result = outcome.value.result;
        const units = await readUnitsFile(join(runDir, 'metrics.json'));
        const waitingFor = baselinePending(tree.all(), node);
        const { decision, reason, pairedHalfWidth } = waitingFor
          ? { decision: null, reason: waitingReason(waitingFor), pairedHalfWidth: undefined }
          : await this.decide(node, result, units);
        node = await tree.update(id, {
          status: 'completed',
          decision,
          decisionReason: reason,
          decisionHalfWidth: pairedHalfWidth ?? null,
          metric: result.metric,
          metricHalfWidth: units ? relativeHalfWidth(metricInterval(units), result.metric) : null,
          latencyMsP99: result.latencyMsP99,
          budgetMs: result.budgetMs,
          overBudget: result.overBudget,
          cpuS: result.cpuS,
          commit,
          finishedAt,
          error: null,
        });
      } else if (!outcome.ok && outcome.error instanceof JobCancelled) {
        node = await tree.update(id, {
          status: 'cancelled',
          decision: 'cancelled',
          decisionReason: null,
          metric: null,
          latencyMsP99: null,
          commit,
          finishedAt,
          error: 'cancelled by run.ts queue cancel',
        });
      } else {
        const error = outcome.ok ? 'the job returned no result' : describeFailure(outcome.error);
        node = await tree.update(id, {
          status: 'failed',
          decision: 'crash',
          metric: null,
          latencyMsP99: null,
          commit,
          finishedAt,
          error,
        });
      }
      this.log(
        `${id}: ${node.status}, ${node.decision}${node.metric === null ? '' : `, metric ${node.metric}`}${node.error ? ` (${node.error.split('\n')[0]})` : ''}${node.decisionReason && node.status === 'completed' ? ` — ${node.decisionReason}` : ''}`,
      );
      await tree.writeNodeFile(id, 'result.json', {
        id,
        status: node.status,
        decision: node.decision,
        metric: node.metric,
        latencyMsP99: node.latencyMsP99,
        points: result?.points ?? null,
        dropped: result?.dropped ?? null,
        fields: result?.fields ?? null,
        commit: node.commit,
        startedAt: node.startedAt,
        finishedAt: node.finishedAt,
        error: node.error,
      });
    }
    // Judged, analysed and entered in the ledgers once the baseline has finished (judgeWaiting):
    // a ledger row is written once and never rewritten, so it must carry the final decision.
    const baseCommit = parsed.success ? parsed.data.experiment.baseCommit : null;
    if (isWaitingForBaseline(node)) {
      // The spec (and its payload) is gone by the time the baseline finishes: keep what the
      // analysis needs beside the node.
      await tree.writeNodeFile(id, WAITING_FILE, { baseCommit });
      return;
    }
    await this.recordFinished(node, baseCommit);
  }

  /**
   * Candidates that finished while the harness-default seed was still queued or running were
   * left undecided (completeExperiment): judging them then would have kept the first one within
   * budget with nothing to beat. Once the baseline is final they are judged in the order they
   * finished, each against the incumbent of that moment — the order the keep rule would have
   * seen had the baseline finished first. Called after every completion, so a runner killed
   * between the baseline's completion and this step catches up on the next one.
   */
  private async judgeWaiting(): Promise<void> {
    const { tree, paths } = this.deps;
    const waiting = tree
      .all()
      .filter(isWaitingForBaseline)
      .sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? '') || a.id.localeCompare(b.id));
    for (const candidate of waiting) {
      if (baselinePending(tree.all(), candidate)) return;
      const runDir = paths.runDir(candidate.id);
      const units = await readUnitsFile(join(runDir, 'metrics.json'));
      const { metric, latencyMsP99, budgetMs, overBudget } = candidate;
      if (metric === null) continue;
      const verdict = await this.decide(candidate, { metric, latencyMsP99, budgetMs, overBudget }, units);
      const node = await tree.update(candidate.id, {
        decision: verdict.decision,
        decisionReason: verdict.reason,
        decisionHalfWidth: verdict.pairedHalfWidth ?? null,
      });
      const resultFile = join(paths.nodeDir(node.id), 'result.json');
      if (existsSync(resultFile)) {
        const written = z.record(z.string(), z.unknown()).parse(JSON.parse(await readFile(resultFile, 'utf8')));
        await tree.writeNodeFile(node.id, 'result.json', { ...written, decision: node.decision });
      }
      this.log(`${node.id}: judged after the baseline finished: ${node.decision} — ${node.decisionReason ?? ''}`);
      await this.recordFinished(node, await this.waitingBaseCommit(node.id));
    }
  }

  private async waitingBaseCommit(id: string): Promise<string | null> {
    const file = join(this.deps.paths.nodeDir(id), WAITING_FILE);
    const saved: unknown = existsSync(file) ? JSON.parse(await readFile(file, 'utf8')) : null;
    return WaitingFileSchema.safeParse(saved).data?.baseCommit ?? null;
  }

  /** analysis.md (once), both ledgers (once), the outputs: what every decided experiment gets. */
  private async recordFinished(node: TreeNode, baseCommit: string | null): Promise<void> {
    const { paths, ledgers } = this.deps;
    const id = node.id;
    const runDir = paths.runDir(id);
    const analysisFile = join(runDir, 'analysis.md');
    if (!existsSync(analysisFile)) {
      await mkdir(runDir, { recursive: true });
      const logTail = node.status === 'failed' ? await readLogTail(join(runDir, 'log'), 4096) : undefined;
      const text = analysisMarkdown({
        node,
        nodes: this.deps.tree.all(),
        space: this.deps.manifest.paramSpace,
        editable: this.deps.manifest.editable,
        baseCommit,
        ...(logTail ? { logTail } : {}),
      });
      // Written once, whole: a runner killed during Claude's call writes it again on resume.
      await writeFileAtomic(
        analysisFile,
        this.config.analysis === 'claude' ? await this.claudeAnalysis(id, text) : text,
      );
    }
    await recordInLedgers(ledgers, node);
    await this.deps.state.update((s) => touchSession(s, this.deps.ctx.sessionStartedAt));
    if (this.deps.settings.outputs) this.deps.outputs.request();
  }

  /**
   * The keep rule against the incumbent (research/keep-decision.ts: the best so far, else the
   * harness-default baseline), on the search split only.
   */
  private async decide(node: TreeNode, result: CandidateResult, units: Unit[] | undefined): Promise<KeepVerdict> {
    return keepDecision(
      node,
      result,
      units,
      this.deps.tree.all(),
      (id) => readUnitsFile(join(this.deps.paths.runDir(id), 'metrics.json')),
      this.deps.manifest.keep,
    );
  }

  /** After an experiment: a plan spec when the seeds are done and nothing else is pending. */
  private async nextRound(triggerId: string): Promise<WorkSpec[]> {
    const { state } = this.deps;
    const known = state.state.planTriggers[triggerId];
    if (known) return [planSpec(known)];
    if (!this.seedsDone() || (await this.pendingBesides(triggerId))) return [];
    const id = nextPlanId(state.state);
    await state.update((s) => ({ ...s, planTriggers: { ...s.planTriggers, [triggerId]: id } }));
    return [planSpec(id)];
  }

  private async completePlan(spec: WorkSpec, signal?: AbortSignal): Promise<WorkSpec[]> {
    const cached = await this.readRoundCache(spec.id);
    if (cached) return this.materialise(cached);
    if (await this.pendingBesides(spec.id)) {
      // Experiments are still queued or running: the round that follows them will plan.
      this.log(`${spec.id}: skipped, experiments are still pending (the next drain plans)`);
      return [];
    }
    await this.forgetDropped();
    const round = this.deps.state.state.rounds.length + 1;
    const at = new Date().toISOString();
    const nodes = this.deps.tree.all();
    const bestBefore = currentBest(nodes)?.metric ?? null;
    const stop = this.stopDecision([...patienceHistory(this.deps.state.state.rounds), bestBefore]);
    const base = {
      id: spec.id,
      round,
      trigger: triggerOf(this.deps.state.state, spec.id),
      at,
      bestBefore,
      dollars: 0,
      stopRequested: false,
      failure: null,
      transient: false,
    };
    if (stop) {
      this.log(`${spec.id}: no planning — ${stop.reason}: ${stop.detail}`);
      return this.materialise({
        record: { ...base, planned: false, proposals: 0, stop },
        planner: 'none',
        outcome: null,
        children: [],
        nodes: [],
      });
    }

    const planner = this.getPlanner();
    const context = planningContext({
      nodes,
      program: await readProgram(this.deps.paths.root, this.config.program),
      sourceOfEditable: await this.editableSource(),
      editable: this.deps.manifest.editable,
      paramSpace: this.deps.manifest.paramSpace,
      experimentsLeft: this.config.maxExperiments - this.experimentsStarted() - this.experimentsQueued(),
      dollarsLeft: this.config.maxDollars - this.deps.state.state.plannerDollars,
      round,
      analyses: await this.latestAnalyses(nodes),
    });
    this.log(
      `${spec.id}: planning round ${round} with the ${planner.kind} planner (${context.history.length} results, ${context.budget.experimentsLeft} experiments left)`,
    );
    // Rejects when the runner is asked to stop mid-call: nothing is cached, so resume plans again.
    const outcome = await planner.plan(context, signal ? { signal } : {});
    const planned = proposalsToExperiments(outcome, nodes, at);
    const failure = outcome.failure ? `${outcome.failure.kind}: ${outcome.failure.message}` : null;
    // The API down or overloaded for the whole planning deadline is no reason to end the run, nor
    // a round without improvement: plan again (the planner already waited with backoff).
    const transient = outcome.failure?.transient === true;
    // A failed round queues nothing, so the run ends; say why (a resume plans again).
    const planStop = outcome.stopRequested
      ? { reason: 'planner-stop', detail: firstLines(outcome.reasoning, 3, 400) }
      : failure && !transient
        ? { reason: 'planner-failed', detail: failure }
        : null;
    const record: RoundRecord = {
      ...base,
      planned: true,
      proposals: planned.length,
      dollars: outcome.usage.dollars,
      stopRequested: outcome.stopRequested,
      stop: planStop,
      failure,
      transient,
    };
    const retry = transient ? [planSpec(nextPlanId(this.deps.state.state, spec.id))] : [];
    const cache: RoundCache = {
      record,
      planner: planner.kind,
      outcome,
      children: [...planned.map((p) => p.spec as unknown as JsonObject), ...(retry as unknown as JsonObject[])],
      nodes: planned.map((p) => p.node),
    };
    // Durable before anything is queued: a crash from here on replays the round, never re-plans it.
    await mkdir(this.deps.paths.plannerDir, { recursive: true });
    await writeJsonAtomic(this.deps.paths.round(spec.id), cache);
    if (transient) this.log(`${spec.id}: the planner API is failing (${failure}); planning again as ${retry[0].id}`);
    else if (failure) this.log(`${spec.id}: the planner failed (${failure}); nothing new is queued`);
    if (planStop) this.log(`${spec.id}: the planner asks to stop: ${planStop.detail}`);
    this.log(`${spec.id}: queued ${planned.map((p) => p.spec.id).join(', ') || 'nothing'}`);
    return this.materialise(cache);
  }

  /** Puts a round's outcome into the tree and the state (idempotent) and returns its specs. */
  private async materialise(cache: RoundCache): Promise<WorkSpec[]> {
    const { tree, state } = this.deps;
    await tree.add(cache.nodes);
    const children = cache.children as unknown as WorkSpec[];
    for (const spec of children) await this.writeSpecFile(spec);
    if (!state.state.rounds.some((r) => r.id === cache.record.id)) {
      const { record } = cache;
      await state.update((s) => ({
        ...s,
        rounds: [...s.rounds, record],
        plannerDollars: s.plannerDollars + record.dollars,
        ...(record.stop ? { stopReason: `${record.stop.reason}: ${record.stop.detail}`, stop: record.stop } : {}),
      }));
    }
    return children;
  }

  private async readRoundCache(id: string): Promise<RoundCache | undefined> {
    const file = this.deps.paths.round(id);
    if (!existsSync(file)) return undefined;
    return JSON.parse(await readFile(file, 'utf8')) as RoundCache;
  }

  // ------------------------------------------------------------------------------------------
  // Stop rule

  stopReason(): string | undefined {
    const { state } = this.deps;
    const planner = state.state.stop?.reason === 'planner-stop' || state.state.stop?.reason === 'planner-failed';
    const stop = planner ? state.state.stop : this.stopDecision(patienceHistory(state.state.rounds));
    if (!stop) return undefined;
    const text = `${stop.reason}: ${stop.detail}`;
    if (state.state.stopReason !== text) void state.update((s) => ({ ...s, stopReason: text, stop }));
    return text;
  }

  /** The stop rule for a given `bestAfterRound` history; undefined while the run may go on. */
  stopDecision(bestAfterRound: readonly (number | null)[]): { reason: string; detail: string } | undefined {
    const decision = decideStop({
      seedExperimentsDone: this.seedsDone(),
      bestAfterRound,
      patience: this.config.patience,
      experiments: this.experimentsStarted(),
      maxExperiments: this.config.maxExperiments,
      elapsedHours: activeHours(this.deps.state.state, this.deps.ctx.sessionStartedAt),
      maxHours: this.config.maxHours,
      dollars: this.deps.state.state.plannerDollars,
      maxDollars: this.config.maxDollars,
    });
    return decision.stop ? { reason: decision.reason, detail: decision.detail } : undefined;
  }

  // ------------------------------------------------------------------------------------------
  // Helpers

  seedsDone(): boolean {
    const seeds = this.deps.tree.all().filter((node) => node.seed);
    return seeds.length > 0 && seeds.every(isFinal);
  }

  /** Experiments that have left the queue: the experiment cap counts these. */
  experimentsStarted(): number {
    return this.deps.tree.all().filter((node) => node.status !== 'queued').length;
  }

  private experimentsQueued(): number {
    return this.deps.tree.all().filter((node) => node.status === 'queued').length;
  }

  /** Whether the checkpoint holds work besides `id` (queued, or running). */
  private async pendingBesides(id: string): Promise<boolean> {
    const checkpoint = await new CheckpointStore(this.deps.ctx.paths).load();
    if (!checkpoint) return false;
    return checkpoint.queue.length > 0 || checkpoint.running.some((spec) => spec.id !== id);
  }

  /** Queued nodes a person dropped from the queue (`run.ts queue drop`) never run: forget them. */
  private async forgetDropped(): Promise<void> {
    const checkpoint = await new CheckpointStore(this.deps.ctx.paths).load();
    if (!checkpoint) return;
    const live = new Set([...checkpoint.queue, ...checkpoint.running].map((spec) => spec.id).concat(checkpoint.done));
    const dropped = this.deps.tree
      .all()
      .filter((node) => node.status === 'queued' && !live.has(node.id))
      .map((node) => node.id);
    if (dropped.length === 0) return;
    this.log(`forgetting ${dropped.join(', ')}: dropped from the queue, never run`);
    await this.deps.tree.remove(dropped);
  }

  private async editableSource(): Promise<string> {
    const best = currentBest(this.deps.tree.all());
    const commit = best?.commit ?? this.deps.state.state.anchorCommit;
    return (await readFileAtCommit(this.deps.paths.source, commit, this.deps.manifest.editable)) + '\n';
  }

  /**
   * `--analysis claude`: the runner's analysis with Claude's appended. Its cost joins the run's
   * planner dollars (the max-dollars cap and the report's totals); a failed call costs the
   * analysis, never the experiment, and the file says why.
   */
  private async claudeAnalysis(id: string, offline: string): Promise<string> {
    try {
      const { text, dollars } = await this.getAnalyzer()(offline, knowledgeText(this.deps.tree.all()));
      if (dollars > 0) await this.deps.state.update((s) => ({ ...s, plannerDollars: s.plannerDollars + dollars }));
      this.log(`${id}: Claude's analysis written ($${dollars.toFixed(4)})`);
      return withClaudeAnalysis(offline, { text });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log(`${id}: no Claude analysis (${message.split('\n')[0]})`);
      return withClaudeAnalysis(offline, { error: message });
    }
  }

  private getAnalyzer(): Analyze {
    if (this.analyzer) return this.analyzer;
    const { analyze, why } = createAnalyzer({
      ...(this.config.model ? { model: this.config.model } : {}),
      logDir: this.deps.ctx.paths.logsDir,
      maxDollars: this.config.maxDollars,
    });
    this.log(`analysis: ${why}`);
    this.analyzer = analyze;
    return analyze;
  }

  /** Claude's analyses of the latest finished candidates, oldest first, for the next plan. */
  private async latestAnalyses(nodes: readonly TreeNode[]): Promise<ExperimentAnalysis[]> {
    if (this.config.analysis !== 'claude') return [];
    const finished = nodes
      .flatMap((node) => (isFinal(node) && node.finishedAt !== null ? [{ node, finishedAt: node.finishedAt }] : []))
      .sort((a, b) => (a.finishedAt < b.finishedAt ? -1 : a.finishedAt > b.finishedAt ? 1 : 0))
      .map(({ node }) => node);
    const analyses: ExperimentAnalysis[] = [];
    for (const node of finished.slice(-ANALYSES_IN_KNOWLEDGE)) {
      const markdown = await readFile(join(this.deps.paths.runDir(node.id), 'analysis.md'), 'utf8').catch(() => '');
      const text = claudeAnalysisOf(markdown);
      if (text) analyses.push({ id: node.id, name: node.name, text });
    }
    return analyses;
  }

  private getPlanner(): Planner {
    if (this.planner) return this.planner;
    const { config } = this;
    const { planner, why } = createPlanner({
      // "claude" without a key never gets here: the engine refuses it at start (exit 2).
      kind: config.planner,
      ...(config.model ? { model: config.model } : {}),
      logDir: this.deps.ctx.paths.logsDir,
      maxDollars: config.maxDollars,
      seed: this.deps.settings.offlineSeed,
      batchSize: this.deps.settings.offlineBatch,
      planDeadlineMs: this.deps.settings.plannerDeadlineS * 1000,
    });
    this.log(`planner: ${why}`);
    this.planner = planner;
    return planner;
  }

  /** The node of a spec that reached run() without one (queued by hand), or a stand-in for an invalid one. */
  private async ensureNode(spec: WorkSpec, experiment: ExperimentDefinition | undefined): Promise<TreeNode> {
    const existing = this.deps.tree.get(spec.id);
    if (existing) return existing;
    const definition = experiment ?? {
      name: slug(spec.id),
      hypothesis: '',
      params: {},
      patch: null,
      parent: null,
      seedKind: null,
    };
    const node = queuedNode(spec.id, definition, new Date().toISOString());
    await this.deps.tree.add([node]);
    await this.writeSpecFile(spec);
    return node;
  }

  private async writeSpecFile(spec: WorkSpec): Promise<void> {
    await this.deps.tree.writeNodeFile(spec.id, 'spec.json', {
      id: spec.id,
      kind: spec.kind,
      priority: spec.priority,
      payload: spec.payload,
    });
  }
}

/** The handles known so far, one slot per job (null: not launched yet). */
function launchedHandles(payload: ExperimentPayload, jobs: number): (JobHandle | null)[] {
  if (jobs === 1) return [payload.handle ?? null];
  return Array.from({ length: jobs }, (_, s) => payload.handles?.[s] ?? null);
}

/** The job handles of a launched experiment: once launched, every shard has one (else the payload is corrupt). */
function everyHandle(id: string, handles: readonly (JobHandle | null)[]): JobHandle[] {
  return handles.map((handle, s) => {
    if (handle === null) throw new Error(`${id}: shard ${s} has no job handle after launch`);
    return handle;
  });
}

export function planSpec(id: string): WorkSpec {
  return workSpec(id, PLAN_KIND, PLAN_PRIORITY, { phase: 'queued' });
}

/** The stop rule's `bestAfterRound`: rounds whose planner call failed transiently do not count toward patience. */
export function patienceHistory(rounds: readonly RoundRecord[]): (number | null)[] {
  return rounds.filter((round) => !round.transient).map((round) => round.bestBefore);
}

export function nextPlanId(state: EngineState, also?: string): string {
  const used = new Set([
    ...Object.values(state.planTriggers),
    ...state.rounds.map((r) => r.id),
    ...(also ? [also] : []),
  ]);
  let n = state.rounds.length + 1;
  while (used.has(`plan-${n}`)) n++;
  return `plan-${n}`;
}

function triggerOf(state: EngineState, planId: string): string | null {
  return Object.entries(state.planTriggers).find(([, id]) => id === planId)?.[0] ?? null;
}

export function touchSession(state: EngineState, sessionStartedAt: Date): EngineState {
  const startedAt = sessionStartedAt.toISOString();
  const now = new Date().toISOString();
  const others = state.sessions.filter((s) => s.startedAt !== startedAt);
  return { ...state, sessions: [...others, { startedAt, lastSeenAt: now }] };
}

/** Hours the run has been active: earlier sessions up to their last sign of life, plus this one. */
export function activeHours(state: EngineState, sessionStartedAt: Date): number {
  const current = sessionStartedAt.toISOString();
  let ms = Date.now() - sessionStartedAt.getTime();
  for (const session of state.sessions) {
    if (session.startedAt !== current)
      ms += Math.max(0, Date.parse(session.lastSeenAt) - Date.parse(session.startedAt));
  }
  return ms / 3_600_000;
}

function describeFailure(error: unknown): string {
  if (error instanceof ExperimentFailure) return error.message;
  return `internal: ${error instanceof Error ? error.message : String(error)}`;
}

function slug(id: string): string {
  return (
    id
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64) || 'experiment'
  );
}
