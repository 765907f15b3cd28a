import { Arg, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import { CAN } from '../../auth';
import type { Coalescer } from '../../common';
import type { RequestContext } from '../../context';
import { Interaction, InteractionInput } from '../../interactions';
import type { IngestService, RecordCall } from './ingest.service';

/** Recording interactions: one at a time (coalesced with its neighbours into one set-based write) or in bulk. */
@Resolver()
export class IntakeResolver {
  constructor(private readonly recordCoalescer: Coalescer<RecordCall, Interaction>, private readonly ingestService: IngestService) {}

  @Authorized(CAN.writeCare)
  @Mutation(() => Interaction, { description: 'Idempotent on idempotencyKey: a retry returns the first result; a reuse with other content is CONFLICT.' })
  recordInteraction(@Arg('input', () => InteractionInput) input: InteractionInput, @Ctx() ctx: RequestContext) {
    return this.recordCoalescer.record({ input, by: ctx.viewer.sub, requestId: ctx.requestId });
  }

  @Authorized(CAN.writeCare)
  @Mutation(() => [Interaction], {
    description: 'Bulk, up to 1,000, same rules per item, in input order. Any bad item: BAD_USER_INPUT listing every bad item by index; nothing is written.',
  })
  recordInteractions(@Arg('inputs', () => [InteractionInput]) inputs: InteractionInput[], @Ctx() ctx: RequestContext) {
    return this.ingestService.record(inputs, ctx.viewer.sub, true);
  }
}
