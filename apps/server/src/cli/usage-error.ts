/**
 * A command line the `teams` command cannot run as written (unknown command or flag, a missing or
 * malformed argument, a configuration that does not allow the command): exit code 2, as shells
 * and `getopt` use it, apart from 1 for a command that ran and failed.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Whether `error` is a usage error, including `node:util` parseArgs' refusals of a flag. */
export function isUsageError(error: unknown): boolean {
  if (error instanceof UsageError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}
