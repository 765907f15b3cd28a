// The public surface of src/events/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { EventBus, type StoredEvent } from './event-bus';
export { EVENT_PAYLOAD_FIELDS, type EventIdentifier } from './event-payloads';
export { EventType } from './event-types';
export type { ExecutionStats } from './live-execute';
export { type LiveHandle, sharedRead } from './live-feed';
export { registerLiveMetrics } from './live-metrics';
export { attachLiveServer, DEFAULT_LIVE_OPTIONS, type LiveOptions } from './live-server';
export { appendEvent, appendEvents, appendEventsSql, emit, type EventSink, type NewEvent, outboxRows } from './outbox';
export { OutboxPruner, type PruneOptions } from './outbox-prune';
