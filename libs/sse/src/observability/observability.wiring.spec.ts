import { Test } from '@nestjs/testing';
import { HubObserver } from '../application/hub-observer.js';
import { NotificationService } from '../application/notification.service.js';
import { SseModule } from '../sse.module.js';
import { BrokerHealthIndicator } from './broker.health.js';
import { SseMetricsService } from './sse-metrics.service.js';

describe('SseModule observability wiring', () => {
  it('reports to its SseMetricsService, and checks the in-memory broker as up', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [SseModule.forRoot({ jwtSecret: 'wiring-secret', metrics: true })],
    }).compile();
    await moduleRef.init();
    try {
      const metrics = moduleRef.get(SseMetricsService);
      expect(moduleRef.get(HubObserver)).toBe(metrics);

      await moduleRef.get(NotificationService).broadcast('ping', { n: 1 });
      expect(await metrics.metrics()).toContain('sse_events_published_total{target="broadcast"} 1');

      await expect(moduleRef.get(BrokerHealthIndicator).isHealthy('broker')).resolves.toEqual({
        broker: { status: 'up', broker: 'memory' },
      });
    } finally {
      await moduleRef.close();
    }
  });
});
