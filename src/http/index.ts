// The public surface of src/http/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { bearerFirst, verifiedViewer, verifyBearer } from './bearer';
export { corsFor, originRule, upgradeOriginAllowed } from './cors';
export { healthz, readyz } from './health';
export { ideRouter } from './ide';
export { countStatements, createMetrics, type Metrics, metricsPlugin } from './metrics';
export { requestScope, type ScopedResponse } from './request-scope';
export { createTracing, otlpExporter } from './tracing';
