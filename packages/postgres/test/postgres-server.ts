import pg from "pg";

/** The server the tests use; every test works in a schema (or database) of its own and drops it. */
export const TEST_URL =
  process.env.TEAMS_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an unparsable URL)";
  }
}

/** Null when the server answers, otherwise why not. */
export async function probePostgres(): Promise<string | null> {
  const client = new pg.Client({ connectionString: TEST_URL, connectionTimeoutMillis: 3000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("select 1");
    return null;
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    return message || code || String(error);
  } finally {
    await client.end().catch(() => {});
  }
}
