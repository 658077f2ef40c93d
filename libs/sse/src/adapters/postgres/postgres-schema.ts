import { createHash } from 'node:crypto';

/**
 * Every table and function the PostgreSQL adapters use, in one place (docs/postgres.md shows the
 * same SQL, for teams that run migrations themselves). `schemaStatements()` is run on start, in
 * one transaction under an advisory lock, and is idempotent: instances starting together, or an
 * instance starting on a schema a migration already made, change nothing.
 *
 * Ordering. Every id (events and subscription changes share one sequence, `hub.last_id`) is
 * taken inside a transaction that first takes `pg_advisory_xact_lock(<hub key>)`. Commit order is
 * not sequence order in PostgreSQL in general (a transaction that took id 7 may commit after one
 * that took id 8, and a reader in between would pass 7 for good). The lock serializes the
 * writers: the next one takes its id only after the previous one committed, so ids are assigned
 * and committed in the same order, and a reader that saw id N can never later see a smaller one.
 *
 * Ids. An event id is `<ms>-<seq>` (see domain/event-id.ts); in the tables it is one bigint,
 * `ms * 1_000_000 + seq`, which sorts the same way. The next id is the greatest of the last one
 * plus one, the caller's floor plus one, and the database clock's millisecond: exactly
 * `nextEventId`, with the carry of a full millisecond built in.
 *
 * Functions are plpgsql so each operation is one round trip (and the lock is held that long).
 * @internal
 */

/** How many sequence numbers one millisecond of an id holds in its bigint form. */
export const SEQ_PER_MS = 1_000_000n;
/** Subscription changes older than this are deleted: readers consume them within milliseconds. */
export const CHANGES_KEPT_MS = 10 * 60_000;
/** How a schema may be named: a plain lowercase identifier, so it never needs escaping. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,39}$/;

/** Whether `name` can name the hub's schema. */
export function isSchemaName(name: string): boolean {
  return SCHEMA_NAME.test(name);
}

/** The LISTEN/NOTIFY channels of a hub: one per schema, so hubs in other schemas stay apart. */
export interface PostgresChannels {
  /** Ids of new events and subscription changes (the payload is only the id). */
  readonly feed: string;
  readonly commands: string;
  readonly replies: string;
}

export function channelsOf(schema: string): PostgresChannels {
  return { feed: `${schema}.feed`, commands: `${schema}.commands`, replies: `${schema}.replies` };
}

/**
 * The key of the hub's advisory lock: a 64-bit number derived from the schema name, so hubs in
 * other schemas of one database do not wait for each other.
 */
export function hubLockKey(schema: string): string {
  return createHash('sha256').update(`sse-hub:${schema}`).digest().readBigInt64BE(0).toString();
}

/** The key of the lock taken while the schema is created (instances may start together). */
export function schemaLockKey(schema: string): string {
  return createHash('sha256').update(`sse-hub-ddl:${schema}`).digest().readBigInt64BE(0).toString();
}

