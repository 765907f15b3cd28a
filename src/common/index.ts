// The public surface of src/common/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { BoundedMap } from './bounded-map';
export { type BatchWriter, Coalescer, ItemsRefused } from './coalescer';
export { IntervalJob } from './interval-job';
export { currentRequestId, currentRequestScope, type RequestScope, withStatementCount } from './request-scope';
export { compileSafePattern, JS_SPACE, type SafeMatch, type SafePattern, UnsafePatternError } from './safe-pattern';
export { MAX_TOPIC, normaliseTopic, normaliseTopics } from './topics';
