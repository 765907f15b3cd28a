/** Columns of a Customer as the GraphQL type names them. */
export const CUSTOMER_COLUMNS = `c.id, c.display_name AS "displayName", c.tier, c.city, c.region, c.country, c.created_at AS "createdAt", c.attributes`;
