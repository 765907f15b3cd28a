import { registerEnumType } from 'type-graphql';

// Names and values are fixed by shared/design/api-contract.graphql.

export enum Tier { PLATINUM = 'PLATINUM', GOLD = 'GOLD', SILVER = 'SILVER', BRONZE = 'BRONZE', NONE = 'NONE' }
export enum Platform {
  TWITTER = 'TWITTER', FACEBOOK = 'FACEBOOK', INSTAGRAM = 'INSTAGRAM', YOUTUBE = 'YOUTUBE', LINKEDIN = 'LINKEDIN',
  TIKTOK = 'TIKTOK', PINTEREST = 'PINTEREST', FORUM = 'FORUM', BLOG = 'BLOG', REVIEW_SITE = 'REVIEW_SITE',
  WHATSAPP = 'WHATSAPP', OTHER = 'OTHER',
}
export enum Channel {
  PHONE = 'PHONE', EMAIL = 'EMAIL', CHAT = 'CHAT', SMS = 'SMS', IN_STORE = 'IN_STORE', LETTER = 'LETTER',
  TWITTER = 'TWITTER', FACEBOOK = 'FACEBOOK', INSTAGRAM = 'INSTAGRAM', YOUTUBE = 'YOUTUBE', LINKEDIN = 'LINKEDIN',
  TIKTOK = 'TIKTOK', PINTEREST = 'PINTEREST', FORUM = 'FORUM', BLOG = 'BLOG', REVIEW_SITE = 'REVIEW_SITE',
  WHATSAPP = 'WHATSAPP', OTHER = 'OTHER',
}
export enum Touchpoint {
  CREDIT_APPLICATION = 'CREDIT_APPLICATION', SERVICE_CALL = 'SERVICE_CALL', LOYALTY_SIGNUP = 'LOYALTY_SIGNUP',
  ONLINE_PURCHASE = 'ONLINE_PURCHASE', ACCOUNT_SIGNUP = 'ACCOUNT_SIGNUP', NEWSLETTER_OPT_IN = 'NEWSLETTER_OPT_IN',
  CHAT = 'CHAT', IN_STORE = 'IN_STORE', SOCIAL_MESSAGE = 'SOCIAL_MESSAGE', IMPORT = 'IMPORT', OTHER = 'OTHER',
}
export enum ConsentPurpose { SERVICE = 'SERVICE', MARKETING = 'MARKETING', PROFILING = 'PROFILING' }
export enum ConsentStatus { GRANTED = 'GRANTED', DENIED = 'DENIED', REVOKED = 'REVOKED', UNKNOWN = 'UNKNOWN', EXPIRED = 'EXPIRED' }
/** What a stored value is, personal-data-wise (the data inventory and every field declare one). */
export enum PersonalDataClass {
  IDENTIFIER = 'IDENTIFIER', CONTACT = 'CONTACT', FREE_TEXT = 'FREE_TEXT', PROFILING = 'PROFILING',
  PSEUDONYMOUS = 'PSEUDONYMOUS', OPERATIONAL = 'OPERATIONAL',
}
/** What erasing a customer does to a stored column. */
export enum ErasureAction { DELETE = 'DELETE', REDACT = 'REDACT', NULLIFY = 'NULLIFY', KEEP = 'KEEP' }
export enum Direction { INBOUND = 'INBOUND', OUTBOUND = 'OUTBOUND' }
export enum InteractionCategory {
  COMPLAINT = 'COMPLAINT', QUESTION = 'QUESTION', COMPLIMENT = 'COMPLIMENT', PROACTIVE = 'PROACTIVE',
  SALES_LEAD = 'SALES_LEAD', OTHER = 'OTHER',
}
export enum SwimLane { CUSTOMER_SERVICE = 'CUSTOMER_SERVICE', MARKETING_PR = 'MARKETING_PR' }
export enum InteractionStatus { OPEN = 'OPEN', RESPONDED = 'RESPONDED', ESCALATED = 'ESCALATED', RESOLVED = 'RESOLVED' }
export enum EscalationTeam { RETENTION = 'RETENTION', PR_CRISIS = 'PR_CRISIS', TECHNICAL = 'TECHNICAL', LEGAL = 'LEGAL', SUPERVISOR = 'SUPERVISOR' }

registerEnumType(Tier, { name: 'Tier', description: 'Customer tier: higher tiers reach faster agents and better skills.' });
registerEnumType(Platform, { name: 'Platform', description: 'Social platform of a social identity.' });
registerEnumType(Channel, { name: 'Channel', description: 'Where an interaction happened.' });
registerEnumType(Touchpoint, { name: 'Touchpoint', description: 'Where the customer gave us an identifier or consent.' });
registerEnumType(ConsentPurpose, { name: 'ConsentPurpose' });
registerEnumType(ConsentStatus, {
  name: 'ConsentStatus',
  description: 'UNKNOWN: never asked. EXPIRED: the newest decision was a grant whose expiresAt has passed (never stored, only derived).',
});
registerEnumType(Direction, { name: 'Direction' });
registerEnumType(PersonalDataClass, {
  name: 'PersonalDataClass',
  description: 'IDENTIFIER: names who a person is (name, handle). CONTACT: reaches them (email, phone). FREE_TEXT: words written by or about them. PROFILING: derived judgements (scores, topics, sentiment). PSEUDONYMOUS: an id that means nothing alone. OPERATIONAL: no personal data.',
});
registerEnumType(ErasureAction, { name: 'ErasureAction', description: 'DELETE the row, REDACT the text, NULLIFY the value, or KEEP it (not personal once the row is unlinked).' });
registerEnumType(InteractionCategory, { name: 'InteractionCategory' });
registerEnumType(SwimLane, { name: 'SwimLane', description: 'Who answers: customer service or marketing/PR.' });
registerEnumType(InteractionStatus, { name: 'InteractionStatus' });
registerEnumType(EscalationTeam, { name: 'EscalationTeam' });

/** An escalation's life: raised (OPEN), owned by someone (ACKNOWLEDGED), done (RESOLVED). */
export enum EscalationStatus { OPEN = 'OPEN', ACKNOWLEDGED = 'ACKNOWLEDGED', RESOLVED = 'RESOLVED' }
registerEnumType(EscalationStatus, { name: 'EscalationStatus', description: 'OPEN: nobody owns it yet. ACKNOWLEDGED: an agent of the team took it. RESOLVED: done.' });
