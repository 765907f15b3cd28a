// The public surface of src/customer360/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { Customer360Service } from './customer360.service';
export { NodeResolver } from './node.resolver';
export { NodeService } from './node.service';
export { cursorSql, jsonArrayAgg, jsonConstant, jsonDate, jsonObject, jsonPlain, jsonQuoted, jsonValue } from './response.sql';
