// Prints the SQL the PostgreSQL broker runs on start (CREATE ... IF NOT EXISTS, CREATE OR REPLACE
// FUNCTION) for a schema, for teams that run migrations themselves (docs/postgres.md):
//   npm run build && node scripts/print-postgres-schema.mjs [schema]   (default sse_hub)
// The functions embed the schema's advisory lock key, so print it for the schema you use.
import { schemaStatements } from '../dist/libs/sse/src/adapters/postgres/postgres-schema.js';

const schema = process.argv[2] ?? 'sse_hub';
process.stdout.write(`${schemaStatements(schema).map((statement) => `${statement};`).join('\n\n')}\n`);
