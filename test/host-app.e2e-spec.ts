import {
  Controller,
  Injectable,
  Module,
  Req,
  Sse,
  UseGuards,
  type INestApplication,
} from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Observable } from 'rxjs';
import { EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import {
  CurrentClient,
  JwtClientGuard,
  NotificationService,
  expressSocketControl,
  type ClientPrincipal,
  type StreamMessage,
  SseLifecycleEvent,
  SseModule,
  type ConnectionClosedEvent,
  type ConnectionOpenedEvent,
  type SubscriptionsExpiredEvent,
} from 'nestjs-sse-hub';
import { connect } from './helpers/sse-reader.js';
import { TEST_SECRET, token } from './helpers/tokens.js';
import { waitFor } from './helpers/wait-for.js';

/** What a host app does: keep its own per-client state in step with the hub. */
@Injectable()
class PresenceTracker {
  readonly log: string[] = [];

  @OnEvent(SseLifecycleEvent.ConnectionOpened)
  opened(event: ConnectionOpenedEvent) {
    this.log.push(`opened ${event.clientId}`);
  }

  @OnEvent(SseLifecycleEvent.ConnectionClosed)
  closed(event: ConnectionClosedEvent) {
    this.log.push(`closed ${event.clientId} ${event.reason}`);
  }

  @OnEvent(SseLifecycleEvent.SubscriptionsExpired)
  expired(event: SubscriptionsExpiredEvent) {
    this.log.push(`expired ${event.clientId}`);
  }
}

/** A host service that pushes instead of being polled. */
@Injectable()
class JobService {
  constructor(private readonly notifications: NotificationService) {}

  finish(owner: string, jobId: string) {
    return this.notifications.sendToClient(owner, 'job.finished', { jobId });
  }
}

/** A host's own `@Sse()` route, serving the hub's stream as an Observable. */
@Controller('my-stream')
@UseGuards(JwtClientGuard)
class MyStreamController {
  constructor(private readonly notifications: NotificationService) {}

  @Sse()
  stream(
    @CurrentClient() client: ClientPrincipal,
    @Req() request: { res: ServerResponse },
  ): Observable<StreamMessage> {
    return this.notifications.openStream(client, { socket: expressSocketControl(request.res) });
  }
}

@Module({
  controllers: [MyStreamController],
  imports: [
    EventEmitterModule.forRoot(),
    SseModule.forRoot({
      jwtSecret: TEST_SECRET,
      subscriptionGracePeriodMs: 200,
      lifecycleEvents: true,
    }),
  ],
  providers: [PresenceTracker, JobService],
})
class HostAppModule {}

describe('A host app that imports SseModule', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [HostAppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'], forceCloseConnections: true });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });
  afterAll(() => app.close());

  it('pushes from its own code through NotificationService', async () => {
    const reader = await connect(`${url}/sse`, { token: token({ sub: 'owner-1' }) });
    try {
      const receipt = await app.get(JobService).finish('owner-1', 'job-7');
      expect(receipt.delivered).toBe(1);
      const [event] = await reader.waitForEvents('job.finished', 1);
      expect(JSON.parse(event.data)).toEqual({ jobId: 'job-7' });
    } finally {
      reader.close();
    }
  });

  it('serves the same stream from its own @Sse() route', async () => {
    const reader = await connect(`${url}/my-stream`, { token: token({ sub: 'own-route' }) });
    try {
      expect(reader.greeting.clientId).toBe('own-route');
      const receipt = await app.get(JobService).finish('own-route', 'job-8');
      const [event] = await reader.waitForEvents('job.finished', 1);
      expect(event.id).toBe(receipt.id);
    } finally {
      reader.close();
    }
  });

  it('hears about connections opening and closing, and subscriptions expiring', async () => {
    const tracker = app.get(PresenceTracker);
    const notifications = app.get(NotificationService);
    const reader = await connect(`${url}/sse`, { token: token({ sub: 'watched' }) });
    await notifications.subscribe('watched', ['presence']);
    await waitFor(() => tracker.log.includes('opened watched'), { what: 'opened' });
    reader.close();
    await waitFor(() => tracker.log.includes('closed watched client_left'), { what: 'closed' });
    await waitFor(() => tracker.log.includes('expired watched'), { what: 'expired' });
    expect(await notifications.topicsOf('watched')).toEqual([]);
  });
});
