// The public surface of src/auth/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { Access, READ } from './access';
export { authChecker, authorizeRoles, authorizeSubscription, type DenialRecorder } from './auth-checker';
export { applyFieldRules, fieldReadUnderConsent, isGuardedProperty, mayRead, type PurposeCheck, readsUnderConsent, ruleOf } from './field-guard';
export type { TokenVerifier, Viewer } from './jwt';
export { verifierFor } from './keys';
export { operationRoles } from './operation-roles';
export { checkPurposeForRoles, purposesFor } from './purpose-roles';
export { CAN, effectiveRoles, type Role } from './roles';
