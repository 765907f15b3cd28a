// The public surface of src/graphql/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { ACCESS_KEY, accessExtension, type FieldRule, HOLDER_ROLES } from './access';
export { applyArgumentGuard, argumentProblem } from './argument-guard';
export { Channel, ConsentPurpose, ConsentStatus, Direction, ErasureAction, EscalationStatus, EscalationTeam, InteractionCategory, InteractionStatus, PersonalDataClass, Platform, SwimLane, Tier, Touchpoint } from './enums';
export { badInput, createErrorFormatter, DomainError, type ErrorCode, requestError, requiredText } from './errors';
export { keyClaim, type KeyClaim, keyConflict, once } from './idempotent';
export { checkId } from './ids';
export { firstOfEachKey, type ItemError, itemErrors } from './item-errors';
export { cachedOperationCost, DEFAULT_LIMITS, LimitError, type Limits, limitsPlugin, limitValidationRules, mutationCounter, type MutationCounter, operationCost } from './limits';
export { countLoader, pagedLoader } from './paged-loader';
export { type Connection, ConnectionType, decodeCursor, encodeCursor, type Keyed, type Keyset, pageSize, sortKeySql, toConnection } from './pagination';
export { DateTimeScalar, JSONScalar } from './scalars';
export { columnList, dateFields, type JsonColumn, jsonColumns, jsonObjectSql, type JsonWriting, selectedJsonColumns, Stored, storedFields } from './stored';
export { loadTrustedDocuments, trustedDocumentRule, type TrustedDocuments, trustedDocumentsMiddleware } from './trusted-documents';
