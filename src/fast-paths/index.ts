// The public surface of src/fast-paths/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { deskFastPath } from './desk.handler';
export { fastPathMiddleware } from './fast-path.middleware';
export { httpEdge } from './http-edge';
export { responseFastPath } from './response.handler';
