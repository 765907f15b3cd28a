import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { Access, CAN } from '../auth';
import { PersonalDataClass } from '../graphql';
import { Node } from '../customers';
import type { RequestContext } from '../context';
import type { NodeService } from './node.service';

@Resolver()
export class NodeResolver {
  constructor(private readonly nodeService: NodeService) {}

  @Authorized(CAN.readCustomers)
  @Access({ roles: ['viewer', 'agent', 'supervisor', 'admin'], dataClass: PersonalDataClass.PSEUDONYMOUS })
  @Query(() => Node, {
    nullable: true,
    description: 'Relay refetch: the Customer, Interaction, Conversation, Escalation or Incident with this id, under the role rules of that type\'s own reads (an incident needs agent); null when none has it.',
  })
  node(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.nodeService.node(ctx, id);
  }
}
