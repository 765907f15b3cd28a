// The public surface of src/db/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { groupByKey, isUuid, oneByKey, Params, textArrayLiteral } from './batch';
export { poolOf } from './data-source';
export { openDatabase } from './database';
export { claimKeys, contentHash, keyProblem, settleKeys } from './idempotency';
export { uuidV7 } from './ids';
export { guardPool } from './pool-guard';
export type { ReplicaSet, ReplicaStatus } from './replicas';
export { withRetry } from './retry';
export { currentReadTarget, readRoutingPlugin, routedPool, routeRequest } from './routing';
export { SERVER_IDENTITY_SQL, type ServerIdentity, toServerIdentity } from './server-identity';
export { inTransaction } from './transaction';
