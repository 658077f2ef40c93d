import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The shared PostgreSQL of the test machines. Tests use a schema of their own and drop only it. */
export const SHARED_POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other test run uses: `sse_test_<label>_<pid>_<random>`. */
export function uniquePostgresSchema(label = 'run'): string {
  return `sse_test_${label}_${process.pid}_${randomBytes(3).toString('hex')}`.slice(0, 40);
}

/** Drops the schema and everything in it (never anything else). */
export async function dropPostgresSchema(schema: string, url = SHARED_POSTGRES_URL): Promise<void> {
  if (!/^sse_test_[a-z0-9_]+$/.test(schema)) {
    throw new Error(`refusing to drop "${schema}": not a test schema`);
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } catch {
    // A private server that is already gone has nothing left to drop.
  } finally {
    await client.end().catch(() => undefined);
  }
}
