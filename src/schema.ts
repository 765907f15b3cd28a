import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { authChecker } from './auth';
import { applyFieldRules } from './auth';
import { applyArgumentGuard } from './graphql';
import { CustomerResolver } from './customers';
import { ContactPointResolver, SocialIdentityResolver } from './identities';
import { CustomerInfluenceResolver } from './influence';
import { CustomerInteractionsResolver } from './interactions';
import { ConversationResolver, EscalationResolver, InteractionResolver } from './interactions';
import { CustomerIdentityResolver } from './identities';
import { DuplicateCandidateResolver } from './identities';
import { MergeResolver } from './identities';
import { TouchpointResolver } from './identities';
import { ConsentResolver } from './identities';
import { SegmentResolver } from './segments';
import { IncidentAudienceResolver } from './segments';
import { PrivacyResolver } from './privacy';
import { CareRulesResolver } from './care';
import { CareDeskResolver, ConversationCareResolver, EscalationCareResolver, InteractionCareResolver } from './care';
import { AuditResolver } from './audit';
import './graphql';
import { ServiceMetricsResolver } from './analytics';
import { CareQueueResolver } from './care';
import { InfluenceResolver } from './influence';
import { PriorityWeightsResolver } from './influence';
import { TierResolver } from './customers';
import { BrandChannelResolver, InteractionBrandSideResolver } from './care';
import { ResponseTemplateResolver } from './care';
import { AgentResolver, InteractionAssignmentResolver } from './care';
import { IncidentPosterResolver, IncidentResolver } from './care';
import { EscalationWorklistResolver } from './care';
import { CareReportResolver } from './analytics';
import { WebhookResolver } from './webhooks';
import './events';
import { CareLiveResolver } from './care';
import { CustomerActivityResolver } from './interactions';
import { NodeResolver } from './customer360';
import { CareWaitingResolver, InteractionNotesResolver } from './care';
import { HandoffMetricsResolver } from './analytics';
import { DoNotEngageResolver, InteractionDeliveryResolver } from './care';
import { RetentionResolver } from './privacy';
import { IdentitySafeguardsResolver, MergePreviewResolver } from './identities';
import { CustomerPurchasesResolver, PurchaseResolver } from './purchases';
import { SavedSegmentResolver } from './segments';

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
