/**
 * Import rules of src/ (STYLE.md, "Layout"), checked by test/unit/layering.test.ts inside `npm test`.
 * Layers, lowest first: config.ts and logger.ts; common/; db/; graphql/; auth/; http/ (infrastructure),
 * then the features in FEATURES order. A folder may import its own layer and the ones below it (types too);
 * the composition files directly under src/ (app, schema, context, main, print-schema) import everything
 * and nothing imports them (a type-only import of `context.ts` for `RequestContext` is allowed).
 * A folder's public surface is its index.ts: an import from another folder targets that index, never a
 * file behind it; files of one folder import each other directly, never their own index (a cycle).
 * care/ is split into rooms (CARE_ROOMS, layered the same way); outside care/, src/care/index.ts is the door.
 */
const INFRASTRUCTURE = ['common', 'db', 'graphql', 'auth', 'http'];
/** Lowest first: a feature may use the ones before it, never one after it. */
const FEATURES = ['audit', 'events', 'customers', 'identities', 'influence', 'interactions', 'purchases', 'care', 'segments', 'analytics', 'privacy', 'customer360', 'webhooks'];
/**
 * Above every feature: the paths that answer covered GraphQL requests in front of Apollo (fast-paths/,
 * docs/architecture.md "The fast paths"). They compile reads over customer360's plan and call care's services,
 * so they sit over both; app.ts puts them before Apollo. Nothing below imports them.
 */
const EDGE = ['fast-paths'];
const LAYERS = [...INFRASTRUCTURE, ...FEATURES, ...EDGE];
const COMPOSITION = '^src/(app|schema|context|main|print-schema)\\.ts$';

const above = (i) => LAYERS.slice(i + 1);
const layerRules = LAYERS.slice(0, -1).map((name, i) => ({
  name: `${name}-imports-only-lower-layers`,
  comment: `src/${name}/ may import ${LAYERS.slice(0, i).join(', ') || 'no other folder'}, not ${above(i).join(', ')}`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: `^src/(${above(i).join('|')})/` },
}));
/** The rooms of care/, lowest first (docs/architecture.md, "Rooms of care/"). */
const CARE_ROOMS = ['rules', 'brand', 'escalations', 'desk', 'incidents', 'intake'];
const careRoomRules = CARE_ROOMS.slice(0, -1).map((name, i) => ({
  name: `care-${name}-imports-only-lower-rooms`,
  comment: `src/care/${name}/ may import care/${CARE_ROOMS.slice(0, i).join(', care/') || ' nothing'}, not care/${CARE_ROOMS.slice(i + 1).join(', care/')}`,
  severity: 'error',
  from: { path: `^src/care/${name}/` },
  to: { path: `^src/care/(${CARE_ROOMS.slice(i + 1).join('|')})/` },
}));
const INDEX = 'index\\.ts$';

module.exports = {

  forbidden: [
    {
      name: 'no-circular',
      comment: 'a runtime import cycle between modules',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'composition-is-imported-by-nobody',
      comment: 'files directly under src/ that list every feature are imported by no folder below (a type-only import is fine)',
      severity: 'error',
      from: { path: '^src/[^/]+/' },
      to: { path: COMPOSITION, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-unknown-folder',
      comment: 'every folder of src/ has a place in the layers (add a new one to LAYERS in .dependency-cruiser.cjs)',
      severity: 'error',
      from: { path: `^src/(?!(${LAYERS.join('|')})/)[^/]+/` },
      to: {},
    },
    ...layerRules,
    ...careRoomRules,
    {
      name: 'no-unknown-care-room',
      comment: 'care/ holds its index.ts and rooms listed in CARE_ROOMS (add a new room there)',
      severity: 'error',
      from: { path: `^src/care/(?!index\\.ts$)(?!(${CARE_ROOMS.join('|')})/)` },
      to: {},
    },
    {
      name: 'other-folders-through-their-index',
      comment: "an import from another folder of src/ targets that folder's index.ts (its public surface)",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', `^src/[^/]+/${INDEX}`] },
    },
    {
      name: 'other-rooms-through-their-index',
      comment: "an import from another room of care/ targets that room's index.ts",
      severity: 'error',
      from: { path: '^src/care/([^/]+)/' },
      to: { path: '^src/care/', pathNot: ['^src/care/$1/', `^src/care/[^/]+/${INDEX}`] },
    },
    {
      name: 'composition-through-the-indexes',
      comment: 'app, schema, context, main and print-schema reach a folder through its index.ts',
      severity: 'error',
      from: { path: COMPOSITION },
      to: { path: '^src/[^/]+/', pathNot: `^src/[^/]+/${INDEX}` },
    },
    {
      name: 'not-through-its-own-index',
      comment: 'files of a folder (or room) import each other directly: importing their own index.ts is a cycle',
      severity: 'error',
      from: { path: '^(src/[^/]+/(?:(?:rules|brand|escalations|desk|incidents|intake)/)?)[^/]+$' },
      to: { path: `^$1${INDEX}` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // migrations/ too: db/data-source.ts loads them and they import SQL helpers of src/, so a cycle can run through them.
    includeOnly: '^(src|migrations)/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
