/**
 * The planner used when no API key is set: a deterministic coordinate search over the knob
 * space that speaks the same proposal schema as Claude.
 *
 * Each round it starts from the best experiment so far (the incumbent; the defaults before any
 * metric exists), scores every untried one-knob move away from it by the evidence in the
 * history, and takes the most promising moves — one knob at a time, spread across knobs — plus
 * one seeded random configuration so a bad start cannot trap the search in a local basin. It
 * keeps no state between calls: the random stream is seeded from (seed, history), so a resumed
 * run proposes exactly what an uninterrupted one would, and the same seed gives the same run.
 */
import { assertValidParamSpace, completeParams, defaultParams, knobValues, paramsKey } from './param-space.js';
import type { Knob, ParamSpace, ParamValue } from './param-space.js';
import { NO_USAGE } from './planner.js';
import type { ExperimentRecord, Planner, PlanningContext, PlanOutcome } from './planner.js';
import { PlanReplySchema, SLUG_PATTERN } from './proposal-schema.js';
import type { ExperimentProposal } from './proposal-schema.js';
import { fnv1a32, Mulberry32 } from '@tsfm/numerics';

export interface OfflinePlannerOptions {
  /** Seeds the exploration slot. Default 0. */
  readonly seed?: number;
  /** Proposals per round (before the experiments-left cap). Default 4. */
  readonly batchSize?: number;
  /** Random configurations per round when the batch has room for more than one. Default 1. */
  readonly explorationSlots?: number;
}

type Assignment = Record<string, ParamValue>;

interface Candidate {
  readonly params: Assignment;
  readonly name: string;
  readonly hypothesis: string;
  readonly score: number;
  /** The knob a one-knob move changes; used to spread a round's moves across knobs. */
  readonly knob?: string;
  readonly parent?: string;
}

type Measured = ExperimentRecord & { readonly metric: number };
/** A measured record with its complete assignment (omitted knobs filled with defaults). */
interface Point {
  readonly record: Measured;
  readonly params: Assignment;
}

// Range moves try 1, 2 and 4 grid steps: near moves refine, far ones cross flat stretches
// that a one-step search would read as a plateau.
const RANGE_STEPS = [1, 2, 4] as const;
// How much a doubling of the step costs in score: near moves first, far ones not excluded.
const STEP_PENALTY = 0.3;

export class OfflinePlanner implements Planner {
  readonly kind = 'offline' as const;
  readonly #seed: number;
  readonly #batchSize: number;
  readonly #explorationSlots: number;

  constructor(options: OfflinePlannerOptions = {}) {
    this.#seed = options.seed ?? 0;
    this.#batchSize = Math.max(1, Math.floor(options.batchSize ?? 4));
    this.#explorationSlots = Math.max(0, Math.floor(options.explorationSlots ?? 1));
  }

