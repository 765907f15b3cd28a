import { Arg, Authorized, Ctx, Int, Query, Resolver } from 'type-graphql';
import { CAN } from '../auth';
import { ConsentPurpose, decodeCursor, pageSize } from '../graphql';
import type { RequestContext } from '../context';
import { SegmentFilter } from './segment.inputs';
import { SegmentMemberConnection } from './segment.types';
import type { SegmentService } from './segment.service';

@Resolver()
export class SegmentResolver {
  constructor(private readonly segmentService: SegmentService) {}

  @Authorized(CAN.readSegments)
  @Query(() => SegmentMemberConnection, {
    description: 'Customers matching the filter, oldest first, each with only the handles, emails and phones whose consent for `purpose` is GRANTED and unexpired now; customers with none are left out. The purpose is bound to the role: MARKETING for marketing, SERVICE for supervisor and admin, PROFILING for admin; any other: FORBIDDEN.',
  })
  async segment(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => SegmentFilter) filter: SegmentFilter,
    @Arg('purpose', () => ConsentPurpose, { defaultValue: ConsentPurpose.MARKETING }) purpose: ConsentPurpose,
    @Arg('first', () => Int, { defaultValue: 100 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const page = await this.segmentService.page({ filter, purpose, first: pageSize(first, 100), after: decodeCursor(after), roles: ctx.viewer.roles });
    for (const edge of page.edges) ctx.loaders.customerById.prime(edge.node.customer.id, edge.node.customer);
    return page;
  }
}
