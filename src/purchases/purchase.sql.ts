import { columnList, storedFields } from '../graphql';
import { Purchase } from './purchase.types';

/**
 * The columns of a Purchase (alias `p`), as declared beside its properties (@Stored) and as every
 * read selects them: loaders, the compiled customer 360 and the write's answer.
 */
export const PURCHASE_COLUMNS = columnList('p', storedFields(Purchase));

/**
 * THE lifetime value of the customer `customer` (an SQL expression of its id), as float8: the
 * sum of its purchases' amounts when they are all in one currency, NULL when it has no amount or
 * amounts in several currencies (no exchange rates are kept, so no sum across currencies is
 * honest). `Customer.lifetimeValue` (loader, compiled read, response fast path) and the segment
 * filter `minLifetimeValue` all read this expression (docs/purchases.md).
 * Usage: `SELECT ${lifetimeValueSql('c.id')} AS "lifetimeValue" FROM customers c`
 */
export function lifetimeValueSql(customer: string): string {
  return `(SELECT CASE WHEN min(lv.currency) = max(lv.currency) THEN sum(lv.amount)::float8 END
             FROM purchases lv WHERE lv.customer_id = ${customer} AND lv.amount IS NOT NULL)`;
}
