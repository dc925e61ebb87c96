import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '#lib/http/idempotency.ts';

const SECRET_FIELDS = ['password', 'secretAnswer', 'currentPassword', 'newPassword'] as const;

describe('redactSecrets', () => {
  it('blanks out the secrets of a login, a password change and a recovery', () => {
    // Prepare
    const bodies = [
      { username: 'alice', password: 'Tr0ub4dor&3' },
      { currentPassword: 'Tr0ub4dor&3', newPassword: 'correct horse battery' },
      { username: 'alice', secretAnswer: 'Blue whale', newPassword: 'correct horse battery' },
    ];

    // Act
    const redacted = bodies.map(redactSecrets);

    // Assess
    expect(redacted).toEqual([
      { username: 'alice', password: '[secret]' },
      { currentPassword: '[secret]', newPassword: '[secret]' },
      { username: 'alice', secretAnswer: '[secret]', newPassword: '[secret]' },
    ]);
  });

  it('blanks out secrets nested in objects and arrays at any depth', () => {
    // Prepare: an account created with its company carries the admin password inside.
    const body = {
      name: 'Acme',
      admin: { username: 'admin', password: 'admin-secret-1', contact: { email: 'a@acme.test' } },
      accounts: [
        { username: 'u1', password: 'user-secret-1', secretQuestion: 'Pet?', secretAnswer: 'Rex' },
        [{ deeper: { newPassword: 'deep-secret' } }],
      ],
    };

    // Act
    const redacted = redactSecrets(body);

    // Assess
    expect(redacted).toEqual({
      name: 'Acme',
      admin: { username: 'admin', password: '[secret]', contact: { email: 'a@acme.test' } },
      accounts: [
        { username: 'u1', password: '[secret]', secretQuestion: 'Pet?', secretAnswer: '[secret]' },
        [{ deeper: { newPassword: '[secret]' } }],
      ],
    });
    const text = JSON.stringify(redacted);
    for (const secret of ['admin-secret-1', 'user-secret-1', 'Rex', 'deep-secret']) {
      expect(text).not.toContain(secret);
    }
  });

  it('blanks out a secret field whatever its value holds', () => {
    // Prepare: a malformed body is still hashed, so an object under a secret name must not leak.
    const body = {
      password: { plain: 'hidden-in-object' },
      secretAnswer: ['hidden', 'in', 'array'],
      currentPassword: 12345678,
      newPassword: null,
    };

    // Act
    const redacted = redactSecrets(body);

    // Assess
    expect(redacted).toEqual({
      password: '[secret]',
      secretAnswer: '[secret]',
      currentPassword: '[secret]',
      newPassword: '[secret]',
    });
  });

  it('leaves fields that only resemble secret names', () => {
    // Prepare: the service's schemas use exactly these names; others are ordinary data.
    const body = {
      Password: 'a',
      PASSWORD: 'b',
      passwordHint: 'c',
      secretQuestion: 'd',
      temporaryPassword: 'e',
      mustChangePassword: true,
      ultraSafe: false,
    };

    // Act
    const redacted = redactSecrets(body);

    // Assess
    expect(redacted).toEqual(body);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'password'],
    ['a number', 42],
    ['a boolean', true],
  ])('returns %s unchanged', (_label, value) => {
    // Act
    const redacted = redactSecrets(value);

    // Assess
    expect(redacted).toBe(value);
  });

  it('redacts each element of a top-level array', () => {
    // Act
    const redacted = redactSecrets([{ password: 'p1' }, 'password', { username: 'bob' }]);

    // Assess
    expect(redacted).toEqual([{ password: '[secret]' }, 'password', { username: 'bob' }]);
  });

  it('does not change the body the handler goes on to validate and use', () => {
    // Prepare
    const body = { username: 'alice', password: 'Tr0ub4dor&3', nested: { newPassword: 'x1' } };
    const before = structuredClone(body);

    // Act
    const redacted = redactSecrets(body);

    // Assess
    expect(body).toEqual(before);
    expect(redacted).not.toBe(body);
  });

  it('keeps an own __proto__ key of parsed JSON as data and redacts inside it', () => {
    // Prepare
    const body = JSON.parse('{"__proto__": {"password": "proto-secret"}, "name": "x"}');

    // Act
    const redacted = redactSecrets(body) as Record<string, unknown>;

    // Assess
    expect(Object.hasOwn(redacted, '__proto__')).toBe(true);
    expect(JSON.stringify(redacted)).not.toContain('proto-secret');
    expect(Object.getPrototypeOf(redacted)).toBe(Object.prototype);
  });

  it('makes bodies that differ only in a secret compare equal, and others still differ', () => {
    // Prepare
    const first = { username: 'alice', password: 'first-try' };
    const retry = { username: 'alice', password: 'second-try' };
    const other = { username: 'bob', password: 'first-try' };

    // Act
    const [a, b, c] = [first, retry, other].map((body) => JSON.stringify(redactSecrets(body)));

    // Assess
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('property: leaves any JSON without secret fields exactly as it was', () => {
    // Prepare: JSON keys drawn so that they never collide with a secret field name.
    const key = fc
      .string({ maxLength: 12 })
      .filter((k) => !(SECRET_FIELDS as readonly string[]).includes(k));
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.string(),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(key, tie('value'), { maxKeys: 4 }),
      ),
    })).value;

    // Act / Assess
    fc.assert(
      fc.property(json, (value) => {
        expect(redactSecrets(value)).toEqual(value);
      }),
    );
  });

  it('property: a secret planted anywhere in a JSON document never survives', () => {
    // Prepare
    const marker = 'PLANTED-SECRET-7f3a';
    const field = fc.constantFrom(...SECRET_FIELDS);
    const path = fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.nat({ max: 2 })), {
      maxLength: 6,
    });
    const plant = (steps: (string | number)[], name: string, siblings: unknown): unknown => {
      let node: unknown = { [name]: marker, sibling: siblings };
      for (const step of steps.toReversed()) {
        node =
          typeof step === 'number'
            ? [...Array.from({ length: step }, () => siblings), node]
            : { [`k${step}`]: node, other: siblings };
      }
      return node;
    };

    // Act / Assess
    fc.assert(
      fc.property(path, field, fc.jsonValue({ maxDepth: 2 }), (steps, name, siblings) => {
        const redacted = redactSecrets(plant(steps, name, siblings));
        expect(JSON.stringify(redacted)).not.toContain(marker);
        // Redacting twice changes nothing: the marker is itself not a secret.
        expect(redactSecrets(redacted)).toEqual(redacted);
      }),
      { numRuns: 500 },
    );
  });
});
