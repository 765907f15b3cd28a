import { randomUUID } from 'node:crypto';
import type { Role } from '../../src/auth/roles';
import type { TestApp } from '../helpers/app';
import { createCustomer } from '../helpers/factory';

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
  /** Runs a document as an admin (setup of an entry's arguments) and returns its data. */
  asAdmin(document: string, variables?: Record<string, unknown>): Promise<Record<string, any>>;
  /** A row by SQL on the test database (setup only). */
  sql(text: string, values?: unknown[]): Promise<Record<string, any>[]>;
  /** The subject of the matrix tokens. */
  subject: string;
}

export interface MatrixEntry {
  /** The roles that may call the operation, written out (no implication): the matrix is the spec. */
  allowed: readonly Role[];
  /** A document that calls only this operation, with the smallest valid selection. */
  document: string;
  /** The arguments, for the role that calls (a purpose, say, is bound to the role). */
  variables?: (fx: MatrixFixtures, role: Role) => Record<string, unknown> | Promise<Record<string, unknown>>;
}

const READERS: Role[] = ['viewer', 'agent', 'supervisor', 'admin'];
const SUPERVISORS: Role[] = ['supervisor', 'admin'];
const AGENTS: Role[] = ['agent', 'supervisor', 'admin'];
const WRITERS: Role[] = ['agent', 'supervisor', 'ingest', 'admin'];
// Care rules are global: allowed calls below either fail validation after the role check or
// write a disabled / uniquely named rule, so concurrent test files see no change in routing.

