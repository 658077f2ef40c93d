import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { addSseApiDocs } from 'nestjs-sse-hub';

/** Where the docs are served: the UI here, the OpenAPI JSON at `${API_DOCS_PATH}-json`. */
export const API_DOCS_PATH = 'docs';

/**
 * The OpenAPI document at /docs, generated from the controllers and from the same
 * class-validator DTOs that validate requests, so the docs cannot drift from the checks.
 */
export async function setUpApiDocs(app: INestApplication): Promise<void> {
  const builder = await addSseApiDocs(
    new DocumentBuilder()
      .setTitle('sse-hub')
      .setDescription(
        'Real-time push over Server-Sent Events. Open `GET /sse` with a JWT, subscribe to topics, ' +
          'and publish to a client, a topic or everyone. Try it at `/`.',
      )
      .setVersion('0.1.0'),
  );
  const config = builder.build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup(API_DOCS_PATH, app, document, {
    customSiteTitle: 'sse-hub API',
    jsonDocumentUrl: `${API_DOCS_PATH}-json`,
  });
}
