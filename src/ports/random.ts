/** Randomness through a port; the default is the platform's CSPRNG. */
export interface Random {
  bytes(length: number): Uint8Array;
  uuid(): string;
}

export const cryptoRandom: Random = {
  bytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
  uuid: () => crypto.randomUUID(),
};
