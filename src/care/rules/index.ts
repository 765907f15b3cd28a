// The public surface of src/care/rules/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { addBusinessMinutes } from './business-hours';
export type { CareRules, EscalationRule, OpeningHours } from './care-rules';
export { CareRulesResolver } from './care-rules.resolver';
export { CareRulesService } from './care-rules.service';
export { churnRuleHit } from './churn';
export { classify } from './classifier';
export { doNotEngageRuleFor } from './do-not-engage';
export { scanPii } from './pii-scan';
export { PiiFinding } from './pii.types';
export { PUBLIC_CHANNELS } from './public-channels';
export { isActionable, laneFor, skillGroupFor } from './routing';
export { isSlaBreached, slaDueAt } from './sla';
export { foldText } from './text-match';
