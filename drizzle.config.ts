import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes SQL migrations from src/db/schema.ts; they are committed under drizzle/.
// Production applies them with `npx drizzle-kit migrate` and DATABASE_URL pointing at Neon.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://localhost/portcullis' },
});
