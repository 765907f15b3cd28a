import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';

// Scalars of the contract, from graphql-scalars rather than hand-written parsing.
export const DateTimeScalar: GraphQLScalarType = DateTimeResolver;
export const JSONScalar: GraphQLScalarType = JSONResolver;
