import { parseTopic } from './topic.js';
import { TopicScope } from './topic-scope.js';

const t = parseTopic;

describe('TopicScope', () => {
  it('allows every topic without a claim, and keeps no decision', () => {
    const scope = TopicScope.of(undefined);
    expect(scope).toBe(TopicScope.UNRESTRICTED);
    expect(scope.isRestricted).toBe(false);
    expect(scope.allows(t('admin/secrets'))).toBe(true);
    expect(scope.decisions).toBe(0);
  });

  it("allows only the claim's patterns, deciding each topic once", () => {
    const scope = TopicScope.of(['users/tess/#']);
    expect(scope.allows(t('users/tess/inbox'))).toBe(true);
    expect(scope.allows(t('admin/secrets'))).toBe(false);
    expect(scope.allows(t('admin/secrets'))).toBe(false);
    expect(scope.decisions).toBe(2);
  });

  it('forgets the decisions of topics the client no longer holds', () => {
    const scope = TopicScope.of(['a/#']);
    scope.allows(t('a/1'));
    scope.allows(t('b'));
    scope.forget([t('b')]);
    expect(scope.decisions).toBe(1);
    scope.forget();
    expect(scope.decisions).toBe(0);
    expect(scope.allows(t('a/1'))).toBe(true);
  });

  it('gives each token its own decisions', () => {
    expect(TopicScope.of(['x'])).not.toBe(TopicScope.of(['x']));
  });
});
