import { hash, type Options, verify } from "@node-rs/argon2";

// Argon2id at OWASP's minimum recommendation (19 MiB, 2 passes, 1 lane): ~15-40 ms per hash here.
// The parameters are stored in each hash (PHC string), so raising them later keeps old hashes verifiable.
const ARGON2ID_OPTIONS: Options = {
  // The package exports `Algorithm` as an ambient const enum, which isolatedModules cannot inline
  // (and which is an empty object at run time): 2 is Algorithm.Argon2id.
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

export function hashPassword(plain: string): Promise<string> {
  return hash(plain, ARGON2ID_OPTIONS);
}

/** False for a wrong password and for a stored value that is not an Argon2 hash at all. */
export async function verifyPassword(passwordHash: string, plain: string): Promise<boolean> {
  try {
    return await verify(passwordHash, plain);
  } catch {
    // The native binding throws on malformed hashes ("Decoding failed"); to the caller that is a mismatch.
    return false;
  }
}
