import type { Role } from '../../src/auth/roles';

/** What a matrix entry may use to build valid arguments: rows made for this run. */
export interface MatrixFixtures {
  customerId: string;
  /** A fresh unique string per call, for identifiers and idempotency keys. */
  unique(): string;
  /** A new customer of its own, for operations that change or consume one. */
  newCustomer(): Promise<string>;
  /** A merge of two new customers, made by an admin. */
  newMerge(): Promise<string>;
  /** A social identity of a new customer. */
  newSocialIdentity(): Promise<string>;
  /** An inbound interaction of a new customer, with its conversation. */
  newInteraction(): Promise<{ interactionId: string; conversationId: string }>;
  /** An open escalation of a new interaction, raised by an admin. */
  newEscalation(): Promise<string>;
}

export interface MatrixEntry {
  /** The roles that may call the operation, written out (no implication): the matrix is the spec. */
  allowed: readonly Role[];
  /** A document that calls only this operation, with the smallest valid selection. */
  document: string;
  variables?: (fx: MatrixFixtures) => Record<string, unknown> | Promise<Record<string, unknown>>;
}

const READERS: Role[] = ['viewer', 'agent', 'supervisor', 'admin'];
const SUPERVISORS: Role[] = ['supervisor', 'admin'];
const AGENTS: Role[] = ['agent', 'supervisor', 'admin'];
const WRITERS: Role[] = ['agent', 'supervisor', 'ingest', 'admin'];
// Care rules are global: allowed calls below either fail validation after the role check or
// write a disabled / uniquely named rule, so concurrent test files see no change in routing.

/**
 * Who may call each root operation, keyed `Query.<field>` / `Mutation.<field>`. Every root field of
 * the live schema must have an entry (role-matrix.test.ts fails otherwise); when an operation is
 * added, add its line here with the roles the issue grants and arguments that pass validation.
 */
