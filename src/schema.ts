import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type ContainerType, type NonEmptyArray, type ResolverData } from 'type-graphql';
import type { Services } from './context';
import { authChecker, applyFieldRules, type PurposeCheck } from './auth';
import { applyArgumentGuard } from './graphql';
import { CustomerResolver, TierResolver } from './customers';
import { ContactPointResolver, SocialIdentityResolver, CustomerIdentityResolver, DuplicateCandidateResolver, MergeResolver, TouchpointResolver, ConsentResolver, IdentitySafeguardsResolver, MergePreviewResolver } from './identities';
import { CustomerInfluenceResolver, InfluenceResolver, PriorityWeightsResolver } from './influence';
import { CustomerInteractionsResolver, ConversationResolver, EscalationResolver, InteractionResolver, CustomerActivityResolver } from './interactions';
import { SegmentResolver, IncidentAudienceResolver, SavedSegmentResolver } from './segments';
import { PrivacyResolver, RetentionResolver } from './privacy';
import { CareRulesResolver, CareDeskResolver, ConversationCareResolver, EscalationCareResolver, InteractionCareResolver, IntakeResolver, CareQueueResolver, BrandChannelResolver, InteractionBrandSideResolver, ResponseTemplateResolver, AgentResolver, InteractionAssignmentResolver, IncidentPosterResolver, IncidentResolver, EscalationWorklistResolver, CareLiveResolver, CareWaitingResolver, InteractionNotesResolver, DoNotEngageResolver, InteractionDeliveryResolver } from './care';
import { AuditResolver } from './audit';
import './graphql';
import { ServiceMetricsResolver, CareReportResolver, HandoffMetricsResolver } from './analytics';
import { WebhookResolver } from './webhooks';
import './events';
import { NodeResolver } from './customer360';
import { CustomerPurchasesResolver, PurchaseResolver } from './purchases';

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
  IntakeResolver,
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

/**
 * How the composition builds each resolver class whose constructor takes services: exactly the
 * services it calls (no resolver reaches a service any other way, so the layering check sees each
 * call as an import of the resolver's file). A class not listed takes no arguments.
 */
const BUILT_FROM_SERVICES = new Map<Function, (s: Services) => object>([
  [CustomerResolver, (s) => new CustomerResolver(s.customer360)],
  [CustomerInfluenceResolver, (s) => new CustomerInfluenceResolver(s.prioritySettings)],
  [TouchpointResolver, (s) => new TouchpointResolver(s.touchpointCoalescer, s.touchpoints)],
  [MergeResolver, (s) => new MergeResolver(s.merges)],
  [DuplicateCandidateResolver, (s) => new DuplicateCandidateResolver(s.duplicates)],
  [CustomerIdentityResolver, (s) => new CustomerIdentityResolver(s.customerLookup, s.customer360)],
  [ConsentResolver, (s) => new ConsentResolver(s.consents)],
  [SegmentResolver, (s) => new SegmentResolver(s.segments)],
  [PrivacyResolver, (s) => new PrivacyResolver(s.privacy)],
  [CareRulesResolver, (s) => new CareRulesResolver(s.careRules)],
  [CareDeskResolver, (s) => new CareDeskResolver(s.careDesk)],
  [IntakeResolver, (s) => new IntakeResolver(s.recordCoalescer, s.ingest)],
  [InfluenceResolver, (s) => new InfluenceResolver(s.influence, s.customer360)],
  [TierResolver, (s) => new TierResolver(s.tiers)],
  [PriorityWeightsResolver, (s) => new PriorityWeightsResolver(s.prioritySettings)],
  [CareQueueResolver, (s) => new CareQueueResolver(s.careQueue, s.customer360)],
  [ServiceMetricsResolver, (s) => new ServiceMetricsResolver(s.serviceMetrics)],
  [AuditResolver, (s) => new AuditResolver(s.audit)],
  [BrandChannelResolver, (s) => new BrandChannelResolver(s.brandChannels)],
  [ResponseTemplateResolver, (s) => new ResponseTemplateResolver(s.responseTemplates)],
  [AgentResolver, (s) => new AgentResolver(s.agents)],
  [IncidentResolver, (s) => new IncidentResolver(s.incidents)],
  [EscalationWorklistResolver, (s) => new EscalationWorklistResolver(s.escalationWorklists)],
  [CareReportResolver, (s) => new CareReportResolver(s.careReports)],
  [IncidentAudienceResolver, (s) => new IncidentAudienceResolver(s.incidentAudience)],
  [WebhookResolver, (s) => new WebhookResolver(s.webhooks)],
  [NodeResolver, (s) => new NodeResolver(s.nodes)],
  [CareWaitingResolver, (s) => new CareWaitingResolver(s.snooze, s.notes, s.conversationLabels)],
  [HandoffMetricsResolver, (s) => new HandoffMetricsResolver(s.handoffMetrics)],
  [DoNotEngageResolver, (s) => new DoNotEngageResolver(s.doNotEngage, s.replyDelivery)],
  [RetentionResolver, (s) => new RetentionResolver(s.retention)],
  [IdentitySafeguardsResolver, (s) => new IdentitySafeguardsResolver(s.identityRules, s.detaches, s.mergePreviews)],
  [PurchaseResolver, (s) => new PurchaseResolver(s.purchases)],
  [SavedSegmentResolver, (s) => new SavedSegmentResolver(s.savedSegments, s.segments)],
]);

