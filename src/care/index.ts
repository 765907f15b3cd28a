// The public surface of src/care/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { BRAND_CHANNEL_COLUMNS, BrandChannel, BrandChannelResolver, BrandChannelService, createBrandChannelLoaders, DoNotEngageResolver, DoNotEngageService, InteractionBrandSideResolver, InteractionDeliveryResolver, ReplyDeliveryService, ResponseTemplateResolver, ResponseTemplateService } from './brand';
export { AgentResolver, AgentService, CareDeskResolver, CareDeskService, CareLiveResolver, CareQueueResolver, CareQueueService, careQueueSql, CareWaitingResolver, carriesLabels, ConversationCareResolver, ConversationLabelService, createAgentLoaders, createCareLoaders, createNoteLoaders, EscalationCareResolver, holds, InteractionAssignmentResolver, InteractionCareResolver, InteractionNoteService, InteractionNotesResolver, type QueueRow, type RespondInput, SlaBreachSweep, type SlaSweepOptions, SnoozeService, toQueueItem, wantedLabels } from './desk';
export { EscalationWorklistResolver, EscalationWorklistService, HandoffReason } from './escalations';
export { createIncidentLoaders, Incident, IncidentPosterResolver, IncidentResolver, IncidentService } from './incidents';
export { IngestService } from './intake';
export { CareRulesResolver, CareRulesService } from './rules';
