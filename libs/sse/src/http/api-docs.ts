import { applyDecorators } from '@nestjs/common';
import type { DocumentBuilder } from '@nestjs/swagger';
import { loadOptionalPeer } from '../optional-peer.js';
import { TOKEN_COOKIE, TOKEN_QUERY_PARAMETER } from '../sse.constants.js';
import { ErrorBodyDto } from './dto/error-body.dto.js';
import { PublishEventDto } from './dto/publish-event.dto.js';
import { PublishReceiptDto } from './dto/publish-receipt.dto.js';
import { TopicsResponseDto } from './dto/topics-response.dto.js';
import { TopicsDto } from './dto/topics.dto.js';
import { ClientsController } from './clients.controller.js';
import { DisconnectDto } from './dto/disconnect.dto.js';
import { HistoryController } from './history.controller.js';
import { PresenceController } from './presence.controller.js';
import { NotificationsController } from './notifications.controller.js';
import { SseController } from './sse.controller.js';
import { SubscriptionsController } from './subscriptions.controller.js';

/** Names of the OpenAPI security schemes the routes refer to: the three places a token may be. */
const SECURITY = { bearer: 'bearer', query: 'token-query', cookie: 'token-cookie' } as const;

/**
 * What `addSseApiDocs` needs of a builder: `@nestjs/swagger`'s `DocumentBuilder`, typed here by
 * its methods so that the package's types do not need `@nestjs/swagger` (an optional peer).
 * @publicApi
 */
export interface SseApiDocsBuilder {
  addBearerAuth(...args: never[]): unknown;
  addApiKey(...args: never[]): unknown;
  addCookieAuth(...args: never[]): unknown;
}

let described: Promise<void> | undefined;

/**
 * Documents the hub's routes in a host's OpenAPI document: adds the security schemes (a JWT as a
 * bearer token, as the `token` query parameter for EventSource, or as the `sse_token` cookie)
 * to `builder`, and describes the hub's controllers and DTOs. Call it before
 * `SwaggerModule.createDocument()`:
 *
 * ```ts
 * const config = (await addSseApiDocs(new DocumentBuilder().setTitle('My app'))).build();
 * SwaggerModule.setup('docs', app, SwaggerModule.createDocument(app, config));
 * ```
 *
 * `@nestjs/swagger` is an optional peer: the hub's classes carry no swagger decorators, so an
 * app without it never loads it; this call loads it and applies the decorators (once per process).
 * @throws SseMissingPeerError when `@nestjs/swagger` is not installed
 * @publicApi
 */
export async function addSseApiDocs<Builder extends SseApiDocsBuilder>(
  builder: Builder,
): Promise<Builder> {
  described ??= loadOptionalPeer(
    '@nestjs/swagger',
    'addSseApiDocs()',
    () => import('@nestjs/swagger'),
  ).then(describeRoutes);
  await described;
  (builder as unknown as DocumentBuilder)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, SECURITY.bearer)
    .addApiKey({ type: 'apiKey', in: 'query', name: TOKEN_QUERY_PARAMETER }, SECURITY.query)
    .addCookieAuth(
      TOKEN_COOKIE,
      { type: 'apiKey', in: 'cookie', name: TOKEN_COOKIE },
      SECURITY.cookie,
    );
  return builder;
}

type Swagger = typeof import('@nestjs/swagger');
type AnyDecorator = (
  target: object,
  key?: string | symbol,
  descriptor?: PropertyDescriptor,
) => unknown;

/** Applies decorators to a class, as `@A() @B() class X {}` would (the last one first). */
function onClass(target: object, ...decorators: AnyDecorator[]): void {
  decorators.reverse().forEach((decorate) => decorate(target));
}

/** Applies decorators to a method, as they would be written above it. */
function onMethod(
  target: { prototype: object },
  method: string,
  ...decorators: AnyDecorator[]
): void {
  const descriptor = Object.getOwnPropertyDescriptor(target.prototype, method);
  decorators.reverse().forEach((decorate) => decorate(target.prototype, method, descriptor));
}

/** Applies decorators to a property. */
function onProperty(
  target: { prototype: object },
  property: string,
  ...decorators: AnyDecorator[]
): void {
  decorators.reverse().forEach((decorate) => decorate(target.prototype, property));
}

/**
 * The OpenAPI description of every route and body of the hub, the same decorators the classes
 * would carry, applied at run time. The request bodies' constraints are those the class-validator
 * DTOs check (`PublishEventDto`, `TopicsDto`), written again here for the document.
 */
