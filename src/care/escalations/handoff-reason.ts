import { registerEnumType } from 'type-graphql';

/** Why a conversation moved off its channel ("keep them in that channel unless they request to move or security requires it"). */
export enum HandoffReason {
  CUSTOMER_REQUEST = 'CUSTOMER_REQUEST',
  SECURITY = 'SECURITY',
  COMPLEXITY = 'COMPLEXITY',
  OTHER = 'OTHER',
}
registerEnumType(HandoffReason, {
  name: 'HandoffReason',
  description: 'Why a conversation moved off its channel (takeOffline): the customer asked, security, complexity, other.',
});
