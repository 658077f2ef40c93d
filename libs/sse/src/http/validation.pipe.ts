import { ValidationPipe } from '@nestjs/common';

/**
 * The module's own validation: a library must not rely on the host app's global pipe. Unknown
 * fields are refused, not silently dropped.
 */
export const sseValidationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
});
