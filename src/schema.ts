import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { authChecker } from './auth/auth-checker';
import { applyFieldRules } from './auth/field-guard';
import { applyArgumentGuard } from './graphql/argument-guard';
import { CustomerResolver } from './customers/customer.resolver';
import { ContactPointResolver, SocialIdentityResolver } from './identities/identity.resolver';
import { CustomerInfluenceResolver } from './influence/customer-influence.resolver';
import { CustomerInteractionsResolver } from './interactions/customer-interactions.resolver';
import { ConversationResolver, EscalationResolver, InteractionResolver } from './interactions/interaction.resolver';
import { CustomerIdentityResolver } from './identities/customer-identity.resolver';
import { DuplicateCandidateResolver } from './identities/duplicate-candidates.resolver';
import { MergeResolver } from './identities/merge.resolver';
import { TouchpointResolver } from './identities/touchpoint.resolver';
import { ConsentResolver } from './identities/consent.resolver';
import { SegmentResolver } from './segments/segment.resolver';
import { IncidentAudienceResolver } from './segments/incident-audience.resolver';
import { PrivacyResolver } from './privacy/privacy.resolver';
import { CareRulesResolver } from './care/rules/care-rules.resolver';
import { CareDeskResolver, ConversationCareResolver, EscalationCareResolver, InteractionCareResolver } from './care/desk/care-desk.resolver';
import { AuditResolver } from './audit/audit.resolver';
import './graphql/enums';
import { ServiceMetricsResolver } from './analytics/service-metrics.resolver';
import { CareQueueResolver } from './care/desk/care-queue.resolver';
import { InfluenceResolver } from './influence/influence.resolver';
import { PriorityWeightsResolver } from './influence/priority.resolver';
import { TierResolver } from './customers/tier.resolver';
import { BrandChannelResolver, InteractionBrandSideResolver } from './care/brand/brand-channel.resolver';
import { ResponseTemplateResolver } from './care/brand/response-template.resolver';
import { AgentResolver, InteractionAssignmentResolver } from './care/desk/agent.resolver';
import { IncidentPosterResolver, IncidentResolver } from './care/incidents/incident.resolver';
import { EscalationWorklistResolver } from './care/escalations/escalation-worklist.resolver';
import { CareReportResolver } from './analytics/care-report.resolver';
import { WebhookResolver } from './webhooks/webhook.resolver';
import './events/event-types';
import { CareLiveResolver } from './care/desk/care-live.resolver';
import { CustomerActivityResolver } from './interactions/customer-activity.resolver';
import { NodeResolver } from './customer360/node.resolver';
import { CareWaitingResolver, InteractionNotesResolver } from './care/desk/care-waiting.resolver';
import { HandoffMetricsResolver } from './analytics/handoff-metrics.resolver';
import { DoNotEngageResolver, InteractionDeliveryResolver } from './care/brand/do-not-engage.resolver';
import { RetentionResolver } from './privacy/retention.resolver';
import { IdentitySafeguardsResolver, MergePreviewResolver } from './identities/identity-safeguards.resolver';
import { CustomerPurchasesResolver, PurchaseResolver } from './purchases/purchase.resolver';
import { SavedSegmentResolver } from './segments/saved-segment.resolver';

/** Every resolver class of the API. */
export const resolvers: NonEmptyArray<Function> = [
  CustomerResolver,
  CustomerInfluenceResolver,
  CustomerInteractionsResolver,
  InteractionResolver,
  ConversationResolver,
  EscalationResolver,
  SocialIdentityResolver,
  ContactPointResolver,
  TouchpointResolver,
  MergeResolver,
  DuplicateCandidateResolver,
  CustomerIdentityResolver,
  ConsentResolver,
  SegmentResolver,
  PrivacyResolver,
  CareRulesResolver,
  CareDeskResolver,
  InteractionCareResolver,
  ConversationCareResolver,
  EscalationCareResolver,
  InfluenceResolver,
  TierResolver,
  PriorityWeightsResolver,
  CareQueueResolver,
  ServiceMetricsResolver,
  AuditResolver,
  BrandChannelResolver,
  InteractionBrandSideResolver,
  ResponseTemplateResolver,
  AgentResolver,
  InteractionAssignmentResolver,
  IncidentResolver,
  IncidentPosterResolver,
  EscalationWorklistResolver,
  CareReportResolver,
  IncidentAudienceResolver,
  WebhookResolver,
  CareLiveResolver,
  CustomerActivityResolver,
  NodeResolver,
  CareWaitingResolver,
  InteractionNotesResolver,
  HandoffMetricsResolver,
  DoNotEngageResolver,
  InteractionDeliveryResolver,
  RetentionResolver,
  IdentitySafeguardsResolver,
  MergePreviewResolver,
  PurchaseResolver,
  CustomerPurchasesResolver,
  SavedSegmentResolver,
];

let built: Promise<GraphQLSchema> | undefined;

/** Subscriptions stream from the outbox (their own `subscribe`, src/events/live-feed.ts); no topic-based PubSub is used. */
const NO_TOPICS = {
  publish(): void {
    throw new Error('no topic PubSub: events are published through the outbox');
  },
  subscribe(): never {
    throw new Error('no topic PubSub: subscriptions stream from the outbox');
  },
};

/** The executable schema, built once per process from the decorated classes. */
export function buildAppSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({ resolvers, authChecker, authMode: 'error', validate: false, pubSub: NO_TOPICS }).then((schema) => applyFieldRules(applyArgumentGuard(schema)));
  return built;
}

/**
 * The app's schema plus more resolver classes, built fresh: for tests that need a field the
 * product does not have (e.g. a role-gated probe field on a live payload type).
 */
export function buildAppSchemaWith(extra: Function[]): Promise<GraphQLSchema> {
  return buildSchema({ resolvers: [...resolvers, ...extra] as NonEmptyArray<Function>, authChecker, authMode: 'error', validate: false, pubSub: NO_TOPICS }).then((schema) => applyFieldRules(applyArgumentGuard(schema)));
}