function describeRoutes(swagger: Swagger): void {
  const s = swagger as unknown as Record<keyof Swagger, (...args: unknown[]) => AnyDecorator>;
  const error = (description: string) => ({ description, type: ErrorBodyDto });
  // Factories, not shared decorators: some swagger decorators keep what they applied in their
  // closure, so one instance applied to two classes would give the second both sets.
  /** A route behind `JwtClientGuard`: any one of the three token places, 401 and 403. */
  const clientAuth = () =>
    applyDecorators(
      s.ApiBearerAuth(SECURITY.bearer),
      s.ApiSecurity(SECURITY.query),
      s.ApiCookieAuth(SECURITY.cookie),
      s.ApiUnauthorizedResponse(error('No token, or a bad or expired one')),
      s.ApiForbiddenResponse(error('Valid token, but not allowed')),
    ) as AnyDecorator;

  onProperty(ErrorBodyDto, 'statusCode', s.ApiProperty({ type: Number, example: 403 }));
  onProperty(ErrorBodyDto, 'error', s.ApiProperty({ type: String, example: 'Forbidden' }));
  onProperty(
    ErrorBodyDto,
    'message',
    s.ApiProperty({
      type: Object,
      oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
      example: 'This requires the "publisher" role',
    }),
  );
  onProperty(
    ErrorBodyDto,
    'code',
    s.ApiPropertyOptional({
      type: String,
      description: 'Stable code of a domain error',
      example: 'TOPIC.NOT_ALLOWED',
    }),
  );
  onProperty(
    PublishReceiptDto,
    'id',
    s.ApiProperty({
      type: String,
      description: "The event's id in the hub-wide order (opaque)",
      example: '1764391038123-0',
    }),
  );
  onProperty(
    PublishReceiptDto,
    'delivered',
    s.ApiProperty({
      type: Number,
      description: 'Connections on this instance that took the event',
      example: 2,
    }),
  );
  onProperty(
    PublishReceiptDto,
    'repeated',
    s.ApiPropertyOptional({
      type: Boolean,
      description:
        'True when the Idempotency-Key repeated an earlier publish: nothing was delivered again',
      example: true,
    }),
  );
  onProperty(
    TopicsResponseDto,
    'topics',
    s.ApiProperty({ type: [String], example: ['orders/eu'] }),
  );
  onProperty(
    TopicsDto,
    'topics',
    s.ApiProperty({
      description: 'Topic names: 1-128 letters, digits and `_ - . : /`, no empty segment',
      type: [String],
      minItems: 1,
      example: ['orders/eu', 'demo/metrics'],
    }),
  );
  onProperty(
    PublishEventDto,
    'event',
    s.ApiProperty({
      type: String,
      description: 'The SSE event type (`event:` line): 1-64 letters, digits and `_ - . :`',
      minLength: 1,
      maxLength: 64,
      pattern: '^[A-Za-z0-9_\\-.:]+$',
      example: 'order.shipped',
    }),
  );
  onProperty(
    PublishEventDto,
    'data',
    s.ApiProperty({
      description: 'Any JSON value; strings are sent as they are, everything else as JSON',
      oneOf: [
        { type: 'object' },
        { type: 'array', items: {} },
        { type: 'string' },
        { type: 'number' },
        { type: 'boolean' },
      ],
      nullable: true,
      example: { orderId: 42 },
    }),
  );

  onClass(SseController, s.ApiTags('stream'), clientAuth());
  onMethod(
    SseController,
    'stream',
    s.ApiOperation({
      summary: "The client's event stream (Server-Sent Events)",
      description:
        'First `retry:` and a `connected` event `{ clientId, connectionId, recovered? }`, then replayed ' +
        'events after Last-Event-ID, then live events (`id:`, `event:`, `data:`), with comment heartbeats.',
    }),
    s.ApiQuery({
      name: 'topic',
      required: false,
      isArray: true,
      type: String,
      description: 'Topic to subscribe on connect (repeatable)',
    }),
    s.ApiQuery({
      name: 'topics',
      required: false,
      type: String,
      description: 'Comma-separated topics to subscribe on connect',
    }),
    s.ApiQuery({
      name: 'lastEventId',
      required: false,
      type: String,
      description: 'Resume after this id (for clients that cannot send Last-Event-ID)',
    }),
    s.ApiHeader({
      name: 'Last-Event-ID',
      required: false,
      description: 'Resume after this id; wins over lastEventId',
    }),
    s.ApiOkResponse({
      description: 'An endless text/event-stream',
      content: { 'text/event-stream': { schema: { type: 'string' } } },
    }),
    s.ApiBadRequestResponse(error('A bad topic or Last-Event-ID; no stream opens')),
  );

  onClass(
    SubscriptionsController,
    s.ApiTags('subscriptions'),
    clientAuth(),
    s.ApiOkResponse({
      description:
        "The client's current topics that the caller's token allows (its `topics` claim)",
      type: TopicsResponseDto,
    }),
  );
  const notAllowed = () =>
    s.ApiForbiddenResponse(error("A topic outside the token's `topics` claim; nothing changes"));
  onMethod(SubscriptionsController, 'list', s.ApiOperation({ summary: "The caller's topics" }));
  onMethod(
    SubscriptionsController,
    'subscribe',
    s.ApiOperation({ summary: 'Subscribe the caller (all its connections) to topics' }),
    s.ApiBadRequestResponse(error('A bad topic name, or too many topics')),
    notAllowed(),
  );
  onMethod(
    SubscriptionsController,
    'unsubscribe',
    s.ApiOperation({ summary: 'Unsubscribe the caller from topics' }),
    s.ApiBadRequestResponse(error('A bad topic name')),
    notAllowed(),
  );

  onClass(
    NotificationsController,
    s.ApiTags('publishing'),
    clientAuth(),
    s.ApiBadRequestResponse(error('A bad event type, target or body')),
    s.ApiPayloadTooLargeResponse(error('The body is over the limit (64 KiB by default)')),
    s.ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        "Your name for this publish (a UUID; 1-255 visible ASCII characters). Repeated within the idempotency window (5 minutes by default), on any instance, the publish is answered with the first one's id, `delivered: 0` and `repeated: true`, and nothing is delivered again.",
    }),
  );
  const accepted = () =>
    s.ApiAcceptedResponse({
      description: 'Accepted: the event id and how many local connections took it',
      type: PublishReceiptDto,
    });
  onMethod(
    NotificationsController,
    'toClient',
    accepted(),
    s.ApiOperation({ summary: 'Send an event to every connection of one client (role publisher)' }),
  );
  onMethod(
    NotificationsController,
    'toTopic',
    accepted(),
    s.ApiOperation({ summary: "Send an event to a topic's subscribers (role publisher)" }),
    s.ApiParam({
      name: 'topic',
      type: String,
      description: 'The topic; its slashes may stay as they are',
      example: 'orders/eu',
    }),
  );
  onMethod(
    NotificationsController,
    'broadcast',
    accepted(),
    s.ApiOperation({ summary: 'Send an event to every connection (role publisher)' }),
  );
  onProperty(
    DisconnectDto,
    'event',
    s.ApiPropertyOptional({
      type: String,
      description: 'A final event sent to the streams before they end',
      example: 'session.ended',
    }),
  );
  onProperty(
    DisconnectDto,
    'data',
    s.ApiPropertyOptional({
      description: "The final event's data (any JSON value; only with event)",
      example: { reason: 'logout' },
    }),
  );
  onProperty(
    DisconnectDto,
    'reconnect',
    s.ApiPropertyOptional({
      type: Boolean,
      default: true,
      description:
        "false: the client's new streams get 403 CLIENT.DISCONNECTED for a while (5 minutes by default), so EventSource's reconnect does not undo it",
    }),
  );
  onClass(ClientsController, s.ApiTags('clients'), clientAuth());
  onMethod(
    ClientsController,
    'disconnect',
    s.ApiOperation({ summary: 'End every stream of a client, on every instance (role publisher)' }),
    s.ApiAcceptedResponse({
      description: 'How many streams ended (on every instance that answered within 2 s)',
      schema: { type: 'object', properties: { streams: { type: 'number', example: 2 } } },
    }),
    s.ApiBadRequestResponse(error('A bad client id or body')),
  );
  onClass(PresenceController, s.ApiTags('presence'), clientAuth());
  onMethod(
    PresenceController,
    'client',
    s.ApiOperation({
      summary:
        'Whether a client has streams open, and how many, on every instance (role publisher)',
    }),
    s.ApiOkResponse({
      description: 'Counted on every instance that answered within 2 s',
      schema: {
        type: 'object',
        properties: {
          clientId: { type: 'string', example: 'user-42' },
          online: { type: 'boolean', example: true },
          streams: { type: 'number', example: 2 },
        },
      },
    }),
  );
  onMethod(
    PresenceController,
    'topic',
    s.ApiOperation({
      summary: "A topic's subscribers that have a stream open, on every instance (role publisher)",
      description: 'Sorted by client id; pass `cursor` back for the next page.',
    }),
    s.ApiParam({ name: 'topic', type: String, example: 'orders/eu' }),
    s.ApiQuery({
      name: 'limit',
      required: false,
      type: Number,
      description: '1-1000, default 100',
    }),
    s.ApiQuery({
      name: 'cursor',
      required: false,
      type: String,
      description: 'From the previous page',
    }),
    s.ApiOkResponse({
      description: '`count` is the total; `cursor` is absent on the last page',
      schema: {
        type: 'object',
        properties: {
          topic: { type: 'string' },
          count: { type: 'number' },
          clients: { type: 'array', items: { type: 'string' } },
          cursor: { type: 'string' },
        },
      },
    }),
    s.ApiBadRequestResponse(error('A bad topic, limit or cursor')),
  );
  onClass(HistoryController, s.ApiTags('history'), clientAuth());
  onMethod(
    HistoryController,
    'topic',
    s.ApiOperation({
      summary: "A topic's events still in history, oldest first, with the stream's ids",
      description:
        'For a first render before opening the stream with Last-Event-ID = the newest id shown. Only topics ' +
        "the token's `topics` claim allows; publishers see every topic.",
    }),
    s.ApiParam({ name: 'topic', type: String, example: 'orders/eu' }),
    s.ApiQuery({
      name: 'after',
      required: false,
      type: String,
      description: 'Events after this id (default: the oldest kept)',
    }),
    s.ApiQuery({
      name: 'before',
      required: false,
      type: String,
      description: 'Events before this id (paging back)',
    }),
    s.ApiQuery({
      name: 'limit',
      required: false,
      type: Number,
      description: '1-1000, default 100',
    }),
    s.ApiOkResponse({
      description:
        '`next`: where the following page starts (as `after`, or as `before` when paging back)',
      schema: {
        type: 'object',
        properties: {
          events: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                event: { type: 'string' },
                data: { description: 'The published JSON value' },
              },
            },
          },
          next: { type: 'string' },
        },
      },
    }),
    s.ApiBadRequestResponse(error('A bad topic, cursor or limit')),
  );

  const publication = {
    type: 'object',
    required: ['target', 'event'],
    additionalProperties: false,
    properties: {
      target: {
        description: 'Exactly one of: a client, a topic, or everyone',
        oneOf: [
          { type: 'object', required: ['client'], properties: { client: { type: 'string' } } },
          { type: 'object', required: ['topic'], properties: { topic: { type: 'string' } } },
          {
            type: 'object',
            required: ['broadcast'],
            properties: { broadcast: { type: 'boolean', enum: [true] } },
          },
        ],
      },
      event: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_\\-.:]+$' },
      data: { description: 'Any JSON value', nullable: true },
      idempotencyKey: {
        type: 'string',
        description: 'As the Idempotency-Key header, for this publication',
      },
    },
  };
  onMethod(
    NotificationsController,
    'batch',
    s.ApiOperation({
      summary: 'Publish many events in one request, accepted in order (role publisher)',
      description:
        'Each publication goes to its own target; a bad one is refused alone. Each counts against the publish rate. ' +
        'At most 500 publications by default (maxBatchSize); the body limit applies to the whole batch.',
    }),
    s.ApiBody({
      schema: {
        type: 'object',
        required: ['publications'],
        properties: { publications: { type: 'array', minItems: 1, items: publication } },
        example: {
          publications: [
            { target: { client: 'user-42' }, event: 'invoice.paid', data: { invoiceId: 7 } },
            {
              target: { topic: 'orders/eu' },
              event: 'order.shipped',
              data: 42,
              idempotencyKey: 'c0ffee',
            },
          ],
        },
      },
    }),
    s.ApiOkResponse({
      description: 'One receipt or error per publication, in the order given',
      schema: {
        type: 'object',
        properties: {
          receipts: {
            type: 'array',
            items: {
              oneOf: [
                { $ref: '#/components/schemas/PublishReceiptDto' },
                {
                  type: 'object',
                  properties: {
                    error: {
                      type: 'object',
                      properties: {
                        statusCode: { type: 'number', example: 400 },
                        message: { type: 'string' },
                      },
                    },
                  },
                },
              ],
            },
          },
        },
      },
    }),
  );
}
