// The public surface of src/audit/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { type AuditEntry, type Queryable, recordAudit, recordAudits } from './audit-log';
export { registerAuditMetrics } from './audit-metrics';
export { AuditResolver } from './audit.resolver';
export { AuditService } from './audit.service';
