import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { HubFullError, InvalidTopicError, RateLimitedError } from '../domain/index.js';
import { errorResponseOf } from './error-response.js';

describe('errorResponseOf', () => {
  it('answers a domain error with its status, code and message', () => {
    const error = new InvalidTopicError('a topic has no empty segment');
    expect(errorResponseOf(error)).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: error.message, code: 'TOPIC.INVALID_NAME' },
      headers: {},
      expected: true,
    });
    expect(errorResponseOf(new HubFullError(10)).status).toBe(503);
  });

  it('tells a rate-limited client when to come back, in whole seconds, at least 1', () => {
    expect(errorResponseOf(new RateLimitedError('attempts', 1_200)).headers).toEqual({ 'Retry-After': '2' });
    expect(errorResponseOf(new RateLimitedError('attempts', 10)).headers).toEqual({ 'Retry-After': '1' });
    expect(errorResponseOf(new RateLimitedError('attempts', 10)).status).toBe(429);
  });

  it("answers Nest's HTTP exceptions as Nest does", () => {
    expect(errorResponseOf(new UnauthorizedException('A token is required'))).toEqual({
      status: 401,
      body: { statusCode: 401, error: 'Unauthorized', message: 'A token is required' },
      headers: {},
      expected: true,
    });
    expect(errorResponseOf(new ForbiddenException()).status).toBe(403);
  });

  it('answers anything else with a bare 500 that does not repeat its message', () => {
    const answer = errorResponseOf(new Error('connect ECONNREFUSED 10.0.0.7:6379 password=hunter2'));
    expect(answer).toEqual({
      status: 500,
      body: { statusCode: 500, message: 'Internal server error' },
      headers: {},
      expected: false,
    });
  });
});
