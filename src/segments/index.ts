// The public surface of src/segments/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { IncidentAudienceResolver } from './incident-audience.resolver';
export { IncidentAudienceService } from './incident-audience.service';
export { decodeFilter } from './saved-segment.filter';
export { createSavedSegmentLoaders } from './saved-segment.loaders';
export { SavedSegmentResolver } from './saved-segment.resolver';
export { SavedSegmentService } from './saved-segment.service';
export { SegmentWorker, type SegmentWorkerOptions } from './saved-segment.worker';
export { segmentExportHandler } from './segment-export.http';
export { SegmentResolver } from './segment.resolver';
export { SegmentService } from './segment.service';
