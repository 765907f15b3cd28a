// The public surface of src/influence/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { CustomerInfluenceResolver } from './customer-influence.resolver';
export { followerPointsSql, networkTrendSql } from './follower-history.sql';
export { createInfluenceLoaders } from './influence.loaders';
export { InfluenceResolver } from './influence.resolver';
export { InfluenceService, recomputeWith, type UnstoredPost } from './influence.service';
export { latestInfluenceSql, latestOverallInfluenceSql } from './influence.sql';
export { type FollowerCountPoint, InfluenceScore, Priority } from './influence.types';
export { DEFAULT_PRIORITY_WEIGHTS, interactionPriority, type PriorityWeights } from './priority';
export { PrioritySettingsService } from './priority-settings.service';
export { PriorityWeightsResolver } from './priority.resolver';
export { ProfilingExpiryJob, type ProfilingExpiryOptions } from './profiling-expiry';
