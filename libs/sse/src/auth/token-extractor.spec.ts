import { extractToken } from './token-extractor.js';

describe('extractToken', () => {
  it('reads Authorization: Bearer first', () => {
    expect(
      extractToken({ headers: { authorization: 'Bearer aaa', cookie: 'sse_token=ccc' }, query: { token: 'bbb' } }),
    ).toBe('aaa');
    expect(extractToken({ headers: { authorization: 'bearer  aaa ' } })).toBe('aaa');
  });

  it('falls back to ?token=, then the sse_token cookie', () => {
    expect(extractToken({ headers: { cookie: 'sse_token=ccc' }, query: { token: 'bbb' } })).toBe('bbb');
    expect(extractToken({ headers: { cookie: 'a=1; sse_token=ccc; b=2' }, query: {} })).toBe('ccc');
    expect(extractToken({ headers: {}, query: {} })).toBeUndefined();
  });

  it('never falls back past a header that is there but unusable', () => {
    expect(extractToken({ headers: { authorization: 'Basic abc' }, query: { token: 'bbb' } })).toBe('');
  });

  it('refuses several ?token= values rather than guessing', () => {
    expect(extractToken({ headers: { cookie: 'sse_token=ccc' }, query: { token: ['a', 'b'] } })).toBe('');
  });
});
