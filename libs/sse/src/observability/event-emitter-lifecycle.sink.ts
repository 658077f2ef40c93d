import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { LifecycleEventSink } from '../application/hub-lifecycle-events.js';
import { loadOptionalPeer } from '../optional-peer.js';
import { SSE_RESOLVED_OPTIONS, type ResolvedSseOptions } from '../sse-resolved-options.js';

/** What the hub needs of `@nestjs/event-emitter`'s EventEmitter2. */
interface Emitter {
  emit(name: string, payload: object): unknown;
}

/**
 * Hands the hub's lifecycle events to the app's `EventEmitter2` (`@nestjs/event-emitter`) with
 * `lifecycleEvents: true`; drops them otherwise. The package is an optional peer, loaded at
 * start-up only when the option is on, and start-up fails with a clear message when it or the
 * app's `EventEmitterModule.forRoot()` is missing (rather than events silently never arriving).
 */
@Injectable()
export class EventEmitterLifecycleSink implements LifecycleEventSink, OnModuleInit {
  private emitter?: Emitter;

  constructor(
    @Inject(SSE_RESOLVED_OPTIONS) private readonly options: Pick<ResolvedSseOptions, 'lifecycleEvents'>,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** @throws SseMissingPeerError when `@nestjs/event-emitter` is not installed */
  async onModuleInit(): Promise<void> {
    if (!this.options.lifecycleEvents) {
      return;
    }
    const { EventEmitter2 } = await loadOptionalPeer('@nestjs/event-emitter', 'lifecycleEvents: true', () =>
      import('@nestjs/event-emitter'),
    );
    try {
      this.emitter = this.moduleRef.get(EventEmitter2, { strict: false });
    } catch {
      throw new Error(
        'sse-hub: lifecycleEvents: true needs EventEmitterModule.forRoot() (@nestjs/event-emitter) imported by the app',
      );
    }
  }

  emit(name: string, payload: object): void {
    this.emitter?.emit(name, payload);
  }
}
