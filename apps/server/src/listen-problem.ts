/**
 * What stops the server from listening, said as the one line that names the variable to change
 * (PORT or HOST); undefined for any other error, which is reported as it is.
 */
export function listenProblem(error: unknown, host: string, port: number): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case "EADDRINUSE":
      return `PORT ${port} is already in use on ${host}: stop what listens there or set PORT to a free port`;
    case "EACCES":
      return `PORT ${port} needs privileges this process does not have on ${host}: set PORT to 1024 or above`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
      return `HOST ${host} does not resolve to an address: set HOST to an address of this machine, e.g. 127.0.0.1`;
    case "EADDRNOTAVAIL":
      return `HOST ${host} is not an address of this machine: set HOST to one of its addresses, e.g. 127.0.0.1`;
    default:
      return undefined;
  }
}
