// The public surface of src/customers/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { liveCustomerId, survivorJoin } from './customer-survivor';
export { createCustomerLoaders } from './customer.loaders';
export { CustomerResolver } from './customer.resolver';
export { checkCustomerId, type CustomerListArgs, customerListSql, CustomerService } from './customer.service';
export { CUSTOMER_COLUMNS, CUSTOMER_STORED } from './customer.sql';
export { Customer, CustomerConnection } from './customer.types';
export { Node, NODE_TYPE, type NodeTypeName } from './node.types';
export { createTierLoaders } from './tier.loaders';
export { TierResolver } from './tier.resolver';
export { TierService } from './tier.service';
