export { VectorIndex, normaliseRows, type Neighbours, type VectorIndexKind } from './vector-index.js';
