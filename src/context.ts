import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { AuditService } from './audit';
import type { TokenVerifier, Viewer } from './auth';
import { createCustomerLoaders } from './customers';
import { CustomerService } from './customers';
import { createTierLoaders } from './customers';
import { TierService } from './customers';
import { CustomerLookupService } from './identities';
import { requestError } from './graphql';
import { createConsentLoaders } from './identities';
import { createIdentityLoaders } from './identities';
import { ConsentService } from './identities';
import { PrivacyService } from './privacy';
import { SegmentService } from './segments';
import { createInfluenceLoaders } from './influence';
import { createInteractionLoaders } from './interactions';
import { DuplicateCandidateService } from './identities';
import { createIdentityHistoryLoaders } from './identities';
import { MergeService } from './identities';
import { TouchpointService } from './identities';
import { CareRulesService } from './care';
import { createCareLoaders } from './care';
import { CareDeskService } from './care';
import { IngestService } from './care';
import { IdentityRulesService } from './identities';
import { DetachService } from './identities';
import { MergePreviewService } from './identities';
import { Coalescer } from './common';
import { ServiceMetricsService } from './analytics';
import { CareQueueService } from './care';
import { InfluenceService, recomputeWith } from './influence';
import { PrioritySettingsService } from './influence';
import type { Logger } from './logger';
import { createBrandChannelLoaders } from './care';
import { BrandChannelService } from './care';
import { ResponseTemplateService } from './care';
import { Customer360Service } from './customer360';
import { AgentService } from './care';
import { createAgentLoaders } from './care';
import { IncidentService } from './care';
import { createIncidentLoaders } from './care';
import { createPurchaseLoaders } from './purchases';
import { PurchaseService } from './purchases';
import { EscalationWorklistService } from './care';
import { CareReportService } from './analytics';
import { IncidentAudienceService } from './segments';
import { WebhookService } from './webhooks';
import { SecretBox } from './webhooks';
import type { UrlPolicy } from './webhooks';
import type { LiveHandle } from './events';
import { NodeService } from './customer360';
import { SnoozeService } from './care';
import { InteractionNoteService } from './care';
import { createNoteLoaders } from './care';
import { ConversationLabelService } from './care';
import { HandoffMetricsService } from './analytics';
import { DoNotEngageService } from './care';
import { ReplyDeliveryService } from './care';
import { RetentionService } from './privacy';
import { SavedSegmentService } from './segments';
import { createSavedSegmentLoaders } from './segments';

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

/** Stateless services, built once per app. */
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
  return {
    customers: new CustomerService(pool),
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
    customer360: new Customer360Service(pool, { compiled: options.compiledReads ?? true }),
    agents: new AgentService(dataSource, pool),
    escalationWorklists: new EscalationWorklistService(dataSource, pool),
    careReports: new CareReportService(pool),
    nodes: new NodeService(pool),
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
  readonly services: Services;
  /** Size of the raw request body (the limits allow more only for bulk operations). */
  readonly bodyBytes: number;
  /** Subscriptions over WebSocket only: the connection's feed of committed events (src/events/live-feed.ts). */
  readonly live?: LiveHandle<Loaders>;
}

export interface ContextDeps {
  pool: Pool;
  services: Services;
  verifyToken: TokenVerifier;
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
  return { viewer, requestId, loaders: createLoaders(deps.pool), services: deps.services, bodyBytes };
}
