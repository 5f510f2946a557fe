// The `passkey` object of the contract: what a user sees of one of their passkeys (never the key itself).
import type { PasskeyRow } from '../../ports/database.ts';

export interface PasskeyView {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  /** `singleDevice`, or `multiDevice` for a passkey synced between devices. */
  device_type: string;
  backed_up: boolean;
  transports: string[];
}

export function passkeyView(row: PasskeyRow): PasskeyView {
  return {
    id: row.id,
    name: row.name,
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    device_type: row.deviceType,
    backed_up: row.backedUp,
    transports: row.transports,
  };
}
