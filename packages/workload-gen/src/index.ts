export * from './series.js';

// loaders
export * from './loaders/index.js';

// synthetic workload generator (archetypes, fleet generation and storage, pretraining corpus)
export { ARCHETYPES, ARCHETYPE_NAMES, ACTIVITY_COUPLING, METRIC_BOUNDS } from './archetypes.js';
export type { ArchetypeName, ArchetypeSpec, DailyShape, Range } from './archetypes.js';
export { TIER_NAMES, TIER_ALPHA, TIER_SHARE } from './tiers.js';
export type { Tier } from './tiers.js';
export {
  CORPUS_SEED_BASE,
  MAX_CORPUS_SEED,
  SeedDomainError,
  assertFleetSeed,
  assertCorpusSeed,
} from './seed-domains.js';
export { Rng } from './prng.js';
export { weekdayOf, isWeekend, msOfDay, localMs, parseUtcStart } from './calendar.js';
export { drawTenantParams, tenantId } from './tenant-params.js';
export type { TenantParams, TenantDrawOptions } from './tenant-params.js';
export { TenantGenerator } from './tenant-generator.js';
export type { GeneratedTenant, Grid, StreamKey } from './tenant-generator.js';
export { fleetOptions, fleetTenantParams, generateFleet, validateFleetOptions } from './fleet.js';
export type { FleetOptions } from './fleet.js';
export { generateFleetInWorkers } from './fleet-worker-pool.js';
export type { WorkerPoolOptions } from './fleet-worker-pool.js';
export { writeFleet } from './fleet-writer.js';
export type { WriteFleetOptions, WriteFleetResult } from './fleet-writer.js';
export { FleetArrowWriter, fleetArrowSchema } from './fleet-writer-arrow.js';
export { FleetCsvWriter, CSV_HEADER } from './fleet-writer-csv.js';
export { readFleet, readFleetArrow } from './fleet-reader.js';
export type { FleetTenant } from './fleet-reader.js';
export {
  readManifest,
  parseManifest,
  writeManifest,
  buildManifest,
  manifestSchema,
  MANIFEST_FILE,
  ARROW_FILE,
  CSV_FILE,
} from './manifest.js';
export type { FleetManifest, FleetDataFormat } from './manifest.js';
export { FleetFormatError } from './errors.js';
export { corpusSeries, corpusFamily, CORPUS_FAMILIES } from './corpus/corpus.js';
export { calendarCorpusSeries, calendarSeries, type CalendarSeries } from './corpus/calendar-series.js';
export type { CorpusFamily } from './corpus/corpus.js';
// end synthetic workload generator
