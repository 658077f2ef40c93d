import pg from 'pg';
import { PostgresTestHub } from '../../../../../test/helpers/postgres-adapters.js';
import { PrivatePostgresServer } from '../../../../../test/helpers/postgres-server.js';
import { uniquePostgresSchema } from '../../../../../test/helpers/postgres.js';
import { BEGINNING, parseClientId, parseEventType, parseTopic, toEveryone } from '../../domain/index.js';
import { eventually } from '../../testing/hub-fixture.js';
import { schemaStatements } from './postgres-schema.js';

/**
 * A team that runs the schema's SQL as a migration, and lets the hub connect as a role that may
 * use its tables but not create anything: on a private server, since it creates a role.
 */
describe('PostgreSQL adapters on a schema made by a migration', () => {
  let server: PrivatePostgresServer;
  beforeAll(async () => {
    server = await PrivatePostgresServer.start();
  }, 60_000);
  afterAll(() => server?.destroy());

  it('run as a role without CREATE, on the SQL of docs/postgres.md applied by an owner', async () => {
    const schema = uniquePostgresSchema('migrated');
    const owner = new pg.Client({ connectionString: server.url });
    await owner.connect();
    try {
      for (const statement of schemaStatements(schema)) await owner.query(statement);
      await owner.query(`CREATE ROLE sse_app LOGIN`);
      await owner.query(`REVOKE CREATE ON DATABASE postgres FROM PUBLIC`);
      await owner.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
      await owner.query(`GRANT USAGE ON SCHEMA ${schema} TO sse_app`);
      await owner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO sse_app`);
      await owner.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${schema} TO sse_app`);
      await owner.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${schema} TO sse_app`);

      const hub = new PostgresTestHub(server.url.replace('postgres@', 'sse_app@'), schema);
      try {
        const a = await hub.instance({ gracePeriodMs: 200 });
        const b = await hub.instance({ gracePeriodMs: 200 });
        const seen: unknown[] = [];
        b.stream.subscribe((event) => seen.push(event.data));
        await a.stream.append({ type: parseEventType('e'), data: 1, target: toEveryone() });
        await eventually(() => seen.length === 1, 'the event on b');
        const client = parseClientId('c');
        await b.registry.add(client, [{ topic: parseTopic('t'), since: BEGINNING }]);
        await eventually(async () => (await a.registry.list(client)).length === 0, 'the expiry');
        await expect(a.stream.checkHealth()).resolves.toMatchObject({ up: true });
      } finally {
        await hub.close();
      }
    } finally {
      await owner.end();
    }
  }, 60_000);
});
