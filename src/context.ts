import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { AuditService } from './audit';
import type { DenialRecorder, TokenVerifier, Viewer } from './auth';
import type { ContainerType } from 'type-graphql';
import { RESOLVER_INSTANCES, resolverContainer } from './schema';
import { createCustomerLoaders, CustomerService, createTierLoaders, TierService } from './customers';
import { CustomerLookupService, createConsentLoaders, createIdentityLoaders, ConsentService, DuplicateCandidateService, createIdentityHistoryLoaders, MergeService, TouchpointService, IdentityRulesService, DetachService, MergePreviewService } from './identities';
import { requestError } from './graphql';
import { PrivacyService, RetentionService } from './privacy';
import { SegmentService, IncidentAudienceService, SavedSegmentService, createSavedSegmentLoaders } from './segments';
import { createInfluenceLoaders, InfluenceService, recomputeWith, PrioritySettingsService } from './influence';
import { createInteractionLoaders } from './interactions';
import { CareRulesService, createCareLoaders, CareDeskService, IngestService, CareQueueService, createBrandChannelLoaders, BrandChannelService, ResponseTemplateService, AgentService, createAgentLoaders, IncidentService, createIncidentLoaders, EscalationWorklistService, SnoozeService, InteractionNoteService, createNoteLoaders, ConversationLabelService, DoNotEngageService, ReplyDeliveryService } from './care';
import { Coalescer } from './common';
import { ServiceMetricsService, CareReportService, HandoffMetricsService } from './analytics';
import type { Logger } from './logger';
import { Customer360Service, NodeService } from './customer360';
import { createPurchaseLoaders, PurchaseService } from './purchases';
import { WebhookService, SecretBox } from './webhooks';
import type { UrlPolicy } from './webhooks';
import type { LiveHandle } from './events';

