import { columnList, storedFields } from '../graphql';
import { Customer } from './customer.types';

/** The stored scalars of a Customer, as declared beside each field (@Stored in customer.types.ts). */
export const CUSTOMER_STORED = storedFields(Customer);

/** Columns of a Customer as the GraphQL type names them (table alias c). */
export const CUSTOMER_COLUMNS = columnList('c', CUSTOMER_STORED);
