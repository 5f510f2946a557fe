// The password policy applied wherever a password is set.
import { isCommonPassword } from './common-passwords.ts';
import { AuthError } from './errors.ts';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export interface PolicyContext {
  email?: string | undefined;
  username?: string | undefined;
}

export interface PolicyResult {
  is_valid: boolean;
  issues: string[];
  score: number;
  strength: 'very_weak' | 'weak' | 'fair' | 'strong' | 'very_strong';
}

const STRENGTHS: PolicyResult['strength'][] = ['very_weak', 'weak', 'fair', 'strong', 'very_strong'];

export function checkPassword(password: string, context: PolicyContext = {}): PolicyResult {
  const issues: string[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH)
    issues.push(`Password must be at least ${PASSWORD_MIN_LENGTH} characters long.`);
  if (length > PASSWORD_MAX_LENGTH)
    issues.push(`Password must be at most ${PASSWORD_MAX_LENGTH} characters long.`);
  if (isCommonPassword(password))
    issues.push('Password is too common: it appears in lists of leaked passwords.');
  const lower = password.toLowerCase();
  const localPart = context.email?.split('@')[0]?.trim().toLowerCase();
  if (localPart && localPart.length >= 3 && lower.includes(localPart)) {
    issues.push('Password must not contain your email address.');
  }
  const username = context.username?.trim().toLowerCase();
  if (username && username.length >= 3 && lower.includes(username)) {
    issues.push('Password must not contain your username.');
  }
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  const lengthPoints = length >= 16 ? 2 : length >= 12 ? 1 : 0;
  const raw = issues.length > 0 ? 0 : Math.min(4, Math.max(1, classes - 1 + lengthPoints));
  return { is_valid: issues.length === 0, issues, score: raw, strength: STRENGTHS[raw] ?? 'very_weak' };
}

export function assertStrongPassword(password: string, context: PolicyContext = {}): void {
  const result = checkPassword(password, context);
  if (!result.is_valid) {
    throw new AuthError('weak_password', 'The password does not meet the password policy.', {
      extensions: { issues: result.issues },
    });
  }
}