/** Every per-request DataLoader, by `<entity>By<Key>`. */
export function createLoaders(pool: Pool) {
  return {
    ...createCustomerLoaders(pool),
    ...createIdentityLoaders(pool),
    ...createConsentLoaders(pool),
    ...createInteractionLoaders(pool),
    ...createInfluenceLoaders(pool),
    ...createTierLoaders(pool),
    ...createIdentityHistoryLoaders(pool),
    ...createCareLoaders(pool),
    ...createBrandChannelLoaders(pool),
    ...createAgentLoaders(pool),
    ...createIncidentLoaders(pool),
    ...createNoteLoaders(pool),
    ...createPurchaseLoaders(pool),
    ...createSavedSegmentLoaders(pool),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;

/** Stateless services, built once per app; resolvers get theirs as constructor arguments (src/schema.ts). */
export function createServices(
  { dataSource, pool }: { dataSource: DataSource; pool: Pool },
  options: { defaultPhoneRegion: string; logger?: Logger; compiledReads?: boolean; webhooks?: { secrets: SecretBox; policy: UrlPolicy } },
) {
  const careRules = new CareRulesService(pool);
  const careDesk = new CareDeskService(dataSource);
  const identityRules = new IdentityRulesService(dataSource, pool, options.defaultPhoneRegion);
  const ingest = new IngestService(dataSource, careRules, options.defaultPhoneRegion, identityRules);
  const touchpoints = new TouchpointService(dataSource, options.defaultPhoneRegion, (m, customerIds) => recomputeWith(m, customerIds, new Date()), identityRules);
  const incidents = new IncidentService(dataSource, pool, careDesk);
  const customers = new CustomerService(pool);
  return {
    customers,
    customerLookup: new CustomerLookupService(pool, options.defaultPhoneRegion),
    touchpoints,
    /** recordTouchpoint: concurrent single calls written together (one per app: it holds the waiting calls). */
    touchpointCoalescer: new Coalescer(touchpoints),
    merges: new MergeService(dataSource),
    duplicates: new DuplicateCandidateService(pool),
    consents: new ConsentService(dataSource),
    segments: new SegmentService(pool),
    privacy: new PrivacyService(dataSource),
    careRules,
    ingest,
    /** recordInteraction: concurrent single calls written together (one per app: it holds the waiting calls). */
    recordCoalescer: new Coalescer(ingest),
    careDesk,
    influence: new InfluenceService(dataSource),
    tiers: new TierService(dataSource),
    prioritySettings: new PrioritySettingsService(dataSource, pool),
    careQueue: new CareQueueService(pool),
    serviceMetrics: new ServiceMetricsService(pool),
    audit: new AuditService(pool, options.logger),
    brandChannels: new BrandChannelService(pool, options.defaultPhoneRegion),
    responseTemplates: new ResponseTemplateService(dataSource, pool),
    customer360: new Customer360Service(pool, customers, { compiled: options.compiledReads ?? true }),
    agents: new AgentService(dataSource, pool),
    escalationWorklists: new EscalationWorklistService(dataSource, pool),
    careReports: new CareReportService(pool),
    nodes: new NodeService(pool, incidents),
    identityRules,
    detaches: new DetachService(dataSource, options.defaultPhoneRegion),
    mergePreviews: new MergePreviewService(pool),
    purchases: new PurchaseService(dataSource, options.defaultPhoneRegion),
    incidents,
    incidentAudience: new IncidentAudienceService(incidents),
    webhooks: new WebhookService(
      dataSource,
      pool,
      options.webhooks?.secrets ?? new SecretBox(randomBytes(32)),
      options.webhooks?.policy ?? { allowPrivate: false, requireHttps: true },
    ),
    snooze: new SnoozeService(dataSource),
    notes: new InteractionNoteService(dataSource),
    conversationLabels: new ConversationLabelService(pool),
    handoffMetrics: new HandoffMetricsService(pool),
    doNotEngage: new DoNotEngageService(dataSource),
    replyDelivery: new ReplyDeliveryService(dataSource),
    retention: new RetentionService(dataSource),
    savedSegments: new SavedSegmentService(pool),
  };
}
export type Services = ReturnType<typeof createServices>;

export interface RequestContext {
  readonly viewer: Viewer;
  readonly requestId: string;
  readonly loaders: Loaders;
  /** Writes a refusal as ACCESS_DENIED (the app's AuditService; src/auth/auth-checker.ts refuse). */
  readonly recordDenied: DenialRecorder;
  /** Size of the raw request body (the limits allow more only for bulk operations). */
  readonly bodyBytes: number;
  /** Subscriptions over WebSocket only: the connection's feed of committed events (src/events/live-feed.ts). */
  readonly live?: LiveHandle<Loaders>;
}

export interface ContextDeps {
  pool: Pool;
  /** The app's resolver instances (src/schema.ts resolverContainer), for type-graphql; no resolver reads them. */
  resolvers: ContainerType;
  recordDenied: DenialRecorder;
  verifyToken: TokenVerifier;
}

/** What the contexts of one set of services are built from: their resolver instances and their audit log's refusal writer. */
export function contextDeps(pool: Pool, services: Services, verifyToken: TokenVerifier): ContextDeps {
  return { pool, resolvers: resolverContainer(services), recordDenied: (denial) => services.audit.recordDenied(denial), verifyToken };
}

/**
 * The one place that builds a request's context: the viewer from the bearer token
 * (UNAUTHENTICATED without a valid one), fresh loaders, and the request id.
 */
export async function buildContext(
  deps: ContextDeps,
  headers: IncomingHttpHeaders,
  requestId: string = randomUUID(),
  bodyBytes = 0,
): Promise<RequestContext> {
  const header = headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) throw requestError('UNAUTHENTICATED', 'a bearer token is required (Authorization: Bearer <JWT>)');
  let viewer: Viewer;
  try {
    viewer = await deps.verifyToken(match[1]);
  } catch (error) {
    throw requestError('UNAUTHENTICATED', `invalid token: ${error instanceof Error ? error.message : 'rejected'}`);
  }
  const context: RequestContext = { viewer, requestId, loaders: createLoaders(deps.pool), recordDenied: deps.recordDenied, bodyBytes };
  return Object.assign(context, { [RESOLVER_INSTANCES]: deps.resolvers });
}
