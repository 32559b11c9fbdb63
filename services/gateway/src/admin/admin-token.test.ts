import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ADMIN_TOKEN_ENV, resolveAdminToken } from './admin-token.js';

describe('admin token', () => {
  it('takes PERPCORE_ADMIN_TOKEN as is and reports nothing to print', () => {
    const r = resolveAdminToken({ [ADMIN_TOKEN_ENV]: 'operator-secret-123456' });
    assert.equal(r.generated, undefined);
    assert.ok(r.token.matches('Bearer operator-secret-123456'));
    for (const wrong of [undefined, '', 'operator-secret-123456', 'Bearer operator-secret-12345', 'Bearer operator-secret-1234567', 'bearer operator-secret-123456', 'Basic operator-secret-123456']) {
      assert.equal(r.token.matches(wrong), false, String(wrong));
    }
  });

  it('refuses a short or spaced configured token, naming the variable', () => {
    assert.throws(() => resolveAdminToken({ [ADMIN_TOKEN_ENV]: 'short' }), /PERPCORE_ADMIN_TOKEN/);
    assert.throws(() => resolveAdminToken({ [ADMIN_TOKEN_ENV]: 'with a space inside it' }), /PERPCORE_ADMIN_TOKEN/);
  });

  it('generates a fresh 48-character token when unset, for the composition root to print once', () => {
    const a = resolveAdminToken({});
    const b = resolveAdminToken({});
    assert.match(a.generated ?? '', /^[A-Za-z0-9]{48}$/);
    assert.notEqual(a.generated, b.generated);
    assert.ok(a.token.matches(`Bearer ${a.generated}`));
    assert.equal(a.token.matches(`Bearer ${b.generated}`), false);
  });
});
