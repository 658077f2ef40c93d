import { BROKERS } from './helpers/brokers.js';
import { createTestApp, type TestApp } from './helpers/app.factory.js';
import { publish, request } from './helpers/http.js';
import { connect } from './helpers/sse-reader.js';
import { publisherToken, token } from './helpers/tokens.js';

/**
 * Subscriptions belong to the client id and are shared by its tokens; what a connection receives
 * and what a request sees of them is limited by that request's own token. A token narrowed to
 * `users/tess/#` neither receives, lists nor removes the `admin/secrets` subscription that a wider
 * token of the same client made.
 */
describe.each(BROKERS)('Authorization follows the token (%s broker)', (broker) => {
  let hub: TestApp;
  const publisher = publisherToken();

  beforeAll(async () => {
    hub = await createTestApp({ broker });
  });
  afterAll(() => hub.close());

  it('a narrow token receives, lists and removes only the topics it allows, live and on replay', async () => {
    const wide = token({ sub: 'scope-tess' });
    const narrow = token({ sub: 'scope-tess', topics: ['users/scope-tess/#'] });
    const subscribed = await request(hub.url, 'POST', '/sse/subscriptions', {
      token: wide,
      body: { topics: ['admin/secrets', 'users/scope-tess/inbox'] },
    });
    expect(subscribed.status).toBe(200);
    expect(subscribed.body.topics.sort()).toEqual(['admin/secrets', 'users/scope-tess/inbox']);

    const wideStream = await connect(`${hub.url}/sse`, { token: wide });
    const narrowStream = await connect(`${hub.url}/sse`, { token: narrow });
    let resumed: Awaited<ReturnType<typeof connect>> | undefined;
    try {
      const secret = await publish(hub.url, publisher, 'topics/admin/secrets', 'secret', {
        key: 's3cr3t',
      });
      const mail = await publish(hub.url, publisher, 'topics/users/scope-tess/inbox', 'mail', 'hi');
      expect(secret.body.delivered).toBe(1);
      expect(mail.body.delivered).toBe(2);
      // Topic events go out in id order, so once the later mail is there the secret was decided.
      await narrowStream.waitForEvents('mail', 1);
      await wideStream.waitForEvents('mail', 1);
      expect(narrowStream.ofType('secret')).toEqual([]);
      expect(wideStream.ofType('secret').map((e) => e.id)).toEqual([secret.body.id]);

      // A resume with the narrow token replays the mail, never the secret.
      resumed = await connect(`${hub.url}/sse`, {
        token: narrow,
        headers: { 'last-event-id': narrowStream.greetingId! },
      });
      const [replayed] = await resumed.waitForEvents('mail', 1);
      expect(replayed.id).toBe(mail.body.id);
      expect(resumed.greeting.recovered).toBe(true);
      expect(resumed.ofType('secret')).toEqual([]);

      // What the narrow token sees of the subscriptions, and what it may take away.
      const listed = await request(hub.url, 'GET', '/sse/subscriptions', { token: narrow });
      expect(listed.body).toEqual({ topics: ['users/scope-tess/inbox'] });
      const added = await request(hub.url, 'POST', '/sse/subscriptions', {
        token: narrow,
        body: { topics: ['users/scope-tess/alerts'] },
      });
      expect(added.status).toBe(200);
      expect(added.body.topics.sort()).toEqual([
        'users/scope-tess/alerts',
        'users/scope-tess/inbox',
      ]);
      const removal = await request(hub.url, 'DELETE', '/sse/subscriptions', {
        token: narrow,
        body: { topics: ['admin/secrets'] },
      });
      expect(removal.status).toBe(403);
      expect(removal.body).toMatchObject({ statusCode: 403, code: 'TOPIC.NOT_ALLOWED' });
      const left = await request(hub.url, 'DELETE', '/sse/subscriptions', {
        token: narrow,
        body: { topics: ['users/scope-tess/alerts'] },
      });
      expect(left.body).toEqual({ topics: ['users/scope-tess/inbox'] });
      const all = await request(hub.url, 'GET', '/sse/subscriptions', { token: wide });
      expect(all.body.topics.sort()).toEqual(['admin/secrets', 'users/scope-tess/inbox']);
    } finally {
      wideStream.close();
      narrowStream.close();
      resumed?.close();
    }
  });

  it('a narrow token still gets its own targeted events and broadcasts', async () => {
    const narrow = token({ sub: 'scope-uma', topics: ['users/scope-uma/#'] });
    const stream = await connect(`${hub.url}/sse`, { token: narrow });
    try {
      await publish(hub.url, publisher, 'clients/scope-uma', 'direct', 1);
      await publish(hub.url, publisher, 'broadcast', 'everyone', 2);
      await stream.waitForEvents('direct', 1);
      await stream.waitForEvents('everyone', 1);
    } finally {
      stream.close();
    }
  });

  it('holds back events a narrow connection receives while it is still replaying', async () => {
    const wide = token({ sub: 'scope-vic' });
    const narrow = token({ sub: 'scope-vic', topics: ['open/#'] });
    await request(hub.url, 'POST', '/sse/subscriptions', {
      token: wide,
      body: { topics: ['closed', 'open/a'] },
    });
    const first = await connect(`${hub.url}/sse`, { token: narrow });
    first.close();
    const before = await publish(hub.url, publisher, 'topics/closed', 'hidden', 0);
    // Resuming from the greeting replays `before` (not entitled) while these arrive live.
    const stream = await connect(`${hub.url}/sse`, {
      token: narrow,
      headers: { 'last-event-id': first.greetingId! },
    });
    try {
      await publish(hub.url, publisher, 'topics/closed', 'hidden', 1);
      await publish(hub.url, publisher, 'topics/open/a', 'shown', 2);
      await stream.waitForEvents('shown', 1);
      expect(stream.ofType('hidden')).toEqual([]);
      expect(before.status).toBe(202);
    } finally {
      stream.close();
    }
  });
});
