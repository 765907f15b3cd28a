import { Field, ID, InterfaceType } from 'type-graphql';
import { Access } from '../auth';
import { PersonalDataClass } from '../graphql';

/** The object types that implement Node (contract: "Front-end conventions"). */
export type NodeTypeName = 'Customer' | 'Interaction' | 'Conversation' | 'Escalation' | 'Incident';

/**
 * The concrete type of a value `Query.node` answers with. Rows are plain objects (no class
 * instances), so the interface cannot tell their type by `instanceof`; the node read tags them.
 */
export const NODE_TYPE = Symbol('node type');

/**
 * Relay's Node: an object a client can refetch by its id alone. Ids are the tables' UUIDs, as
 * before (no global-id encoding): the same `id` a client already stored keeps working.
 */
@Access({ roles: ['viewer', 'agent', 'supervisor', 'admin'], dataClass: PersonalDataClass.PSEUDONYMOUS })
@InterfaceType({
  description: 'An object that can be fetched again by its id with Query.node (Relay refetch).',
  resolveType: (value: { [NODE_TYPE]?: NodeTypeName }) => value[NODE_TYPE],
})
export abstract class Node {
  @Field(() => ID) id!: string;
}
