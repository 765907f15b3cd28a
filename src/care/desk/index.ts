// The public surface of src/care/desk/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { createAgentLoaders } from './agent.loaders';
export { AgentResolver, InteractionAssignmentResolver } from './agent.resolver';
export { AgentService, holds } from './agent.service';
export { CareDeskResolver, ConversationCareResolver, EscalationCareResolver, InteractionCareResolver } from './care-desk.resolver';
export { CareDeskService, recorded } from './care-desk.service';
export { CareLiveResolver } from './care-live.resolver';
export { CareQueueResolver } from './care-queue.resolver';
export { CareQueueService, careQueueSql, type QueueRow, toQueueItem } from './care-queue.service';
export { CareWaitingResolver, InteractionNotesResolver } from './care-waiting.resolver';
export type { RespondInput } from './care.inputs';
export { createCareLoaders } from './care.loaders';
export { carriesLabels, ConversationLabelService, wantedLabels } from './conversation-label.service';
export { type ConversationTouch, type NewConversation, openConversations, openConversationsSql, touchConversations, touchConversationsSql, touchRowsSql } from './conversation.writer';
export { createNoteLoaders } from './interaction-note.loaders';
export { InteractionNoteService } from './interaction-note.service';
export { free, queued } from './queue-membership';
export { SlaBreachSweep, type SlaSweepOptions } from './sla-breach.sweep';
export { snoozeLeft, SnoozeService } from './snooze.service';
