// The public surface of src/care/escalations/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { EscalationWorklistResolver } from './escalation-worklist.resolver';
export { EscalationWorklistService } from './escalation-worklist.service';
export { type DueInputs, dueInputsSql, type NewEscalation, raiseEscalations, resolveEscalationsWithInteractions } from './escalation.writer';
export { HandoffReason } from './handoff-reason';
