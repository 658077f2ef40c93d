import { Controller, Get } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  HealthCheck,
  HealthCheckService,
  TerminusModule,
} from '@nestjs/terminus';
import type { BrokerHealth, TransportHealth } from '../domain/index.js';
import { SseAdapterSet } from '../sse-adapter-set.js';
import { SSE_RESOLVED_OPTIONS } from '../sse-resolved-options.js';
import { BrokerHealthIndicator } from './broker.health.js';
import { InMemoryEventTransportAdapter } from '../adapters/in-memory/in-memory-event-transport.adapter.js';
import { InMemorySubscriptionRegistryAdapter } from '../adapters/in-memory/in-memory-subscription-registry.adapter.js';
import { SseModule } from '../sse.module.js';

/** A broker whose answer the test sets. */
class FakeTransportHealth implements TransportHealth {
  answer: () => Promise<BrokerHealth> = async () => ({ up: true });
  checkHealth(): Promise<BrokerHealth> {
    return this.answer();
  }
}

const indicatorProviders = (health: TransportHealth | undefined, broker: string) => [
  BrokerHealthIndicator,
  { provide: SseAdapterSet, useValue: { health } },
  { provide: SSE_RESOLVED_OPTIONS, useValue: { broker } },
];

async function indicatorWith(health: TransportHealth | undefined, broker = 'memory') {
  const moduleRef = await Test.createTestingModule({
    providers: indicatorProviders(health, broker),
  }).compile();
  return moduleRef.get(BrokerHealthIndicator);
}

/** A host's health route, the way the terminus docs write one. */
@Controller('health')
class HostHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly broker: BrokerHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.broker.isHealthy('broker')]);
  }
}

describe('BrokerHealthIndicator', () => {
  it('reports the in-memory broker (no TransportHealth) up', async () => {
    const indicator = await indicatorWith(undefined);
    await expect(indicator.isHealthy('broker')).resolves.toEqual({
      broker: { status: 'up', broker: 'memory' },
    });
  });

  it("reports up with the broker's details when its check says up", async () => {
    const fake = new FakeTransportHealth();
    fake.answer = async () => ({ up: true, details: { connection: 'ready', latencyMs: 1 } });
    const indicator = await indicatorWith(fake, 'redis');
    await expect(indicator.isHealthy('broker')).resolves.toEqual({
      broker: { status: 'up', broker: 'redis', connection: 'ready', latencyMs: 1 },
    });
  });

  it('reports down when the broker is down, and a detail cannot pose as the status', async () => {
    const fake = new FakeTransportHealth();
    fake.answer = async () => ({
      up: false,
      details: { connection: 'reconnecting', status: 'up' },
    });
    const indicator = await indicatorWith(fake, 'redis');
    await expect(indicator.isHealthy('broker')).resolves.toEqual({
      broker: { status: 'down', broker: 'redis', connection: 'reconnecting' },
    });
  });

  it('reports down when the check throws, naming the error but not its message', async () => {
    const fake = new FakeTransportHealth();
    fake.answer = async () => {
      throw new TypeError('connect ECONNREFUSED redis://:hunter2@10.0.0.1:6379');
    };
    const result = await (await indicatorWith(fake, 'redis')).isHealthy('broker');
    expect(result.broker.status).toBe('down');
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(result.broker).toMatchObject({ message: 'health check failed (TypeError)' });
  });

  it('reports down when the check does not answer in time', async () => {
    const fake = new FakeTransportHealth();
    fake.answer = () => new Promise<BrokerHealth>(() => undefined);
    const indicator = await indicatorWith(fake, 'redis');
    await expect(indicator.isHealthy('broker', { timeoutMs: 50 })).resolves.toEqual({
      broker: { status: 'down', broker: 'redis', message: 'no answer within 50 ms' },
    });
  });
});

describe('BrokerHealthIndicator in a terminus health check', () => {
  it('answers 503 with the broker down, and 200 once it is back', async () => {
    const fake = new FakeTransportHealth();
    fake.answer = async () => ({ up: false, details: { connection: 'reconnecting' } });
    const moduleRef = await Test.createTestingModule({
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HostHealthController],
      providers: indicatorProviders(fake, 'redis'),
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    try {
      const url = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/health`;
      const down = await fetch(url);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({
        status: 'error',
        info: {},
        error: { broker: { status: 'down', broker: 'redis', connection: 'reconnecting' } },
        details: { broker: { status: 'down', broker: 'redis', connection: 'reconnecting' } },
      });
      fake.answer = async () => ({ up: true, details: { connection: 'ready' } });
      const up = await fetch(url);
      expect(up.status).toBe(200);
      expect(await up.json()).toMatchObject({ status: 'ok', info: { broker: { status: 'up' } } });
    } finally {
      await app.close();
    }
  });
});

/** A host's own transport (in memory here) that reports on a broker of its own. */
class ReportingTransport extends InMemoryEventTransportAdapter implements TransportHealth {
  answer: BrokerHealth = { up: true, details: { queue: 'connected' } };
  async checkHealth(): Promise<BrokerHealth> {
    return this.answer;
  }
}

/** A host's own registry that reports too. */
class ReportingRegistry extends InMemorySubscriptionRegistryAdapter implements TransportHealth {
  answer: BrokerHealth = { up: true, details: { database: 'connected' } };
  async checkHealth(): Promise<BrokerHealth> {
    return this.answer;
  }
}

describe('BrokerHealthIndicator with adapters handed to the module', () => {
  async function indicatorOf(
    adapters: { transport?: ReportingTransport; registry?: ReportingRegistry },
    broker: 'memory' | 'redis' = 'memory',
  ) {
    const moduleRef = await Test.createTestingModule({
      imports: [SseModule.forRoot({ jwtSecret: 's', broker, adapters })],
    }).compile();
    return { indicator: moduleRef.get(BrokerHealthIndicator), close: () => moduleRef.close() };
  }

  it('asks a custom transport that implements TransportHealth, and reports it down when it says so', async () => {
    const transport = new ReportingTransport();
    const { indicator, close } = await indicatorOf({ transport });
    try {
      await expect(indicator.isHealthy('broker')).resolves.toEqual({
        broker: { status: 'up', broker: 'memory', queue: 'connected' },
      });
      transport.answer = { up: false, details: { queue: 'gone' } };
      await expect(indicator.isHealthy('broker')).resolves.toEqual({
        broker: { status: 'down', broker: 'memory', queue: 'gone' },
      });
    } finally {
      await close();
    }
  });

  it('asks every adapter that reports, and is down when any one is', async () => {
    const transport = new ReportingTransport();
    const registry = new ReportingRegistry(1_000);
    const { indicator, close } = await indicatorOf({ transport, registry });
    try {
      await expect(indicator.isHealthy('broker')).resolves.toEqual({
        broker: { status: 'up', broker: 'memory', queue: 'connected', database: 'connected' },
      });
      registry.answer = { up: false, details: { database: 'unreachable' } };
      await expect(indicator.isHealthy('broker')).resolves.toMatchObject({
        broker: { status: 'down', database: 'unreachable' },
      });
    } finally {
      await close();
    }
  });
});
