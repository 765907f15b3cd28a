// The public surface of src/interactions/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { CustomerActivityResolver } from './customer-activity.resolver';
export { CustomerInteractionsResolver } from './customer-interactions.resolver';
export { appendHistory, type HistoryEntry } from './interaction-history';
export { InteractionInput } from './interaction.inputs';
export { createInteractionLoaders } from './interaction.loaders';
export { ConversationResolver, EscalationResolver, InteractionResolver } from './interaction.resolver';
export { CONVERSATION_COLUMNS, ESCALATION_BREACHED_SQL, ESCALATION_COLUMNS, ESCALATION_STATUS_SQL, INTERACTION_COLUMNS } from './interaction.sql';
export { Conversation, Escalation, Interaction } from './interaction.types';
export { loadThreadRefs, type Threaded, threadItems, unknownRefs } from './threading';