// An allowed call must succeed: entries that change shared state (weights, tier rules, limits,
// SLA targets) write back what is there already, and entries that need a row make their own.
const current = async (fx: MatrixFixtures, query: string) => fx.asAdmin(query);

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
    allowed: ['marketing', 'supervisor', 'admin'],
    document: `query($purpose: ConsentPurpose!) { segment(filter: { tiers: [PLATINUM] }, purpose: $purpose, first: 1) { edges { cursor } } }`,
    variables: (_fx, role) => ({ purpose: role === 'supervisor' ? 'SERVICE' : 'MARKETING' }),
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
    // A target for a channel and tier no other test uses, then removed by deleteSlaTarget's entry.
    variables: () => ({ input: { channel: 'LETTER', tier: 'BRONZE', responseMinutes: 4320 } }),
  },
  'Mutation.deleteSlaTarget': {
    allowed: SUPERVISORS,
    document: `mutation { deleteSlaTarget(channel: LETTER, tier: BRONZE) }`,
    variables: async (fx) => {
      await fx.asAdmin(`mutation { setSlaTarget(input: { channel: LETTER, tier: BRONZE, responseMinutes: 4320 }) { __typename } }`);
      return {};
    },
  },
  'Mutation.setBusinessHours': {
    allowed: SUPERVISORS,
    document: `mutation($input: BusinessHoursInput!) { setBusinessHours(input: $input) { __typename } }`,
    variables: (fx) => ({ input: { name: `matrix-${fx.unique()}`, timeZone: 'Europe/London' } }),
  },
  'Mutation.setLaneRule': {
    allowed: SUPERVISORS,
    document: `mutation($input: LaneRuleInput!) { setLaneRule(input: $input) { __typename } }`,
    variables: (fx) => ({ input: { name: `matrix-${fx.unique()}`, lane: 'CUSTOMER_SERVICE', position: 9999, keywords: [`matrix${fx.unique()}`], enabled: false } }),
  },
  'Mutation.deleteLaneRule': {
    allowed: SUPERVISORS,
    document: `mutation($name: String!) { deleteLaneRule(name: $name) }`,
    variables: async (fx) => {
      const name = `matrix-${fx.unique()}`;
      await fx.asAdmin(`mutation($input: LaneRuleInput!) { setLaneRule(input: $input) { name } }`, { input: { name, lane: 'CUSTOMER_SERVICE', position: 9999, keywords: [`matrix${fx.unique()}`], enabled: false } });
      return { name };
    },
  },
  'Mutation.createSkillGroup': {
    allowed: SUPERVISORS,
    document: `mutation($input: SkillGroupInput!) { createSkillGroup(input: $input) { __typename } }`,
    variables: (fx) => ({ input: { name: `matrix-${fx.unique()}`, position: 9999, keywords: [`matrix${fx.unique()}`] } }),
  },
  'Mutation.updateSkillGroup': {
    allowed: SUPERVISORS,
    document: `mutation($name: String!, $input: SkillGroupInput!) { updateSkillGroup(name: $name, input: $input) { __typename } }`,
    variables: async (fx) => {
      const name = `matrix-${fx.unique()}`;
      await fx.asAdmin(`mutation($input: SkillGroupInput!) { createSkillGroup(input: $input) { name } }`, { input: { name, position: 9999, keywords: [`matrix${fx.unique()}`] } });
      return { name, input: { name, position: 9999, keywords: [`matrix${fx.unique()}`] } };
    },
  },
  'Mutation.deleteSkillGroup': {
    allowed: SUPERVISORS,
    document: `mutation($name: String!) { deleteSkillGroup(name: $name) }`,
    variables: async (fx) => {
      const name = `matrix-${fx.unique()}`;
      await fx.asAdmin(`mutation($input: SkillGroupInput!) { createSkillGroup(input: $input) { name } }`, { input: { name, position: 9999, keywords: [`matrix${fx.unique()}`] } });
      return { name };
    },
  },
  'Mutation.setEscalationRule': {
    allowed: SUPERVISORS,
    document: `mutation($input: EscalationRuleInput!) { setEscalationRule(input: $input) { __typename } }`,
    variables: (fx) => ({ input: { name: `matrix-${fx.unique()}`, kind: 'CHURN', team: 'SUPERVISOR', phrases: [`matrix${fx.unique()}`], enabled: false } }),
  },
  'Mutation.deleteEscalationRule': {
    allowed: SUPERVISORS,
    document: `mutation($name: String!) { deleteEscalationRule(name: $name) }`,
    variables: async (fx) => {
      const name = `matrix-${fx.unique()}`;
      await fx.asAdmin(`mutation($input: EscalationRuleInput!) { setEscalationRule(input: $input) { name } }`, { input: { name, kind: 'CHURN', team: 'SUPERVISOR', phrases: [`matrix${fx.unique()}`], enabled: false } });
      return { name };
    },
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
    document: `mutation($base: Float!) { setPriorityWeights(input: { base: $base }) { __typename } }`,
    variables: async (fx) => ({ base: (await current(fx, `{ priorityWeights { base } }`)).priorityWeights.base }), // the weights stay
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
    document: `mutation($rules: [TierRuleInput!]!) { setTierRules(rules: $rules) { __typename } }`,
    // The rules there already: written again, nothing changes.
    variables: async (fx) => ({ rules: (await current(fx, `{ tierRules { tier attribute minValue product category } }`)).tierRules }),
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
    variables: (fx) => ({ input: { channel: 'FORUM', handle: `https://forum.example.com/matrix-${fx.unique()}`, name: 'Matrix forum', monitored: false } }),
  },
  'Mutation.removeBrandChannel': {
    allowed: SUPERVISORS,
    document: `mutation($id: ID!) { removeBrandChannel(id: $id) { __typename } }`,
    variables: async (fx) => {
      const input = { channel: 'FORUM', handle: `https://forum.example.com/matrix-${fx.unique()}`, name: 'Matrix forum', monitored: false };
      return { id: (await fx.asAdmin(`mutation($input: BrandChannelInput!) { setBrandChannel(input: $input) { id } }`, { input })).setBrandChannel.id };
    },
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
    variables: (fx) => ({ input: { name: `matrix-${fx.unique()}`, text: 'Hi {firstName}, thanks for writing.' } }),
  },
  'Query.channelLengthLimits': {
    allowed: AGENTS,
    document: `{ channelLengthLimits { channel maxLength } }`,
  },
  'Mutation.setChannelLengthLimit': {
    allowed: SUPERVISORS,
    document: `mutation($maxLength: Int!) { setChannelLengthLimit(channel: LETTER, maxLength: $maxLength) { __typename } }`,
    variables: async (fx) => {
      const limits = (await current(fx, `{ channelLengthLimits { channel maxLength } }`)).channelLengthLimits as { channel: string; maxLength: number }[];
      return { maxLength: limits.find((l) => l.channel === 'LETTER')?.maxLength ?? 100000 }; // the limit stays
    },
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
    // The matrix token's subject is an agent of a skill group no item has: it claims nothing (null) and leaves the shared queue alone.
    document: `mutation { claimNextInteraction { id } }`,
    variables: async (fx) => {
      await fx.asAdmin(`mutation($input: AgentInput!) { setAgent(input: $input) { id } }`, { input: { id: fx.subject, tiers: ['NONE'], channels: ['LETTER'], skillGroups: [`matrix-none-${fx.unique()}`] } });
      return {};
    },
  },
  'Mutation.releaseInteraction': {
    allowed: AGENTS,
    document: `mutation($id: ID!) { releaseInteraction(interactionId: $id) { id } }`,
    variables: async (fx) => {
      // Held by the matrix subject (as a claim leaves it), without claiming from the shared queue.
      const { interactionId } = await fx.newInteraction();
      await fx.sql(`UPDATE interactions SET assigned_to = $2, assigned_at = now(), assignment_due_at = now() + interval '10 minutes' WHERE id = $1`, [interactionId, fx.subject]);
      return { id: interactionId };
    },
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
    // An incident of its own, on a topic nobody posts about: nobody to reach, nothing sent.
    document: `mutation($id: ID!) { notifyIncident(input: { incidentId: $id, text: "matrix" }) { id } }`,
    variables: async (fx) => ({ id: await newIncident(fx) }),
  },
  'Mutation.resolveIncident': {
    allowed: SUPERVISORS,
    document: `mutation($id: ID!) { resolveIncident(input: { incidentId: $id, text: "matrix" }) { id } }`,
    variables: async (fx) => ({ id: await newIncident(fx) }),
  },
  'Query.webhooks': {
    allowed: ['admin'],
    document: `{ webhooks { id } }`,
  },
  // An allowed call fails URL validation after the role check: no webhook is left in the shared database.
  'Mutation.registerWebhook': {
    allowed: ['admin'],
    // No delivery worker runs in tests: nothing is sent to it.
    document: `mutation { registerWebhook(input: { url: "http://127.0.0.1:9/matrix-hook", events: [TIER_CHANGED] }) { id } }`,
  },
  'Mutation.deleteWebhook': {
    allowed: ['admin'],
    document: `mutation($id: ID!) { deleteWebhook(id: $id) }`,
    variables: async (fx) => ({ id: (await fx.asAdmin(`mutation { registerWebhook(input: { url: "http://127.0.0.1:9/matrix-hook", events: [TIER_CHANGED] }) { id } }`)).registerWebhook.id }),
  },
  'Query.dataInventory': {
    allowed: ['admin'],
    document: `{ dataInventory { table column class onErasure purposes } }`,
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
    // A webhook of its own with nothing delivered yet: 0 queued again.
    document: `mutation($id: ID!) { redeliverWebhookEvents(webhookId: $id, since: "2026-01-01T00:00:00Z") }`,
    variables: async (fx) => ({ id: (await fx.asAdmin(`mutation { registerWebhook(input: { url: "http://127.0.0.1:9/matrix-hook", events: [TIER_CHANGED] }) { id } }`)).registerWebhook.id }),
  },  // Purchases (issue 27): a new customer of its own, named by id; ingest reads back ids only.
  'Mutation.recordPurchases': {
    allowed: ['ingest', 'admin'],
    document: `mutation($inputs: [PurchaseInput!]!) { recordPurchases(inputs: $inputs) { id } }`,
    variables: async (fx) => ({ inputs: [{ idempotencyKey: `matrix-${fx.unique()}`, customerId: await fx.newCustomer(), product: 'Matrix Boots', amount: 10, currency: 'EUR' }] }),
  },
  // Waiting on the customer (docs/care.md): each entry makes its own interaction or conversation.
  'Mutation.snoozeInteraction': {
    allowed: AGENTS,
    document: `mutation($id: ID!, $until: DateTime!) { snoozeInteraction(interactionId: $id, until: $until) { id } }`,
    variables: async (fx) => ({ id: (await fx.newInteraction()).interactionId, until: new Date(Date.now() + 3_600_000).toISOString() }),
  },
  'Mutation.addNote': {
    allowed: AGENTS,
    document: `mutation($id: ID!) { addNote(interactionId: $id, text: "matrix note") { id } }`,
    variables: async (fx) => ({ id: (await fx.newInteraction()).interactionId }),
  },
  'Mutation.setConversationLabels': {
    allowed: AGENTS,
    document: `mutation($id: ID!) { setConversationLabels(conversationId: $id, labels: ["matrix"]) { id } }`,
    variables: async (fx) => ({ id: (await fx.newInteraction()).conversationId }),
  },
  'Query.doNotEngageRules': {
    allowed: AGENTS,
    document: `query { doNotEngageRules { id } }`,
  },
  'Mutation.setDoNotEngageRule': {
    allowed: SUPERVISORS,
    document: `mutation($input: DoNotEngageRuleInput!) { setDoNotEngageRule(input: $input) { id } }`,
    // Switched off: a rule made by the matrix filters nobody's posts.
    variables: (fx) => ({ input: { name: `matrix-${fx.unique()}`, handles: [`matrix${fx.unique().slice(0, 8)}`], keywords: [], reason: 'matrix', active: false } }),
  },
  'Mutation.recordReplyDelivery': {
    allowed: ['ingest', 'admin'],
    document: `mutation($input: ReplyDeliveryInput!) { recordReplyDelivery(input: $input) { id } }`,
    variables: async (fx) => {
      const { interactionId } = await fx.newInteraction();
      const reply = await fx.asAdmin(`mutation($input: RespondInput!) { respondToInteraction(input: $input) { id } }`, { input: { interactionId, content: 'matrix reply' } });
      const [row] = await fx.sql(`SELECT id FROM interactions WHERE in_reply_to_id = $1 AND direction = 'OUTBOUND'`, [reply.respondToInteraction.id]);
      return { input: { interactionId: row.id, status: 'SENT', externalId: `matrix-${fx.unique()}` } };
    },
  },
  'Query.influencersOnTopic': {
    allowed: AGENTS,
    document: `query { influencersOnTopic(topic: "warranty", first: 1) { id } }`,
  },
  'Query.retentionPolicy': {
    allowed: ['admin'],
    document: `query { retentionPolicy { updatedAt } }`,
  },
  'Mutation.setRetentionPolicy': {
    allowed: ['admin'],
    document: `mutation($input: RetentionPolicyInput!) { setRetentionPolicy(input: $input) { updatedAt } }`,
    // Writes back what is there: the policy is global.
    variables: async (fx) => {
      const { retentionPolicy: p } = await current(fx, `query { retentionPolicy { closedConversationDays anonymiseInactiveCustomerDays } }`);
      return { input: p };
    },
  },
  // Identity safeguards (issue 27): blocks of values nobody else uses, keywords written back as they are.
  'Query.blockedIdentifiers': { allowed: SUPERVISORS, document: `{ blockedIdentifiers { id } }` },
  'Mutation.blockIdentifier': {
    allowed: SUPERVISORS,
    document: `mutation($input: BlockIdentifierInput!) { blockIdentifier(input: $input) { id } }`,
    variables: (fx) => ({ input: { kind: 'EMAIL', value: `matrix-${fx.unique()}@blocked.invalid`, reason: 'role matrix' } }),
  },
  'Mutation.unblockIdentifier': {
    allowed: SUPERVISORS,
    document: `mutation($id: ID!) { unblockIdentifier(id: $id) }`,
    variables: async (fx) => ({
      id: (await fx.asAdmin(`mutation($v: String!) { blockIdentifier(input: { kind: EMAIL, value: $v, reason: "role matrix" }) { id } }`,
        { v: `matrix-${fx.unique()}@blocked.invalid` })).blockIdentifier.id,
    }),
  },
  'Query.optOutKeywords': { allowed: SUPERVISORS, document: `{ optOutKeywords }` },
  'Mutation.setOptOutKeywords': {
    allowed: SUPERVISORS,
    document: `mutation($k: [String!]!) { setOptOutKeywords(keywords: $k) }`,
    variables: async (fx) => ({ k: (await current(fx, `{ optOutKeywords }`)).optOutKeywords }),
  },
  'Mutation.detachIdentifier': {
    allowed: SUPERVISORS,
    document: `mutation($input: DetachIdentifierInput!) { detachIdentifier(input: $input) { id } }`,
    variables: async (fx) => {
      const email = `matrix-${fx.unique()}@example.com`;
      const c = await fx.asAdmin(`mutation($e: [String!]!) { recordTouchpoint(input: { touchpoint: OTHER, emails: $e }) { id } }`,
        { e: [email, `matrix-${fx.unique()}@example.com`] });
      return { input: { customerId: c.recordTouchpoint.id, kind: 'EMAIL', value: email } };
    },
  },
  'Query.mergePreview': {
    allowed: SUPERVISORS,
    document: `query($a: ID!, $b: ID!) { mergePreview(survivorId: $a, mergedId: $b) { moves { table rows } } }`,
    variables: async (fx) => ({ a: await fx.newCustomer(), b: await fx.newCustomer() }),
  },
  // Issue 26: escalation worklists, SLA attainment, agents' work.
  'Query.escalations': {
    allowed: AGENTS,
    document: `{ escalations(team: SUPERVISOR, first: 1) { edges { cursor } } }`,
  },
  'Mutation.acknowledgeEscalation': {
    allowed: AGENTS,
    document: `mutation($id: ID!) { acknowledgeEscalation(id: $id) { id } }`,
    variables: async (fx) => {
      // The matrix subject serves SUPERVISOR (the fixture escalation's team) and claims nothing from the shared queue.
      await fx.asAdmin(`mutation($input: AgentInput!) { setAgent(input: $input) { id } }`,
        { input: { id: fx.subject, tiers: ['NONE'], channels: ['LETTER'], skillGroups: ['SUPERVISOR', `matrix-none-${fx.unique()}`] } });
      return { id: await fx.newEscalation() };
    },
  },
  'Query.escalationTargets': {
    allowed: AGENTS,
    document: `{ escalationTargets { team } }`,
  },
  'Mutation.setEscalationTarget': {
    allowed: SUPERVISORS,
    // The default it already has: the shared database's other tests see no change.
    document: `mutation { setEscalationTarget(input: { team: SUPERVISOR, responseMinutes: 240, businessHours: "office" }) { team } }`,
  },
  'Query.slaReport': {
    allowed: SUPERVISORS,
    document: `{ slaReport(from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z", groupBy: AGENT) { key } }`,
  },
  'Query.agentMetrics': {
    allowed: SUPERVISORS,
    document: `{ agentMetrics(from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z") { agentId } }`,
  },
  'Query.conversationMap': {
    allowed: ['supervisor', 'marketing', 'admin'],
    document: `{ conversationMap(from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z") { channel } }`,
  },
  // Issue 26, incidents by hand: a topic of its own and a town nobody lives in (nobody affected, nothing sent).
  'Mutation.openIncident': {
    allowed: SUPERVISORS,
    document: `mutation($input: OpenIncidentInput!) { openIncident(input: $input) { id } }`,
    variables: (fx) => ({ input: { topic: `matrix-${fx.unique()}`, affected: { city: `matrix-${fx.unique()}` }, message: 'matrix' } }),
  },
  'Mutation.broadcastIncident': {
    allowed: SUPERVISORS,
    document: `mutation($id: ID!) { broadcastIncident(input: { incidentId: $id, text: "matrix" }) { id } }`,
    variables: async (fx) => ({ id: await newIncident(fx) }),
  },
  // Saved segments: the purpose is bound to the role (marketing MARKETING, supervisors SERVICE).
  'Mutation.saveSegment': {
    allowed: ['marketing', 'supervisor', 'admin'],
    document: `mutation($input: SavedSegmentInput!) { saveSegment(input: $input) { id } }`,
    variables: (fx, role) => ({ input: { name: `matrix-${fx.unique()}`, filter: { country: `M${fx.unique()}` }, purpose: segmentPurpose(role) } }),
  },
  'Query.savedSegments': {
    allowed: ['marketing', 'supervisor', 'admin'],
    document: `{ savedSegments { id } }`,
  },
  'Query.savedSegment': {
    allowed: ['marketing', 'supervisor', 'admin'],
    document: `query($id: ID!) { savedSegment(id: $id) { id memberCount } }`,
    variables: async (fx, role) => ({ id: await newSavedSegment(fx, role) }),
  },
  'Mutation.deleteSegment': {
    allowed: ['marketing', 'supervisor', 'admin'],
    document: `mutation($id: ID!) { deleteSegment(id: $id) }`,
    variables: async (fx, role) => ({ id: await newSavedSegment(fx, role) }),
  },
};

