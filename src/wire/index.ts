export * from './frame.js';
export * from './uri.js';
export * from './digest.js';
export * from './ids.js';
export {
  HeaderName,
  type KnownHeaderName,
  CANONICAL_ORDER,
  canonicalHeaderName,
  isMimeHeader,
  headerRank,
  getHeader,
  getHeaders,
  sortHeaders,
  parseByteRange,
  formatByteRange,
  byteRangeProblem,
  parseStatus,
  formatStatus,
  parseSuccessReport,
  parseFailureReport,
  parseDeltaSeconds,
  parsePathHeader,
  formatPathHeader,
  pathUriProblem,
  type PathUriProblem,
} from './headers.js';
export * from './parser.js';
export * from './serializer.js';
export * from './builder.js';
export * from './tolerance.js';
