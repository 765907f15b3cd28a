import { Arg, Authorized, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { CAN } from '../auth';
import { decodeCursor, pageSize } from '../graphql';
import type { RequestContext } from '../context';
import { decodeFilter } from './saved-segment.filter';
import { SavedSegment, SavedSegmentInput } from './saved-segment.types';
import { SegmentMemberConnection } from './segment.types';

@Resolver(() => SavedSegment)
export class SavedSegmentResolver {
  @Authorized(CAN.readSegments)
  @Query(() => [SavedSegment], { description: 'The saved segments of the purposes the caller may use (MARKETING for marketing, SERVICE for supervisors, all for admin), oldest first.' })
  savedSegments(@Ctx() ctx: RequestContext): Promise<SavedSegment[]> {
    return ctx.services.savedSegments.list(ctx.viewer.roles);
  }

  @Authorized(CAN.readSegments)
  @Query(() => SavedSegment, { nullable: true, description: 'One saved segment; null when there is none or its purpose is not the caller\'s to use.' })
  savedSegment(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<SavedSegment | null> {
    return ctx.services.savedSegments.get(id, ctx.viewer.roles);
  }

  @Authorized(CAN.readSegments)
  @Mutation(() => SavedSegment, {
    description: 'Saves a segment and populates it; from then on each customer entering or leaving it is a SEGMENT_ENTERED / SEGMENT_LEFT event (within a minute). The purpose is bound to the role as for `segment`.',
  })
  saveSegment(@Ctx() ctx: RequestContext, @Arg('input', () => SavedSegmentInput) input: SavedSegmentInput): Promise<SavedSegment> {
    return ctx.services.savedSegments.save(input, ctx.viewer);
  }

  @Authorized(CAN.readSegments)
  @Mutation(() => Boolean, { description: 'Deletes a saved segment of a purpose the caller may use, with its members (no events); false when there is none (a retry).' })
  deleteSegment(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    return ctx.services.savedSegments.remove(id, ctx.viewer);
  }

  @FieldResolver(() => Int, { description: 'Members as last evaluated (what the events have told); matches `segment(filter)` once the changes of the last seconds are evaluated.' })
  memberCount(@Root() segment: SavedSegment, @Ctx() ctx: RequestContext): Promise<number> {
    return ctx.loaders.memberCountBySavedSegmentId.load(segment.id);
  }

  @FieldResolver(() => SegmentMemberConnection, {
    description: 'The stored members that the segment rule still admits now, as `segment` shows them (oldest first, only identifiers granted for the purpose now).',
  })
  async members(
    @Root() segment: SavedSegment,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('first', () => Int, { defaultValue: 100 }) first: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ) {
    const page = await ctx.services.segments.page({
      filter: decodeFilter(info.schema, segment.filter),
      purpose: segment.purpose,
      first: pageSize(first, 100),
      after: decodeCursor(after),
      roles: ctx.viewer.roles,
      scope: { savedSegmentId: segment.id },
    });
    for (const edge of page.edges) ctx.loaders.customerById.prime(edge.node.customer.id, edge.node.customer);
    return page;
  }
}
