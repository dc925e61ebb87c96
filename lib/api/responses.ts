// Placeholder until the response schemas land.
// biome-ignore lint/suspicious/noExplicitAny: placeholder
export type ResponseBodies = Record<string, any>;
