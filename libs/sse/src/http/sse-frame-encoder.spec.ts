import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { encodeFrame } from './sse-frame-encoder.js';

function parse(frame: string) {
  const events: EventSourceMessage[] = [];
  const comments: string[] = [];
  let retry: number | undefined;
  const parser = createParser({
    onEvent: (e) => events.push(e),
    onComment: (c) => comments.push(c),
    onRetry: (r) => (retry = r),
  });
  parser.feed(frame);
  return { events, comments, retry };
}

describe('encodeFrame', () => {
  it('writes id, event and one data line per payload line', () => {
    const frame = encodeFrame({ id: '5-0', type: 'note', data: 'a\nb\r\nc' });
    expect(frame).toBe('event: note\nid: 5-0\ndata: a\ndata: b\ndata: c\n\n');
    expect(parse(frame).events).toEqual([{ id: '5-0', event: 'note', data: 'a\nb\nc' }]);
  });

  it('keeps line breaks out of single-line fields', () => {
    const frame = encodeFrame({ id: '1-0\nevent: evil', type: 'a\r\nb', data: 'x' });
    const { events } = parse(frame);
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({ id: '1-0event: evil', event: 'ab', data: 'x' });
  });

  it('writes retry and comment frames', () => {
    expect(parse(encodeFrame({ retry: 1500, type: 'connected', data: '{}' })).retry).toBe(1500);
    expect(encodeFrame({ comment: '' })).toBe(': \n\n');
  });

  it('encodes a frame once and hands the same string to every connection', () => {
    const message = { id: '1-0', type: 't', data: 'd' };
    expect(encodeFrame(message)).toBe(encodeFrame(message));
  });
});
