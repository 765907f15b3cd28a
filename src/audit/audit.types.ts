import { Field, ID, ObjectType } from 'type-graphql';
import { ConnectionType, DateTimeScalar, JSONScalar, PersonalDataClass } from '../graphql';
import { Access, READ } from '../auth';

/** One audit log entry, newest first in `auditLog`. */
@Access({ roles: READ.admins, dataClass: PersonalDataClass.PSEUDONYMOUS })
@ObjectType()
export class AuditEntry {
  @Field(() => ID) id!: string;
  @Field(() => DateTimeScalar) at!: Date;
  @Field({ description: 'Token subject of who acted, or a system name.' }) actor!: string;
  @Field(() => [String]) actorRoles!: string[];
  @Field({ description: 'ACCESS_DENIED, CONSENT_CHANGED, CUSTOMERS_MERGED, MERGE_UNDONE, CUSTOMER_ERASED, ESCALATED, ...' }) action!: string;
  @Field(() => String, { nullable: true }) subject!: string | null;
  @Field(() => String, { nullable: true }) requestId!: string | null;
  @Access({ dataClass: PersonalDataClass.FREE_TEXT })
  @Field(() => JSONScalar) details!: Record<string, unknown>;
}

@ObjectType()
export class AuditEntryConnection extends ConnectionType(AuditEntry) {}
