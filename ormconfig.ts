// Entry point for the TypeORM CLI: `npm run typeorm -- migration:run` (needs DATABASE_URL).
import { createDataSource } from './src/db/data-source';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required for the TypeORM CLI');

export default createDataSource({ url, applicationName: 'social-crm-cli' });
