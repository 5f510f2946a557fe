// The `user` object of the contract.
import type { UserRow } from '../ports/database.ts';

export interface UserView {
  id: string;
  email: string;
  username: string;
  first_name: string | null;
  last_name: string | null;
  is_active: boolean;
  is_verified: boolean;
  roles: string[];
  two_factor_enabled: boolean;
  created_at: string;
  last_login_at: string | null;
}

export function userView(row: UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    username: row.username,
    first_name: row.firstName,
    last_name: row.lastName,
    is_active: row.isActive,
    is_verified: row.isVerified,
    roles: row.roles,
    two_factor_enabled: row.twoFactorEnabled,
    created_at: row.createdAt.toISOString(),
    last_login_at: row.lastLoginAt?.toISOString() ?? null,
  };
}
