/** Password hashing as a port: the adapter is Argon2id (with bcrypt verification for imported hashes). */
export interface PasswordVerification {
  ok: boolean;
  /** The hash uses another algorithm or other parameters than the current ones: rehash after a login. */
  needsRehash: boolean;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<PasswordVerification>;
  /** Costs one verification against a dummy hash, so an unknown user takes as long as a wrong password. */
  burn(password: string): Promise<void>;
}
