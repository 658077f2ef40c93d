/**
 * Baseline 2: SSE the way the NestJS docs teach it. An `@Sse()` route returning an Observable of
 * `MessageEvent`s, fed by one shared `Subject`; targeted sends are the same stream filtered by
 * client id (each connection's filter runs for every event). A JWT guard like the hub's, the hub's
 * publish routes and wire format (a `connected` event first, then `id`/`event`/`data` frames).
 * Event data is handed to Nest as an object, as in the docs, so Nest serialises it per connection.
 */
import 'reflect-metadata';
import { createSecretKey, randomUUID } from 'node:crypto';
import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  Injectable,
  Module,
  Param,
  Post,
  Req,
  Sse,
  UnauthorizedException,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  type MessageEvent,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import jwt from 'jsonwebtoken';
import { Subject, concat, filter, finalize, map, of, type Observable } from 'rxjs';

// A KeyObject, as the hub uses: jsonwebtoken verifies a string secret ~10x slower.
const secret = createSecretKey(Buffer.from(process.env.JWT_SECRET ?? ''));
const retryMs = Number(process.env.SSE_RETRY_MS ?? 3000);
const EVENT_TYPE = /^[A-Za-z0-9_\-.:]{1,64}$/;

interface Claims {
  sub: string;
  roles?: unknown;
}

interface Outgoing {
  /** A client id, or undefined for everyone. */
  readonly to?: string;
  readonly message: MessageEvent;
}

@Injectable()
class Events {
  readonly stream = new Subject<Outgoing>();
  lastId = 0;
  connections = 0;
  readonly perClient = new Map<string, number>();
}

@Injectable()
class JwtGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string>; user?: Claims }>();
    const header = request.headers.authorization;
    if (!header?.startsWith('Bearer ')) throw new UnauthorizedException();
    try {
      const claims = jwt.verify(header.slice(7), secret, { algorithms: ['HS256'] });
      if (typeof claims !== 'object' || typeof claims.sub !== 'string') throw new Error('no sub');
      request.user = claims as Claims;
      return true;
    } catch {
      throw new UnauthorizedException();
    }
  }
}

@Injectable()
class PublisherGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const roles = context.switchToHttp().getRequest<{ user?: Claims }>().user?.roles;
    if (!Array.isArray(roles) || !roles.includes('publisher')) throw new ForbiddenException();
    return true;
  }
}

interface PublishBody {
  event?: unknown;
  data?: unknown;
}

@Controller()
class AppController {
  constructor(private readonly events: Events) {}

  @Get('health')
  health(): { status: string } {
    return { status: 'ok' };
  }

  @Sse('sse')
  @UseGuards(JwtGuard)
  stream(@Req() request: { user: Claims }): Observable<MessageEvent> {
    const clientId = request.user.sub;
    const events = this.events;
    events.connections++;
    events.perClient.set(clientId, (events.perClient.get(clientId) ?? 0) + 1);
    const greeting: MessageEvent = {
      type: 'connected',
      id: String(events.lastId),
      retry: retryMs,
      data: { clientId, connectionId: randomUUID() },
    };
    return concat(
      of(greeting),
      events.stream.pipe(
        filter((event) => event.to === undefined || event.to === clientId),
        map((event) => event.message),
      ),
    ).pipe(
      finalize(() => {
        events.connections--;
        const left = (events.perClient.get(clientId) ?? 1) - 1;
        if (left > 0) events.perClient.set(clientId, left);
        else events.perClient.delete(clientId);
      }),
    );
  }

  @Post('notifications/broadcast')
  @HttpCode(202)
  @UseGuards(JwtGuard, PublisherGuard)
  broadcast(@Body() body: PublishBody): { id: string; delivered: number } {
    return this.publish(undefined, body, this.events.connections);
  }

  @Post('notifications/clients/:clientId')
  @HttpCode(202)
  @UseGuards(JwtGuard, PublisherGuard)
  toClient(
    @Param('clientId') clientId: string,
    @Body() body: PublishBody,
  ): { id: string; delivered: number } {
    return this.publish(clientId, body, this.events.perClient.get(clientId) ?? 0);
  }

  private publish(
    to: string | undefined,
    body: PublishBody,
    delivered: number,
  ): { id: string; delivered: number } {
    if (typeof body?.event !== 'string' || !EVENT_TYPE.test(body.event)) {
      throw new BadRequestException('bad event');
    }
    const id = String(++this.events.lastId);
    this.events.stream.next({ to, message: { id, type: body.event, data: body.data as object } });
    return { id, delivered };
  }
}

@Module({ controllers: [AppController], providers: [Events, JwtGuard, PublisherGuard] })
class AppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, {
    logger: ['error', 'warn'],
    forceCloseConnections: true,
  });
  // Not every signal (Nest's default): SIGUSR2 is the heap scenario's snapshot request.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