const segmentPurpose = (role: Role) => (role === 'supervisor' ? 'SERVICE' : 'MARKETING');

/** A saved segment (of no one) of the purpose `role` may use, saved by an admin. */
async function newSavedSegment(fx: MatrixFixtures, role: Role): Promise<string> {
  const saved = await fx.asAdmin(`mutation($input: SavedSegmentInput!) { saveSegment(input: $input) { id } }`, {
    input: { name: `matrix-${fx.unique()}`, filter: { country: `M${fx.unique()}` }, purpose: segmentPurpose(role) },
  });
  return saved.saveSegment.id as string;
}

async function newIncident(fx: MatrixFixtures): Promise<string> {
  const rows = await fx.sql(
    `INSERT INTO care_incidents (topic, rule_name, window_minutes, trigger_posts, opened_at) VALUES ($1, 'matrix', 60, 1, now()) RETURNING id`,
    [`matrix-${fx.unique()}`],
  );
  return rows[0].id as string;
}

/** The fixtures of a matrix run on `app` (the role matrix and the generated field rules share them). */
export async function matrixFixtures(app: TestApp): Promise<MatrixFixtures> {
  const newCustomer = async () => (await createCustomer(app.pool, { emails: [`matrix-${randomUUID().slice(0, 8)}@example.com`], interactions: [{ channel: 'TWITTER' }] })).id;
  const asAdmin = async (document: string, variables?: Record<string, unknown>) => {
    const res = await app.gql(document, variables, ['admin']);
    if (res.errors) throw new Error(`matrix fixture failed: ${JSON.stringify(res.errors)}`);
    return res.data!;
  };
  const fixtures: MatrixFixtures = {
    customerId: await newCustomer(),
    unique: () => randomUUID().slice(0, 12),
    newCustomer,
    async newSocialIdentity() {
      return (await createCustomer(app.pool, { handles: [{ platform: 'TWITTER', handle: `matrix${randomUUID().slice(0, 8)}` }] })).socialIdentityIds[0];
    },
    async newInteraction() {
      const c = await createCustomer(app.pool, { interactions: [{ channel: 'TWITTER' }] });
      const { rows } = await app.pool.query(`SELECT conversation_id AS "conversationId" FROM interactions WHERE id = $1`, [c.interactionIds[0]]);
      return { interactionId: c.interactionIds[0], conversationId: rows[0].conversationId as string };
    },
    async newEscalation() {
      const { interactionId } = await fixtures.newInteraction();
      const data = await asAdmin(`mutation($input: EscalateInput!) { escalateInteraction(input: $input) { id } }`, { input: { interactionId, team: 'SUPERVISOR', reason: 'matrix fixture' } });
      return data.escalateInteraction.id as string;
    },
    async newMerge() {
      const data = await asAdmin(`mutation($a: ID!, $b: ID!) { mergeCustomers(survivorId: $a, mergedId: $b) { id } }`, { a: await newCustomer(), b: await newCustomer() });
      return data.mergeCustomers.id as string;
    },
    asAdmin,
    sql: async (text, values) => (await app.pool.query(text, values)).rows,
    subject: 'test-user',
  };
  return fixtures;
}
