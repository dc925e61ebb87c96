/**
 * Operator commands talk to the local stack unless pointed elsewhere: TABLE_NAME alone (with
 * AWS credentials in the environment) means a deployed stage's table.
 */
export function useTableFromEnvironment(): void {
  if (!process.env.TABLE_NAME) {
    process.env.TABLE_NAME = 'backup-provisioning-local';
    process.env.DYNAMODB_ENDPOINT ??= `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? 8000}`;
  }
}

export function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

/** One line, as SPEC writes it: `{ "partnerId": "…", "apiKey": "…" }`. */
export function printJson(value: Record<string, unknown>): void {
  const fields = Object.entries(value).map(
    ([name, field]) => `"${name}": ${JSON.stringify(field)}`,
  );
  console.log(`{ ${fields.join(', ')} }`);
}
