// The public surface of src/care/incidents/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { createIncidentLoaders } from './incident.loaders';
export { IncidentPosterResolver, IncidentResolver } from './incident.resolver';
export { IncidentService } from './incident.service';
export { Incident } from './incident.types';
export { joinedIncidents, joinOpenIncidentsSql, openIncidents } from './incident.writer';
export { claimBursts, thresholdRules, topicCountersSql, topicCounts, topicLocksSql, type TopicPost } from './topic-bursts';
