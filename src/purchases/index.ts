// The public surface of src/purchases/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { createPurchaseLoaders, purchasePageSql } from './purchase.loaders';
export { CustomerPurchasesResolver, PurchaseResolver } from './purchase.resolver';
export { PurchaseService } from './purchase.service';
export { lifetimeValueSql } from './purchase.sql';
export { Purchase } from './purchase.types';
