/**
 * Import rules of src/ (STYLE.md, "Layout"), checked by test/unit/layering.test.ts inside `npm test`.
 * Layers, lowest first: config.ts and logger.ts; common/; db/; graphql/; auth/; http/ (infrastructure),
 * then the features in FEATURES order. A folder may import its own layer and the ones below it (types too);
 * the composition files directly under src/ (app, schema, context, main, print-schema) import everything
 * and nothing imports them (a type-only import of `context.ts` for `RequestContext` is allowed).
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
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
