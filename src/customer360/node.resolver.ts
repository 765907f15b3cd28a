import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { Access } from '../auth';
import { CAN } from '../auth';
import { PersonalDataClass } from '../graphql';
import { Node } from '../customers';
import type { RequestContext } from '../context';

@Resolver()
export class NodeResolver {
  @Authorized(CAN.readCustomers)
  @Access({ roles: ['viewer', 'agent', 'supervisor', 'admin'], dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Query(() => Node, {
    nullable: true,
    description: 'Relay refetch: the Customer, Interaction, Conversation, Escalation or Incident with this id, under the role rules of that type\'s own reads (an incident needs agent); null when none has it.',
  })
  node(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return ctx.services.nodes.node(ctx, id);
  }
}
