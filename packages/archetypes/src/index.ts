export { VectorIndex, normaliseRows, type Neighbours, type VectorIndexKind } from './vector-index.js';
export {
  FeatureExtractor,
  tenantFeatures,
  featureNames,
  FEATURE_VERSION,
  FEATURE_GROUPS,
  FEATURE_METRICS,
  DEFAULT_FEATURE_GROUPS,
  type FeatureGroup,
  type FeatureMetric,
  type PointRange,
  type TenantSeries,
} from './features.js';
export { ArchetypeScaler, type ScalerJson } from './scaler.js';
export {
  ArchetypeStore,
  voteArchetype,
  AUTO_HNSW_ABOVE,
  STORE_FILE,
  INDEX_FILE,
  type StoreEntry,
  type StoreIndexKind,
  type ArchetypeStoreOptions,
  type Neighbour,
  type ArchetypeVote,
  type RetrievalResult,
  type WinnerRecord,
} from './store.js';
export { ArchetypeStoreError } from './errors.js';
export {
  ArchetypeStoreSet,
  DEFAULT_STORE_WINDOWS,
  DEFAULT_FULL_HISTORY_FROM_MINUTES,
  STORE_SET_FILE,
  type LabelledSeries,
  type StoreSetOptions,
  type SetRetrievalResult,
} from './store-set.js';
export {
  collectRetrievalFeatures,
  scoreRetrieval,
  retrievalMarkdown,
  DEFAULT_WINDOW_MINUTES,
  type LabelledTenant,
  type CollectOptions,
  type RetrievalFeatures,
  type FeatureRows,
  type ScoreOptions,
  type ConditionResult,
  type RetrievalReport,
} from './evaluate-retrieval.js';
