import { Arg, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql';
import { CAN } from '../auth';
import { pageSize } from '../graphql';
import type { RequestContext } from '../context';
import { AuditEntry, AuditEntryConnection } from './audit.types';

@Resolver(() => AuditEntry)
export class AuditResolver {
  @Authorized(CAN.administer)
  @Query(() => AuditEntryConnection, { description: 'The audit log, newest first (admin only).' })
  auditLog(
    @Ctx() ctx: RequestContext,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('action', () => String, { nullable: true }) action?: string,
    @Arg('subject', () => String, { nullable: true }) subject?: string,
  ) {
    return ctx.services.audit.list({ first: pageSize(first, 50), after, action, subject });
  }
}
