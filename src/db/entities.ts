import { CustomerEntity } from '../customers/customer.entity';
import { TierChangeEntity } from '../customers/tier-change.entity';
import { ConsentEventEntity } from '../identities/consent-event.entity';
import { ContactPointEntity } from '../identities/contact-point.entity';
import { SocialIdentityEntity } from '../identities/social-identity.entity';
import { InfluenceScoreEntity } from '../influence/influence-score.entity';
import { ConversationEntity } from '../interactions/conversation.entity';
import { EscalationEntity } from '../interactions/escalation.entity';
import { InteractionEntity } from '../interactions/interaction.entity';
import { CustomerMergeEntity } from '../identities/customer-merge.entity';
import { TouchpointEventEntity } from '../identities/touchpoint-event.entity';

/** Every TypeORM entity; the tables themselves come from migrations/. */
export const entities = [
  CustomerEntity,
  TierChangeEntity,
  ContactPointEntity,
  SocialIdentityEntity,
  ConsentEventEntity,
  ConversationEntity,
  InteractionEntity,
  EscalationEntity,
  InfluenceScoreEntity,
  TouchpointEventEntity,
  CustomerMergeEntity,
];
