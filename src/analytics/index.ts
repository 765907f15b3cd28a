// The public surface of src/analytics/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { CareReportResolver } from './care-report.resolver';
export { CareReportService } from './care-report.service';
export { HandoffMetricsResolver } from './handoff-metrics.resolver';
export { HandoffMetricsService } from './handoff-metrics.service';
export { ServiceMetricsResolver } from './service-metrics.resolver';
export { ServiceMetricsService } from './service-metrics.service';
