// The public surface of src/webhooks/: exactly what other folders import from it. Files of other
// folders import this file, never a file behind it (dependency-cruiser refuses); files of this folder
// import each other directly, never this index (a cycle). Regenerate with rewrite-imports.mjs.
export { WebhookWorker, type WorkerOptions } from './delivery-worker';
export { loadSecretKey, SecretBox } from './webhook-secrets';
export type { UrlPolicy } from './webhook-url';
export { WebhookResolver } from './webhook.resolver';
export { WebhookService } from './webhook.service';
