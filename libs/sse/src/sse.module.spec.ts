import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { InMemoryEventHistoryAdapter } from './adapters/in-memory/in-memory-event-history.adapter.js';
import { InMemoryEventTransportAdapter } from './adapters/in-memory/in-memory-event-transport.adapter.js';
import { InMemorySubscriptionRegistryAdapter } from './adapters/in-memory/in-memory-subscription-registry.adapter.js';
import { HubSettings } from './application/hub-settings.js';
import { NotificationService } from './application/notification.service.js';
import { EventHistory, EventTransport, SubscriptionRegistry } from './domain/index.js';
import { InjectEventHistory, InjectEventTransport, InjectSubscriptionRegistry } from './sse.decorators.js';
import { SseModule } from './sse.module.js';
import type { SseModuleOptions, SseOptionsFactory } from './sse-module-options.interface.js';
import { SseOptionsError } from './sse-options.error.js';
import { SSE_DEFAULTS, SSE_RESOLVED_OPTIONS, type ResolvedSseOptions } from './sse-resolved-options.js';

const options: SseModuleOptions = { jwtSecret: 'wiring-secret', historySize: 50 };

@Injectable()
class OptionsFactory implements SseOptionsFactory {
  createSseOptions(): SseModuleOptions {
    return options;
  }
}

@Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
class OptionsModule {}

const variants = [
  ['forRoot', () => SseModule.forRoot(options)],
  ['forRootAsync useFactory', () => SseModule.forRootAsync({ useFactory: async () => options })],
  ['forRootAsync useClass', () => SseModule.forRootAsync({ useClass: OptionsFactory })],
  [
    'forRootAsync useExisting',
    () => SseModule.forRootAsync({ imports: [OptionsModule], useExisting: OptionsFactory }),
  ],
] as const;

describe('SseModule wiring', () => {
  it.each(variants)('%s resolves the in-memory adapters and the service', async (_name, build) => {
    const moduleRef = await Test.createTestingModule({ imports: [build()] }).compile();
    try {
      expect(moduleRef.get(EventHistory)).toBeInstanceOf(InMemoryEventHistoryAdapter);
      expect(moduleRef.get(EventTransport)).toBeInstanceOf(InMemoryEventTransportAdapter);
      expect(moduleRef.get(SubscriptionRegistry)).toBeInstanceOf(InMemorySubscriptionRegistryAdapter);
      // The options are resolved once, and the application's settings are that same object.
      const resolved = moduleRef.get<ResolvedSseOptions>(SSE_RESOLVED_OPTIONS);
      expect(resolved).toMatchObject({ ...SSE_DEFAULTS, historySize: 50 });
      expect(moduleRef.get(HubSettings)).toBe(resolved);
      const service = moduleRef.get(NotificationService);
      await service.subscribe('wired', ['t']);
      expect(await service.topicsOf('wired')).toEqual(['t']);
    } finally {
      await moduleRef.close();
    }
  });

  it('lets host providers inject the ports with the decorators', async () => {
    @Injectable()
    class Auditor {
      constructor(
        @InjectEventHistory() readonly history: EventHistory,
        @InjectEventTransport() readonly transport: EventTransport,
        @InjectSubscriptionRegistry() readonly registry: SubscriptionRegistry,
      ) {}
    }
    const moduleRef = await Test.createTestingModule({
      imports: [SseModule.forRoot(options)],
      providers: [Auditor],
    }).compile();
    try {
      const auditor = moduleRef.get(Auditor);
      expect(auditor.history).toBeInstanceOf(InMemoryEventHistoryAdapter);
      expect(auditor.transport).toBeInstanceOf(InMemoryEventTransportAdapter);
      expect(auditor.registry).toBeInstanceOf(InMemorySubscriptionRegistryAdapter);
    } finally {
      await moduleRef.close();
    }
  });

  it('uses adapters handed in through `adapters`', async () => {
    const history = new InMemoryEventHistoryAdapter(3);
    const moduleRef = await Test.createTestingModule({
      imports: [SseModule.forRoot({ jwtSecret: 's', adapters: { history } })],
    }).compile();
    try {
      expect(moduleRef.get(EventHistory)).toBe(history);
      await moduleRef.get(NotificationService).broadcast('x', 1);
      expect((await history.readAfter('0-0', 10)).events).toHaveLength(1);
    } finally {
      await moduleRef.close();
    }
  });

  it('fails start-up with one error listing every bad option', async () => {
    const compile = Test.createTestingModule({
      imports: [SseModule.forRoot({ jwtSecret: '', heartbeatMs: -5 })],
    }).compile();
    await expect(compile).rejects.toThrow(SseOptionsError);
    await expect(
      Test.createTestingModule({ imports: [SseModule.forRoot({ jwtSecret: '', heartbeatMs: -5 })] }).compile(),
    ).rejects.toThrow(/jwtSecret[\s\S]*heartbeatMs/);
  });
});