export const ROLE_MATRIX: Record<string, MatrixEntry> = {
  'Query.customer': {
    allowed: READERS,
    document: `query($id: ID!) { customer(id: $id) { id } }`,
    variables: (fx) => ({ id: fx.customerId }),
  },
  'Query.lookupCustomer': {
    allowed: READERS,
    document: `query($email: String) { lookupCustomer(email: $email) { id } }`,
    variables: (fx) => ({ email: `${fx.unique()}@example.com` }),
  },
  'Query.customers': {
    allowed: READERS,
    document: `{ customers(first: 1) { edges { cursor } } }`,
  },
  'Query.duplicateCandidates': {
    allowed: READERS,
    document: `query($id: ID!) { duplicateCandidates(customerId: $id) { evidence } }`,
    variables: (fx) => ({ id: fx.customerId }),
  },
  'Mutation.recordTouchpoint': {
    allowed: ['agent', 'supervisor', 'ingest', 'admin'],
    document: `mutation($input: TouchpointInput!) { recordTouchpoint(input: $input) { id } }`,
    variables: (fx) => ({ input: { touchpoint: 'SERVICE_CALL', name: 'Matrix Caller', emails: [`${fx.unique()}@example.com`] } }),
  },
  'Mutation.recordTouchpoints': {
    allowed: ['agent', 'supervisor', 'ingest', 'admin'],
    document: `mutation($inputs: [TouchpointInput!]!) { recordTouchpoints(inputs: $inputs) { id } }`,
    variables: (fx) => ({ inputs: [{ touchpoint: 'IMPORT', name: 'Matrix Import', emails: [`${fx.unique()}@example.com`] }] }),
  },
  'Mutation.mergeCustomers': {
    allowed: SUPERVISORS,
    document: `mutation($a: ID!, $b: ID!) { mergeCustomers(survivorId: $a, mergedId: $b) { id } }`,
    variables: async (fx) => ({ a: await fx.newCustomer(), b: await fx.newCustomer() }),
  },
  'Mutation.undoMerge': {
    allowed: SUPERVISORS,
    document: `mutation($id: ID!) { undoMerge(mergeId: $id) { id } }`,
    variables: async (fx) => ({ id: await fx.newMerge() }),
  },
  'Mutation.setConsent': {
    allowed: ['agent', 'supervisor', 'ingest', 'admin'],
    document: `mutation($input: SetConsentInput!) { setConsent(input: $input) { status } }`,
    variables: async (fx) => ({ input: { socialIdentityId: await fx.newSocialIdentity(), purpose: 'MARKETING', status: 'GRANTED', source: 'SOCIAL_MESSAGE' } }),
  },
  'Query.segment': {
    allowed: ['marketing', 'admin'],
    document: `{ segment(filter: { tiers: [PLATINUM] }, first: 1) { edges { cursor } } }`,
  },
  'Query.exportCustomer': {
    allowed: ['admin'],
    document: `query($id: ID!) { exportCustomer(id: $id) }`,
    variables: (fx) => ({ id: fx.customerId }),
  },
  'Mutation.eraseCustomer': {
    allowed: ['admin'],
    document: `mutation($id: ID!) { eraseCustomer(id: $id) }`,
    variables: async (fx) => ({ id: await fx.newCustomer() }),
  },
  'Query.careRules': {
    allowed: AGENTS,
    document: `{ careRules { __typename } }`,
  },
  'Mutation.recordInteraction': {
    allowed: WRITERS,
    document: `mutation($input: InteractionInput!) { recordInteraction(input: $input) { id } }`,
    variables: (fx) => ({ input: { idempotencyKey: `matrix-${fx.unique()}`, channel: 'EMAIL', content: 'matrix', email: `${fx.unique()}@example.com` } }),
  },
  'Mutation.recordInteractions': {
    allowed: WRITERS,
    document: `mutation($inputs: [InteractionInput!]!) { recordInteractions(inputs: $inputs) { id } }`,
    variables: (fx) => ({ inputs: [{ idempotencyKey: `matrix-${fx.unique()}`, channel: 'EMAIL', content: 'matrix', email: `${fx.unique()}@example.com` }] }),
  },
  'Mutation.respondToInteraction': {
    allowed: AGENTS,
    document: `mutation($input: RespondInput!) { respondToInteraction(input: $input) { id } }`,
    variables: async (fx) => ({ input: { interactionId: (await fx.newInteraction()).interactionId, content: 'matrix reply' } }),
  },
  'Mutation.escalateInteraction': {
    allowed: AGENTS,
    document: `mutation($input: EscalateInput!) { escalateInteraction(input: $input) { id } }`,
    variables: async (fx) => ({ input: { interactionId: (await fx.newInteraction()).interactionId, team: 'SUPERVISOR', reason: 'matrix' } }),
  },
  'Mutation.resolveEscalation': {
    allowed: SUPERVISORS,
    document: `mutation($input: ResolveEscalationInput!) { resolveEscalation(input: $input) { id } }`,
    variables: async (fx) => ({ input: { escalationId: await fx.newEscalation(), resolution: 'matrix' } }),
  },
  'Mutation.takeOffline': {
    allowed: AGENTS,
    document: `mutation($input: TakeOfflineInput!) { takeOffline(input: $input) { id } }`,
    variables: async (fx) => ({ input: { conversationId: (await fx.newInteraction()).conversationId, toChannel: 'PHONE', context: 'matrix' } }),
  },
  'Mutation.setSlaTarget': {
    allowed: SUPERVISORS,
    document: `mutation($input: SlaTargetInput!) { setSlaTarget(input: $input) { __typename } }`,
    variables: () => ({ input: { channel: 'LETTER', responseMinutes: 0 } }), // BAD_USER_INPUT: nothing written
  },
  'Mutation.deleteSlaTarget': {
    allowed: SUPERVISORS,
    document: `mutation { deleteSlaTarget(channel: LETTER, tier: BRONZE) }`,
  },
  'Mutation.setBusinessHours': {
    allowed: SUPERVISORS,
    document: `mutation($input: BusinessHoursInput!) { setBusinessHours(input: $input) { __typename } }`,
    variables: (fx) => ({ input: { name: `matrix-${fx.unique()}`, timeZone: 'Not/AZone' } }), // BAD_USER_INPUT
  },
  'Mutation.setLaneRule': {
    allowed: SUPERVISORS,
    document: `mutation($input: LaneRuleInput!) { setLaneRule(input: $input) { __typename } }`,
    variables: (fx) => ({ input: { name: `matrix-${fx.unique()}`, lane: 'CUSTOMER_SERVICE', position: 9999, keywords: [`matrix${fx.unique()}`], enabled: false } }),
  },
  'Mutation.deleteLaneRule': {
    allowed: SUPERVISORS,
    document: `mutation($name: String!) { deleteLaneRule(name: $name) }`,
    variables: (fx) => ({ name: `matrix-${fx.unique()}` }),
  },
  'Mutation.createSkillGroup': {
    allowed: SUPERVISORS,
    document: `mutation($input: SkillGroupInput!) { createSkillGroup(input: $input) { __typename } }`,
    variables: (fx) => ({ input: { name: `matrix-${fx.unique()}`, position: 9999, keywords: [`matrix${fx.unique()}`] } }),
  },
  'Mutation.updateSkillGroup': {
    allowed: SUPERVISORS,
    document: `mutation($name: String!, $input: SkillGroupInput!) { updateSkillGroup(name: $name, input: $input) { __typename } }`,
    variables: (fx) => ({ name: `matrix-${fx.unique()}`, input: { name: `matrix-${fx.unique()}`, position: 9999, keywords: [`matrix${fx.unique()}`] } }),
  },
  'Mutation.deleteSkillGroup': {
    allowed: SUPERVISORS,
    document: `mutation($name: String!) { deleteSkillGroup(name: $name) }`,
    variables: (fx) => ({ name: `matrix-${fx.unique()}` }),
  },
  'Mutation.setEscalationRule': {
    allowed: SUPERVISORS,
    document: `mutation($input: EscalationRuleInput!) { setEscalationRule(input: $input) { __typename } }`,
    variables: (fx) => ({ input: { name: `matrix-${fx.unique()}`, kind: 'PHRASES', team: 'SUPERVISOR', phrases: [`matrix${fx.unique()}`], enabled: false } }),
  },
  'Mutation.deleteEscalationRule': {
    allowed: SUPERVISORS,
    document: `mutation($name: String!) { deleteEscalationRule(name: $name) }`,
    variables: (fx) => ({ name: `matrix-${fx.unique()}` }),
  },
  'Mutation.setFilterRule': {
    allowed: SUPERVISORS,
    document: `mutation($input: FilterRuleInput!) { setFilterRule(input: $input) { __typename } }`,
    variables: (fx) => ({ input: { name: `matrix-${fx.unique()}`, categories: ['OTHER'], enabled: false } }),
  },
  'Mutation.recordInfluenceScore': {
    allowed: ['supervisor', 'ingest', 'admin'],
    document: `mutation($input: InfluenceScoreInput!) { recordInfluenceScore(input: $input) { score } }`,
    variables: async (fx) => ({ input: { customerId: await fx.newCustomer(), score: 5, source: 'matrix', measuredAt: new Date().toISOString() } }),
  },
  'Mutation.recomputeInfluence': {
    allowed: ['supervisor', 'ingest', 'admin'],
    document: `mutation($ids: [ID!]!) { recomputeInfluence(customerIds: $ids) { score } }`,
    variables: async (fx) => ({ ids: [await fx.newCustomer()] }),
  },
  'Mutation.recordFollowerCounts': {
    allowed: ['supervisor', 'ingest', 'admin'],
    document: `mutation($inputs: [FollowerCountInput!]!) { recordFollowerCounts(inputs: $inputs) { score } }`,
    variables: async (fx) => ({ inputs: [{ socialIdentityId: await fx.newSocialIdentity(), followerCount: 10 }] }),
  },
  'Query.priorityWeights': {
    allowed: AGENTS,
    document: `{ priorityWeights { __typename } }`,
  },
  'Mutation.setPriorityWeights': {
    allowed: SUPERVISORS,
    document: `mutation { setPriorityWeights(input: { base: -1 }) { __typename } }`, // BAD_USER_INPUT: the weights stay
  },
  'Mutation.setTier': {
    allowed: SUPERVISORS,
    document: `mutation($id: ID!) { setTier(customerId: $id, tier: GOLD) { id } }`,
    variables: async (fx) => ({ id: await fx.newCustomer() }),
  },
  'Query.tierRules': {
    allowed: READERS,
    document: `{ tierRules { __typename } }`,
  },
  'Mutation.setTierRules': {
    allowed: SUPERVISORS,
    document: `mutation { setTierRules(rules: [{ tier: NONE, attribute: "matrix", minValue: 1 }]) { __typename } }`, // BAD_USER_INPUT: the rules stay
  },
  'Mutation.applyTierRules': {
    allowed: SUPERVISORS,
    document: `mutation { applyTierRules { __typename } }`,
  },
  'Query.careQueue': {
    allowed: AGENTS,
    document: `{ careQueue(first: 1) { edges { cursor } } }`,
  },
  'Query.serviceMetrics': {
    allowed: ['supervisor', 'marketing', 'admin'],
    document: `{ serviceMetrics(from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z") { unanswered } }`,
  },
  'Query.auditLog': {
    allowed: ['admin'],
    document: `{ auditLog(first: 1) { edges { cursor } } }`,
  },
  'Query.brandChannels': {
    allowed: AGENTS,
    document: `{ brandChannels { id } }`,
  },
  'Mutation.setBrandChannel': {
    allowed: SUPERVISORS,
    document: `mutation($input: BrandChannelInput!) { setBrandChannel(input: $input) { __typename } }`,
    variables: (fx) => ({ input: { channel: 'FORUM', handle: `https://forum.example.com/matrix-${fx.unique()}`, name: ' ' } }), // BAD_USER_INPUT
  },
  'Mutation.removeBrandChannel': {
    allowed: SUPERVISORS,
    document: `mutation { removeBrandChannel(id: "00000000-0000-4000-8000-000000000000") { __typename } }`, // NOT_FOUND
  },
  'Query.responseTemplates': {
    allowed: AGENTS,
    document: `{ responseTemplates(channel: TWITTER) { id } }`,
  },
  'Query.responseSuggestions': {
    allowed: AGENTS,
    document: `query($id: ID!) { responseSuggestions(interactionId: $id) { length } }`,
    variables: async (fx) => ({ id: (await fx.newInteraction()).interactionId }),
  },
  'Mutation.saveResponseTemplate': {
    allowed: SUPERVISORS,
    document: `mutation($input: ResponseTemplateInput!) { saveResponseTemplate(input: $input) { __typename } }`,
    variables: (fx) => ({ input: { name: `matrix-${fx.unique()}`, text: 'Hi {nobody}' } }), // BAD_USER_INPUT: unknown placeholder
  },
  'Query.channelLengthLimits': {
    allowed: AGENTS,
    document: `{ channelLengthLimits { channel maxLength } }`,
  },
  'Mutation.setChannelLengthLimit': {
    allowed: SUPERVISORS,
    document: `mutation { setChannelLengthLimit(channel: LETTER, maxLength: 0) { __typename } }`, // BAD_USER_INPUT
  },
  'Query.agents': {
    allowed: SUPERVISORS,
    document: `{ agents { id } }`,
  },
  'Mutation.setAgent': {
    allowed: SUPERVISORS,
    document: `mutation($input: AgentInput!) { setAgent(input: $input) { id } }`,
    variables: (fx) => ({ input: { id: `matrix-${fx.unique()}`, tiers: ['NONE'], active: false } }),
  },
  'Mutation.claimNextInteraction': {
    allowed: AGENTS,
    // The matrix token's subject is no agent: NOT_FOUND after the role check, nothing assigned.
    document: `mutation { claimNextInteraction { id } }`,
  },
  'Mutation.releaseInteraction': {
    allowed: AGENTS,
    document: `mutation($id: ID!) { releaseInteraction(interactionId: $id) { id } }`,
    variables: async (fx) => ({ id: (await fx.newInteraction()).interactionId }), // CONFLICT: not assigned
  },
  'Query.incidents': {
    allowed: AGENTS,
    document: `{ incidents(first: 1) { edges { cursor } } }`,
  },
  'Query.incident': {
    allowed: AGENTS,
    document: `{ incident(id: "00000000-0000-4000-8000-000000000000") { id } }`,
  },
  'Mutation.notifyIncident': {
    allowed: SUPERVISORS,
    // No such incident: NOT_FOUND after the role check, nothing sent.
    document: `mutation { notifyIncident(input: { incidentId: "00000000-0000-4000-8000-000000000000", text: "matrix" }) { id } }`,
  },
  'Mutation.resolveIncident': {
    allowed: SUPERVISORS,
    document: `mutation { resolveIncident(input: { incidentId: "00000000-0000-4000-8000-000000000000", text: "matrix" }) { id } }`,
  },
  'Query.webhooks': {
    allowed: ['admin'],
    document: `{ webhooks { id } }`,
  },
  // An allowed call fails URL validation after the role check: no webhook is left in the shared database.
  'Mutation.registerWebhook': {
    allowed: ['admin'],
    document: `mutation { registerWebhook(input: { url: "ftp://example.com/hook", events: [TIER_CHANGED] }) { id } }`,
  },
  'Mutation.deleteWebhook': {
    allowed: ['admin'],
    document: `mutation { deleteWebhook(id: "00000000-0000-4000-8000-000000000000") }`,
  },
  // Relay refetch: a customer's id answers for viewers and up; marketing and ingest read nothing raw.
  'Query.node': {
    allowed: READERS,
    document: `query($id: ID!) { node(id: $id) { id } }`,
    variables: (fx) => ({ id: fx.customerId }),
  },
  // No such webhook: NOT_FOUND after the role check, nothing queued.
  'Mutation.redeliverWebhookEvents': {
    allowed: ['admin'],
    document: `mutation { redeliverWebhookEvents(webhookId: "00000000-0000-4000-8000-000000000000", since: "2026-01-01T00:00:00Z") }`,
  },
};
