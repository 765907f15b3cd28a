import { CoreModel1795622400000 } from './1795622400000-CoreModel';
import { IdentityAudit1795630000000 } from './1795630000000-IdentityAudit';
import { ConsentSegments1795640000000 } from './1795640000000-ConsentSegments';
import { CareWorkflow1795650000000 } from './1795650000000-CareWorkflow';
import { InfluencePriorityQueue1795660000000 } from './1795660000000-InfluencePriorityQueue';
import { AuditLog1795670000000 } from './1795670000000-AuditLog';
import { QueueActionableOnly1795680000000 } from './1795680000000-QueueActionableOnly';
import { IngestPrecomputedPriority1795690000000 } from './1795690000000-IngestPrecomputedPriority';
import { InlinableQueueKey1795700000000 } from './1795700000000-InlinableQueueKey';
import { SetBasedRequeue1795710000000 } from './1795710000000-SetBasedRequeue';
import { OneChurnRule1795720000000 } from './1795720000000-OneChurnRule';
import { OutboxWebhooks1795730000000 } from './1795730000000-OutboxWebhooks';
import { IdempotencyKeys1795740000000 } from './1795740000000-IdempotencyKeys';
import { TouchpointOccurredAt1795741000000 } from './1795741000000-TouchpointOccurredAt';
import { NormaliseTopics1795742000000 } from './1795742000000-NormaliseTopics';
import { ConsentLedgerImmutable1795743000000 } from './1795743000000-ConsentLedgerImmutable';
import { BrandSide1795750000000 } from './1795750000000-BrandSide';
import { IncidentsAndAgents1795760000000 } from './1795760000000-IncidentsAndAgents';
import { SharedRateLimits1795770000000 } from './1795770000000-SharedRateLimits';
import { OutboxPruneIndex1795810000000 } from './1795810000000-OutboxPruneIndex';
import { OutboxNotifyQueued1795820000000 } from './1795820000000-OutboxNotifyQueued';
import { IncidentPostsWithoutRowChecks1795821000000 } from './1795821000000-IncidentPostsWithoutRowChecks';
import { ClaimInOneStatement1795830000000 } from './1795830000000-ClaimInOneStatement';
import { InsertTriggersOnlyWhenNeeded1795840000000 } from './1795840000000-InsertTriggersOnlyWhenNeeded';
import { AccessDeniedWindows1795850000000 } from './1795850000000-AccessDeniedWindows';
import { WebhookPurpose1795870000000 } from './1795870000000-WebhookPurpose';
import { ConsentAtTheRead1795890000000 } from './1795890000000-ConsentAtTheRead';
import { ConsentEffectiveAt1795891000000 } from './1795891000000-ConsentEffectiveAt';
import { CareRulesVersion1795910000000 } from './1795910000000-CareRulesVersion';
import { OneQueueRule1795920000000 } from './1795920000000-OneQueueRule';
import { EscalationWorklists1796100000000 } from './1796100000000-EscalationWorklists';
import { WaitingOnTheCustomer1796200000000 } from './1796200000000-WaitingOnTheCustomer';
import { DoNotEngageAndReplyDelivery1796300000000 } from './1796300000000-DoNotEngageAndReplyDelivery';
import { IncidentsByHand1796400000000 } from './1796400000000-IncidentsByHand';
import { Purchases1796500000000 } from './1796500000000-Purchases';
import { FollowerHistoryAndRetention1796600000000 } from './1796600000000-FollowerHistoryAndRetention';
import { SavedSegments1796700000000 } from './1796700000000-SavedSegments';
import { IdentitySafeguards1796800000000 } from './1796800000000-IdentitySafeguards';
import { SegmentsFollowPurchases1797000000000 } from './1797000000000-SegmentsFollowPurchases';
import { QueueRuleOfTheCareWeek1797000000001 } from './1797000000001-QueueRuleOfTheCareWeek';
import { CheaperEventTypeChecks1797300000000 } from './1797300000000-CheaperEventTypeChecks';

/** Every migration, oldest first. A test checks that each file in this folder is listed. */
export const migrations = [
  CoreModel1795622400000,
  IdentityAudit1795630000000,
  ConsentSegments1795640000000,
  CareWorkflow1795650000000,
  InfluencePriorityQueue1795660000000,
  AuditLog1795670000000,
  QueueActionableOnly1795680000000,
  IngestPrecomputedPriority1795690000000,
  InlinableQueueKey1795700000000,
  SetBasedRequeue1795710000000,
  OneChurnRule1795720000000,
  OutboxWebhooks1795730000000,
  IdempotencyKeys1795740000000,
  TouchpointOccurredAt1795741000000,
  NormaliseTopics1795742000000,
  ConsentLedgerImmutable1795743000000,
  BrandSide1795750000000,
  IncidentsAndAgents1795760000000,
  SharedRateLimits1795770000000,
  OutboxPruneIndex1795810000000,
  OutboxNotifyQueued1795820000000,
  IncidentPostsWithoutRowChecks1795821000000,
  ClaimInOneStatement1795830000000,
  InsertTriggersOnlyWhenNeeded1795840000000,
  AccessDeniedWindows1795850000000,
  WebhookPurpose1795870000000,
  ConsentAtTheRead1795890000000,
  ConsentEffectiveAt1795891000000,
  CareRulesVersion1795910000000,
  OneQueueRule1795920000000,
  EscalationWorklists1796100000000,
  WaitingOnTheCustomer1796200000000,
  DoNotEngageAndReplyDelivery1796300000000,
  IncidentsByHand1796400000000,
  Purchases1796500000000,
  FollowerHistoryAndRetention1796600000000,
  SavedSegments1796700000000,
  IdentitySafeguards1796800000000,
  SegmentsFollowPurchases1797000000000,
  QueueRuleOfTheCareWeek1797000000001,
  CheaperEventTypeChecks1797300000000,
];
