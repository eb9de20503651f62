import { randomUUID } from "node:crypto";
import { link, mkdir, open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { AuthConfigurationError } from "./configuration-error.js";

// The key files of the data folder (the development key, the service's signing keys): private
// JSON, written whole, created once even by two processes starting at the same moment.

/** How a key file's checks speak of it: what a valid one holds, and how to get a new one. */
export interface KeyFileWords {
  /** Completes "<file> ..." when the JSON is not a valid key file, e.g. "is not a private JWK". */
  invalid: string;
  /** Completes "delete it to ...", e.g. "create a new key". */
  recreate: string;
}

/**
 * Reads a key file; undefined when there is none. A broken file is reported, not replaced:
 * replacing it would void every token signed so far. JSON.parse's message can quote the text
 * (a private key), so it is not passed on.
 */
export async function readKeyFile<T>(
  file: string,
  isValid: (value: unknown) => value is T,
  words: KeyFileWords,
): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AuthConfigurationError(`${file} is not valid JSON; delete it to ${words.recreate}`);
  }
  if (!isValid(parsed)) {
    throw new AuthConfigurationError(`${file} ${words.invalid}; delete it to ${words.recreate}`);
  }
  return parsed;
}

/** Writes `value` whole to a new private (0600) temporary file beside `name`; returns its path. */
export async function writeTemporary(
  dataDir: string,
  name: string,
  value: unknown,
): Promise<string> {
  const temporary = join(dataDir, `.${name}.${randomUUID()}.tmp`);
  const handle = await open(temporary, "wx", 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temporary;
}

/**
 * Creates `dataDir/name` holding `created`, unless another process created it first: written
 * whole to a temporary file, then linked into place, so a concurrent starter either wins the link
 * or reads the winner's file (`readWinner`), never half a one. Resolves to what the file holds.
 */
export async function createKeyFileOnce<T>(
  dataDir: string,
  name: string,
  created: T,
  readWinner: (file: string) => Promise<T | undefined>,
): Promise<T> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, name);
  const temporary = await writeTemporary(dataDir, name, created);
  try {
    await link(temporary, file);
    return created;
  } catch (error) {
    if (errorCode(error) !== "EEXIST") throw error;
    const winner = await readWinner(file);
    if (!winner) throw error;
    return winner;
  } finally {
    await rm(temporary, { force: true });
  }
}

/** A Node system error's `code` (ENOENT, EEXIST), or undefined. */
export function errorCode(error: unknown): unknown {
  return typeof error === "object" && error !== null
    ? (error as { code?: unknown }).code
    : undefined;
}