/** The DDL of a hub in `schema`, statement by statement. */
export function schemaStatements(schema: string): string[] {
  if (!isSchemaName(schema)) {
    throw new RangeError(`sse-hub: "${schema}" cannot name a PostgreSQL schema`);
  }
  const s = schema;
  const lock = `PERFORM pg_advisory_xact_lock(${hubLockKey(schema)});`;
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,

    // One row: the sequence, the event count (for trimming), where history began, what was trimmed.
    `CREATE TABLE IF NOT EXISTS ${s}.hub (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  last_id bigint NOT NULL DEFAULT 0,
  event_count bigint NOT NULL DEFAULT 0,
  origin bigint,
  dropped bigint
)`,
    `INSERT INTO ${s}.hub (singleton) VALUES (true) ON CONFLICT DO NOTHING`,

    `CREATE TABLE IF NOT EXISTS ${s}.events (
  id bigint PRIMARY KEY,
  seqno bigint NOT NULL UNIQUE,
  type text NOT NULL,
  target text NOT NULL,
  data text NOT NULL,
  trace text,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
)`,
    `CREATE TABLE IF NOT EXISTS ${s}.idempotency_keys (
  key text PRIMARY KEY,
  event_id bigint NOT NULL,
  expires_at timestamptz NOT NULL
)`,
    `CREATE INDEX IF NOT EXISTS idempotency_keys_expires_at ON ${s}.idempotency_keys (expires_at)`,

    `CREATE TABLE IF NOT EXISTS ${s}.subscription_changes (
  id bigint PRIMARY KEY,
  kind text NOT NULL,
  client text NOT NULL,
  data text NOT NULL
)`,
    `CREATE TABLE IF NOT EXISTS ${s}.subscriptions (
  client text NOT NULL,
  topic text NOT NULL,
  since text NOT NULL,
  PRIMARY KEY (client, topic)
)`,
    `CREATE TABLE IF NOT EXISTS ${s}.instances (
  instance text PRIMARY KEY,
  lease_until bigint NOT NULL
)`,
    `CREATE TABLE IF NOT EXISTS ${s}.presence (
  client text NOT NULL,
  instance text NOT NULL,
  PRIMARY KEY (client, instance)
)`,
    `CREATE INDEX IF NOT EXISTS presence_instance ON ${s}.presence (instance)`,
    `CREATE TABLE IF NOT EXISTS ${s}.expiry (
  client text PRIMARY KEY,
  due bigint NOT NULL
)`,
    `CREATE INDEX IF NOT EXISTS expiry_due ON ${s}.expiry (due)`,
    // Answers to hub commands too large for a NOTIFY payload (8000 bytes).
    `CREATE TABLE IF NOT EXISTS ${s}.command_replies (
  id bigserial PRIMARY KEY,
  answer text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
)`,

    `CREATE OR REPLACE FUNCTION ${s}.now_ms() RETURNS bigint LANGUAGE sql VOLATILE AS $$
  SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint
$$`,

    // The next id of the hub-wide order. Callers hold the hub lock.
    `CREATE OR REPLACE FUNCTION ${s}.next_id(p_floor bigint) RETURNS bigint LANGUAGE sql AS $$
  UPDATE ${s}.hub
     SET last_id = GREATEST(last_id + 1, p_floor + 1, ${s}.now_ms() * ${SEQ_PER_MS})
  RETURNING last_id
$$`,

    // Appends one event (or answers the event of a key seen within its window), trims history to
    // p_max_length events noting the newest id that leaves, and notifies the id.
    `CREATE OR REPLACE FUNCTION ${s}.append(
  p_floor bigint, p_max_length bigint, p_type text, p_target text, p_data text, p_trace text,
  p_key text, p_window_ms bigint, p_channel text
) RETURNS TABLE (out_id bigint, out_repeated boolean) LANGUAGE plpgsql AS $$
DECLARE
  v_id bigint;
  v_count bigint;
  v_dropped bigint;
BEGIN
  ${lock}
  IF p_key IS NOT NULL THEN
    SELECT k.event_id INTO v_id FROM ${s}.idempotency_keys k
     WHERE k.key = p_key AND k.expires_at > clock_timestamp();
    IF FOUND THEN
      RETURN QUERY SELECT v_id, true;
      RETURN;
    END IF;
  END IF;
  v_id := ${s}.next_id(p_floor);
  UPDATE ${s}.hub SET event_count = event_count + 1 RETURNING event_count INTO v_count;
  INSERT INTO ${s}.events (id, seqno, type, target, data, trace)
    VALUES (v_id, v_count, p_type, p_target, p_data, p_trace);
  WITH gone AS (DELETE FROM ${s}.events WHERE seqno <= v_count - p_max_length RETURNING id)
    SELECT max(id) INTO v_dropped FROM gone;
  UPDATE ${s}.hub SET origin = COALESCE(origin, v_id), dropped = GREATEST(dropped, v_dropped);
  IF p_key IS NOT NULL THEN
    INSERT INTO ${s}.idempotency_keys (key, event_id, expires_at)
      VALUES (p_key, v_id, clock_timestamp() + p_window_ms * interval '1 millisecond')
      ON CONFLICT (key) DO UPDATE SET event_id = EXCLUDED.event_id, expires_at = EXCLUDED.expires_at;
    DELETE FROM ${s}.idempotency_keys WHERE key IN (
      SELECT key FROM ${s}.idempotency_keys WHERE expires_at < clock_timestamp() LIMIT 100);
  END IF;
  PERFORM pg_notify(p_channel, v_id::text);
  RETURN QUERY SELECT v_id, false;
END
$$`,

    // The newest event's id; before the first event, the origin (taken from the sequence now if
    // there is none): where this history's life began.
    `CREATE OR REPLACE FUNCTION ${s}.head(p_floor bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v bigint;
BEGIN
  SELECT max(id) INTO v FROM ${s}.events;
  IF v IS NULL THEN SELECT origin INTO v FROM ${s}.hub; END IF;
  IF v IS NOT NULL THEN RETURN v; END IF;
  ${lock}
  SELECT origin INTO v FROM ${s}.hub;
  IF v IS NULL THEN
    v := ${s}.next_id(p_floor);
    UPDATE ${s}.hub SET origin = v;
  END IF;
  RETURN v;
END
$$`,

    // A subscription change, with an id of the same sequence as events. Callers hold the hub lock.
    `CREATE OR REPLACE FUNCTION ${s}.emit(p_floor bigint, p_kind text, p_client text, p_data text, p_channel text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_id bigint := ${s}.next_id(p_floor);
BEGIN
  INSERT INTO ${s}.subscription_changes (id, kind, client, data) VALUES (v_id, p_kind, p_client, p_data);
  DELETE FROM ${s}.subscription_changes WHERE id < (${s}.now_ms() - ${CHANGES_KEPT_MS}) * ${SEQ_PER_MS};
  PERFORM pg_notify(p_channel, v_id::text);
END
$$`,

    // Whether an instance whose lease is still running holds a connection of the client.
    `CREATE OR REPLACE FUNCTION ${s}.has_live_presence(p_client text, p_now bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM ${s}.presence p JOIN ${s}.instances i ON i.instance = p.instance
                  WHERE p.client = p_client AND i.lease_until > p_now)
$$`,

    `CREATE OR REPLACE FUNCTION ${s}.schedule_expiry(p_client text, p_at bigint) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO ${s}.expiry (client, due)
    SELECT p_client, p_at WHERE EXISTS (SELECT 1 FROM ${s}.subscriptions WHERE client = p_client)
    ON CONFLICT (client) DO UPDATE SET due = EXCLUDED.due
$$`,

    // Settles a due expiry of the client first, so an 'expired' change always comes before any
    // later change of that client. Callers hold the hub lock.
    `CREATE OR REPLACE FUNCTION ${s}.settle(p_floor bigint, p_client text, p_now bigint, p_channel text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_due bigint;
  v_topics text;
BEGIN
  SELECT due INTO v_due FROM ${s}.expiry WHERE client = p_client;
  IF v_due IS NULL OR v_due > p_now THEN RETURN; END IF;
  DELETE FROM ${s}.expiry WHERE client = p_client;
  IF ${s}.has_live_presence(p_client, p_now) THEN RETURN; END IF;
  WITH gone AS (DELETE FROM ${s}.subscriptions WHERE client = p_client RETURNING topic)
    SELECT COALESCE(json_agg(topic), '[]'::json)::text INTO v_topics FROM gone;
  PERFORM ${s}.emit(p_floor, 'expired', p_client, v_topics, p_channel);
END
$$`,

    `CREATE OR REPLACE FUNCTION ${s}.subscriptions_add(
  p_floor bigint, p_grace bigint, p_channel text, p_client text, p_topics text[], p_sinces text[]
) RETURNS TABLE (topic text, since text) LANGUAGE plpgsql AS $$
DECLARE
  v_now bigint;
  v_added text;
BEGIN
  ${lock}
  v_now := ${s}.now_ms();
  PERFORM ${s}.settle(p_floor, p_client, v_now, p_channel);
  SELECT json_agg(json_build_array(q.t, q.s) ORDER BY q.n)::text INTO v_added FROM (
    SELECT DISTINCT ON (u.t) u.t, u.s, u.n FROM unnest(p_topics, p_sinces) WITH ORDINALITY AS u(t, s, n)
     WHERE NOT EXISTS (SELECT 1 FROM ${s}.subscriptions x WHERE x.client = p_client AND x.topic = u.t)
     ORDER BY u.t, u.n) q;
  IF v_added IS NOT NULL THEN
    INSERT INTO ${s}.subscriptions (client, topic, since)
      SELECT p_client, u.t, u.s FROM unnest(p_topics, p_sinces) AS u(t, s) ON CONFLICT DO NOTHING;
    PERFORM ${s}.emit(p_floor, 'added', p_client, v_added, p_channel);
  END IF;
  -- Like the in-memory registry: without a connection anywhere, the grace period starts again.
  IF NOT ${s}.has_live_presence(p_client, v_now) THEN
    PERFORM ${s}.schedule_expiry(p_client, v_now + p_grace);
  END IF;
  RETURN QUERY SELECT x.topic, x.since FROM ${s}.subscriptions x WHERE x.client = p_client;
END
$$`,

    `CREATE OR REPLACE FUNCTION ${s}.subscriptions_remove(
  p_floor bigint, p_channel text, p_client text, p_topics text[]
) RETURNS TABLE (topic text, since text) LANGUAGE plpgsql AS $$
DECLARE
  v_now bigint;
  v_removed text;
BEGIN
  ${lock}
  v_now := ${s}.now_ms();
  PERFORM ${s}.settle(p_floor, p_client, v_now, p_channel);
  WITH gone AS (DELETE FROM ${s}.subscriptions x WHERE x.client = p_client AND x.topic = ANY (p_topics)
                RETURNING x.topic)
    SELECT json_agg(gone.topic)::text INTO v_removed FROM gone;
  IF v_removed IS NOT NULL THEN
    PERFORM ${s}.emit(p_floor, 'removed', p_client, v_removed, p_channel);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM ${s}.subscriptions x WHERE x.client = p_client) THEN
    DELETE FROM ${s}.expiry WHERE client = p_client;
  END IF;
  RETURN QUERY SELECT x.topic, x.since FROM ${s}.subscriptions x WHERE x.client = p_client;
END
$$`,

    // Takes the lock only when the client has a due expiry to settle: listing is frequent.
    `CREATE OR REPLACE FUNCTION ${s}.subscriptions_list(p_floor bigint, p_channel text, p_client text)
RETURNS TABLE (topic text, since text) LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM ${s}.expiry WHERE client = p_client AND due <= ${s}.now_ms()) THEN
    ${lock}
    PERFORM ${s}.settle(p_floor, p_client, ${s}.now_ms(), p_channel);
  END IF;
  RETURN QUERY SELECT x.topic, x.since FROM ${s}.subscriptions x WHERE x.client = p_client;
END
$$`,

    // This instance holds a connection of the client. Renews its lease; false when it had none
    // (first use, or a sweeper let go of it), so the caller writes its other clients again.
    `CREATE OR REPLACE FUNCTION ${s}.connection_opened(
  p_floor bigint, p_instance text, p_lease bigint, p_channel text, p_client text
) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  v_now bigint;
  v_known boolean;
BEGIN
  ${lock}
  v_now := ${s}.now_ms();
  PERFORM ${s}.settle(p_floor, p_client, v_now, p_channel);
  v_known := EXISTS (SELECT 1 FROM ${s}.instances WHERE instance = p_instance);
  INSERT INTO ${s}.instances (instance, lease_until) VALUES (p_instance, v_now + p_lease)
    ON CONFLICT (instance) DO UPDATE SET lease_until = EXCLUDED.lease_until;
  INSERT INTO ${s}.presence (client, instance) VALUES (p_client, p_instance) ON CONFLICT DO NOTHING;
  DELETE FROM ${s}.expiry WHERE client = p_client;
  RETURN v_known;
END
$$`,

    // This instance's last connection of the client closed.
    `CREATE OR REPLACE FUNCTION ${s}.connection_closed(
  p_floor bigint, p_instance text, p_grace bigint, p_channel text, p_client text
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_now bigint;
BEGIN
  ${lock}
  v_now := ${s}.now_ms();
  PERFORM ${s}.settle(p_floor, p_client, v_now, p_channel);
  DELETE FROM ${s}.presence WHERE client = p_client AND instance = p_instance;
  IF NOT ${s}.has_live_presence(p_client, v_now) THEN
    PERFORM ${s}.schedule_expiry(p_client, v_now + p_grace);
  END IF;
END
$$`,

    `CREATE OR REPLACE FUNCTION ${s}.instance_renew(p_instance text, p_lease bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_known boolean := EXISTS (SELECT 1 FROM ${s}.instances WHERE instance = p_instance);
BEGIN
  INSERT INTO ${s}.instances (instance, lease_until) VALUES (p_instance, ${s}.now_ms() + p_lease)
    ON CONFLICT (instance) DO UPDATE SET lease_until = EXCLUDED.lease_until;
  RETURN v_known;
END
$$`,

    // This instance shuts down: up to p_batch of its clients are let go of as if their
    // connections closed now. Returns how many are left; at 0 its lease is gone too.
    `CREATE OR REPLACE FUNCTION ${s}.instance_leave(
  p_floor bigint, p_instance text, p_grace bigint, p_channel text, p_batch integer
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_now bigint;
  v_clients text[];
  v_client text;
  v_left bigint;
BEGIN
  ${lock}
  v_now := ${s}.now_ms();
  WITH gone AS (DELETE FROM ${s}.presence WHERE instance = p_instance AND client IN (
      SELECT client FROM ${s}.presence WHERE instance = p_instance LIMIT p_batch) RETURNING client)
    SELECT array_agg(client) INTO v_clients FROM gone;
  FOREACH v_client IN ARRAY COALESCE(v_clients, ARRAY[]::text[]) LOOP
    PERFORM ${s}.settle(p_floor, v_client, v_now, p_channel);
    IF NOT ${s}.has_live_presence(v_client, v_now) THEN
      PERFORM ${s}.schedule_expiry(v_client, v_now + p_grace);
    END IF;
  END LOOP;
  SELECT count(*) INTO v_left FROM ${s}.presence WHERE instance = p_instance;
  IF v_left = 0 THEN DELETE FROM ${s}.instances WHERE instance = p_instance; END IF;
  RETURN v_left;
END
$$`,

    // Run by every instance now and then; whichever runs first does the work. An instance whose
    // lease ran out more than a lease ago (it crashed) is let go of: its connections count as
    // closed when its lease ran out. Then due expiries are settled. Returns how much it did.
    `CREATE OR REPLACE FUNCTION ${s}.sweep(
  p_floor bigint, p_grace bigint, p_lease bigint, p_channel text, p_batch integer
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_now bigint := ${s}.now_ms();
  v_instance text;
  v_ended bigint;
  v_clients text[];
  v_client text;
  v_scheduled bigint;
  v_work bigint := 0;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ${s}.instances WHERE lease_until <= v_now - p_lease)
     AND NOT EXISTS (SELECT 1 FROM ${s}.expiry WHERE due <= v_now) THEN
    RETURN 0;
  END IF;
  ${lock}
  v_now := ${s}.now_ms();
  SELECT instance, lease_until INTO v_instance, v_ended FROM ${s}.instances
   WHERE lease_until <= v_now - p_lease ORDER BY lease_until LIMIT 1;
  IF v_instance IS NOT NULL THEN
    WITH gone AS (DELETE FROM ${s}.presence WHERE instance = v_instance AND client IN (
        SELECT client FROM ${s}.presence WHERE instance = v_instance LIMIT p_batch) RETURNING client)
      SELECT array_agg(client) INTO v_clients FROM gone;
    FOREACH v_client IN ARRAY COALESCE(v_clients, ARRAY[]::text[]) LOOP
      SELECT due INTO v_scheduled FROM ${s}.expiry WHERE client = v_client;
      IF NOT ${s}.has_live_presence(v_client, v_now) AND (v_scheduled IS NULL OR v_scheduled < v_ended + p_grace) THEN
        PERFORM ${s}.schedule_expiry(v_client, v_ended + p_grace);
      END IF;
    END LOOP;
    IF NOT EXISTS (SELECT 1 FROM ${s}.presence WHERE instance = v_instance) THEN
      DELETE FROM ${s}.instances WHERE instance = v_instance;
    END IF;
    v_work := v_work + COALESCE(array_length(v_clients, 1), 0) + 1;
  END IF;
  FOR v_client IN SELECT client FROM ${s}.expiry WHERE due <= v_now ORDER BY due LIMIT p_batch LOOP
    PERFORM ${s}.settle(p_floor, v_client, v_now, p_channel);
    v_work := v_work + 1;
  END LOOP;
  RETURN v_work;
END
$$`,
  ];
}
