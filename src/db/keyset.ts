// Keyset pagination on (created_at, id): the rows after the last one of the previous page, in the list's order.
import { and, eq, gt, lt, or, type Column, type SQL } from 'drizzle-orm';

import type { Keyset } from '../ports/database.ts';

export function afterKeyset(
  columns: { createdAt: Column; id: Column },
  after: Keyset | undefined,
  order: 'asc' | 'desc',
): SQL | undefined {
  if (!after) return undefined;
  const beyond = order === 'asc' ? gt : lt;
  return or(
    beyond(columns.createdAt, after.createdAt),
    and(eq(columns.createdAt, after.createdAt), beyond(columns.id, after.id)),
  );
}
