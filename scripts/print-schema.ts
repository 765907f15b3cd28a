// `npm run schema`: writes schema/schema.graphql from the code (a test fails when they differ).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { printSchemaFile } from '../src/print-schema';

printSchemaFile()
  .then((sdl) => {
    const file = path.resolve(__dirname, '../../schema/schema.graphql');
    writeFileSync(file, sdl);
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
