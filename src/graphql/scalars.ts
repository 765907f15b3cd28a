import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver, EmailAddressResolver, JSONResolver, PhoneNumberResolver } from 'graphql-scalars';

// Scalars of the contract, from graphql-scalars rather than hand-written parsing.
export const DateTimeScalar: GraphQLScalarType = DateTimeResolver;
export const EmailAddressScalar: GraphQLScalarType = EmailAddressResolver;
export const PhoneNumberScalar: GraphQLScalarType = PhoneNumberResolver;
export const JSONScalar: GraphQLScalarType = JSONResolver;
