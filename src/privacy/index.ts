// The public surface of src/privacy/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { PrivacyResolver } from './privacy.resolver';
export { PrivacyService } from './privacy.service';
export { RetentionJob, type RetentionJobOptions } from './retention-job';
export { RetentionResolver } from './retention.resolver';
export { RetentionService } from './retention.service';
