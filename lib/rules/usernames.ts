/** Usernames (SPEC §2.4): global, case-insensitive, never reused. */
/** SPEC §2.4: 3–64 characters of a-z 0-9 . _ @ + -, starting with a letter or digit. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._@+-]{2,63}$/;
/**
 * The same rule on the username as typed, before it is trimmed and lower-cased: what a request
 * may send (and what its JSON Schema says).
 */
export const USERNAME_INPUT_PATTERN = /^\s*[A-Za-z0-9][A-Za-z0-9._@+-]{2,63}\s*$/;
export const USERNAME_CHARACTERS_MESSAGE = 'May contain only letters, digits and . _ @ + -';

export const normalizeUsername = (raw: string): string => raw.trim().toLowerCase();

export function usernameProblem(raw: string): string | null {
  const username = normalizeUsername(raw);
  if (username.length < 3 || username.length > 64) return 'Must be 3 to 64 characters long.';
  if (!/^[a-z0-9]/.test(username)) return 'Must start with a letter or a digit.';
  if (!USERNAME_PATTERN.test(username)) {
    return USERNAME_CHARACTERS_MESSAGE;
  }
  return null;
}
