import { Arg, Authorized, Int, Query, Resolver } from 'type-graphql';
import { CAN } from '../auth';
import { pageSize } from '../graphql';
import { AuditEntry, AuditEntryConnection } from './audit.types';
import type { AuditService } from './audit.service';

@Resolver(() => AuditEntry)
export class AuditResolver {
  constructor(private readonly auditService: AuditService) {}

  @Authorized(CAN.administer)
  @Query(() => AuditEntryConnection, { description: 'The audit log, newest first (admin only).' })
  auditLog(
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('action', () => String, { nullable: true }) action?: string,
    @Arg('subject', () => String, { nullable: true }) subject?: string,
  ) {
    return this.auditService.list({ first: pageSize(first, 50), after, action, subject });
  }
}
