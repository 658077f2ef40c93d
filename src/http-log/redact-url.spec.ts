import { redactUrl } from './redact-url.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';

describe('redactUrl', () => {
  it('leaves URLs without secrets exactly as they came', () => {
    expect(redactUrl('/sse')).toBe('/sse');
    expect(redactUrl('/sse?topic=a%2Fb&topic=c')).toBe('/sse?topic=a%2Fb&topic=c');
  });

  it.each([
    [`/sse?token=${JWT}`, '/sse?token=[REDACTED]'],
    [`/sse?topic=a&token=${JWT}&lastEventId=1-0`, '/sse?topic=a&token=[REDACTED]&lastEventId=1-0'],
    [`/sse?TOKEN=${JWT}`, '/sse?TOKEN=[REDACTED]'],
    [`/sse?%74oken=${JWT}`, '/sse?token=[REDACTED]'],
    [`/sse?token[0]=${JWT}`, '/sse?token%5B0%5D=[REDACTED]'],
    [`/sse?access_token=${JWT}&jwt=${JWT}&sse_token=${JWT}`, '/sse?access_token=[REDACTED]&jwt=[REDACTED]&sse_token=[REDACTED]'],
    [`/sse?token=${JWT}&token=${JWT}`, '/sse?token=[REDACTED]&token=[REDACTED]'],
  ])('redacts %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
    expect(redactUrl(url)).not.toContain(JWT);
  });
});