/**
 * Where a request's context keeps its app's resolver instances. A symbol of this composition file:
 * no folder below can name it (dependency-cruiser refuses their runtime imports of src/schema.ts),
 * so the instances are no locator a resolver could reach into.
 */
export const RESOLVER_INSTANCES = Symbol('resolver instances');

/**
 * The resolver instances of one set of services (an app has two: HTTP and live reads, each on its
 * own pool), as type-graphql's container. Any other class (one with no constructor arguments, or
 * a test's extra probe resolver) is built with no arguments, once.
 */
export function resolverContainer(services: Services): ContainerType {
  const instances = new Map<Function, object>([...BUILT_FROM_SERVICES].map(([type, build]) => [type, build(services)]));
  return {
    get(type: new () => object) {
      let instance = instances.get(type);
      if (!instance) instances.set(type, (instance = new type()));
      return instance;
    },
  };
}

/** type-graphql asks per resolver call: the instances of the app whose context this is (src/context.ts buildContext). */
function containerOf({ context }: ResolverData<object>): ContainerType {
  const container = (context as { [RESOLVER_INSTANCES]?: ContainerType })[RESOLVER_INSTANCES];
  if (!container) throw new Error('a context without resolver instances: build it with buildContext (src/context.ts)');
  return container;
}

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

/** The field guard's consent check (a declared purpose): identities' per-request loader, batched over the response. */
const grantedNowByLoader: PurposeCheck = (context, customerId, purpose) => context.loaders.grantedNowByCustomerId.load({ customerId, purpose });

/** The executable schema, built once per process from the decorated classes. */
export function buildAppSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({ resolvers, container: containerOf, authChecker, authMode: 'error', validate: false, pubSub: NO_TOPICS }).then((schema) => applyFieldRules(applyArgumentGuard(schema), grantedNowByLoader));
  return built;
}

/**
 * The app's schema plus more resolver classes, built fresh: for tests that need a field the
 * product does not have (e.g. a role-gated probe field on a live payload type).
 */
export function buildAppSchemaWith(extra: Function[]): Promise<GraphQLSchema> {
  return buildSchema({ resolvers: [...resolvers, ...extra] as NonEmptyArray<Function>, container: containerOf, authChecker, authMode: 'error', validate: false, pubSub: NO_TOPICS }).then((schema) => applyFieldRules(applyArgumentGuard(schema), grantedNowByLoader));
}
