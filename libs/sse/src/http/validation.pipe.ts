import {
  BadRequestException,
  ValidationPipe,
  type ArgumentMetadata,
  type PipeTransform,
} from '@nestjs/common';

/**
 * Keys that class-transformer skips and Nest's `ValidationPipe` deletes, at every depth, before
 * validating: `{"constructor":"Ferrari","b":2}` became `{"b":2}`, and a top-level `__proto__`
 * field was dropped instead of refused. In a body they are refused like any unknown field.
 */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

/** What the envelope's rules see in place of a payload field that is there (JSON null is a payload). */
const PRESENT_PAYLOAD = null;

/**
 * The module's own validation (a library must not rely on the host app's global pipe): checks a
 * JSON body's envelope with its DTO's class-validator rules, refusing unknown fields, and returns
 * the body as parsed. Payload fields (an event's `data`) are validated as present, never looked
 * into: what a publisher sends is what subscribers get, whatever its keys.
 * @publicApi
 */
export class EnvelopeValidationPipe implements PipeTransform {
  private readonly envelope = new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    // Validates a copy; the body itself goes on unchanged.
    transform: false,
  });

  /** @param payloadFields top-level fields passed through untouched (e.g. `['data']`) */
  constructor(private readonly payloadFields: readonly string[] = []) {}

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (!isPlainRecord(value)) {
      // A list, a primitive or null: the envelope rules give their usual answer.
      return this.envelope.transform(value, metadata);
    }
    const keys = Object.keys(value);
    const stray = keys.filter((key) => PROTOTYPE_KEYS.includes(key));
    // Object.fromEntries defines each key as its own property, `__proto__` included.
    const envelope = Object.fromEntries(
      keys
        .filter((key) => !stray.includes(key))
        .map((key) => [key, this.payloadFields.includes(key) ? PRESENT_PAYLOAD : value[key]]),
    );
    const messages: string[] = [];
    try {
      await this.envelope.transform(envelope, metadata);
    } catch (error) {
      if (!(error instanceof BadRequestException)) {
        throw error;
      }
      messages.push(...messagesOf(error));
    }
    messages.push(...stray.map((key) => `property ${key} should not exist`));
    if (messages.length > 0) {
      throw new BadRequestException(messages);
    }
    return value;
  }
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messagesOf(error: BadRequestException): string[] {
  const { message } = error.getResponse() as { message?: unknown };
  return Array.isArray(message) ? message.map(String) : [String(message ?? error.message)];
}

/** For bodies without a payload (topic lists, claims). */
export const sseValidationPipe = new EnvelopeValidationPipe();

/** For publish bodies: `data` is passed through as it was parsed. */
export const publishValidationPipe = new EnvelopeValidationPipe(['data']);
