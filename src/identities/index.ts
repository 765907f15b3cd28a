// The public surface of src/identities/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { rewriteLedger } from './consent-ledger';
export { createConsentLoaders, toStates } from './consent.loaders';
export { ConsentResolver } from './consent.resolver';
export { ConsentService } from './consent.service';
export { CONSENT_NEWEST_FIRST, consentStatesSql, customerGrantedNowSql, grantedNowSql, knownAtSql } from './consent.sql';
export { CustomerIdentityResolver } from './customer-identity.resolver';
export { CustomerLookupService } from './customer-lookup.service';
export { type NamedCustomer, namedCustomersSql, resolveCustomers, type ResolvedCustomer } from './customer-resolution';
export { DetachService } from './detach.service';
export { DuplicateCandidateResolver } from './duplicate-candidates.resolver';
export { DuplicateCandidateService } from './duplicate-candidates.service';
export { createIdentityHistoryLoaders } from './identity-history.loaders';
export type { NormalisedIdentifiers } from './identity-linker';
export { type IdentityRules, isOptOut } from './identity-rules';
export { IdentityRulesService, registerIdentityMetrics } from './identity-rules.service';
export { IdentitySafeguardsResolver, MergePreviewResolver } from './identity-safeguards.resolver';
export { CONTACT_POINT_COLUMNS, createIdentityLoaders, SOCIAL_IDENTITY_COLUMNS } from './identity.loaders';
export { ContactPointResolver, SocialIdentityResolver } from './identity.resolver';
export { ContactPoint, SocialIdentity } from './identity.types';
export { itemIdentifiers } from './item-identifiers';
export { MergePreviewService } from './merge-preview.service';
export { MergeResolver } from './merge.resolver';
export { MergeService } from './merge.service';
export { normaliseEmail, normaliseHandle, normalisePhone } from './normalise';
export { recordOptOuts } from './opt-out';
export { TouchpointResolver } from './touchpoint.resolver';
export { TouchpointService } from './touchpoint.service';