  async plan(context: PlanningContext): Promise<PlanOutcome> {
    const space = context.paramSpace;
    assertValidParamSpace(space);
    const capacity = Math.min(this.#batchSize, Math.floor(context.budget.experimentsLeft));
    if (!(capacity > 0)) {
      return {
        proposals: [],
        stopRequested: false,
        reasoning: 'No experiments left in the budget.',
        usage: NO_USAGE,
        attempts: 1,
      };
    }

    // A patched experiment changed code, so it does not occupy its knob values.
    const taken = new Set<string>();
    for (const entry of [...context.history, ...(context.inFlight ?? [])]) {
      if (entry.patch === undefined) taken.add(paramsKey(space, entry.params));
    }
    const names = new Set([...context.history.map((r) => r.name), ...(context.inFlight ?? []).map((p) => p.name)]);
    const measured = context.history.filter(
      (r): r is Measured => r.status !== 'crash' && r.metric !== null && Number.isFinite(r.metric),
    );
    const incumbent = measured.reduce<Measured | undefined>(
      (best, r) => (best === undefined || r.metric < best.metric ? r : best),
      undefined,
    );
    const base = incumbent === undefined ? defaultParams(space) : completeParams(space, incumbent.params);
    const rng = new Mulberry32(fnv1a32([...taken].sort().join('\n'), this.#seed));

    const exploit: Candidate[] = [];
    const defaults = defaultParams(space);
    if (!taken.has(paramsKey(space, defaults))) {
      exploit.push({
        params: defaults,
        name: 'baseline-defaults',
        score: Number.POSITIVE_INFINITY,
        hypothesis: 'The default configuration sets the reference metric every other experiment is judged against.',
      });
    }
    exploit.push(...spreadAcrossKnobs(scoredNeighbours(space, base, incumbent, measured)));

    const exploreSlots = capacity >= 2 ? Math.min(this.#explorationSlots, capacity - 1) : 0;
    const chosen: Candidate[] = [];
    const take = (candidate: Candidate): boolean => {
      const key = paramsKey(space, candidate.params);
      if (taken.has(key)) return false;
      taken.add(key);
      chosen.push(candidate);
      return true;
    };
    for (const candidate of exploit) {
      if (chosen.length >= capacity - exploreSlots) break;
      take(candidate);
    }
    // Exploration fills its own slots and any the neighbourhood could not.
    while (chosen.length < capacity) {
      const random = randomUntried(space, taken, rng);
      if (random === undefined) break;
      take({
        params: random,
        name: `explore-${fnv1a32(paramsKey(space, random), this.#seed).toString(16).padStart(8, '0').slice(0, 6)}`,
        score: 0,
        hypothesis: 'A random untried configuration: checks for a better basin away from the incumbent.',
      });
    }

    if (chosen.length === 0) {
      return {
        proposals: [],
        stopRequested: true,
        reasoning: 'Every configuration of the parameter space has been tried or is queued.',
        usage: NO_USAGE,
        attempts: 1,
      };
    }

    const proposals: ExperimentProposal[] = chosen.map((c, priority) => ({
      name: uniqueName(c.name, names),
      hypothesis: c.hypothesis,
      params: c.params,
      priority,
      ...(c.parent === undefined ? {} : { parent: c.parent }),
    }));
    const reasoning =
      (incumbent === undefined
        ? 'No metric yet; searching around the default configuration.'
        : `Incumbent ${incumbent.id} "${incumbent.name}" has the best metric (${incumbent.metric}).`) +
      ` Proposing ${proposals.length} untried configuration(s): one-knob moves from the incumbent ranked by the history's evidence, plus seeded random exploration.`;
    // Same schema as Claude's replies; parsing here catches a bug in this planner, not the model.
    const reply = PlanReplySchema.parse({ action: 'propose', reasoning, experiments: proposals });
    return { proposals: reply.experiments, stopRequested: false, reasoning, usage: NO_USAGE, attempts: 1 };
  }
}

/** Every one-knob move from `base`, scored by how promising the history makes it. */
function scoredNeighbours(
  space: ParamSpace,
  base: Assignment,
  incumbent: Measured | undefined,
  measured: readonly Measured[],
): Candidate[] {
  const points: Point[] = measured.map((record) => ({ record, params: completeParams(space, record.params) }));
  const out: Candidate[] = [];
  for (const [knob, spec] of Object.entries(space)) {
    const values = knobValues(spec);
    const baseIndex = values.findIndex((v) => v === base[knob]);
    for (const { value, steps, direction } of movesFor(spec, values, baseIndex)) {
      const params = { ...base, [knob]: value };
      const evidence = moveEvidence({ knob, spec, values, base, value, direction, steps }, incumbent, points);
      out.push({
        params,
        knob,
        name: `${kebab(knob)}-${slugValue(value)}`,
        score: 1 + evidence.score - (spec.kind === 'range' ? STEP_PENALTY * Math.log2(steps) : 0),
        hypothesis:
          `Setting ${knob} from ${JSON.stringify(base[knob])} to ${JSON.stringify(value)}, all else as ` +
          `${incumbent === undefined ? 'the defaults' : `incumbent ${incumbent.id} (metric ${incumbent.metric})`}, lowers the metric. Evidence: ${evidence.why}.`,
        ...(incumbent === undefined ? {} : { parent: incumbent.id }),
      });
    }
  }
  return out;
}

function movesFor(
  spec: Knob,
  values: readonly ParamValue[],
  baseIndex: number,
): { value: ParamValue; steps: number; direction: number }[] {
  if (spec.kind === 'choice' || baseIndex < 0) {
    // Categorical: every other value, nearest in the listed order first (lists are often ordinal).
    return values
      .map((value, i) => ({ value, steps: Math.abs(i - baseIndex), direction: Math.sign(i - baseIndex), i }))
      .filter((m) => m.i !== baseIndex)
      .sort((a, b) => a.steps - b.steps || a.i - b.i)
      .map(({ value, steps, direction }) => ({ value, steps, direction }));
  }
  const moves: { value: ParamValue; steps: number; direction: number }[] = [];
  for (const steps of RANGE_STEPS) {
    for (const direction of [1, -1]) {
      const value = values[baseIndex + direction * steps];
      if (value !== undefined) moves.push({ value, steps, direction });
    }
  }
  return moves;
}

/**
 * Evidence for one move, from two sources:
 * - the line through the incumbent along this knob (records equal to it on every other knob):
 *   a measured point in the move's direction that is already worse says the move likely is too;
 *   a worse point behind says the incumbent was reached by moving this way — keep going;
 * - the knob's marginal: the mean metric of every record with this value against the mean with
 *   the incumbent's value, a weak signal that still transfers across the rest of the space.
 */
interface Move {
  readonly knob: string;
  readonly spec: Knob;
  readonly values: readonly ParamValue[];
  readonly base: Assignment;
  readonly value: ParamValue;
  /** +1 / −1 along the knob's value list. */
  readonly direction: number;
  /** Grid steps (range) or list positions (choice) away from the base value. */
  readonly steps: number;
}

function moveEvidence(
  move: Move,
  incumbent: Measured | undefined,
  points: readonly Point[],
): { score: number; why: string } {
  const { knob, spec, values, base, value, direction, steps } = move;
  if (incumbent === undefined) return { score: 0, why: 'unexplored so far' };
  let score = 0;
  const reasons: string[] = [];

  if (spec.kind === 'range') {
    const baseIndex = values.indexOf(base[knob] as ParamValue);
    const line = points
      .filter((p) => p.record.id !== incumbent.id && sameExcept(base, p.params, knob))
      .map((p) => ({ offset: values.indexOf(p.params[knob] as ParamValue) - baseIndex, metric: p.record.metric }))
      .filter((p) => p.offset !== 0);
    const ahead = line.filter((p) => Math.sign(p.offset) === direction && Math.abs(p.offset) <= steps);
    const behind = line.filter((p) => Math.sign(p.offset) === -direction);
    if (ahead.some((p) => p.metric >= incumbent.metric)) {
      score -= 1;
      reasons.push('although a measured point on the way is already worse');
    } else if (behind.some((p) => p.metric > incumbent.metric)) {
      score += 0.5;
      reasons.push(`moving ${knob} this way has helped so far`);
    }
  }

  const withValue = points.filter((p) => p.params[knob] === value);
  const withBase = points.filter((p) => p.params[knob] === base[knob]);
  if (withValue.length > 0 && withBase.length > 0) {
    const meanValue = mean(withValue.map((p) => p.record.metric));
    const meanBase = mean(withBase.map((p) => p.record.metric));
    const relative = (meanBase - meanValue) / (Math.abs(meanBase) + 1e-12);
    score += Math.max(-1, Math.min(1, 5 * relative));
    reasons.push(
      `experiments with ${knob}=${JSON.stringify(value)} average ${meanValue.toPrecision(4)} vs ${meanBase.toPrecision(4)} at the incumbent's value`,
    );
  } else if (withValue.length === 0) {
    reasons.push(`${knob}=${JSON.stringify(value)} is unexplored`);
  }
  return { score, why: reasons.length === 0 ? 'a one-knob step of coordinate search' : reasons.join('; ') };
}

function sameExcept(base: Assignment, params: Assignment, knob: string): boolean {
  return Object.keys(base).every((k) => k === knob || params[k] === base[k]);
}

/**
 * Orders candidates so a round tries one move per knob before a second move on any knob:
 * rank r of every knob (by score) comes before rank r + 1 of any knob.
 */
function spreadAcrossKnobs(candidates: readonly Candidate[]): Candidate[] {
  const byKnob = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const list = byKnob.get(c.knob ?? '') ?? [];
    list.push(c);
    byKnob.set(c.knob ?? '', list);
  }
  const ranked = [...byKnob.values()].map((list) => [...list].sort((a, b) => b.score - a.score));
  const out: Candidate[] = [];
  for (let rank = 0; out.length < candidates.length; rank++) {
    const tier = ranked.map((list) => list[rank]).filter((c): c is Candidate => c !== undefined);
    out.push(...tier.sort((a, b) => b.score - a.score));
  }
  return out;
}

function randomUntried(space: ParamSpace, taken: ReadonlySet<string>, rng: Mulberry32): Assignment | undefined {
  const knobs = Object.entries(space).map(([name, knob]) => [name, knobValues(knob)] as const);
  for (let draw = 0; draw < 64; draw++) {
    const params: Assignment = {};
    for (const [name, values] of knobs) params[name] = rng.pick(values);
    if (!taken.has(paramsKey(space, params))) return params;
  }
  // Random draws keep hitting tried points: the space is nearly exhausted, so walk it in order.
  const size = knobs.reduce((n, [, values]) => n * values.length, 1);
  if (size > 1_000_000) return undefined;
  for (let index = 0; index < size; index++) {
    const params: Assignment = {};
    let rest = index;
    for (const [name, values] of knobs) {
      params[name] = values[rest % values.length] as ParamValue;
      rest = Math.floor(rest / values.length);
    }
    if (!taken.has(paramsKey(space, params))) return params;
  }
  return undefined;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function slugValue(value: ParamValue): string {
  const text = String(value);
  const slug = kebab(text.startsWith('-') ? `minus${text}` : text);
  return slug === '' ? 'value' : slug;
}

/** A slug not yet in `names` (which it joins), of at most 64 characters. */
function uniqueName(wanted: string, names: Set<string>): string {
  const stem = (SLUG_PATTERN.test(wanted) ? wanted : 'experiment').slice(0, 56).replace(/-+$/, '');
  let name = stem;
  for (let i = 2; names.has(name); i++) name = `${stem}-${i}`;
  names.add(name);
  return name;
}
